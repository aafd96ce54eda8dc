"""The served p-value of the detectors that are weighted sums of keyed bits is the exact key-null
tail (`watermark_tail`), not the Gaussian tail of z; and ``posterior`` is a served detector whose
z is the benchmark's (`benchmarks/watermark_posterior.py`)."""

from __future__ import annotations

import hashlib
import math

import pytest
import torch

from privtune.serve.config import WatermarkConfig
from privtune.serve.guards.detectors import DETECTORS, TextFeatures, detect_features, model_features
from privtune.serve.guards.entropy import EntropySource
from privtune.serve.guards.watermark import WatermarkScheme, detect_ids, token_green_bits
from privtune.serve.guards.watermark_posterior import posterior_statistic
from privtune.serve.guards.watermark_tail import exact_tail
from privtune.serve.schemas import WatermarkDetectRequest
from test_watermark_entropy import _generate, bigram_model  # noqa: F401  (a fixture, used by name)


def _crafted(scheme: WatermarkScheme, n_scored: int, n_green: int) -> list[int]:
    """Distinct token ids (so distinct (anchor, token) bits) whose first ``n_green`` scored bits are green."""
    ids = list(range(1000, 1000 + scheme.context_width))
    nxt = 2000
    while len(ids) < scheme.context_width + n_scored:
        want = len(ids) - scheme.context_width < n_green
        while token_green_bits(scheme, ids + [nxt])[1][-1] != want:
            nxt += 1
        ids.append(nxt)
        nxt += 1
    return ids


def test_key_only_p_is_the_exact_binomial_tail_not_the_gaussian():
    """60 scored bits, 29 green: z = 4.17, Gaussian p 1.50e-5; the exact P(Bin(60, 1/4) ≥ 29) is
    7.99e-5, 5.3× larger (the old served p was that much too small)."""
    scheme = WatermarkScheme(hashlib.sha256(b"exact-p").digest())
    det = detect_ids(scheme, _crafted(scheme, 60, 29))
    assert (det.tokens_scored, det.green_tokens) == (60, 29)
    gauss = 0.5 * math.erfc(det.z_score / math.sqrt(2))
    binom = sum(math.comb(60, k) * 0.25 ** k * 0.75 ** (60 - k) for k in range(29, 61))
    assert det.z_score == pytest.approx(4.174, abs=1e-3)
    assert det.p_value >= 3 * gauss
    assert det.p_value == pytest.approx(binom, rel=1e-9)
    out = det.as_dict()
    assert out["p_value"] == det.p_value and out["z_exact"] < 3.9 < 4.0 < out["z_score"] and out["watermarked"]


def test_linear_p_is_the_exact_tail_of_its_bits(bigram_model):  # noqa: F811
    scheme = WatermarkScheme(hashlib.sha256(b"exact-linear").digest(), delta=4.0)
    ids = _generate(bigram_model, scheme, rows=1, seed=3)[0]
    f = TextFeatures(ids, None, *model_features(bigram_model, ids, 0, EntropySource()))
    det = detect_features(scheme, "linear", f)
    assert det.z_score > 4 and det.z_exact is not None
    # a right-skewed null: the exact tail is heavier than the Gaussian's, z_exact below z
    assert det.p_value > 2 * 0.5 * math.erfc(det.z_score / math.sqrt(2)) and det.z_exact < det.z_score
    assert det.p_value == pytest.approx(0.5 * math.erfc(det.z_exact / math.sqrt(2)), rel=1e-6, abs=0)


def test_posterior_is_served_with_the_benchmarks_z(bigram_model):  # noqa: F811
    assert "posterior" in DETECTORS
    assert WatermarkConfig(detector="posterior").detector == "posterior"
    assert WatermarkDetectRequest(text="x", detector="posterior").detector == "posterior"
    scheme = WatermarkScheme(hashlib.sha256(b"exact-posterior").digest(), delta=2.0)
    for ids in _generate(bigram_model, scheme, rows=2, seed=5) + _generate(bigram_model, None, rows=1, seed=6):
        f = TextFeatures(ids, None, *model_features(bigram_model, ids, 0, EntropySource()))
        det = detect_features(scheme, "posterior", f)
        s = posterior_statistic(scheme, f.ids, f.cand_ids, f.cand_probs)
        # the benchmark's z (`z_pair`): observed / null sd, Gaussian-standardised
        assert det.z_score == pytest.approx(s.observed(0.25) / math.sqrt(s.null_variance(0.25)), rel=1e-9)
        assert det.p_value == pytest.approx(exact_tail(s.coefficients, 0.25, s.observed(0.25)), rel=1e-9)
        assert det.as_dict()["detector"] == "posterior"
    assert torch.is_tensor(s.coefficients)


def test_every_answer_says_how_its_p_was_computed(bigram_model):  # noqa: F811
    """No silent Gaussian p: weighted / linear / posterior answer with their exact tails' method,
    lr and joint with "gaussian-approximation" (their statistic is not linear in the bits), combined
    with its Bonferroni over an approximate part; linear's parts carry their own exact tails, and
    joint / combined no z_exact of a part (they used to inherit the weighted part's)."""
    scheme = WatermarkScheme(hashlib.sha256(b"p-method").digest(), delta=4.0)
    ids = _generate(bigram_model, scheme, rows=1, seed=4)[0]
    f = TextFeatures(ids, None, *model_features(bigram_model, ids, 0, EntropySource()))
    want = {"weighted": "saddle-point", "linear": "saddle-point", "posterior": "saddle-point",
            "lr": "gaussian-approximation", "joint": "gaussian-approximation",
            "combined": "bonferroni, lr part gaussian-approximation"}
    assert set(want) == set(DETECTORS)
    for name, method in want.items():
        out = detect_features(scheme, name, f, entropy_weight_power=0.5).as_dict()
        assert out["p_value_method"] == method, name
        if method != "saddle-point":
            assert "z_exact" not in out, name
            assert out["p_value"] == pytest.approx(0.5 * math.erfc(out["z_score"] / math.sqrt(2)), rel=1e-6)
    assert detect_ids(scheme, ids).as_dict()["p_value_method"] == "exact-binomial"  # key-only count
    lin = detect_features(scheme, "linear", f)
    parts = lin.as_dict()["components"]
    assert {p["p_value_method"] for p in parts.values()} == {"saddle-point"}
    from privtune.serve.guards.watermark import weighted_terms
    from privtune.serve.guards.watermark_score import score_parts

    sp = score_parts(scheme, ids, f.cand_ids, f.cand_probs)
    terms = weighted_terms(scheme, ids, f.entropies, None, None, 0.5)
    c_w = torch.tensor([t[2] for t in terms], dtype=torch.double)
    exact = {"score": exact_tail(sp.bit_coefficients, 0.25, sp.total),
             "weighted": exact_tail(c_w, 0.25, float((c_w * (torch.tensor([float(t[3]) for t in terms]) - 0.25)).sum()))}
    for name, z, p, _, _ in lin.components:
        assert p == pytest.approx(exact[name], rel=1e-9), name  # the part's own exact tail (was its Gaussian)
        assert p != pytest.approx(0.5 * math.erfc(z / math.sqrt(2)), rel=0.01, abs=0), name
    joint = detect_features(scheme, "joint", f, entropy_weight_power=0.5).as_dict()["components"]
    assert (joint["weighted"]["p_value_method"], joint["lr"]["p_value_method"]) == ("saddle-point", "gaussian-approximation")
