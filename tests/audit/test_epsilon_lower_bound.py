import itertools
import math

import numpy as np
import pytest
from scipy import optimize, special, stats

from privtune.audit.stats import (
    AuditStatsError,
    default_k_grid,
    epsilon_from_counts,
    epsilon_lower_bound,
    epsilon_lower_bound_scan,
    one_run_p_value,
)


def _eps_by_root(r, v, beta):
    """Hand computation for delta = 0: solve P[Binomial(r, e^eps / (1 + e^eps)) >= v] = beta."""
    return optimize.brentq(lambda e: stats.binom.sf(v - 1, r, special.expit(e)) - beta, 0.0, 50.0, xtol=1e-12)


@pytest.mark.parametrize(("r", "v"), [(100, 80), (100, 95), (1000, 560), (20, 20), (500, 400)])
def test_delta_zero_matches_the_binomial_tail(r, v):
    eps = epsilon_from_counts(1000, r, v, confidence=0.95)
    assert eps == pytest.approx(_eps_by_root(r, v, 0.05), abs=1e-6)
    assert one_run_p_value(1000, r, v, eps) == pytest.approx(0.05, abs=1e-6)


def test_all_correct_closed_form():
    # v = r: p-value q^r <= beta  <=>  eps <= logit(beta^(1/r))
    for r in (5, 30, 200):
        expected = special.logit(0.05 ** (1 / r))
        assert epsilon_from_counts(r, r, r, 0.95) == pytest.approx(expected, abs=1e-6)


def test_delta_term_matches_the_theorem_written_out():
    m, r, v, eps, delta = 1000, 200, 150, 0.7, 1e-4
    q = math.exp(eps) / (1 + math.exp(eps))

    def f(x):
        return stats.binom.sf(x - 1, r, q)  # P[Binomial(r, q) >= x]

    expected = f(v) + 2 * m * delta * max((f(v - i) - f(v)) / i for i in range(1, v + 1))
    assert one_run_p_value(m, r, v, eps, delta) == pytest.approx(expected, rel=1e-9)
    assert epsilon_from_counts(m, r, v, 0.95, delta) < epsilon_from_counts(m, r, v, 0.95, 0.0)


def test_more_correct_gives_a_higher_bound():
    bounds = [epsilon_from_counts(500, 400, v, 0.95) for v in range(200, 401, 10)]
    assert bounds[0] == 0.0
    positive = [b for b in bounds if b > 0]
    assert all(b2 > b1 for b1, b2 in itertools.pairwise(positive))
    assert len(positive) >= 15
    # ...and higher confidence gives a lower one.
    assert epsilon_from_counts(500, 400, 300, 0.99) < epsilon_from_counts(500, 400, 300, 0.9)


def test_guesses_and_correct_are_counted_from_the_ranking():
    scores = np.array([9.0, 8.0, 7.0, 1.0, 0.5, 0.0, 5.0, 4.0])
    included = np.array([True, True, False, False, False, True, True, False])
    res = epsilon_lower_bound(scores, included, k_pos=3, k_neg=2)
    # in-guesses: 9, 8, 7 -> 2 correct; out-guesses: 0.5, 0.0 -> 1 correct
    assert (res["guesses"], res["correct"], res["canaries"]) == (5, 3, 8)
    assert res["epsilon_lb"] == epsilon_from_counts(8, 5, 3, 0.95)


def test_random_guessing_gives_zero():
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(20):
        included = rng.random(1000) < 0.5
        res = epsilon_lower_bound_scan(rng.normal(size=1000), included)
        hits += res["epsilon_lb"] > 0
        assert res["epsilon_lb"] < 0.5
    assert hits <= 3


def _randomised_response(rng, m, eps):
    """The tight eps-DP mechanism: each canary's score reports its inclusion, flipped w.p. 1/(1+e^eps)."""
    included = rng.random(m) < 0.5
    flip = rng.random(m) < 1 / (1 + math.exp(eps))
    return (included ^ flip).astype(float) + rng.normal(0, 1e-6, m), included


def test_bound_is_valid_and_nearly_tight_on_randomised_response():
    rng = np.random.default_rng(1)
    eps_true, m = 1.0, 1000
    bounds = []
    for _ in range(60):
        scores, included = _randomised_response(rng, m, eps_true)
        bounds.append(epsilon_lower_bound(scores, included, m // 2, m // 2)["epsilon_lb"])
    bounds = np.array(bounds)
    assert np.mean(bounds > eps_true) <= 0.12  # at most beta = 5% in expectation
    assert np.median(bounds) > 0.75  # with 1000 canaries the audit gets close to the truth


def test_scan_applies_bonferroni_and_reports_the_chosen_k():
    rng = np.random.default_rng(2)
    scores, included = _randomised_response(rng, 400, 2.0)
    grid = [(10, 10), (50, 50), (200, 200), (40, 0)]
    res = epsilon_lower_bound_scan(scores, included, grid)
    assert res["tested"] == 4 and res["per_test_confidence"] == pytest.approx(1 - 0.05 / 4)
    assert res["confidence"] == 0.95 and len(res["all"]) == 4
    single = epsilon_lower_bound(scores, included, res["k_pos"], res["k_neg"], 1 - 0.05 / 4)
    assert res["epsilon_lb"] == single["epsilon_lb"]
    assert res["epsilon_lb"] <= max(epsilon_lower_bound(scores, included, a, b)["epsilon_lb"] for a, b in grid)
    assert res["epsilon_lb"] == max(r["epsilon_lb"] for r in res["all"])


def test_default_grid_is_valid():
    for m in (1, 7, 100, 1000):
        grid = default_k_grid(m)
        assert grid and len(set(grid)) == len(grid)
        assert all(a >= 1 and b >= 0 and a + b <= m for a, b in grid)


def test_errors():
    with pytest.raises(AuditStatsError):
        epsilon_lower_bound([1.0, 2.0], np.array([True, False]), 2, 1)
    with pytest.raises(AuditStatsError, match="bool"):
        epsilon_lower_bound([1.0, 2.0], np.array([1, 0]), 1, 1)
    with pytest.raises(AuditStatsError):
        one_run_p_value(10, 5, 6, 1.0)
