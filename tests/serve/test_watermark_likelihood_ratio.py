"""Likelihood-ratio watermark detection: LLR = δ g_x − log(1 + (e^δ − 1) G) per token, centred and
scaled by its exact null moments (candidates' green bits iid Bernoulli(γ) over keys)."""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import statistics
from collections import Counter, defaultdict

import pytest
import torch

from serve_helpers import support_chat_texts

from privtune.serve.guards.watermark_lr import (batch_candidates, candidate_anchors_green, candidate_green,
                                                    detect_ids_likelihood_ratio, expected_green_gain, llr_terms,
                                                    token_candidates)
from privtune.serve.guards.placeholders import encode_marking_placeholders
from privtune.serve.guards.watermark import WatermarkScheme, detect_ids, token_green_bits
from test_watermark_entropy import _generate, bigram_model  # noqa: F401  (a fixture, used by name)

KEY = b"l" * 32


@pytest.mark.parametrize("x_col", [0, 2, None])
def test_null_moments_match_enumeration_of_every_green_mask(x_col):
    """Mean and variance of the LLR by brute force over every green mask of the top candidates and
    the token's own bit (weighted by γ), against `llr_terms`: the token written among the top k
    (its bit in G too) or outside them (independent of G, its mass in the rest)."""
    g, d = 0.25, 2.0
    p = [0.5, 0.2, 0.1, 0.06, 0.03]
    rest = 1 - sum(p)
    vals, weights = [], []
    for bits in itertools.product([0, 1], repeat=len(p) + 1):  # the last bit: the token's, when outside
        if x_col is not None and bits[-1]:
            continue
        gx = bits[x_col] if x_col is not None else bits[-1]
        big_g = sum(pi * b for pi, b in zip(p, bits)) + g * rest
        vals.append(d * gx - math.log1p(math.expm1(d) * big_g))
        weights.append(math.prod(g if b else 1 - g for b in (bits[:-1] if x_col is not None else bits)))
    mean = sum(w * v for w, v in zip(weights, vals))
    var = sum(w * (v - mean) ** 2 for w, v in zip(weights, vals))
    green = torch.tensor([[True, False, True, False, False]])
    obs, mu, sigma2, coef = llr_terms(g, d, torch.tensor([p], dtype=torch.double), torch.tensor([-1 if x_col is None else x_col]),
                                green, torch.tensor([True]))
    assert mu.item() == pytest.approx(mean, abs=1e-12) and sigma2.item() == pytest.approx(var, abs=1e-12)
    assert obs.item() == pytest.approx(d - math.log1p(math.expm1(d) * (0.6 + g * rest)))


def test_certain_token_carries_no_evidence():
    """The model sure of the token: LLR is 0 whatever the key, so null variance 0 (not scored)."""
    p = torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.double)
    for gx in (True, False):
        obs, mu, var, _ = llr_terms(0.25, 2.0, p, torch.tensor([0]), torch.tensor([[gx, True, False]]), torch.tensor([gx]))
        assert obs.item() == pytest.approx(0.0, abs=1e-12)
        assert mu.item() == pytest.approx(0.0, abs=1e-12) and var.item() == pytest.approx(0.0, abs=1e-12)


def test_candidate_green_bits_agree_with_the_token_bits():
    """The green bit of the candidate that was written equals `token_green_bits`' bit of that token."""
    scheme = WatermarkScheme(KEY)
    r = random.Random(5)
    ids = [r.randrange(3000) for _ in range(80)]
    cand = torch.tensor([[t, r.randrange(3000), r.randrange(3000)] for t in ids])
    green = candidate_green(scheme, ids, cand)
    _, bits = token_green_bits(scheme, ids)
    assert green[4:, 0].tolist() == bits and not green[:4].any()
    assert 0.15 < green[4:, 1:].float().mean().item() < 0.35


def _bigram_candidates(rows: list[list[int]], top_k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """A keyless bigram count model fitted on ``rows``: per token its top-k predicted candidates."""
    follow: dict[int, Counter[int]] = defaultdict(Counter)
    for ids in rows:
        for a, b in zip(ids, ids[1:]):
            follow[a][b] += 1
    out = []
    for ids in rows:
        ci = torch.zeros((len(ids), top_k), dtype=torch.long)
        cp = torch.zeros((len(ids), top_k), dtype=torch.double)
        for i in range(1, len(ids)):
            c = follow[ids[i - 1]]
            tot = sum(c.values())
            for j, (t, v) in enumerate(c.most_common(top_k)):
                ci[i, j], cp[i, j] = t, v / tot
        out.append((ci, cp))
    return out


def test_null_stays_standard_normal_under_many_keys(tiny_tokenizer):
    """Human support chats (unwatermarked) under 40 keys (12 with the top k cut to 3), candidates from a keyless bigram model:
    z keeps mean ≈ 0, sd ≈ 1 and a ≈ 1 % tail; the cut puts more mass in the γ·rest term."""
    texts = support_chat_texts(41)
    encoded = [encode_marking_placeholders(tiny_tokenizer, t) for t in texts]
    for top_k, n_keys in ((10, 40), (3, 12)):
        cands = _bigram_candidates([ids for ids, _ in encoded], top_k)
        dets = [detect_ids_likelihood_ratio(WatermarkScheme(hashlib.sha256(bytes([k])).digest()), ids, ci, cp,
                                            placeholder=marked)
                for k in range(n_keys) for (ids, marked), (ci, cp) in zip(encoded, cands)]
        zs = [d.z_score for d in dets]
        print(f"top_k {top_k}: {len(zs)} z, mean {statistics.mean(zs):.3f} sd {statistics.pstdev(zs):.3f} max {max(zs):.2f}")
        assert statistics.median(d.tokens_scored for d in dets) > 20
        assert max(zs) < 4
        assert abs(statistics.mean(zs)) < 0.2 and 0.8 < statistics.pstdev(zs) < 1.2, top_k
        assert sum(z > 2.33 for z in zs) <= 2 * 0.01 * len(zs) + 3


def test_likelihood_ratio_beats_key_only_on_a_low_entropy_model(bigram_model):  # noqa: F811
    """Half the bigram model's steps are certain (no evidence), half uniform over 100 tokens: the
    LR z-score of watermarked text exceeds key-only's on every output; another key stays below 4."""
    scheme = WatermarkScheme(KEY, delta=2.0)
    marked = _generate(bigram_model, scheme, rows=6, seed=1)
    cands = batch_candidates(bigram_model, marked, bos=0)
    lr = [detect_ids_likelihood_ratio(scheme, ids, ci, cp) for ids, (ci, cp) in zip(marked, cands)]
    key_only = [detect_ids(scheme, ids) for ids in marked]
    assert all(a.z_score > b.z_score for a, b in zip(lr, key_only))
    assert statistics.median(d.z_score for d in lr) > 6
    other = WatermarkScheme(b"o" * 32)
    assert max(detect_ids_likelihood_ratio(other, ids, ci, cp).z_score for ids, (ci, cp) in zip(marked, cands)) < 4
    plain = _generate(bigram_model, None, rows=6, seed=2)
    plain_c = batch_candidates(bigram_model, plain, bos=0)
    assert max(detect_ids_likelihood_ratio(scheme, ids, ci, cp).z_score for ids, (ci, cp) in zip(plain, plain_c)) < 4


def test_long_text_windows_and_no_bos(bigram_model):  # noqa: F811
    """Longer than the model's window (64): windowed candidates equal one pass where both apply."""
    ids = _generate(bigram_model, None, rows=1, seed=3)[0][:150]
    ci, cp = token_candidates(bigram_model, ids, 0, top_k=8)
    assert ci.shape == (150, 8) and cp.shape == (150, 8)
    ci1, cp1 = batch_candidates(bigram_model, [ids[:60]], 0, top_k=8)[0]
    assert torch.equal(ci[:60], ci1) and torch.allclose(cp[:60], cp1)
    # without BOS nothing predicts the first token: an all-zero row (never scored)
    ci2, cp2 = batch_candidates(bigram_model, [ids[:20]], None, top_k=8)[0]
    assert cp2[0].sum().item() == 0 and torch.allclose(cp2[1:], cp[1:20].to(cp2.dtype), atol=1e-5)


def test_edge_cases_short_all_skipped_and_bad_shapes():
    scheme = WatermarkScheme(KEY)
    short = [5, 6, 7]
    ci, cp = torch.zeros((3, 4), dtype=torch.long), torch.zeros((3, 4), dtype=torch.double)
    det = detect_ids_likelihood_ratio(scheme, short, ci, cp)
    assert (det.z_score, det.tokens_scored) == (0.0, 0) and det.as_dict()["detection"] == "likelihood-ratio"
    ids = list(range(100, 140))
    ci = torch.tensor([[t, t + 1000] for t in ids])
    cp = torch.tensor([[0.5, 0.5]] * len(ids), dtype=torch.double)
    assert detect_ids_likelihood_ratio(scheme, ids, ci, cp).tokens_scored == 36
    every = detect_ids_likelihood_ratio(scheme, ids, ci, cp, placeholder=[True] * len(ids))
    assert (every.z_score, every.tokens_scored, every.p_value) == (0.0, 0, 1.0)
    with pytest.raises(ValueError, match="one row of candidates per token"):
        detect_ids_likelihood_ratio(scheme, ids, ci[:-1], cp[:-1])
    with pytest.raises(ValueError, match="top_k must be"):
        detect_ids_likelihood_ratio(scheme, ids, torch.zeros((len(ids), 15), dtype=torch.long),
                                    torch.zeros((len(ids), 15), dtype=torch.double))
    with pytest.raises(ValueError, match="one placeholder flag per token"):
        detect_ids_likelihood_ratio(scheme, ids, ci, cp, placeholder=[False])



def test_positions_sharing_a_bit_add_their_covariance():
    """One alternative (token 7, whose pair with the anchor recurs) is likely at every position:
    its single bit moves every LLR the same way, so the null variance must add the covariance and
    |z| shrinks against the per-position sum; without shared bits nothing changes."""
    scheme = WatermarkScheme(KEY)
    r = random.Random(11)
    ids = [r.randrange(1000, 3000) for _ in range(120)]
    shared = torch.tensor([[t, 7] for t in ids])
    probs = torch.tensor([[0.5, 0.45]] * len(ids), dtype=torch.double)
    with_cov = detect_ids_likelihood_ratio(scheme, ids, shared, probs)
    without = detect_ids_likelihood_ratio(scheme, ids, shared, probs, shared_bit_covariance=False)
    anchors = candidate_anchors_green(scheme, ids, shared)[0][4:, 1]
    assert len(set(anchors.tolist())) < len(ids) - 4  # the pair (anchor, 7) recurs
    assert with_cov.tokens_scored == without.tokens_scored and abs(with_cov.z_score) < abs(without.z_score)
    fresh = torch.tensor([[t, 5000 + i] for i, t in enumerate(ids)])
    assert detect_ids_likelihood_ratio(scheme, ids, fresh, probs).z_score == pytest.approx(
        detect_ids_likelihood_ratio(scheme, ids, fresh, probs, shared_bit_covariance=False).z_score)


def test_expected_green_gain_by_enumeration():
    """E over masks of P_H1(green) − γ: 0 for a certain token, largest for a flat choice, and the
    brute-force value for three candidates plus a rest."""
    g, d = 0.25, 2.0
    e = math.exp(d)
    p = [0.6, 0.25, 0.1]
    rest = 1 - sum(p)
    want = 0.0
    for bits in itertools.product([0, 1], repeat=3):
        big_g = sum(pi * b for pi, b in zip(p, bits)) + g * rest
        want += math.prod(g if b else 1 - g for b in bits) * (e * big_g / (1 + (e - 1) * big_g) - g)
    got = expected_green_gain(torch.tensor([p, [1.0, 0, 0], [0.1] * 3], dtype=torch.double), g, d)
    assert got[0] == pytest.approx(want, abs=1e-12) and got[1] == pytest.approx(0.0, abs=1e-12)
    assert got[2] > got[0] > 0 and expected_green_gain(torch.zeros((0, 3)), g, d) == []


def test_no_dedup_counts_every_position_once_more_per_repeat():
    """``dedup=False`` (the gap benchmark's diagnostic row, a copy of this loop before) scores a
    repeated (anchor, token) again; the default scores it once."""
    from privtune.serve.guards.watermark_lr import likelihood_ratio_terms, score_likelihood_ratio

    scheme = WatermarkScheme(key=b"k" * 32, gamma=0.25, delta=2.0, context_width=1)
    ids = [3, 7, 3, 7, 3, 7, 3, 7, 9, 11]
    gen = torch.Generator().manual_seed(0)
    cand_ids = torch.randint(0, 50, (len(ids), 5), generator=gen)
    cand_probs = torch.softmax(torch.randn(len(ids), 5, generator=gen, dtype=torch.float64), dim=-1)
    terms = likelihood_ratio_terms(scheme, ids, cand_ids, cand_probs, [False] * len(ids))
    once = score_likelihood_ratio(scheme, terms).detection
    every = score_likelihood_ratio(scheme, terms, dedup=False).detection
    scorable = sum(v > 1e-9 for v in terms.variances)
    assert every.tokens_scored == scorable > once.tokens_scored
