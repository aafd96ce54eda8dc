"""Helpers of benchmarks/watermark_posterior.py: the served linear statistic rebuilt bit by bit
(its z equals the served detector's), and the sums and exact tails the benchmark reports."""

from __future__ import annotations

import math

import pytest
import torch

from benchmarks.watermark_posterior import all_detectors, linear_coefficients, memo_hash, sum_statistics, weighted_statistic
from privtune.serve.guards.detectors import TextFeatures, detect_features, model_features
from privtune.serve.guards.entropy import EntropySource
from privtune.serve.guards.watermark import WatermarkScheme
from privtune.serve.guards.watermark_posterior import text_log_ratios
from test_watermark_entropy import _generate, bigram_model  # noqa: F401  (a fixture, used by name)


def _feats(model, scheme, seed: int) -> dict:
    ids = _generate(model, scheme, rows=1, seed=seed)[0]
    ent, ci, cp = model_features(model, ids, 0, EntropySource())
    marks = [False] * len(ids)
    marks[50:53] = [True] * 3  # a placeholder: its windows are skipped by every statistic
    return {"ids": ids, "marks": marks, "ent": ent, "ci": ci, "cp": cp}


def test_linear_rebuilt_from_its_bits_is_the_served_detector(bigram_model):  # noqa: F811
    scheme = memo_hash(WatermarkScheme(b"p" * 32, delta=1.0))
    for seed in (6, 7):
        f = _feats(bigram_model, scheme, seed)
        coef, z = linear_coefficients(scheme, f)
        served = detect_features(scheme, "linear", TextFeatures(f["ids"], f["marks"], f["ent"], f["ci"], f["cp"]),
                                 entropy_weight_power=0.5)
        assert z == pytest.approx(served.z_score, rel=1e-9)
        assert 0.25 * 0.75 * float((coef * coef).sum()) == pytest.approx(2 + 2 * served.null_correlation, rel=1e-9)


def test_sum_of_standardised_statistics_and_the_report_columns(bigram_model):  # noqa: F811
    scheme = memo_hash(WatermarkScheme(b"q" * 32))
    f = _feats(bigram_model, scheme, 8)
    w = weighted_statistic(scheme, f)
    both = sum_statistics(w, w, 0.25)  # the same statistic twice: the sum is it, doubled, after standardising
    assert both.observed(0.25) / math.sqrt(both.null_variance(0.25)) == pytest.approx(
        w.observed(0.25) / math.sqrt(w.null_variance(0.25)), rel=1e-9)
    z = all_detectors(scheme, f, text_log_ratios(0.25, 2.0, f["ids"], f["ci"], f["cp"]), exact_from=1.5)
    assert set(z) >= {"linear", "linear_exact", "posterior", "posterior_exact", "logodds", "posterior_plus_weighted"}
    assert all(math.isfinite(v) for v in z.values())
    assert torch.is_tensor(w.coefficients)
