"""English PERSON on held-out halves of the training corpora: the error analysis set of issue 12.

    python tools/en_ner_halves.py                         # the shipped recipe
    python tools/en_ner_halves.py --lower-copies 0.1      # any tools/train_en_ner.py option
    python tools/en_ner_halves.py --models /tmp/h0.crfsuite /tmp/h1.crfsuite  # score, no training

The dev sets are small and earlier rounds read their misses, so a change is first measured
here: two models are trained with the given recipe, each without one half (index parity within
each corpus) of the BTC / WNUT17 / wikigold training sentences, and each half is run through the
whole ``Analyzer`` with the model that did not see it. Prints PERSON exact P / R / F1 per corpus
and, with ``--dump``, writes the missed and false names as JSON lines (training text: keep the
file local, out of the repository).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.ner_eval import count, scores  # noqa: E402
from privtune.scan.ner import corpora  # noqa: E402


def _train_tool():
    spec = importlib.util.spec_from_file_location("train_en_ner", ROOT / "tools" / "train_en_ner.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules.setdefault("train_en_ner", mod)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def halves() -> dict[str, tuple[list, list]]:
    """corpus -> (sentences of half 0, of half 1), by index parity."""
    out = {}
    for name in _train_tool().TRAIN_SETS:
        sents = corpora.load(name)
        out[name] = ([s for i, s in enumerate(sents) if i % 2 == 0], [s for i, s in enumerate(sents) if i % 2 == 1])
    return out


def score_half(model: Path, sentences: list) -> tuple[dict, list]:
    """PERSON counts of ``sentences`` through the whole Analyzer with ``model`` as the en tagger."""
    from privtune.scan.analyzer import Analyzer
    from privtune.scan.ner import en_crf

    examples = [(s.text, [x for x in s.spans if x[2] == "PERSON"]) for s in sentences]
    shipped = en_crf._TAGGER
    en_crf._TAGGER, en_crf._LAST = en_crf.EnTagger(model), ("", [])
    try:
        analyzer = Analyzer()
        preds = [[(r.start, r.end, r.type) for r in analyzer.analyze(t) if r.type == "PERSON"] for t, _ in examples]
    finally:  # the process-wide tagger is the shipped model's again
        en_crf._TAGGER, en_crf._LAST = shipped, ("", [])
    errors = []
    for (text, gold), pred in zip(examples, preds, strict=True):
        missed = [text[a:b] for a, b, _ in set(gold) - set(pred)]
        false = [text[a:b] for a, b, _ in set(pred) - set(gold)]
        if missed or false:
            errors.append({"text": text, "missed": missed, "false": false})
    return count(examples, preds, ("PERSON",))["PERSON"], errors


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":  # the training tool's Faker draws need it
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    tool = _train_tool()
    ap = tool.parser()
    ap.description = __doc__
    ap.add_argument("--models", type=Path, nargs=2, help="score these (trained without half 0 / 1); no training")
    ap.add_argument("--work", type=Path, default=Path("/tmp"), help="where the two models are written")
    ap.add_argument("--tag", default="halves", help="file name stem of the two models")
    ap.add_argument("--dump", type=Path, help="write missed / false names per sentence here (JSON lines)")
    args = ap.parse_args()
    parts = halves()
    models = args.models or [args.work / f"{args.tag}.without{h}.crfsuite" for h in (0, 1)]
    if not args.models:
        args.work.mkdir(parents=True, exist_ok=True)
        for h, out in enumerate(models):
            kept = [tool._bio(s.text, list(s.spans)) for name in tool.TRAIN_SETS for s in parts[name][1 - h]]
            t0 = time.perf_counter()
            tool.train(args, kept, out)
            print(f"trained without half {h} in {time.perf_counter() - t0:.0f} s: {out}", flush=True)
    total: dict[str, int] = {}
    dump = []
    for name in tool.TRAIN_SETS:
        c: dict[str, int] = {}
        for h, model in enumerate(models):
            counts, errors = score_half(model, parts[name][h])
            dump += [{"set": name, "half": h, **e} for e in errors]
            for k, v in counts.items():
                c[k] = c.get(k, 0) + v
                total[k] = total.get(k, 0) + v
        s = scores({"PERSON": c})["PERSON"]["exact"]
        print(f"{name:<16} PERSON P {s['p']:.3f} R {s['r']:.3f} F1 {s['f1']:.3f}  (gold {c.get('gold', 0)})")
    s = scores({"PERSON": total})["PERSON"]["exact"]
    print(f"{'all halves':<16} PERSON P {s['p']:.3f} R {s['r']:.3f} F1 {s['f1']:.3f}  (gold {total.get('gold', 0)})")
    if args.dump:
        args.dump.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dump), encoding="utf-8")


if __name__ == "__main__":
    main()
