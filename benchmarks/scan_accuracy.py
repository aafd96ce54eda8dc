"""Accuracy of the scanner: structured types on the generated zh+en set, PERSON/ADDRESS on CLUENER.

Structured types: entity-level precision/recall/F1 of ``Analyzer()`` against the labelled set
from benchmarks/scan_labelled_data.py, by exact span match and by overlap match (same type,
spans intersect, one-to-one). PERSON/ADDRESS: ``benchmarks.cluener_eval.evaluate_cluener`` on
the CLUENER dev set.

Speed: CPU µs per text of the structured recognizers alone (``Analyzer(types=STRUCTURED_TYPES)``),
with Presidio's AnalyzerEngine (pattern recognizers, blank spaCy) timed on the same texts in the
same run as the peer, on three samples: ``record`` (the generated records, ~60 chars),
``chat300`` (each record padded with PII-free chat to ~300 chars: ordinary density) and
``dense300`` (records concatenated to ~300 chars: 6-8 entities and hard negatives each).

    python benchmarks/scan_accuracy.py --n 3000 --seed 2025 --out results.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from benchmarks.scan_labelled_data import FILLER, generate  # noqa: E402
from privtune.errors import PrivtuneError  # noqa: E402
from privtune.scan.analyzer import Analyzer  # noqa: E402
from privtune.scan.entities import STRUCTURED_TYPES, Span  # noqa: E402

CLUENER_DEV = "/work/shared/data/cluener/dev.json"


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "tp": tp, "pred": n_pred, "gold": n_gold}  # fmt: skip


def score(records: list[dict], predictions: list[list[Span]]) -> dict[str, dict[str, dict]]:
    """Per-type exact and overlap P/R/F1 over structured types."""
    exact_tp: dict[str, int] = defaultdict(int)
    overlap_tp: dict[str, int] = defaultdict(int)
    n_pred: dict[str, int] = defaultdict(int)
    n_gold: dict[str, int] = defaultdict(int)
    for rec, preds in zip(records, predictions, strict=True):
        gold = [tuple(s) for s in rec["spans"]]
        preds = [p for p in preds if p.type in STRUCTURED_TYPES]
        for _, _, t in gold:
            n_gold[t] += 1
        for p in preds:
            n_pred[p.type] += 1
        gold_set = set(gold)
        for p in preds:
            if (p.start, p.end, p.type) in gold_set:
                exact_tp[p.type] += 1
        used: set[int] = set()
        for p in preds:
            for i, (gs, ge, gt) in enumerate(gold):
                if i not in used and gt == p.type and p.start < ge and gs < p.end:
                    used.add(i)
                    overlap_tp[p.type] += 1
                    break
    out = {}
    for t in sorted(set(n_gold) | set(n_pred)):
        out[t] = {"exact": prf(exact_tp[t], n_pred[t], n_gold[t]),
                  "overlap": prf(overlap_tp[t], n_pred[t], n_gold[t])}  # fmt: skip
    return out


def cpu_us_per_text(fn, texts: list[str], min_seconds: float) -> float:
    """CPU microseconds per call of ``fn`` over ``texts`` (repeated for at least ``min_seconds``).

    Process CPU time rather than wall time: the benchmark machine is shared, and CPU time
    charges each side only for its own work, so the ratio stays meaningful under load.
    """
    fn(texts[0])  # warm-up outside the timed region (lazy imports, caches)
    done, t0 = 0, time.process_time()
    while True:
        for t in texts:
            fn(t)
        done += len(texts)
        el = time.process_time() - t0
        if el >= min_seconds:
            return el / done * 1e6


def presidio_analyze():
    """Presidio's AnalyzerEngine as scan_throughput builds it (pattern recognisers, blank spaCy)."""
    try:
        from benchmarks.scan_throughput import build_presidio
    except ImportError as e:
        print(f"note: Presidio peer unavailable ({e})", file=sys.stderr)
        return None, None
    tmpd = tempfile.TemporaryDirectory()
    engine = build_presidio(Path(tmpd.name))
    return (lambda t: engine.analyze(t, language="en")), tmpd


def pad_to(records: list[dict], chars: int, seed: int) -> list[str]:
    """Each record padded with PII-free chat sentences of its language to about ``chars``
    characters: a 300-char message at ordinary density (1-3 entities), not a dense list."""
    rng = random.Random(seed)
    out = []
    for rec in records:
        filler = FILLER[0 if rec["lang"] == "zh" else 1]
        text = rec["text"]
        while len(text) < chars:
            text = f"{rng.choice(filler)}{'，' if rec['lang'] == 'zh' else ', '}{text}" if rng.random() < 0.5 else (
                f"{text}{'。' if rec['lang'] == 'zh' else '. '}{rng.choice(filler)}")
        out.append(text)
    return out


def concat_to(texts: list[str], chars: int) -> list[str]:
    """Join consecutive texts (newline-separated) into documents of at least ``chars`` chars."""
    out, cur = [], ""
    for t in texts:
        cur = f"{cur}\n{t}" if cur else t
        if len(cur) >= chars:
            out.append(cur)
            cur = ""
    return out


def cluener(analyzer: Analyzer) -> dict | None:
    """PERSON/ADDRESS(/ORGANIZATION) scores on CLUENER dev, or None (with a note) if unavailable."""
    try:
        from benchmarks.cluener_eval import evaluate_cluener
    except ImportError as e:
        print(f"note: CLUENER evaluation skipped, benchmarks.cluener_eval not importable ({e})", file=sys.stderr)
        return None
    try:
        return evaluate_cluener(CLUENER_DEV, analyzer)
    except PrivtuneError as e:
        print(f"note: CLUENER evaluation failed ({e})", file=sys.stderr)
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3000)
    # Seed 7 was used while developing the recognizers; the default is one that was not.
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--presidio-docs", type=int, default=300, help="texts timed for the Presidio peer")
    ap.add_argument("--no-cluener", action="store_true")
    ap.add_argument("--out", help="write the full results as JSON here")
    args = ap.parse_args()

    records = generate(args.n, args.seed)
    texts = [r["text"] for r in records]
    analyzer: Analyzer | None = Analyzer()
    try:
        predictions = [analyzer.analyze(t) for t in texts]
    except PrivtuneError as e:  # e.g. the NER model is not built yet: score what can run
        print(f"note: full Analyzer failed ({e}); scoring the structured recognizers only", file=sys.stderr)
        analyzer = None
        predictions = [Analyzer(types=STRUCTURED_TYPES).analyze(t) for t in texts]
    per_type = score(records, predictions)

    print(f"{'type':<15}{'P':>7}{'R':>7}{'F1':>7}{'oF1':>7}{'gold':>6}{'pred':>6}")
    for t, m in per_type.items():
        e = m["exact"]
        print(f"{t:<15}{e['precision']:>7.3f}{e['recall']:>7.3f}{e['f1']:>7.3f}{m['overlap']['f1']:>7.3f}"
              f"{e['gold']:>6}{e['pred']:>6}")  # fmt: skip

    structured = Analyzer(types=STRUCTURED_TYPES).analyze
    samples = {"record": texts, "chat300": pad_to(records, 300, args.seed), "dense300": concat_to(texts, 270)}
    timing: dict[str, dict[str, float | None]] = {}
    presidio, _keep = presidio_analyze()
    for label, sample in samples.items():
        us = cpu_us_per_text(structured, sample, 2.0)
        peer = cpu_us_per_text(presidio, sample[: args.presidio_docs], 2.0) if presidio else None
        timing[label] = {"avg_chars": round(sum(map(len, sample)) / len(sample), 1), "structured_us": round(us, 1),
                         "presidio_us": round(peer, 1) if peer else None,
                         "speedup_vs_presidio": round(peer / us, 1) if peer else None}  # fmt: skip
        print(f"{label:>7} (avg {timing[label]['avg_chars']:.0f} chars): structured {us:.1f} µs CPU"
              + (f", Presidio {peer:.0f} µs, {peer / us:.0f}x" if peer else ""))

    cl = None if args.no_cluener or analyzer is None else cluener(analyzer)
    if cl is not None:
        for t, m in cl.items():
            print(f"CLUENER {t}: {m}")

    result = {
        "benchmark": "scan_accuracy", "records": len(records), "seed": args.seed,
        "min_exact_f1": min(m["exact"]["f1"] for t, m in per_type.items() if t in STRUCTURED_TYPES),
        "per_type": {t: {"p": m["exact"]["precision"], "r": m["exact"]["recall"], "f1": m["exact"]["f1"],
                         "overlap_f1": m["overlap"]["f1"]} for t, m in per_type.items()},
        "timing_cpu": timing,
        "cluener": cl,
    }  # fmt: skip
    if args.out:
        Path(args.out).write_text(json.dumps({**result, "per_type_full": per_type}, indent=2, ensure_ascii=False))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
