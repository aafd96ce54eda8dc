"""Scan the leak probe set (`leak_probe_data.py`) with `privtune scan` and count, per type, the
planted values that survive in the cleaned output.

A value "leaks whole" when it is still in the output record verbatim, and "leaks in part" when
a piece of it is: a run of three or more letters or digits, or of two or more Chinese
characters, that the value holds and the input record held at that value only ("T3 1802" of
"望京SOHO T3 1802" after the building alone was masked; the visible digits of "138****5678").
The scan runs with ``--policy redact`` (surrogates could spell a piece by chance) and no dedup.

    python benchmarks/leak_probe.py                       # per-type table + one JSON line
    python benchmarks/leak_probe.py --show PHONE          # also print each leaking value of a type
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan

DEFAULT_SET = Path(__file__).parent / "data" / "leak_probe9.jsonl"
_PIECE = re.compile(r"[A-Za-z0-9\u00c0-\u024f]{3,}|[\u4e00-\u9fff]{2,}")


def strings(value: Any) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def leak_kind(value: str, before: str, after: str) -> str | None:
    """"whole", "part" or None for one planted value, given the record's text before and after."""
    if value in after:
        return "whole"
    for piece in _PIECE.findall(value):
        # A piece the rest of the input holds too ("Street", a city named twice) proves nothing.
        if piece in after and before.count(piece) <= before.count(value):
            return "part"
    return None


def scan(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cleaned records, in input order."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "probe.jsonl", Path(tmp) / "clean.jsonl"
        src.write_text("".join(json.dumps(it["record"], ensure_ascii=False) + "\n" for it in items), encoding="utf-8")
        run_scan(ScanConfig(input=src, out=out, policy="redact", dedup="off"))
        cleaned = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    if len(cleaned) != len(items):
        raise SystemExit(f"the scan returned {len(cleaned)} records for {len(items)}")
    return cleaned


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET)
    ap.add_argument("--show", nargs="*", default=[], help="print the leaking values of these types")
    args = ap.parse_args(argv)
    items = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines() if line.strip()]
    cleaned = scan(items)
    planted: Counter[str] = Counter()
    whole: Counter[str] = Counter()
    part: Counter[str] = Counter()
    by_shape: Counter[str] = Counter()
    for item, out in zip(items, cleaned):
        before, after = "\n".join(strings(item["record"])), "\n".join(strings(out))
        for etype, value in item["pii"]:
            planted[etype] += 1
            kind = leak_kind(value, before, after)
            if kind is None:
                continue
            (whole if kind == "whole" else part)[etype] += 1
            by_shape[item["shape"]] += 1
            if etype in args.show:
                print(f"{etype:14} {kind:5} {item['shape']:14} {value!r}")
    print(f"{'type':14} {'planted':>7} {'whole':>6} {'part':>5}")
    for etype in sorted(planted):
        print(f"{etype:14} {planted[etype]:7d} {whole[etype]:6d} {part[etype]:5d}")
    total = sum(planted.values())
    print(f"{'all':14} {total:7d} {sum(whole.values()):6d} {sum(part.values()):5d}")
    result = {"benchmark": "leak_probe", "set": args.set.name, "records": len(items), "planted": dict(planted),
              "leaked_whole": dict(whole), "leaked_part": dict(part), "leaks_by_shape": dict(by_shape)}
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
