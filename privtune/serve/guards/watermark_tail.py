"""The exact key-null tail of a weighted sum of keyed green bits (issue 15, "posterior weights and
exact tails"; `watermark_posterior`).

Every key-null detector whose statistic is linear in the green bits, S = Σᵦ cᵦ(bᵦ − γ) with keyless
cᵦ (``weighted``, ``linear``, ``posterior``), has as its null the law of a weighted sum of independent
Bernoulli(γ) bits. With γ = 0.25 that law is right-skewed, and a few hundred bits do not wash the
skew out at 4 sd: the Gaussian tail of z = S / sd₀S understates P₀(S ≥ s) there (measured: at a
Gaussian z of 4.00-4.03 the exact p is 8-10e-5, not 3.17e-5). So the served ``p_value`` of these
detectors is `exact_tail` (saddle point), and ``z_exact`` its one-sided z-score (`z_of_tail`).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import torch

# How a detection's ``p_value`` was computed (the answer's ``p_value_method``)
EXACT_BINOMIAL = "exact-binomial"  # equal weights: the binomial tail, summed exactly
SADDLE_POINT = "saddle-point"  # weighted sum of keyed bits: its exact law's Lugannani–Rice tail
GAUSSIAN = "gaussian-approximation"  # the normal tail of z: an approximation (lr, joint)
BONFERRONI_GAUSSIAN = "bonferroni, lr part gaussian-approximation"  # combined: 2·min of its parts' p
# per detector, what /info and the docs state (weighted: binomial unweighted, saddle point weighted)
DETECTOR_P_VALUE_METHOD = {"weighted": f"{EXACT_BINOMIAL} (unweighted) / {SADDLE_POINT} (weighted)",
                           "linear": SADDLE_POINT, "posterior": SADDLE_POINT, "lr": GAUSSIAN,
                           "joint": GAUSSIAN, "combined": BONFERRONI_GAUSSIAN}


def exact_tail(coefficients: torch.Tensor, gamma: float, observed: float) -> float:
    """P₀(Σ cᵦ(bᵦ − γ) ≥ observed), bᵦ iid Bernoulli(γ): the Lugannani–Rice saddle-point tail of the
    exact law (relative error O(1/B) for B bits of comparable weight, uniformly in the tail, where
    the Gaussian's relative error grows with z). Equal weights (the key-only green count) are a
    lattice, where the continuous saddle point is too small: `binomial_tail`, exact. Below the mean:
    the Gaussian tail (only far tails matter)."""
    c = coefficients.double()
    c = c[c != 0]
    if c.numel() == 0:
        return 1.0
    if bool((c == c[0]).all()) and float(c[0]) > 0:  # equal weights (key-only count): a lattice, sum it
        return binomial_tail(c.numel(), gamma, math.ceil(observed / float(c[0]) + gamma * c.numel() - 1e-9))
    var = gamma * (1 - gamma) * float((c * c).sum())
    if observed <= 0.0:
        return 0.5 * math.erfc(observed / math.sqrt(2 * var))
    top = float(c.clamp(min=0).sum()) - gamma * float(c.sum())  # largest value S can take
    if observed >= top:
        return 0.0 if observed > top + 1e-12 else float(torch.where(c > 0, gamma, 1 - gamma).log().sum().exp())
    lg, l1g = math.log(gamma), math.log1p(-gamma)

    def cumulants(theta: float) -> tuple[float, float, float]:
        a = theta * c
        logit = a + lg - l1g
        pi = torch.sigmoid(logit)  # tilted P(b = 1)
        k = float((torch.logaddexp(torch.full_like(a, l1g), a + lg) - gamma * a).sum())
        return k, float((c * (pi - gamma)).sum()), float((c * c * pi * (1 - pi)).sum())

    # K'(θ) = observed: K' increases (K'' > 0), so Newton's steps kept inside a bracket converge
    lo, hi = 0.0, math.inf
    theta = observed / var
    for _ in range(200):
        k, k1, k2 = cumulants(theta)
        if abs(k1 - observed) <= 1e-10 * (1.0 + abs(observed)):
            break
        if k1 < observed:
            lo = theta
        else:
            hi = theta
        step = theta - (k1 - observed) / max(k2, 1e-300)
        theta = step if lo < step < hi else (0.5 * (lo + hi) if hi < math.inf else 2.0 * theta + 1.0)
        if theta > 1e6:
            return 0.0
    k, _, k2 = cumulants(theta)
    r = math.sqrt(max(2.0 * (theta * observed - k), 0.0))
    u = theta * math.sqrt(k2)
    if r < 1e-6 or u < 1e-9:
        return 0.5 * math.erfc(observed / math.sqrt(2 * var))
    tail = 0.5 * math.erfc(r / math.sqrt(2)) + math.exp(-0.5 * r * r) / math.sqrt(2 * math.pi) * (1.0 / u - 1.0 / r)
    return min(max(tail, 0.0), 1.0)


def binomial_tail(n: int, gamma: float, k: int) -> float:
    """P(Bin(n, γ) ≥ k), summed in log space (n up to a few thousand scored tokens)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    lg, l1g = math.log(gamma), math.log1p(-gamma)
    terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lg + (n - i) * l1g
             for i in range(k, n + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def z_of_tail(p: float) -> float:
    """The one-sided z-score of tail probability ``p`` (large for p that underflows)."""
    if p <= 0.0:
        return 40.0
    return -NormalDist().inv_cdf(min(p, 1.0 - 1e-12))


def tail_method(coefficients: torch.Tensor) -> str:
    """Which tail `exact_tail` takes for these coefficients: the binomial sum (equal weights, or
    none) or the saddle point."""
    c = coefficients.double()
    c = c[c != 0]
    return EXACT_BINOMIAL if c.numel() == 0 or (bool((c == c[0]).all()) and float(c[0]) > 0) else SADDLE_POINT


def exact_p_and_z(coefficients: torch.Tensor, gamma: float, observed: float) -> tuple[float, float]:
    """(`exact_tail`, its one-sided z-score) of S = Σ cᵦ(bᵦ − γ) observed at ``observed``."""
    p = exact_tail(coefficients, gamma, observed)
    return p, z_of_tail(p)

