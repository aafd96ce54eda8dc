"""Empirical ε lower bound from a single training run (Steinke, Nasr & Jagielski, "Privacy
Auditing with One (1) Training Run", NeurIPS 2023).

Setup: m canaries, each inserted into the training data independently with probability ½.
After training, the auditor scores every canary (higher = "looks included"), guesses
"in" for the k_+ highest scores and "out" for the k_- lowest, and abstains on the rest.
With r = k_+ + k_- guesses of which v are correct, their Theorem 3 gives, for an
(ε, δ)-DP training run and every v,

    P[V >= v] <= f(v) + 2 m δ · max_{i=1..v} (f(v - i) - f(v)) / i,
    f(v) = P[Binomial(r, q_ε) >= v],   q_ε = e^ε / (1 + e^ε).

(For δ = 0 this is the statement that V is stochastically dominated by Binomial(r, q_ε).)
The right-hand side is a p-value for the hypothesis "training was (ε, δ)-DP"; the audit
reports ε_LB = the smallest ε the data can no longer reject at level β = 1 - confidence, so
every ε below ε_LB is rejected. If the run was truly (ε*, δ)-DP, ε_LB > ε* happens with
probability at most β. The bound is a *lower* bound: small values do not prove privacy.

Each canary must be one privacy unit: a canary planted k times is, under record-level DP, a
group of k records, so pass only single-copy canaries to bound the per-record ε.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from privtune.audit.stats._checks import ArrayLike, AuditStatsError, as_scores, check_probability

_GRID_STEPS = 200  # initial scan resolution of [0, ε_max]; δ > 0 makes the p-value non-monotone
_BISECT_STEPS = 60
DEFAULT_GUESS_FRACTIONS = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)  # both sides, share of all canaries
DEFAULT_POSITIVE_FRACTIONS = (0.01, 0.05, 0.1, 0.25)  # "in" guesses only


def _check_counts(m: int, r: int, v: int) -> None:
    if not (0 <= v <= r <= m):
        raise AuditStatsError(f"need 0 <= correct <= guesses <= canaries, got v={v}, r={r}, m={m}")


def one_run_p_value(m: int, r: int, v: int, epsilon: float, delta: float = 0.0) -> float:
    """p-value of ``>= v`` correct guesses out of ``r`` under (ε, δ)-DP (Steinke et al. Thm 3)."""
    _check_counts(m, r, v)
    if epsilon < 0:
        raise AuditStatsError(f"epsilon must be >= 0, got {epsilon}")
    delta = check_probability(delta, "delta", open_low=False, open_high=False)
    q = float(special.expit(epsilon))  # e^ε / (1 + e^ε) without overflow at large ε
    p = float(stats.binom.sf(v - 1, r, q))
    if delta > 0 and v > 0:
        # (f(v - i) - f(v)) = P[v - i <= B < v], accumulated from B = v - 1 downwards.
        window = np.cumsum(stats.binom.pmf(np.arange(v - 1, -1, -1), r, q))
        p += 2.0 * m * delta * float(np.max(window / np.arange(1, v + 1)))
    return min(p, 1.0)


def epsilon_from_counts(m: int, r: int, v: int, confidence: float = 0.95, delta: float = 0.0) -> float:
    """ε_LB for ``v`` correct out of ``r`` guesses on ``m`` canaries, at ``confidence``.

    The smallest ε whose p-value exceeds β = 1 - confidence (so all smaller ε are rejected).
    For δ = 0 the p-value is increasing in ε and this is the largest ε with
    ``P[Binomial(r, q_ε) >= v] <= β``; for δ > 0 a grid scan finds the first crossing before
    bisection, which is conservative if the p-value dips again later. 0 if even ε = 0 is not
    rejected.
    """
    _check_counts(m, r, v)
    beta = 1.0 - check_probability(confidence, "confidence")

    def rejected(eps: float) -> bool:
        return one_run_p_value(m, r, v, eps, delta) <= beta

    if not rejected(0.0):
        return 0.0
    hi = 1.0
    while rejected(hi):  # terminates: q_ε -> 1 makes the p-value 1 (expit(800) == 1.0)
        hi *= 2.0
    grid = np.linspace(0.0, hi, _GRID_STEPS + 1)
    lo = 0.0
    for eps in grid[1:]:
        if not rejected(float(eps)):
            hi = float(eps)
            break
        lo = float(eps)
    for _ in range(_BISECT_STEPS):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if rejected(mid) else (lo, mid)
    return lo


def _guesses(scores: NDArray[np.float64], k_pos: int, k_neg: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    # Stable sort: ties go by canary order, which is fixed before (so independent of) inclusion.
    order = np.argsort(-scores, kind="stable")
    return order[:k_pos], order[scores.size - k_neg :] if k_neg else order[:0]


def epsilon_lower_bound(
    scores_in_out: ArrayLike,
    included: ArrayLike,
    k_pos: int,
    k_neg: int,
    confidence: float = 0.95,
    delta: float = 0.0,
) -> dict[str, Any]:
    """One-run ε lower bound from per-canary scores and the secret inclusion key.

    ``scores_in_out[i]`` is the auditor's confidence that canary i was trained on (e.g. a
    reference-calibrated membership score); ``included[i]`` is the truth from the canary key
    and is used only to count correct guesses. Returns ``epsilon_lb``, ``guesses`` (r),
    ``correct`` (v), ``canaries`` (m), ``k_pos``, ``k_neg``, ``confidence``, ``delta``.
    """
    scores = as_scores(scores_in_out, "scores_in_out")
    truth = np.asarray(included)
    if truth.shape != scores.shape or truth.dtype != np.bool_:
        raise AuditStatsError(f"included must be a bool array of shape {scores.shape}, got {truth.dtype} {truth.shape}")
    m, k_pos, k_neg = scores.size, int(k_pos), int(k_neg)
    if k_pos < 0 or k_neg < 0 or k_pos + k_neg > m:
        raise AuditStatsError(f"need k_pos, k_neg >= 0 and k_pos + k_neg <= {m} canaries, got {k_pos} and {k_neg}")
    guess_in, guess_out = _guesses(scores, k_pos, k_neg)
    v = int(np.count_nonzero(truth[guess_in])) + int(np.count_nonzero(~truth[guess_out]))
    r = k_pos + k_neg
    return {
        "epsilon_lb": epsilon_from_counts(m, r, v, confidence, delta),
        "guesses": r,
        "correct": v,
        "canaries": m,
        "k_pos": k_pos,
        "k_neg": k_neg,
        "confidence": float(confidence),
        "delta": float(delta),
    }


def default_k_grid(m: int) -> list[tuple[int, int]]:
    """Candidate (k_+, k_-): symmetric guesses on 2%…100% of canaries, and "in"-only ones."""
    grid: list[tuple[int, int]] = []
    for f in DEFAULT_GUESS_FRACTIONS:
        k = max(1, math.floor(f * m / 2))
        grid.append((k, k))
    for f in DEFAULT_POSITIVE_FRACTIONS:
        grid.append((max(1, math.floor(f * m)), 0))
    return [g for i, g in enumerate(grid) if g not in grid[:i] and g[0] + g[1] <= m]


def epsilon_lower_bound_scan(
    scores_in_out: ArrayLike,
    included: ArrayLike,
    k_grid: Sequence[tuple[int, int]] | None = None,
    confidence: float = 0.95,
    delta: float = 0.0,
) -> dict[str, Any]:
    """Best `epsilon_lower_bound` over a grid of (k_+, k_-), with a Bonferroni correction.

    Picking the best of G tests after seeing the key would inflate the false-positive rate, so
    each is run at level β / G; by the union bound the reported maximum still holds at
    ``confidence``. The result adds ``tested`` (G), ``per_test_confidence`` and ``all`` (each
    grid point's result) to the chosen point's fields.
    """
    conf = check_probability(confidence, "confidence")
    m = as_scores(scores_in_out, "scores_in_out").size
    grid = list(k_grid) if k_grid is not None else default_k_grid(m)
    if not grid:
        raise AuditStatsError("k_grid is empty")
    per_test = 1.0 - (1.0 - conf) / len(grid)
    results = [epsilon_lower_bound(scores_in_out, included, kp, kn, per_test, delta) for kp, kn in grid]
    best = max(results, key=lambda res: res["epsilon_lb"])
    return {**best, "confidence": conf, "per_test_confidence": per_test, "tested": len(grid), "all": results}
