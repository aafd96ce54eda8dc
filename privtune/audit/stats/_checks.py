"""Input validation shared by the audit statistics: one named error, a few array coercions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from privtune.errors import PrivtuneError

ArrayLike = Sequence[float] | NDArray[np.floating] | NDArray[np.integer]


class AuditStatsError(PrivtuneError, ValueError):
    """Scores or parameters handed to an audit statistic cannot give a meaningful answer.

    Also a `ValueError`, so numeric callers that already catch that keep working.
    """


def as_scores(values: ArrayLike | float, name: str, *, min_size: int = 1) -> NDArray[np.float64]:
    """1-D float64 copy of ``values``; rejects NaN/inf and arrays shorter than ``min_size``."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise AuditStatsError(f"{name} must be a 1-D array of scores, got shape {arr.shape}")
    if arr.size < min_size:
        raise AuditStatsError(f"{name} needs at least {min_size} value(s), got {arr.size}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise AuditStatsError(f"{name}[{bad}] is {arr[bad]}; scores must be finite numbers")
    return arr


def check_probability(value: float, name: str, *, open_low: bool = True, open_high: bool = True) -> float:
    """``value`` as a float in (0, 1), with either end optionally closed."""
    v = float(value)
    low_ok = v > 0 if open_low else v >= 0
    high_ok = v < 1 if open_high else v <= 1
    if not (low_ok and high_ok):
        lo, hi = "(" if open_low else "[", ")" if open_high else "]"
        raise AuditStatsError(f"{name} must lie in {lo}0, 1{hi}, got {value}")
    return v
