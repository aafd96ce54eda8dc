"""Noise calibration: the noise multiplier that spends a target epsilon, and a default delta.

The search uses the very accountant that later reports epsilon, so a calibrated run never
reports more than its target. Epsilon falls monotonically as sigma grows; we bracket the
target by doubling/halving sigma, then bisect in log(sigma) until the bracket's upper end
spends at least ``(1 - tol)`` of the target (log-log interpolation steps, alternated
with plain bisection steps so the bracket always shrinks).
"""

from __future__ import annotations

import math

from privtune.privacy.accountants import DEFAULT_ACCOUNTANT, Accountant, MechanismEvent, get_accountant
from privtune.privacy.accountants.base import check_delta
from privtune.privacy.errors import AccountingError, CalibrationError

# Outside this range DP-SGD is not meaningful: below 0.1 the epsilons are astronomically
# large (and PLD grids huge); above 1e4 the noise drowns any gradient.
SIGMA_MIN = 0.1
SIGMA_MAX = 1e4
_MAX_ITERATIONS = 100


def default_delta(n_records: int) -> float:
    """Conventional delta for a dataset of ``n_records``: ``1 / n^1.1`` (just below 1/n)."""
    if not isinstance(n_records, int) or isinstance(n_records, bool) or n_records < 2:
        raise AccountingError(f"n_records must be an integer >= 2, got {n_records!r}")
    return 1.0 / n_records**1.1


def noise_for_target_epsilon(
    target_epsilon: float,
    delta: float,
    sample_rate: float,
    steps: int,
    accountant: str | Accountant = DEFAULT_ACCOUNTANT,
    tol: float = 0.01,
) -> float:
    """Smallest-found sigma with ``(1 - tol) * target <= epsilon(sigma) <= target``.

    Raises `CalibrationError` when the target cannot be met with sigma in
    [`SIGMA_MIN`, `SIGMA_MAX`], and `AccountingError` for invalid parameters.
    """
    if not (isinstance(target_epsilon, int | float) and math.isfinite(target_epsilon) and target_epsilon > 0):
        raise AccountingError(f"target_epsilon must be a finite number > 0, got {target_epsilon!r}")
    if not 0 < tol < 1:
        raise AccountingError(f"tol must be in (0, 1), got {tol!r}")
    delta = check_delta(delta)
    if not (isinstance(sample_rate, int | float) and 0 < sample_rate <= 1):
        raise AccountingError(f"sample_rate must be in (0, 1], got {sample_rate!r}")
    if isinstance(steps, float) and steps.is_integer():
        steps = int(steps)
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise AccountingError(f"steps must be a whole number >= 1 (no steps spend no budget), got {steps!r}")
    acc = get_accountant(accountant)

    def eps(sigma: float) -> float:
        return acc.epsilon([MechanismEvent(sigma, sample_rate, steps)], delta)

    def accept(e: float) -> bool:
        return (1 - tol) * target_epsilon <= e <= target_epsilon

    # Bracket: lo spends more than the target, hi at most the target.
    lo, hi = 1.0, 1.0
    e_hi = eps(hi)
    if accept(e_hi):
        return hi
    if e_hi > target_epsilon:
        while e_hi > target_epsilon:
            lo, hi = hi, hi * 2
            if hi > SIGMA_MAX:
                raise CalibrationError(
                    f"epsilon={target_epsilon:g} at delta={delta:g} is out of reach: even "
                    f"noise_multiplier={SIGMA_MAX:g} spends epsilon={eps(SIGMA_MAX):.4g} over {steps} "
                    f"steps at sample_rate={sample_rate:g}; train fewer steps or sample less"
                )
            e_hi = eps(hi)
    else:
        e_lo = e_hi
        while e_lo <= target_epsilon:
            if accept(e_lo):
                return lo
            hi, e_hi, lo = lo, e_lo, lo / 2
            if lo < SIGMA_MIN:
                raise CalibrationError(
                    f"epsilon={target_epsilon:g} is so loose that noise_multiplier<{SIGMA_MIN:g} would "
                    f"be needed (epsilon at {SIGMA_MIN:g} is {eps(SIGMA_MIN):.4g}); such a run gives "
                    "no meaningful protection, so calibration refuses it"
                )
            e_lo = eps(lo)
    e_lo = eps(lo)
    aim = target_epsilon * (1 - tol / 2)  # the middle of the acceptance window
    for i in range(_MAX_ITERATIONS):
        if accept(e_hi):
            return hi
        mid = math.sqrt(lo * hi)
        # epsilon is close to a power law in sigma, so interpolating log(eps) against
        # log(sigma) usually lands in the window at once; odd steps bisect, which keeps the
        # bracket shrinking geometrically even where the power law is poor.
        if i % 2 == 0 and e_hi > 0 and e_lo > e_hi:
            frac = math.log(e_lo / aim) / math.log(e_lo / e_hi)
            guess = lo * (hi / lo) ** frac
            if lo < guess < hi:
                mid = guess
        e_mid = eps(mid)
        if e_mid > target_epsilon:
            lo, e_lo = mid, e_mid
        else:
            hi, e_hi = mid, e_mid
        if hi / lo - 1 < 1e-12:
            break
    raise CalibrationError(
        f"could not find a noise multiplier with epsilon within {tol:.1%} below {target_epsilon:g} "
        f"(closest: sigma={hi:.6g} gives {e_hi:.6g}); the {acc.name} accountant may be "
        "discontinuous here, try another accountant or a larger tol"
    )
