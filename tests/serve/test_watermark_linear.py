"""The ``linear`` detector (served default): the score Σ(g_x − G) over every scored position plus
the √entropy-weighted count, one linear statistic of the green bits with an exact key null."""

from __future__ import annotations

import hashlib
import math
import statistics

import pytest
import torch

from privtune.serve.guards.detectors import TextFeatures, detect_features, model_features
from privtune.serve.guards.entropy import EntropySource
from privtune.serve.guards.watermark import WatermarkScheme
from privtune.serve.guards.watermark_lr import candidate_green
from privtune.serve.guards.watermark_score import detect_ids_score, score_parts
from test_watermark_entropy import _generate, bigram_model  # noqa: F401  (a fixture, used by name)


def _key(k: int) -> bytes:
    return hashlib.sha256(b"linear" + k.to_bytes(4, "little")).digest()


def _features(model, rows: list[list[int]]) -> list[TextFeatures]:
    return [TextFeatures(ids, None, *model_features(model, ids, 0, EntropySource())) for ids in rows]


def _repetitive(model) -> TextFeatures:
    """A plain text that repeats one 20-token stretch six times: many positions share their bits."""
    base = _generate(model, None, rows=1, seed=11)[0][:20]
    return _features(model, [base * 6 + base[:5]])[0]


def test_score_null_is_exact_for_a_text_that_repeats_itself(bigram_model):  # noqa: F811
    """Over 300 keys the score's z on one repetitive plain text has mean ≈ 0 and sd ≈ 1 although
    each repeat reuses the same bits (no dedup); the oracle's sampling-null z of the same green
    excess, Σ(g − G) / sqrt(ΣG(1 − G)), which treats the repeats as fresh draws, spreads far wider."""
    f = _repetitive(bigram_model)
    zs, naive = [], []
    for k in range(300):
        scheme = WatermarkScheme(_key(k))
        zs.append(detect_ids_score(scheme, f.ids, f.cand_ids, f.cand_probs).z_score)
        s = score_parts(scheme, f.ids, f.cand_ids, f.cand_probs)
        green = candidate_green(scheme, f.ids, f.cand_ids).double()
        p = f.cand_probs.double()
        big_g = ((p * green).sum(1) + scheme.gamma * (1 - p.sum(1)).clamp(min=0))[scheme.context_width:]
        naive.append(s.total / math.sqrt(float((big_g * (1 - big_g)).sum())))
    assert abs(statistics.mean(zs)) < 0.15 and 0.88 < statistics.pstdev(zs) < 1.12, (statistics.mean(zs), statistics.pstdev(zs))
    assert statistics.pstdev(naive) > 1.5


def test_linear_detects_a_strong_mark_and_keeps_its_null(bigram_model):  # noqa: F811
    """δ 4: every watermarked text far above 4; plain texts under 24 keys: z ≈ N(0, 1), never above 4."""
    scheme = WatermarkScheme(_key(0), delta=4.0)
    marked = _features(bigram_model, _generate(bigram_model, scheme, rows=4, seed=1))
    zs = [detect_features(scheme, "linear", f).z_score for f in marked]
    assert min(zs) > 8, zs
    plain = _features(bigram_model, _generate(bigram_model, None, rows=4, seed=2))
    zs = [detect_features(WatermarkScheme(_key(k), delta=4.0), "linear", f).z_score for k in range(1, 25) for f in plain]
    assert max(zs) < 4 and abs(statistics.mean(zs)) < 0.3 and 0.7 < statistics.pstdev(zs) < 1.3


def test_linear_is_the_two_standardised_parts_with_their_exact_correlation(bigram_model):  # noqa: F811
    """z = (z_score + z_weighted) / sqrt(2 + 2ρ), the parts as reported, ρ in [−1, 1]; with every
    entropy 0 the weighted part scores nothing and linear is the score alone."""
    scheme = WatermarkScheme(_key(3), delta=1.0)
    f = _features(bigram_model, _generate(bigram_model, scheme, rows=1, seed=3))[0]
    d = detect_features(scheme, "linear", f, distribution="visible")
    z_s, z_w = (c[1] for c in d.components)
    assert -1 <= d.null_correlation <= 1
    assert d.z_score == pytest.approx((z_s + z_w) / math.sqrt(2 + 2 * d.null_correlation), rel=1e-9)
    assert z_s == pytest.approx(detect_ids_score(scheme, f.ids, f.cand_ids, f.cand_probs).z_score, rel=1e-9)
    weighted = detect_features(scheme, "weighted", f, entropy_weight_power=0.5)
    assert z_w == pytest.approx(weighted.z_score, rel=1e-9)
    out = d.as_dict()
    assert out["detector"] == "linear" and out["entropy_distribution"] == "visible" and set(out["components"]) == {"score", "weighted"}
    assert "detection" not in out and out["tokens_scored"] == out["components"]["score"]["tokens_scored"]
    assert out["components"]["weighted"]["tokens_scored"] <= out["tokens_scored"]
    flat = TextFeatures(f.ids, None, [0.0] * len(f.ids), f.cand_ids, f.cand_probs)
    assert detect_features(scheme, "linear", flat).z_score == pytest.approx(z_s, rel=1e-9)
    with pytest.raises(ValueError, match="linear detector needs"):
        detect_features(scheme, "linear", TextFeatures(f.ids))


def test_placeholders_and_their_windows_are_not_scored(bigram_model):  # noqa: F811
    """Redaction-aware as every detector: a placeholder token and the windows anchored on it drop out."""
    scheme = WatermarkScheme(_key(4))
    f = _features(bigram_model, _generate(bigram_model, scheme, rows=1, seed=4))[0]
    marks = [False] * len(f.ids)
    marks[50:53] = [True] * 3
    full = score_parts(scheme, f.ids, f.cand_ids, f.cand_probs)
    skipped = score_parts(scheme, f.ids, f.cand_ids, f.cand_probs, marks)
    assert full.scored - 3 >= skipped.scored >= full.scored - 7


def test_top_k_rows_must_match_the_tokens():
    scheme = WatermarkScheme(_key(5))
    with pytest.raises(ValueError, match="one row of candidates per token"):
        score_parts(scheme, [1, 2, 3, 4, 5, 6], torch.zeros((5, 3), dtype=torch.long), torch.zeros((5, 3)))
