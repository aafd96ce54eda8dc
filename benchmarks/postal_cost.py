"""Cost of the postal street-address pattern per demo record, against an older revision of it.

``find_postal_addresses`` runs on every Latin record, so each rule added to it is paid on all
of them. This times the current module and the module as it was at ``--base`` (read with
``git show``) on the messages of ``generate(2000, seed=0)``, alternating runs, and prints one
JSON line: µs per record (best and median) for both, the median paired difference, and how
many messages got other postal spans.

    python benchmarks/postal_cost.py --base c52e1f8
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType


def _module_at(rev: str) -> ModuleType:
    src = subprocess.run(["git", "show", f"{rev}:privtune/scan/ner/postal.py"], check=True,
                         capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "postal_base.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("postal_base", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["postal_base"] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    from privtune.demo.corpus import generate
    from privtune.scan.ner import postal

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="HEAD", help="git revision to compare with")
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    base = _module_at(args.base)
    records = list(generate(2000, seed=0))
    msgs = [m["content"] for r in records for m in r["messages"]]

    def per_record(find) -> float:
        t = time.perf_counter()
        for m in msgs:
            find(m)
        return (time.perf_counter() - t) / len(records) * 1e6

    per_record(base.find_postal_addresses), per_record(postal.find_postal_addresses)  # warm-up
    old, new = [], []
    for _ in range(args.rounds):
        old.append(per_record(base.find_postal_addresses))
        new.append(per_record(postal.find_postal_addresses))
    changed = sum(base.find_postal_addresses(m) != postal.find_postal_addresses(m) for m in msgs)
    print(json.dumps({
        "benchmark": "postal_cost", "base": args.base, "records": len(records), "messages": len(msgs),
        "base_us_per_record": {"best": round(min(old), 2), "median": round(statistics.median(old), 2)},
        "now_us_per_record": {"best": round(min(new), 2), "median": round(statistics.median(new), 2)},
        "paired_diff_us_median": round(statistics.median(b - a for a, b in zip(old, new)), 2),
        "ratio_best": round(min(new) / min(old), 3), "messages_with_other_spans": changed,
    }))


if __name__ == "__main__":
    main()
