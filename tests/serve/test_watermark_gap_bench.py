"""Helpers of the gap-to-the-oracle benchmark (benchmarks/watermark_gap.py): surrogate contexts,
the sampling-null z, and its linear-detector re-weighting at λ 1 equal to the served detector."""

from __future__ import annotations

import math

import pytest

from benchmarks.watermark_gap import (aligned, fill_placeholders, linear_lambdas, sampling_null_z, sampling_z,
                                      score_pair_z)
from privtune.serve.guards.detectors import TextFeatures, detect_features, model_features
from privtune.serve.guards.entropy import EntropySource
from privtune.serve.guards.watermark import WatermarkScheme
from test_watermark_entropy import _generate, bigram_model  # noqa: F401  (a fixture, used by name)


def test_placeholders_get_a_value_in_the_script_around_them():
    assert fill_placeholders("您好[PERSON]，电话[PHONE]。") == "您好张伟，电话13812345678。"
    assert fill_placeholders("Dear [PERSON], call [PHONE]") == "Dear John Smith, call 555-0123"
    assert fill_placeholders("no placeholder <PHONE_3fa2c91b>") == "no placeholder <PHONE_3fa2c91b>"


def test_alignment_and_sampling_z():
    assert aligned([1, 2, 3, 4], [1, 9, 3, 4]) == {0: 0, 2: 2, 3: 3}
    gx, big_g = [True, False, True], [0.5, 0.5, 0.2]
    assert sampling_z(gx, big_g, [0, 1, 2]) == pytest.approx((2 - 1.2) / math.sqrt(0.25 + 0.25 + 0.16))
    assert sampling_z(gx, big_g, []) == 0.0


def test_benchmark_linear_at_lambda_one_is_the_served_detector(bigram_model):  # noqa: F811
    scheme = WatermarkScheme(b"g" * 32)
    ids = _generate(bigram_model, scheme, rows=1, seed=6)[0]
    ent, ci, cp = model_features(bigram_model, ids, 0, EntropySource())
    f = {"ids": ids, "marks": [False] * len(ids), "ent": ent, "ci": ci, "cp": cp}
    served = detect_features(scheme, "linear", TextFeatures(ids, f["marks"], ent, ci, cp), entropy_weight_power=0.5)
    assert linear_lambdas(scheme, f)[3] == pytest.approx(served.z_score, rel=1e-9)
    assert math.isfinite(score_pair_z(scheme, f)) and math.isfinite(sampling_null_z(scheme, f, dedup=True))
