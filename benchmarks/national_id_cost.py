"""Cost of the cued national-id schemes of `national_ids_more` per demo record.

That recognizer has no trigger: one scan of the lower-cased text for pieces of its cue words
decides, and then only the cue patterns of the schemes whose pieces the text holds run. This
times `Analyzer.analyze` on the messages of ``generate(N, seed=0)`` with every recognizer and
without that one, alternating runs, and prints one JSON line: µs per record for both (best and
median), the median paired difference, how many texts hold a cue piece, and how many IDs it
finds. Times are CPU time of this process (a shared machine's load does not skew them).

    python benchmarks/national_id_cost.py --records 2000 --rounds 9
"""

from __future__ import annotations

import argparse
import json
import statistics
import time


def main() -> None:
    from privtune.demo.corpus import generate
    from privtune.scan.analyzer import Analyzer
    from privtune.scan.recognizers.national_ids_more import MoreNationalIdRecognizer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    records = list(generate(args.records, seed=0))
    msgs = [m["content"] for r in records for m in r["messages"]]
    full = Analyzer()
    without = Analyzer(recognizers=[r for r in full.recognizers if not isinstance(r, MoreNationalIdRecognizer)])

    def per_record(analyzer: Analyzer) -> float:
        t = time.process_time()
        for m in msgs:
            analyzer.analyze(m)
        return (time.process_time() - t) / len(records) * 1e6

    per_record(without), per_record(full)  # warm-up (models' caches, the plans)
    old, new = [], []
    for _ in range(args.rounds):
        old.append(per_record(without))
        new.append(per_record(full))
    from privtune.scan.recognizers.national_ids_more import MORE_SCHEMES

    passed = [m for m in msgs if MORE_SCHEMES.holds_a_cue_piece(m)]
    found = sum(len(MoreNationalIdRecognizer().analyze(m)) for m in msgs)
    print(json.dumps({
        "benchmark": "national_id_cost", "records": len(records), "messages": len(msgs),
        "without_us_per_record": {"best": round(min(old), 2), "median": round(statistics.median(old), 2)},
        "with_us_per_record": {"best": round(min(new), 2), "median": round(statistics.median(new), 2)},
        "paired_diff_us_median": round(statistics.median(b - a for a, b in zip(old, new)), 2),
        "ratio_best": round(min(new) / min(old), 4),
        "messages_with_cue_piece": len(passed), "ids_found": found,
    }))


if __name__ == "__main__":
    main()
