import math

import numpy as np
import pytest
from scipy import special, stats

from privtune.audit.stats import (
    AuditStatsError,
    exposure_by_extrapolation,
    exposure_by_rank,
    exposure_rank_interval,
    fit_skewnorm,
    skewnorm_logcdf,
)
from privtune.errors import PrivtuneError

LOG2 = math.log(2)


def test_top_ranked_canary_has_exposure_log2_R():
    cands = np.random.default_rng(0).normal(5.0, 1.0, size=10_000)
    assert exposure_by_rank(float(cands.min()) - 1e-9, cands, 10**6) == math.log2(10**6)


def test_worst_canary_has_exposure_zero():
    cands = np.random.default_rng(1).normal(size=500)
    assert exposure_by_rank(float(cands.max()) + 1.0, cands, 10**6) == pytest.approx(0.0, abs=1e-12)


def test_exhaustive_enumeration_gives_exact_rank():
    size = 1000
    scores = np.random.default_rng(2).permutation(size).astype(float)  # distinct, rank k has score k-1
    for k in (1, 2, 17, 500, 1000):
        canary = float(k - 1)
        others = scores[scores != canary]
        assert exposure_by_rank(canary, others, size) == pytest.approx(math.log2(size) - math.log2(k), abs=1e-12)


def test_ties_count_half():
    # 4 candidates: one better, two tied, one worse -> b = 1 + 1 = 2, rank = 1 + 2 * 4 / 4 = 3 with |R| = 5
    assert exposure_by_rank(1.0, [0.0, 1.0, 1.0, 2.0], 5) == pytest.approx(math.log2(5) - math.log2(3))


def test_median_of_normal_is_one_bit_both_ways():
    cands = np.random.default_rng(3).normal(3.0, 2.0, size=10_000)
    assert exposure_by_extrapolation(3.0, cands) == pytest.approx(1.0, abs=0.06)
    assert exposure_by_rank(3.0, cands, 10**9) == pytest.approx(1.0, abs=0.06)


def test_rank_and_extrapolation_agree_where_the_sample_resolves():
    cands = np.random.default_rng(4).normal(2.0, 0.5, size=20_000)
    for z in (-2.5, -2.0, -1.0, 0.0, 0.5):
        canary = 2.0 + 0.5 * z
        by_rank = exposure_by_rank(canary, cands, 10**9)
        by_fit = exposure_by_extrapolation(canary, cands)
        truth = -special.log_ndtr(z) / LOG2
        assert by_fit == pytest.approx(by_rank, abs=0.15)
        assert by_fit == pytest.approx(truth, abs=0.15)


def test_extrapolation_resolves_beyond_the_sample():
    # A 6-sigma canary: no sampled candidate beats it, so the rank estimate hits the cap, but
    # the fitted tail recovers -log2 Phi(-6) = 29.9 bits to within 10%.
    cands = np.random.default_rng(5).normal(0.0, 1.0, size=10_000)
    assert exposure_by_rank(-6.0, cands, 10**6) == math.log2(10**6)
    truth = -special.log_ndtr(-6.0) / LOG2
    assert exposure_by_extrapolation(-6.0, cands) == pytest.approx(truth, rel=0.1)


def test_extrapolation_direction_and_vector_input():
    cands = np.random.default_rng(6).normal(size=2000)
    values = exposure_by_extrapolation(np.array([-3.0, -1.0, 0.0, 3.0]), cands)
    assert values.shape == (4,) and np.all(np.diff(values) < 0)  # lower score = more exposed
    assert values[-1] < 0.01


def test_skewnorm_logcdf_known_closed_forms_deep_in_the_tail():
    z = np.array([-1.0, -5.0, -9.0, -30.0, -200.0, -1000.0])
    np.testing.assert_allclose(skewnorm_logcdf(z, 0.0), special.log_ndtr(z), rtol=1e-9)
    # a = 1: F(z) = Phi(z)^2;  a = -1: F(z) = 2 Phi(z) - Phi(z)^2
    np.testing.assert_allclose(skewnorm_logcdf(z, 1.0), 2 * special.log_ndtr(z), rtol=1e-9)
    expected = special.log_ndtr(z) + np.log(2 - special.ndtr(z))
    np.testing.assert_allclose(skewnorm_logcdf(z, -1.0), expected, rtol=1e-9)
    assert np.all(np.isfinite(skewnorm_logcdf(z, 5.0)))


def test_skewnorm_logcdf_matches_scipy_where_scipy_is_accurate_and_scales():
    x = np.linspace(-4.0, 3.0, 30)
    for a in (-4.0, 0.5, 3.0):
        np.testing.assert_allclose(skewnorm_logcdf(2.0 + 3.0 * x, a, loc=2.0, scale=3.0), stats.skewnorm.logcdf(x, a),
                                   rtol=1e-7, atol=1e-12)
    dense = skewnorm_logcdf(np.linspace(-12.0, 0.0, 400), 2.0)  # crosses the switch to the integral
    assert np.all(np.diff(dense) > 0)


def test_fit_skewnorm_recovers_parameters():
    data = stats.skewnorm.rvs(4.0, loc=3.0, scale=2.0, size=10_000, random_state=7)
    fit = fit_skewnorm(data)
    assert fit.a == pytest.approx(4.0, abs=1.0)
    assert fit.loc == pytest.approx(3.0, abs=0.1)
    assert fit.scale == pytest.approx(2.0, abs=0.1)


def test_rank_interval_exhaustive_without_ties_is_a_point():
    scores = np.arange(100, dtype=float)
    lo, hi = exposure_rank_interval(9.5, scores, 101, exhaustive=True)
    assert lo == hi == pytest.approx(exposure_by_rank(9.5, scores, 101))


def test_rank_interval_shows_the_cap():
    cands = np.random.default_rng(8).normal(size=10_000)
    lo, hi = exposure_rank_interval(-10.0, cands, 10**9)
    assert hi == math.log2(10**9)
    # Zero of n beaten: the 95% upper bound on the beating fraction is about 3.7/n.
    assert lo == pytest.approx(math.log2(10**9) - math.log2(1 + (1 - 0.025 ** (1 / 10_000)) * (10**9 - 1)), abs=1e-9)
    assert 11.0 < lo < 12.0


def test_rank_interval_covers_the_true_exposure():
    size, n, conf = 10**6, 2000, 0.9
    rng = np.random.default_rng(9)
    hits = 0
    trials = 200
    for _ in range(trials):
        frac = float(rng.uniform(0.001, 0.2))  # true share of R beating the canary
        truth = math.log2(size) - math.log2(1 + frac * (size - 1))
        lo, hi = exposure_rank_interval(frac, rng.uniform(size=n), size, confidence=conf)
        hits += lo <= truth <= hi
    assert hits / trials >= conf - 0.05


def test_errors_are_named():
    with pytest.raises(AuditStatsError):
        exposure_by_rank(0.0, [1.0, 2.0], 1)
    with pytest.raises(AuditStatsError, match="finite"):
        exposure_by_rank(0.0, [1.0, float("nan")], 10)
    with pytest.raises(AuditStatsError, match="at least 100"):
        exposure_by_extrapolation(0.0, np.arange(50.0))
    with pytest.raises(AuditStatsError, match="all equal"):
        exposure_by_extrapolation(0.0, np.ones(500))
    assert issubclass(AuditStatsError, PrivtuneError) and issubclass(AuditStatsError, ValueError)
