"""Membership-inference evaluation: ROC AUC, its bootstrap interval, TPR at low FPR, the ROC.

Convention throughout: a **higher score means "more likely a member"** (training example).
Score functions in `privtune.audit.stats.mia_scores` already follow it. TPR at a fixed low
FPR is the headline number (Carlini et al., "Membership Inference Attacks From First
Principles", S&P 2022): an attack can have a modest AUC and still expose a few members with
near certainty, which is what matters for privacy.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from privtune.audit.stats._checks import ArrayLike, AuditStatsError, as_scores, check_probability

_BOOT_CHUNK = 128  # bootstrap replicates per vectorised batch; bounds memory at ~chunk * n


def roc_auc(member_scores: ArrayLike, nonmember_scores: ArrayLike) -> float:
    """Area under the ROC curve = P(member score > non-member score) + ½ P(tie).

    Computed from the Mann–Whitney U statistic with mid-ranks for ties:
    ``AUC = (R_1 - n_1 (n_1 + 1) / 2) / (n_1 n_0)`` where ``R_1`` is the rank sum of the
    member scores in the pooled sample. O((n_1 + n_0) log(n_1 + n_0)).
    """
    m = as_scores(member_scores, "member_scores")
    n = as_scores(nonmember_scores, "nonmember_scores")
    ranks = stats.rankdata(np.concatenate([m, n]), method="average")
    u = float(ranks[: m.size].sum()) - m.size * (m.size + 1) / 2.0
    return u / (m.size * n.size)


def bootstrap_auc_ci(
    member_scores: ArrayLike,
    nonmember_scores: ArrayLike,
    n_boot: int = 1000,
    alpha: float = 0.05,
    seed: int | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap ``(lo, hi)`` interval for `roc_auc` at level ``1 - alpha``.

    Members and non-members are resampled separately (stratified), as they are sampled
    separately in an audit. Each replicate is a pair of resampling-count vectors; with the
    scores sorted once, a replicate's AUC is a weighted sum of per-member counts of
    non-members below it (ties ½), so each replicate costs O(n_1 + n_0) instead of a sort.
    """
    m = as_scores(member_scores, "member_scores")
    n = np.sort(as_scores(nonmember_scores, "nonmember_scores"))
    alpha = check_probability(alpha, "alpha")
    if int(n_boot) < 1:
        raise AuditStatsError(f"n_boot must be >= 1, got {n_boot}")
    rng = np.random.default_rng(seed)
    below = np.searchsorted(n, m, side="left")  # non-members strictly below each member
    upto = np.searchsorted(n, m, side="right")  # ... at or below it
    aucs = np.empty(int(n_boot), dtype=np.float64)
    for start in range(0, aucs.size, _BOOT_CHUNK):
        b = min(_BOOT_CHUNK, aucs.size - start)
        w_m = _resample_counts(rng, m.size, b)
        w_n = _resample_counts(rng, n.size, b)
        cum = np.concatenate([np.zeros((b, 1)), np.cumsum(w_n, axis=1)], axis=1)
        # For each member: (resampled non-members strictly below) + ½ (those tying with it).
        wins = 0.5 * (cum[:, below] + cum[:, upto])
        aucs[start : start + b] = np.einsum("bi,bi->b", w_m, wins) / (m.size * n.size)
    lo, hi = np.quantile(aucs, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def _resample_counts(rng: np.random.Generator, size: int, replicates: int) -> NDArray[np.float64]:
    """(replicates, size) multiplicities of ``size`` draws with replacement, one row per replicate."""
    idx = rng.integers(0, size, size=(replicates, size)) + size * np.arange(replicates)[:, None]
    return np.bincount(idx.ravel(), minlength=replicates * size).reshape(replicates, size).astype(np.float64)


def roc_curve(member_scores: ArrayLike, nonmember_scores: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Empirical ROC ``(fpr, tpr)``, from (0, 0) to (1, 1), one point per distinct score.

    Point i uses the rule "member iff score >= t_i" with thresholds t_i the distinct pooled
    scores in decreasing order, so the trapezoidal area under it equals `roc_auc` (ties
    give diagonal segments, i.e. count ½). Plot with a log-scaled FPR axis to see low FPRs.
    """
    m = np.sort(as_scores(member_scores, "member_scores"))
    n = np.sort(as_scores(nonmember_scores, "nonmember_scores"))
    thresholds = np.unique(np.concatenate([m, n]))[::-1]
    tpr = (m.size - np.searchsorted(m, thresholds, side="left")) / m.size
    fpr = (n.size - np.searchsorted(n, thresholds, side="left")) / n.size
    return np.concatenate([[0.0], fpr]), np.concatenate([[0.0], tpr])


def tpr_at_fpr(member_scores: ArrayLike, nonmember_scores: ArrayLike, fpr: float) -> float:
    """Largest TPR of a threshold rule "member iff score > c" whose FPR is at most ``fpr``.

    Exact on the empirical ROC, no interpolation and no randomised rules, so the value is
    achieved by a real threshold. With ``k = floor(fpr * n_0)`` false positives allowed, the
    best rule puts ``c`` at the (k+1)-th highest non-member score, giving
    ``TPR = #(members > c) / n_1``; members tying with ``c`` are not counted (conservative).

    Small samples: with fewer than ``1 / fpr`` non-members no false positive fits in the
    budget (k = 0), so the value is the TPR at FPR = 0: the fraction of members scoring
    above every non-member. Report ``n_0`` with it; resolving FPR = 10^-3 needs >= 10^3.
    """
    m = as_scores(member_scores, "member_scores")
    n = as_scores(nonmember_scores, "nonmember_scores")
    target = check_probability(fpr, "fpr", open_low=False, open_high=False)
    # The tiny slack keeps 0.01 * 300 == 3 (not 2.9999999999999996) from losing a whole point.
    allowed = math.floor(target * n.size + 1e-9)
    if allowed >= n.size:
        return 1.0
    cut = np.sort(n)[::-1][allowed]
    return float(np.count_nonzero(m > cut)) / m.size
