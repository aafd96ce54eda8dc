import zlib

import numpy as np
import pytest
from scipy.special import log_softmax

from privtune.audit.stats import (
    AuditStatsError,
    loss_score,
    min_k_plus_plus_score,
    min_k_plus_plus_token_scores,
    min_k_score,
    next_token_moments,
    reference_score,
    roc_auc,
    zlib_length,
    zlib_score,
)


def test_loss_and_reference_scores():
    assert loss_score([1.0, 2.0, 3.0]) == -2.0
    assert reference_score([1.0, 1.0], [3.0, 2.0, 4.0]) == pytest.approx(2.0)  # lengths may differ


def test_zlib_score_uses_compressed_utf8_length():
    text = "我的验证码是123456"
    assert zlib_length(text) == len(zlib.compress(text.encode("utf-8"), 9))
    assert zlib_score([2.0, 4.0], text) == pytest.approx(-3.0 / zlib_length(text))
    # Repetitive text compresses better, so the same loss counts as less member-like.
    assert zlib_length("ab" * 200) < zlib_length("".join(chr(0x4E00 + i * 37 % 2000) for i in range(400)))
    with pytest.raises(AuditStatsError, match="non-empty text"):
        zlib_score([1.0], "")


def test_min_k_takes_the_lowest_fraction():
    logp = [-0.1, -5.0, -0.1, -4.0, -1.0, -0.5, -0.1, -3.0, -0.1, -2.0]
    assert min_k_score(logp, k=0.2) == pytest.approx(-4.5)  # two lowest of ten
    assert min_k_score(logp, k=0.5) == pytest.approx(np.mean([-5, -4, -3, -2, -1]))
    assert min_k_score([-0.3, -7.0], k=0.2) == -7.0  # at least one token
    assert min_k_score(logp, k=1.0) == pytest.approx(np.mean(logp))
    with pytest.raises(AuditStatsError, match="losses"):
        min_k_score([0.5, 1.2])


def test_next_token_moments_match_explicit_sums():
    rng = np.random.default_rng(0)
    lp = log_softmax(rng.normal(size=(5, 50)) * 3, axis=1)
    mu, sigma = next_token_moments(lp)
    for t in range(5):
        p = np.exp(lp[t])
        m = sum(p[i] * lp[t, i] for i in range(50))
        var = sum(p[i] * (lp[t, i] - m) ** 2 for i in range(50))
        assert mu[t] == pytest.approx(m, rel=1e-10) and sigma[t] == pytest.approx(np.sqrt(var), rel=1e-8)


def test_next_token_moments_uniform_masked_and_unnormalised():
    lp = np.full((2, 4), np.log(0.25))
    lp[1] = [np.log(0.5), np.log(0.5), -np.inf, -np.inf]
    mu, sigma = next_token_moments(lp)
    np.testing.assert_allclose(mu, [np.log(0.25), np.log(0.5)])
    np.testing.assert_allclose(sigma, [0.0, 0.0], atol=1e-7)
    with pytest.raises(AuditStatsError, match="log_softmax"):
        next_token_moments(np.zeros((1, 4)))


def test_min_k_plus_plus_token_scores_and_score():
    z = min_k_plus_plus_token_scores([-1.0, -2.0, -3.0], [-2.0, -2.0, -1.0], [0.5, 1.0, 2.0])
    np.testing.assert_allclose(z, [2.0, 0.0, -1.0])
    assert min_k_plus_plus_score([-1.0, -2.0, -3.0], [-2.0, -2.0, -1.0], [0.5, 1.0, 2.0], k=0.34) == -1.0
    with pytest.raises(AuditStatsError, match="one value per token"):
        min_k_plus_plus_token_scores([-1.0], [-1.0, -2.0], [1.0])


def test_min_k_plus_plus_calibrates_where_raw_log_probs_mislead():
    # Members' tokens are the mode of flat next-token distributions; non-members' tokens have
    # *higher* raw log-probs but are unremarkable draws from peaked distributions. Min-K% ranks
    # them the wrong way round; Min-K%++ normalises by each position's (mu, sigma) and does not.
    rng = np.random.default_rng(1)
    raw_m, raw_n, pp_m, pp_n = [], [], [], []
    for _ in range(30):
        flat = log_softmax(rng.normal(size=(20, 200)) * 0.3, axis=1)
        peaked = log_softmax(rng.normal(size=(20, 200)) * 3.0, axis=1)
        lp_m = flat.max(axis=1)
        above = np.where(peaked > lp_m[:, None] + 0.1, peaked, np.inf)  # smallest log-prob above
        lp_n = above.min(axis=1)
        assert np.all(np.isfinite(lp_n)) and np.all(lp_n > lp_m)
        raw_m.append(min_k_score(lp_m))
        raw_n.append(min_k_score(lp_n))
        pp_m.append(min_k_plus_plus_score(lp_m, *next_token_moments(flat)))
        pp_n.append(min_k_plus_plus_score(lp_n, *next_token_moments(peaked)))
    assert roc_auc(raw_m, raw_n) == 0.0
    assert roc_auc(pp_m, pp_n) == 1.0
