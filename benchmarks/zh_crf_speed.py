"""Tagging speed of two Chinese CRF files, back to back in one process (a retrained model must
not be slower than the one it replaces).

    python benchmarks/zh_crf_speed.py --old /tmp/old_zh_crf.npz          # vs the packaged model
    git show HEAD~1:privtune/scan/ner/zh_crf.npz > /tmp/old_zh_crf.npz     # e.g. the previous one

CPU µs per text of ``ZhTagger.tag`` (features, emissions, decoding, post-rules) on CLUENER dev
and on the outside zh dev sets (Weibo, People's Daily held-out tenth, Resume), best of
``--rounds`` alternating rounds; one JSON line per set with the ratio new / old.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from privtune.scan.ner import corpora  # noqa: E402
from privtune.scan.ner.cluener import load_cluener  # noqa: E402
from privtune.scan.ner.model import MODEL_PATH, ZhTagger  # noqa: E402

CLUENER_DEV = "/work/shared/data/cluener/dev.json"
OUTSIDE = ("weibo.dev", "peoples_daily.dev", "resume.dev")


def cpu_us_per_text(tagger: ZhTagger, texts: list[str]) -> float:
    t0 = time.process_time()
    for text in texts:
        tagger.tag(text)
    return (time.process_time() - t0) / len(texts) * 1e6


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", type=Path, required=True, help="the model file to compare against")
    ap.add_argument("--new", type=Path, default=MODEL_PATH, help="default: the packaged model")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)

    sets = {
        "cluener.dev": [r["text"] for r in load_cluener(CLUENER_DEV)],
        "+".join(OUTSIDE): [s.text for name in OUTSIDE for s in corpora.load(name)],
    }
    taggers = {"old": ZhTagger(args.old), "new": ZhTagger(args.new)}
    for tagger in taggers.values():  # compile the kernels and fill the caches before timing
        for text in sets["cluener.dev"][:200]:
            tagger.tag(text)
    best: dict[tuple[str, str], float] = {}
    for _ in range(args.rounds):
        for which, tagger in taggers.items():
            for name, texts in sets.items():
                us = cpu_us_per_text(tagger, texts)
                best[which, name] = min(best.get((which, name), float("inf")), us)
    for name, texts in sets.items():
        old, new = best["old", name], best["new", name]
        print(json.dumps({"benchmark": "zh_crf_speed", "set": name, "texts": len(texts),
                          "old_us_per_text": round(old, 1), "new_us_per_text": round(new, 1),
                          "ratio_new_over_old": round(new / old, 3)}))  # fmt: skip


if __name__ == "__main__":
    main()
