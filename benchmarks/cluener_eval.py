"""CLUENER2020 dev accuracy and speed of the PERSON / ADDRESS / ORGANIZATION recognizers.

    python benchmarks/cluener_eval.py --dev /work/shared/data/cluener/dev.json

Accuracy: entity-level exact-span precision/recall/F1 per type through
``Analyzer.analyze`` (CLUENER name -> PERSON, address -> ADDRESS, company + organization +
government -> ORGANIZATION). Speed: the seven NER recognizers alone, single thread, on dev
sentences, on bilingual support chats (privtune.demo.corpus, one call per message as the scan
does) and on scan_accuracy's ~300-char "chat300" texts. Prints a table, then one JSON line.
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

from privtune.scan.ner.cluener import gold_spans, load_cluener, prf  # noqa: E402

TYPES = ("PERSON", "ADDRESS", "ORGANIZATION")
NER_RECOGNIZERS = (
    "zh_person_model", "en_person_dict", "zh_address_model", "en_address_pattern",
    "zh_organization_model", "en_org_pattern", "en_ner_model",
)
# Presidio pattern-only, 270-char docs, as measured by benchmarks/scan_throughput.py on the
# project machine (~235 docs/s); a reference for the ratio below, not measured in this script.
PRESIDIO_REFERENCE_CHARS_PER_S = 235 * 270


def evaluate_cluener(dev_path: str, analyzer) -> dict[str, dict]:
    """Per type precision/recall/f1/support (exact spans) of ``analyzer.analyze`` on CLUENER."""
    gold, pred = [], []
    for i, record in enumerate(load_cluener(dev_path)):
        gold += [(i, s, e, t) for s, e, t in gold_spans(record)]
        pred += [(i, s.start, s.end, s.type) for s in analyzer.analyze(record["text"]) if s.type in TYPES]
    res = prf(gold, pred, TYPES)
    tp = len(set(gold) & set(pred))  # micro average over the three types
    p = tp / len(set(pred)) if pred else 0.0
    r = tp / len(set(gold)) if gold else 0.0
    f1 = round(2 * p * r / (p + r), 4) if p + r else 0.0
    res["micro"] = {"precision": round(p, 4), "recall": round(r, 4), "f1": f1,
                    "support": len(set(gold)), "predicted": len(set(pred))}
    return res


def threshold_sweep(dev_path: str, analyzer, thresholds: tuple[float, ...]) -> dict[str, dict]:
    """Per type: F1 at each score threshold, and the best one. ``analyzer`` should keep spans
    of any score (min_score near 0) so the sweep sees them all."""
    gold, scored = [], []
    for i, record in enumerate(load_cluener(dev_path)):
        gold += [(i, s, e, t) for s, e, t in gold_spans(record)]
        scored += [((i, s.start, s.end, s.type), s.score) for s in analyzer.analyze(record["text"]) if s.type in TYPES]
    out = {}
    for t in TYPES:
        f1 = {th: prf(gold, [p for p, sc in scored if sc >= th], [t])[t]["f1"] for th in thresholds}
        best = max(f1, key=lambda th: (f1[th], -abs(th - 0.5)))
        out[t] = {"f1_by_threshold": f1, "best_threshold": best}
    return out


def print_table(res: dict[str, dict]) -> None:
    print(f"{'type':<14}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}")
    for t, r in res.items():
        print(f"{t:<14}{r['precision']:>8.3f}{r['recall']:>8.3f}{r['f1']:>8.3f}{r['support']:>9}")


def time_texts(analyzer, texts: list[str], min_seconds: float) -> dict[str, float]:
    """Single-thread CPU seconds per text (process_time: other load on the machine does not count)."""
    for t in texts[:50]:
        analyzer.analyze(t)  # warm: model load, regex compile
    done, t0, w0 = 0, time.process_time(), time.perf_counter()
    while True:
        for t in texts:
            analyzer.analyze(t)
        done += len(texts)
        cpu = time.process_time() - t0
        if cpu >= min_seconds:
            break
    chars = sum(map(len, texts)) * done / len(texts)
    return {"texts": done, "cpu_s": round(cpu, 3), "wall_s": round(time.perf_counter() - w0, 3),
            "us_per_text": round(cpu / done * 1e6, 2), "chars_per_s": round(chars / cpu)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", default="/work/shared/data/cluener/dev.json")
    ap.add_argument("--records", type=int, default=1000, help="demo chat records for the speed test")
    ap.add_argument("--seconds", type=float, default=3.0, help="minimum CPU seconds per speed test")
    args = ap.parse_args()

    import numpy as np

    from privtune.scan.analyzer import Analyzer, load_recognizers
    from privtune.scan.registry import REGISTRY

    load_recognizers()

    res = evaluate_cluener(args.dev, Analyzer(types=TYPES))
    print_table(res)
    # Is 0.5 where F1 peaks? (Calibration was fitted on held-out train, not on dev.)
    cuts = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    sweep = threshold_sweep(args.dev, Analyzer(types=TYPES, min_score=0.01), cuts)
    for t, r in sweep.items():
        print(f"{t:<14} F1 by threshold: " + " ".join(f"{th}:{f:.3f}" for th, f in r["f1_by_threshold"].items())
              + f"  best {r['best_threshold']}")

    # Speed: only the NER recognizers (the structured ones are timed by scan_throughput.py).
    ner = Analyzer(types=TYPES, recognizers=[REGISTRY[n]() for n in NER_RECOGNIZERS])
    dev_texts = [r["text"] for r in load_cluener(args.dev)]
    speed = {"cluener_dev": time_texts(ner, dev_texts, args.seconds)}
    try:
        from privtune.demo.corpus import generate
        from privtune.io import text_fields
    except ImportError:  # the demo corpus is optional for this benchmark
        generate = None
    if generate is not None:
        records = list(generate(args.records, seed=0))
        fields = [[t for _, t in text_fields(r)] for r in records]
        texts = [t for f in fields for t in f]
        s = time_texts(ner, texts, args.seconds)
        s["us_per_record"] = round(s["us_per_text"] * len(texts) / len(records), 1)
        s["chars_per_record"] = round(sum(map(len, texts)) / len(records), 1)
        speed["demo_chats"] = s
    try:  # scan_accuracy's "chat300": labelled records padded with PII-free chat to ~300 chars
        from benchmarks.scan_accuracy import pad_to
        from benchmarks.scan_labelled_data import generate as labelled
    except ImportError:
        pad_to = None
    if pad_to is not None:
        speed["chat300"] = time_texts(ner, pad_to(labelled(args.records, 2025), 300, 2025), args.seconds)
    for name, s in speed.items():
        per_record = f", {s['us_per_record']:.1f} us per {s['chars_per_record']:.0f}-char record" if "us_per_record" in s else ""
        print(f"speed {name}: {s['us_per_text']:.1f} us/text, {s['chars_per_s'] / 1e6:.2f} M chars/s (CPU){per_record}")
    ratio = {k: round(v["chars_per_s"] / PRESIDIO_REFERENCE_CHARS_PER_S, 1) for k, v in speed.items()}
    print(json.dumps({"benchmark": "cluener_eval", "dev": res, "threshold_sweep": sweep, "speed": speed,
                      "presidio_reference_chars_per_s": PRESIDIO_REFERENCE_CHARS_PER_S,
                      "x_presidio_chars_per_s": ratio, "numpy": np.__version__}))


if __name__ == "__main__":
    main()
