"""The accountant interface: a history of DP-SGD mechanism events in, (epsilon, delta) out.

Every accountant analyses the same mechanism: the Poisson-subsampled Gaussian mechanism (each
record joins a batch independently with probability ``sample_rate``; the clipped gradient sum
gets Gaussian noise of standard deviation ``noise_multiplier`` times the clipping norm), under
add/remove-one adjacency. A history is a list of such events, each repeated ``steps`` times;
the accountant reports the epsilon of their composition.
"""

from __future__ import annotations

import math
import numbers
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from privtune.privacy.errors import AccountingError

# Beyond this epsilon (by the cheap RDP upper bound) a DP claim protects nothing, and the tight
# accountants' grids grow with the privacy loss: sigma 0.02, q 0.01, 100 steps took PLD 70 s and
# 2 GB, sigma 0.01 ran out of memory, and PRV returned inf. There the RDP bound is reported: it is
# still an upper bound, only looser (sigma 0.1, q 0.01, 100 steps: 1041 where PLD says 354).
LOOSE_EPSILON = 1000.0


@dataclass(frozen=True)
class MechanismEvent:
    """``steps`` repetitions of a Poisson-subsampled Gaussian mechanism.

    ``noise_multiplier`` is sigma (noise std / clipping norm), ``sample_rate`` is q, the
    per-record inclusion probability. Frozen and hashable so results can be cached.
    """

    noise_multiplier: float
    sample_rate: float
    steps: int

    def __post_init__(self) -> None:
        sigma, q, steps = self.noise_multiplier, self.sample_rate, self.steps
        if not (_is_real(sigma) and math.isfinite(sigma) and sigma > 0):
            raise AccountingError(f"noise_multiplier must be a finite number > 0, got {sigma!r}")
        if not (_is_real(q) and 0.0 <= q <= 1.0):
            raise AccountingError(f"sample_rate must be in [0, 1], got {q!r}")
        # Reference tables and JSON carry steps as floats ("2250.0"); accept only integral ones.
        if _is_real(steps) and not isinstance(steps, numbers.Integral) and float(steps).is_integer():
            object.__setattr__(self, "steps", int(steps))
        elif isinstance(steps, numbers.Integral) and not isinstance(steps, bool):
            object.__setattr__(self, "steps", int(steps))
        else:
            raise AccountingError(f"steps must be a whole number, got {steps!r}")
        if self.steps < 0:
            raise AccountingError(f"steps must be >= 0, got {steps!r}")
        object.__setattr__(self, "noise_multiplier", float(sigma))
        object.__setattr__(self, "sample_rate", float(q))

    @property
    def is_free(self) -> bool:
        """True when the event spends no privacy (no steps, or nobody can be sampled)."""
        return self.steps == 0 or self.sample_rate == 0.0


def _is_real(x: object) -> bool:
    """A real number (numpy scalars included), but not a bool."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def check_delta(delta: float) -> float:
    """Validate a target delta (must lie strictly between 0 and 1)."""
    if not (_is_real(delta) and 0.0 < delta < 1.0):
        raise AccountingError(f"delta must be in (0, 1), got {delta!r}")
    return float(delta)


def normalise_history(history: Sequence[MechanismEvent]) -> tuple[MechanismEvent, ...]:
    """Drop free events and merge events with equal (sigma, q) into one, keeping first-seen order.

    Composition is commutative, so merging is exact; it lets PLD/PRV compose each distinct
    mechanism once by self-convolution instead of once per run.
    """
    steps: dict[tuple[float, float], int] = {}
    for ev in history:
        if not isinstance(ev, MechanismEvent):
            raise AccountingError(f"history items must be MechanismEvent, got {type(ev).__name__}")
        if ev.is_free:
            continue
        key = (ev.noise_multiplier, ev.sample_rate)
        steps[key] = steps.get(key, 0) + ev.steps
    return tuple(MechanismEvent(s, q, n) for (s, q), n in steps.items())


def truncate_history(history: Sequence[MechanismEvent], steps: int) -> list[MechanismEvent]:
    """The first ``steps`` steps of ``history`` (events are taken in order)."""
    out: list[MechanismEvent] = []
    left = steps
    for ev in history:
        if left <= 0:
            break
        take = min(ev.steps, left)
        out.append(MechanismEvent(ev.noise_multiplier, ev.sample_rate, take))
        left -= take
    return out


def curve_steps(total: int, points: int) -> list[int]:
    """``points`` step counts spread evenly over 1..total, always ending at ``total``."""
    if points < 1:
        raise AccountingError(f"points must be >= 1, got {points}")
    if total <= 0:
        return []
    marks = {max(1, round(total * (i + 1) / points)) for i in range(points)}
    return sorted(marks)


class Accountant(ABC):
    """Turns a mechanism history into an epsilon for a given delta.

    Subclasses implement `_epsilon` on a normalised, non-empty history; this class validates
    input, short-circuits empty histories and keeps a small LRU cache (the ledger and the
    noise calibration ask the same question repeatedly).
    """

    name: ClassVar[str]
    tight: ClassVar[bool] = False  # a grid-based accountant that falls back to RDP beyond LOOSE_EPSILON
    _CACHE_SIZE: ClassVar[int] = 256

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[tuple[MechanismEvent, ...], float], float] = OrderedDict()
        self._lock = threading.Lock()  # registry instances are shared across threads

    def epsilon(self, history: Sequence[MechanismEvent], delta: float) -> float:
        """Epsilon of the composition of all events in ``history`` at ``delta`` (upper bound)."""
        delta = check_delta(delta)
        events = normalise_history(history)
        if not events:
            return 0.0
        key = (events, delta)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        eps = self._bounded_epsilon(events, delta)
        if math.isnan(eps) or eps < 0:
            raise AccountingError(f"{self.name} accountant produced an invalid epsilon {eps!r}")
        if math.isinf(eps):
            raise AccountingError(
                "epsilon is unbounded for " + ", ".join(
                    f"noise_multiplier={ev.noise_multiplier:g}, sample_rate={ev.sample_rate:g}, steps={ev.steps}"
                    for ev in events) + ": the noise is far too small for any privacy guarantee")
        with self._lock:
            self._cache[key] = eps
            if len(self._cache) > self._CACHE_SIZE:
                self._cache.popitem(last=False)
        return eps

    def _bounded_epsilon(self, events: tuple[MechanismEvent, ...], delta: float) -> float:
        """`_epsilon`, or for a tight accountant the RDP upper bound where it exceeds `LOOSE_EPSILON`
        (or where the tight grid ran out of range and gave inf)."""
        if not self.tight:
            return float(self._epsilon(events, delta))
        from privtune.privacy.accountants.rdp import RDPAccountant  # rdp imports this module

        bound = float(RDPAccountant()._epsilon(events, delta))
        if bound > LOOSE_EPSILON:
            return bound
        eps = float(self._epsilon(events, delta))
        return bound if math.isinf(eps) else eps

    def epsilon_curve(
        self, history: Sequence[MechanismEvent], delta: float, points: int = 20
    ) -> list[tuple[int, float]]:
        """``(steps_so_far, epsilon)`` at ``points`` evenly spaced steps of ``history``.

        The generic version recomputes each point from scratch; accountants whose
        composition is additive (RDP) override it with something cheaper.
        """
        total = sum(ev.steps for ev in history)
        return [(t, self.epsilon(truncate_history(history, t), delta)) for t in curve_steps(total, points)]

    @abstractmethod
    def _epsilon(self, events: tuple[MechanismEvent, ...], delta: float) -> float:
        """Epsilon for a normalised, non-empty history and a validated delta."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
