"""CPU cost of the English recognizers (`en_ner_model` + `en_person_dict`) per demo chat record.

    python benchmarks/en_ner_speed.py                 # this tree
    PYTHONPATH=/tmp/base python benchmarks/en_ner_speed.py   # another tree, run alternately

Two figures, one JSON line:

* ``steady_us``: best of ``--passes`` passes over ``--records`` demo records
  (`privtune.demo.corpus.generate(n, seed=0)`), the tagger's line memo emptied before each pass
  but its word table warm: the cost of tagging and the rules.
* ``first_sight_us``: one pass over 2,000 other records (seed 0) after a warm-up on 300
  (seed 99), so that the words a record brings for the first time (names, numbers, handles) are
  new to the tagger, as in a scan; ``new_word_us`` is the share spent building those words'
  weight rows.

The garbage collector is frozen and off during the timed passes, as the scan worker runs it.
Compare trees only within one sitting, alternating (the shared machine's load moves the
figures by several µs).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--passes", type=int, default=12)
    args = ap.parse_args(argv)

    import privtune
    from privtune.demo.corpus import generate
    from privtune.scan.ner import en_crf
    from privtune.scan.recognizers.en_model import EnModelRecognizer
    from privtune.scan.recognizers.person import EnPersonRecognizer

    recognizers = [EnModelRecognizer(), EnPersonRecognizer()]
    tagger = en_crf.get_tagger()
    new_word = [0.0]
    build = tagger._word_id

    def timed_word_id(w: str) -> int:
        i = tagger._ids.get(w)
        if i is not None:
            return i
        t0 = time.process_time()
        i = build(w)
        new_word[0] += time.process_time() - t0
        return i

    tagger._word_id = timed_word_id  # type: ignore[method-assign]

    def run(texts: list[str]) -> float:
        en_crf.forget_lines()
        en_crf._LAST = ("", [])
        t0 = time.process_time()
        for text in texts:
            for r in recognizers:
                if r.trigger.search(text):
                    r.analyze(text)
        return time.process_time() - t0

    def texts_of(n: int, seed: int) -> list[str]:
        return [m["content"] for rec in generate(n, seed=seed) for m in rec["messages"]]

    run(texts_of(300, 99))
    gc.freeze()
    gc.disable()
    new_word[0] = 0.0
    first = run(texts_of(2000, 0)) / 2000
    first_new = new_word[0] / 2000
    steady_texts = texts_of(args.records, 0)
    steady = min(run(steady_texts) for _ in range(args.passes)) / args.records
    gc.enable()
    print(json.dumps({
        "benchmark": "en_ner_speed", "tree": str(Path(privtune.__file__).parents[1]),
        "steady_us": round(steady * 1e6, 1), "first_sight_us": round(first * 1e6, 1),
        "new_word_us": round(first_new * 1e6, 1), "records": args.records, "passes": args.passes,
    }))


if __name__ == "__main__":
    main()
