"""Scan the leak probe set (`leak_probe_data.py`) with `privtune scan` and count, per type, the
planted values that survive in the cleaned output.

A value "leaks whole" when it is still in the output record verbatim, and "leaks in part" when
a piece of it is: a run of three or more letters or digits, or of two or more Chinese
characters, that the value holds and the input record held at that value only ("T3 1802" of
"望京SOHO T3 1802" after the building alone was masked; the visible digits of "138****5678").
The scan runs with ``--policy redact`` (surrogates could spell a piece by chance) and no dedup;
a record the scan rejects is counted apart (lost, not leaked).

    python benchmarks/leak_probe.py                       # per-type table + one JSON line
    python benchmarks/leak_probe.py --set benchmarks/data/leak_probe10.jsonl   # round 10's held-out set
    python benchmarks/leak_probe.py --set benchmarks/data/leak_probe12.jsonl   # round 12's (leak_probe12_data.py)
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


def scan(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any] | None], list[str]]:
    """The cleaned records in input order (None for a rejected one) and the reject reasons."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out, rej = Path(tmp) / "probe.jsonl", Path(tmp) / "clean.jsonl", Path(tmp) / "rejects.jsonl"
        src.write_text("".join(json.dumps(it["record"], ensure_ascii=False) + "\n" for it in items), encoding="utf-8")
        run_scan(ScanConfig(input=src, out=out, rejects=rej, policy="redact", dedup="off", max_rejected="100%"))
        kept = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        rejects = [json.loads(line) for line in rej.read_text(encoding="utf-8").splitlines()] if rej.exists() else []
    rejected = {r["line"]: r["reason"] for r in rejects}
    if len(kept) + len(rejected) != len(items):
        raise SystemExit(f"the scan returned {len(kept)} records and {len(rejected)} rejects for {len(items)}")
    it = iter(kept)
    cleaned = [None if i + 1 in rejected else next(it) for i in range(len(items))]
    return cleaned, list(rejected.values())


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET)
    ap.add_argument("--show", nargs="*", default=[], help="print the leaking values of these types")
    args = ap.parse_args(argv)
    items = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines() if line.strip()]
    cleaned, reasons = scan(items)
    planted: Counter[str] = Counter()
    whole: Counter[str] = Counter()
    part: Counter[str] = Counter()
    by_shape: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    for item, out in zip(items, cleaned):
        if out is None:  # not in the output, so not leaked; but lost, which is counted apart
            rejected[item["shape"]] += 1
            for etype, _ in item["pii"]:
                planted[etype] += 1
                lost[etype] += 1
            continue
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
    print(f"{'type':14} {'planted':>7} {'whole':>6} {'part':>5} {'in rejected records':>20}")
    for etype in sorted(planted):
        print(f"{etype:14} {planted[etype]:7d} {whole[etype]:6d} {part[etype]:5d} {lost[etype]:20d}")
    total = sum(planted.values())
    print(f"{'all':14} {total:7d} {sum(whole.values()):6d} {sum(part.values()):5d} {sum(lost.values()):20d}")
    if rejected:
        print(f"rejected records (their values neither leaked nor kept): {dict(rejected)}; first: {reasons[0][:160]}")
    result = {"benchmark": "leak_probe", "set": args.set.name, "records": len(items), "planted": dict(planted),
              "leaked_whole": dict(whole), "leaked_part": dict(part), "leaks_by_shape": dict(by_shape),
              "rejected_by_shape": dict(rejected), "in_rejected_records": dict(lost)}
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
