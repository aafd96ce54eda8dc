"""Privacy-random-variable (PRV) accountant (Gopi, Lee & Wutschitz 2021), own implementation.

For a dominating pair (P, Q) the privacy random variable is ``Y = log(P(o)/Q(o))``, ``o ~ P``,
and ``delta(eps) = E[(1 - exp(eps - Y))^+]``. Composition sums independent PRVs. Per event:

1. Truncate Y to ``[a, b]`` (tail mass ``tau`` per side, clipped onto the ends) and round it
   onto a grid of spacing ``h``, shifting all atoms by one constant so the rounded variable
   has exactly the clipped variable's mean. The per-copy rounding error is then zero-mean and
   lies in an interval of width ``h``.
2. Compose all copies of all events by FFT (``ifft(prod fft(p_i)^k_i)``) on a circular grid
   wide enough that, by a Chernoff bound on the discrete variables, the composed mass outside
   it is below ``delta_wrap``.
3. Error bounds: Hoeffding gives ``|sum Y' - sum Y~| <= eps_err`` except with probability
   ``delta_h`` when ``h = eps_err / sqrt(K/2 * log(2/delta_h))``; clipping changes the sum with
   probability at most ``K * 2 tau``. Hence ``delta_Y(eps) <= delta_Y~(eps - eps_err) +
   delta_h + delta_trunc + delta_wrap``, and the reported epsilon, ``eps~ + eps_err`` where
   ``delta_Y~(eps~) = delta - (those)``, is an upper bound (up to float rounding in the FFT).

Add/remove adjacency has two dominating pairs for Poisson subsampling — "remove"
(``P = (1-q)N(0,s^2) + qN(1,s^2)``, ``Q = N(0,s^2)``) and "add" (the reverse) — and the
answer is the larger epsilon of the two. ``eps_err`` is set relative to epsilon itself (a coarse
first pass finds the scale), so the bound is tight for small epsilons too.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft as sfft

from privtune.privacy.accountants.base import Accountant, MechanismEvent
from privtune.privacy.accountants.prv_dist import DiscretePRV, SubsampledGaussianPRV
from privtune.privacy.accountants.rdp import RDPAccountant
from privtune.privacy.errors import AccountingError

_LAMBDAS = np.geomspace(1e-3, 1e3, 61)  # Chernoff parameters tried (any one gives a valid bound)


def _tail_bounds(dists: list[tuple[DiscretePRV, int]], delta_side: float) -> tuple[float, float]:
    """[lo, hi] holding all but ``delta_side`` of the composed mass on each side (Chernoff)."""
    log_d = math.log(delta_side)
    up = sum(k * d.log_mgf_upper(_LAMBDAS) for d, k in dists)
    down = sum(k * d.log_mgf_upper(-_LAMBDAS) for d, k in dists)
    hi = float(np.min((up - log_d) / _LAMBDAS))
    lo = float(np.max((down - log_d) / -_LAMBDAS))
    return lo, hi


def _epsilon_from_pmf(values: np.ndarray, pmf: np.ndarray, delta: float) -> float:
    """Smallest eps >= 0 with ``sum pmf * (1 - exp(eps - values))^+ <= delta``; values ascending."""
    keep = values > 0  # eps >= 0, so atoms at or below 0 never contribute
    v, p = values[keep], pmf[keep]
    if v.size == 0:
        return 0.0
    tail_p = np.cumsum(p[::-1])[::-1]  # sum over atoms >= index (summed small-to-large)
    tail_e = np.cumsum((p * np.exp(-v))[::-1])[::-1]
    # delta at eps = v[m-1] uses the atoms above it: tail_p[m] - exp(v[m-1]) * tail_e[m].
    d_at_0 = tail_p[0] - tail_e[0]
    if d_at_0 <= delta:
        return 0.0
    with np.errstate(over="ignore", invalid="ignore"):  # e^v overflows only where delta ~ 0
        d_at = np.append(tail_p[1:] - np.exp(v[:-1]) * tail_e[1:], 0.0)  # delta(eps = v[m])
    d_at = np.nan_to_num(d_at, nan=0.0)
    m = int(np.argmax(d_at <= delta))  # first grid value where delta is small enough
    # On (v[m-1], v[m]] the atoms above eps are m..end: solve tail_p[m] - e^eps tail_e[m] = delta.
    return float(math.log((tail_p[m] - delta) / tail_e[m]))


class PRVAccountant(Accountant):
    """PRV accountant reporting the upper bound of Gopi et al.

    ``rel_error``: target eps_err as a fraction of epsilon; ``delta_error``: fraction of delta
    spent on the error terms; ``max_grid``: largest FFT length (the bound loosens rather than
    exceed it); ``min_eps_error``: absolute floor for eps_err.
    """

    name = "prv"
    tight = True

    def __init__(
        self,
        rel_error: float = 0.002,
        delta_error: float = 1e-3,
        max_grid: int = 2**22,
        min_eps_error: float = 1e-6,
    ) -> None:
        super().__init__()
        self.rel_error = rel_error
        self.delta_error = delta_error
        self.max_grid = max_grid
        self.min_eps_error = min_eps_error
        self._rdp = RDPAccountant()

    def _epsilon(self, events: tuple[MechanismEvent, ...], delta: float) -> float:
        # Coarse pass sized from the (looser) RDP epsilon, then a pass sized from its result.
        scale = self._rdp.epsilon(events, delta)
        eps_err = max(self.min_eps_error, 5 * self.rel_error * scale)
        first = self.epsilon_with_error(events, delta, eps_err)
        base = first - eps_err  # the estimate without its error allowance
        # An estimate of 0 gives no relative scale; one 10x finer pass is then enough.
        wanted = max(self.min_eps_error, self.rel_error * base if base > 0 else eps_err / 10)
        if eps_err <= 1.5 * wanted:
            return first
        return min(first, self.epsilon_with_error(events, delta, wanted))

    def epsilon_with_error(self, events: tuple[MechanismEvent, ...], delta: float, eps_err: float) -> float:
        """Upper bound on epsilon with discretisation error budget ``eps_err``."""
        return max(
            self._one_direction(events, delta, eps_err, remove=True),
            self._one_direction(events, delta, eps_err, remove=False),
        )

    def _one_direction(
        self, events: tuple[MechanismEvent, ...], delta: float, eps_err: float, *, remove: bool
    ) -> float:
        k_total = sum(ev.steps for ev in events)
        d_err = delta * self.delta_error
        d_hoeff, d_trunc, d_wrap = d_err / 2, d_err / 4, d_err / 4
        tau = d_trunc / (2 * k_total)  # per copy and side; union bound over all 2K tails
        h = eps_err / math.sqrt(k_total / 2 * math.log(2 / d_hoeff))
        prvs = [SubsampledGaussianPRV(ev.noise_multiplier, ev.sample_rate, remove) for ev in events]
        while True:
            dists = [(prv.discretise(h, tau), ev.steps) for prv, ev in zip(prvs, events)]
            lo, hi = _tail_bounds(dists, d_wrap / 2)
            offset = sum(k * d.shift for d, k in dists)  # sum of the per-copy mean shifts
            w_lo = math.floor((lo - offset) / h)
            w_hi = math.ceil((hi - offset) / h)
            need = max(w_hi - w_lo + 1, max(d.pmf.size for d, _ in dists))
            if need <= self.max_grid:
                break
            # Too fine for memory: widen the spacing (a looser but still valid bound).
            h *= need / self.max_grid * 1.05
            eps_err = h * math.sqrt(k_total / 2 * math.log(2 / d_hoeff))
        n = sfft.next_fast_len(need, real=True)
        spectrum: np.ndarray | None = None
        for d, k in dists:
            grid = np.zeros(n)
            grid[np.arange(d.j_lo, d.j_lo + d.pmf.size) % n] = d.pmf  # index = j mod n
            f = sfft.rfft(grid) ** k
            spectrum = f if spectrum is None else spectrum * f
        assert spectrum is not None
        circ = np.clip(sfft.irfft(spectrum, n), 0.0, None)
        # Unwrap: position i holds the total index J in [w_lo, w_lo + n) with J = i (mod n).
        ordered = np.roll(circ, -(w_lo % n))
        values = (w_lo + np.arange(n)) * h + offset
        target = delta - d_err
        if target <= 0:
            raise AccountingError("delta too small for the PRV error budget")
        return _epsilon_from_pmf(values, ordered, target) + eps_err
