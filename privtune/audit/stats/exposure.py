"""Canary exposure (Carlini et al., "The Secret Sharer", USENIX Security 2019, §4).

A canary ``s[r]`` is a sentence with a secret ``r`` drawn uniformly from a space ``R`` of
same-format secrets. Score every candidate ``s[r']`` with the model (loss or log-perplexity:
**lower = more likely**, the convention used throughout this module) and rank the canary among
them; then

    exposure = log2 |R| - log2 rank(canary),      rank is 1-based.

Exposure 0 means the canary is the least likely secret; log2 |R| means it is the most likely.
Two estimators are provided, because enumerating ``R`` is rarely feasible:

- `exposure_by_rank`: rank estimated from a uniform sample of the other candidates;
- `exposure_by_extrapolation`: the paper's §4.3 approach, fitting a skew-normal to the
  candidate scores and reading the canary's tail probability, which resolves exposures far
  beyond what a finite sample can show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import integrate, special, stats

from privtune.audit.stats._checks import ArrayLike, AuditStatsError, as_scores, check_probability

_LN2 = math.log(2.0)
# Below this log-CDF scipy's Owen's-T based skewnorm CDF loses relative precision (and under
# e^-745 it returns 0), so the left tail is integrated directly in log space instead.
_SCIPY_LOGCDF_TRUSTED = -20.0
MIN_EXTRAPOLATION_CANDIDATES = 100


def _better_counts(canary_score: float, candidates: NDArray[np.float64]) -> tuple[int, int]:
    """(#candidates strictly better, #candidates tied) — lower score is better."""
    return int(np.count_nonzero(candidates < canary_score)), int(np.count_nonzero(candidates == canary_score))


def _rank_to_exposure(fraction_better: float, space_size: int) -> float:
    # rank = 1 + (expected number of the |R|-1 other secrets that beat the canary)
    rank = 1.0 + fraction_better * (space_size - 1)
    return math.log2(space_size) - math.log2(rank)


def _check_space(space_size: int) -> int:
    size = int(space_size)
    if size < 2 or size != space_size:
        raise AuditStatsError(f"space_size must be an integer >= 2, got {space_size}")
    return size


def exposure_by_rank(canary_score: float, candidate_scores: ArrayLike, space_size: int) -> float:
    """Exposure from the canary's rank among sampled candidates (Carlini et al. 2019, Def. 2).

    ``candidate_scores`` are scores of secrets drawn uniformly (with replacement) from
    ``R`` without the canary's own secret; use >= 10^4 of them. The rank is estimated as
    ``1 + b * (|R| - 1) / n`` where ``b`` counts candidates scoring strictly lower than the
    canary plus half of those tying with it (the expected rank under random tie-breaking).
    With all ``|R| - 1`` alternatives enumerated once, this is the exact rank.

    Cap: if no sampled candidate beats the canary the estimate is rank 1, i.e. exposure is
    exactly ``log2 |R|``, although the sample only shows that fewer than about ``|R|/n``
    secrets beat it. Use `exposure_rank_interval` for the honest range, or
    `exposure_by_extrapolation` to resolve exposures above ``log2 n``.
    """
    size = _check_space(space_size)
    cand = as_scores(candidate_scores, "candidate_scores")
    score = float(as_scores(canary_score, "canary_score")[0])
    strictly, ties = _better_counts(score, cand)
    return _rank_to_exposure((strictly + 0.5 * ties) / cand.size, size)


def exposure_rank_interval(
    canary_score: float,
    candidate_scores: ArrayLike,
    space_size: int,
    confidence: float = 0.95,
    *,
    exhaustive: bool = False,
) -> tuple[float, float]:
    """Two-sided confidence interval ``(lo, hi)`` on the rank-based exposure.

    The number of sampled candidates that beat the canary is Binomial(n, p), p being the
    fraction of ``R`` minus the canary that beats it; the Clopper–Pearson interval on p maps
    monotonically to exposure. Ties count as beating the canary for ``lo`` and not for ``hi``,
    so the interval is conservative on both sides. With ``exhaustive=True`` (every alternative
    scored once) there is no sampling error and the interval only reflects ties.
    """
    size = _check_space(space_size)
    conf = check_probability(confidence, "confidence")
    cand = as_scores(candidate_scores, "candidate_scores")
    score = float(as_scores(canary_score, "canary_score")[0])
    strictly, ties = _better_counts(score, cand)
    n, at_least = cand.size, strictly + ties
    if exhaustive:
        p_hi, p_lo = at_least / n, strictly / n
    else:
        alpha = 1.0 - conf
        p_hi = 1.0 if at_least == n else float(stats.beta.ppf(1 - alpha / 2, at_least + 1, n - at_least))
        p_lo = 0.0 if strictly == 0 else float(stats.beta.ppf(alpha / 2, strictly, n - strictly + 1))
    return _rank_to_exposure(p_hi, size), _rank_to_exposure(p_lo, size)


@dataclass(frozen=True, slots=True)
class SkewNormFit:
    """Skew-normal ``skewnorm(a, loc, scale)`` fitted by maximum likelihood to candidate scores."""

    a: float
    loc: float
    scale: float

    def logcdf(self, x: ArrayLike | float) -> NDArray[np.float64]:
        """Natural-log CDF, accurate far into the left tail (see `skewnorm_logcdf`)."""
        return skewnorm_logcdf(x, self.a, self.loc, self.scale)


def fit_skewnorm(candidate_scores: ArrayLike) -> SkewNormFit:
    """MLE skew-normal fit. Scores are standardised first so the optimiser works at unit scale."""
    cand = as_scores(candidate_scores, "candidate_scores", min_size=MIN_EXTRAPOLATION_CANDIDATES)
    mean, std = float(cand.mean()), float(cand.std())
    if not std > 0:
        raise AuditStatsError("candidate scores are all equal; a distribution cannot be fitted to them")
    a, loc, scale = stats.skewnorm.fit((cand - mean) / std)
    return SkewNormFit(float(a), mean + std * float(loc), std * float(scale))


def exposure_by_extrapolation(
    canary_score: float | ArrayLike, candidate_scores: ArrayLike
) -> float | NDArray[np.float64]:
    """Exposure as the skew-normal tail probability (Carlini et al. 2019, §4.3).

    The fraction of ``R`` that scores at most the canary's score approximates ``rank / |R|``,
    so ``exposure ≈ -log2 F(canary_score)`` with F the CDF fitted to the candidate scores.
    Lower score = more exposed, hence the *left* tail. The result is not capped at
    ``log2 |R|``: a value above it says the canary beats every secret by a wide margin.
    Accepts one canary score or an array (all scored against the same candidates, so the
    fit is done once). Needs at least 100 candidates; use >= 10^4.
    """
    fit = fit_skewnorm(candidate_scores)
    scalar = np.ndim(canary_score) == 0
    scores = as_scores(canary_score, "canary_score")
    bits = np.maximum(-fit.logcdf(scores) / _LN2, 0.0)  # max(): logcdf may round to +1e-17
    return float(bits[0]) if scalar else bits


def skewnorm_logcdf(x: ArrayLike | float, a: float, loc: float = 0.0, scale: float = 1.0) -> NDArray[np.float64]:
    """log CDF of the skew-normal, finite and accurate where scipy's underflows.

    Where scipy's value is below e^-20 (or -inf), computes
    ``log ∫_{-∞}^{z} 2 φ(t) Φ(a t) dt`` as ``g(z) + log ∫_0^∞ exp(g(z-u) - g(z)) du`` with
    ``g = log(2 φ Φ(a·))``. The density is log-concave, so after substituting ``u = w / g'(z)``
    the integrand is bounded by ``e^-w`` and a finite quadrature on [0, 60] is exact to
    double precision.
    """
    if not scale > 0:
        raise AuditStatsError(f"scale must be positive, got {scale}")
    z = (np.atleast_1d(np.asarray(x, dtype=np.float64)) - loc) / scale
    with np.errstate(divide="ignore"):
        out = np.asarray(stats.skewnorm.logcdf(z, a), dtype=np.float64)
    for i in np.flatnonzero(~(out > _SCIPY_LOGCDF_TRUSTED)):
        out[i] = _left_tail_logcdf(float(z[i]), float(a))
    return out


def _log_density(t: float, a: float) -> float:
    return math.log(2.0) + float(special.log_ndtr(a * t)) - 0.5 * t * t - 0.5 * math.log(2 * math.pi)


def _left_tail_logcdf(z: float, a: float) -> float:
    g_z = _log_density(z, a)
    # g'(z) = -z + a φ(az)/Φ(az); the ratio is taken in log space so it survives a z of -1e3.
    az = a * z
    ratio = math.exp(-0.5 * az * az - 0.5 * math.log(2 * math.pi) - float(special.log_ndtr(az)))
    slope = -z + a * ratio
    if not slope > 0:  # above the mode the tail shortcut does not apply; scipy is accurate there
        return float(np.log(stats.skewnorm.cdf(z, a)))
    value, _ = integrate.quad(lambda w: math.exp(_log_density(z - w / slope, a) - g_z), 0.0, 60.0, limit=200)
    return g_z - math.log(slope) + math.log(value)
