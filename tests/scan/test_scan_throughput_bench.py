"""benchmarks/scan_throughput.py: chunked detection against Presidio's analyze, in alternation."""

from __future__ import annotations

import pytest

from benchmarks.scan_throughput import build_presidio, detection_vs_presidio
from privtune.demo.corpus import generate
from privtune.io import text_fields
from privtune.scan.analyzer import Analyzer

pytest.importorskip("presidio_analyzer")


def test_rounds_alternate_and_scale_presidio_to_records(tmp_path) -> None:
    records = [[t for _, t in text_fields(r)] for r in generate(6, seed=0)]
    chunks = [records[:3], records[3:]]
    sample = [t for r in records for t in r]
    analyzer, engine = Analyzer(), build_presidio(tmp_path)
    order: list[str] = []
    detect, analyze = analyzer.analyze_records, engine.analyze
    analyzer.analyze_records = lambda c: order.append("privtune") or detect(c)  # type: ignore[method-assign]
    engine.analyze = lambda t, language: order.append("presidio") or analyze(t, language=language)  # type: ignore[method-assign]
    passes: list[int] = []

    rounds = detection_vs_presidio(analyzer, chunks, engine, sample, texts_per_record=4.0, repeats=2,
                                   before_pass=lambda: passes.append(1), min_seconds=0.0)

    # One pass over the chunks, then one over the sample, per round: both sides of a round
    # run back to back, under the same load.
    one_round = ["privtune"] * len(chunks) + ["presidio"] * len(sample)
    assert order == one_round * 2
    assert len(passes) == 2  # the English tagger's line memo is forgotten before each pass
    for r in rounds:
        assert r["privtune_detect_us_per_record_chunked"] > 0 and r["presidio_us_per_record"] > 0
        # The ratio is of the unrounded times; the times shown are rounded to 0.1 µs and the
        # ratio to 0.01, so it lies between the ratios of the times' rounding bounds.
        pt, pr = r["privtune_detect_us_per_record_chunked"], r["presidio_us_per_record"]
        assert (pr - 0.05) / (pt + 0.05) - 0.005 <= r["ratio"] <= (pr + 0.05) / (pt - 0.05) + 0.005
