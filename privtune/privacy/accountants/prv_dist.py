"""The privacy random variable of one subsampled-Gaussian step, and its discretisation.

Write ``u(z) = (2z - 1) / (2 s^2)`` (the log-likelihood ratio of N(1, s^2) to N(0, s^2) at z) and
``L(z) = log((1 - q) + q e^{u(z)})``, which increases with z. Then

- "remove" pair: ``Y = L(Z)``, ``Z ~ (1 - q) N(0, s^2) + q N(1, s^2)``;
- "add" pair:    ``Y = -L(Z)``, ``Z ~ N(0, s^2)``.

Both CDFs reduce to Gaussian-mixture CDFs at ``z = L^{-1}(t)``, evaluated with ``ndtr`` on
whichever side keeps precision in the tails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

_FAR = 40.0  # in units of sigma: Gaussian mass beyond this is below float64's smallest normal


@dataclass(frozen=True)
class DiscretePRV:
    """Atoms at ``(j_lo + m) * h + shift`` with probabilities ``pmf[m]``."""

    j_lo: int
    pmf: np.ndarray
    h: float
    shift: float

    def values(self) -> np.ndarray:
        return (self.j_lo + np.arange(self.pmf.size)) * self.h + self.shift

    def log_mgf_upper(self, lambdas: np.ndarray, groups: int = 1024) -> np.ndarray:
        """Upper bound on ``log E[exp(lambda * Y)]`` for each lambda (exact up to grouping).

        Atoms are pooled into ``groups`` blocks, each block's mass placed at its most
        unfavourable end, so the Chernoff bounds built from this remain valid.
        """
        v = self.values()
        idx = np.linspace(0, v.size, min(groups, v.size) + 1).astype(int)
        mass = np.add.reduceat(self.pmf, idx[:-1])
        v_max, v_min = v[idx[1:] - 1], v[idx[:-1]]
        with np.errstate(divide="ignore"):
            log_mass = np.log(mass)
        lam = np.asarray(lambdas, dtype=np.float64)[:, None]
        x = log_mass[None, :] + lam * np.where(lam > 0, v_max[None, :], v_min[None, :])
        top = x.max(axis=1, keepdims=True)
        return (top + np.log(np.exp(x - top).sum(axis=1, keepdims=True)))[:, 0]


class SubsampledGaussianPRV:
    """PRV of one step of the Poisson-subsampled Gaussian mechanism (one direction)."""

    def __init__(self, sigma: float, q: float, remove: bool) -> None:
        self.sigma, self.q, self.remove = float(sigma), float(q), remove
        if remove:
            self.weights, self.means = np.array([1.0 - q, q]), np.array([0.0, 1.0])
        else:
            self.weights, self.means = np.array([1.0]), np.array([0.0])
        keep = self.weights > 0
        self.weights, self.means = self.weights[keep], self.means[keep]
        with np.errstate(divide="ignore"):
            self._log1mq = math.log1p(-q) if q < 1 else -math.inf

    # -- the monotone map z -> loss and its inverse -------------------------------------------
    def loss(self, z: np.ndarray | float) -> np.ndarray:
        u = (2 * np.asarray(z, dtype=np.float64) - 1) / (2 * self.sigma**2)
        return np.logaddexp(self._log1mq, math.log(self.q) + u)

    def z_of(self, t: np.ndarray) -> np.ndarray:
        """Inverse of `loss`; ``-inf`` where t is at or below the loss's infimum log(1 - q)."""
        t = np.asarray(t, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            inner = np.expm1(t) + self.q  # e^t - (1 - q), exact near t = 0
            z = self.sigma**2 * (np.log(inner) - math.log(self.q)) + 0.5
        return np.where(inner > 0, z, -np.inf)

    # -- Gaussian-mixture distribution of z ------------------------------------------------------
    def _mix_cdf(self, z: np.ndarray) -> np.ndarray:
        return np.sum(self.weights[:, None] * special.ndtr((z[None, :] - self.means[:, None]) / self.sigma), 0)

    def _mix_sf(self, z: np.ndarray) -> np.ndarray:
        return np.sum(self.weights[:, None] * special.ndtr((self.means[:, None] - z[None, :]) / self.sigma), 0)

    def _mix_pdf(self, z: float) -> float:
        return float(np.sum(self.weights * np.exp(-0.5 * ((z - self.means) / self.sigma) ** 2)))/ (
            self.sigma * math.sqrt(2 * math.pi)
        )

    def _mix_tail_z(self, tau: float, upper: bool) -> float:
        """z with mixture mass ``tau`` beyond it (above if ``upper``, else below)."""

        from scipy import optimize  # lazy: scipy.optimize/integrate slow down CLI start-up

        def excess(z: float) -> float:
            parts = special.log_ndtr(((self.means - z) if upper else (z - self.means)) / self.sigma)
            return float(special.logsumexp(parts, b=self.weights)) - math.log(tau)

        lo, hi = self.means.min() - _FAR * self.sigma, self.means.max() + _FAR * self.sigma
        return float(optimize.brentq(excess, lo, hi, xtol=1e-12 * self.sigma))

    # -- distribution of Y ------------------------------------------------------------------------
    def cdf(self, y: np.ndarray) -> np.ndarray:
        y = np.atleast_1d(np.asarray(y, dtype=np.float64))
        return self._mix_cdf(self.z_of(y)) if self.remove else self._mix_sf(self.z_of(-y))

    def sf(self, y: np.ndarray) -> np.ndarray:
        y = np.atleast_1d(np.asarray(y, dtype=np.float64))
        return self._mix_sf(self.z_of(y)) if self.remove else self._mix_cdf(self.z_of(-y))

    def support(self, tau: float) -> tuple[float, float]:
        """``[y_lo, y_hi]`` with at most ``tau`` of Y's mass below and above (each)."""
        z_lo, z_hi = self._mix_tail_z(tau, upper=False), self._mix_tail_z(tau, upper=True)
        l_lo, l_hi = float(self.loss(z_lo)), float(self.loss(z_hi))
        return (l_lo, l_hi) if self.remove else (-l_hi, -l_lo)

    def clipped_mean(self, a: float, b: float) -> float:
        """``E[clip(Y, a, b)]``, integrating over z where Y is strictly inside (a, b)."""
        from scipy import integrate

        sign = 1.0 if self.remove else -1.0
        ends = self.z_of(np.array([a, b]) if self.remove else np.array([-b, -a]))
        floor = self.means.min() - _FAR * self.sigma
        z1, z2 = (max(float(e), floor) for e in ends)
        inside = 0.0
        if z2 > z1:
            # Break the range at the mixture means so quad sees each Gaussian bump.
            cuts = [z1] + [m for m in sorted(set(self.means.tolist())) if z1 < m < z2] + [z2]
            for lo, hi in zip(cuts[:-1], cuts[1:]):
                val, _ = integrate.quad(
                    lambda z: sign * float(self.loss(z)) * self._mix_pdf(z),
                    lo, hi, epsabs=1e-15, epsrel=1e-12, limit=400,
                )
                inside += val
        return a * float(self.cdf(a)[0]) + b * float(self.sf(b)[0]) + inside

    def discretise(self, h: float, tau: float) -> DiscretePRV:
        """Clip Y to grid edges around its ``tau``-support, bin it, mean-preserving shift."""
        y_lo, y_hi = self.support(tau)
        j_lo, j_hi = math.floor(y_lo / h), math.ceil(y_hi / h)
        edges = (np.arange(j_lo, j_hi + 2) - 0.5) * h  # bin m is [edges[m], edges[m+1])
        inner = edges[1:-1]
        cdf = np.concatenate([[0.0], self.cdf(inner), [1.0]])
        sf = np.concatenate([[1.0], self.sf(inner), [0.0]])
        # Difference whichever side of the median keeps significant digits.
        pmf = np.where(cdf[1:] <= 0.5, np.diff(cdf), -np.diff(sf))
        pmf = np.clip(pmf, 0.0, None)
        pmf /= pmf.sum()
        mean = self.clipped_mean(float(edges[0]), float(edges[-1]))
        grid_mean = float(np.dot(pmf, np.arange(j_lo, j_hi + 1))) * h
        return DiscretePRV(j_lo=j_lo, pmf=pmf, h=h, shift=mean - grid_mean)
