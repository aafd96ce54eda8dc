"""Posterior-weighted watermark detection: one linear statistic of the green bits, its weights
derived from the model and δ, its key null exact (issue 15, "posterior weights and exact tails").

Every detector here reads the same keyed bits: bᵦ, the green status of one (anchor, candidate)
pair, iid Bernoulli(γ) over keys for distinct pairs whatever the text (human included). Any
statistic S = Σᵦ cᵦ(bᵦ − γ) whose coefficients cᵦ are keyless (model, text, which positions share a
bit) has an exact key null: E₀S = 0, Var₀S = γ(1−γ)Σcᵦ², and, beyond two moments, the exact law of a
weighted sum of independent Bernoulli bits (`exact_tail`: saddle-point tail, no Gaussian).

Which cᵦ? For a fixed text, the statistic's deflection E₁S / sd₀S is largest for cᵦ ∝ πᵦ − γ,
πᵦ = P₁(bᵦ = 1 | text), the posterior of the bit under the watermark (Cauchy–Schwarz: the null
variance per bit is the same γ(1−γ)). Per scored position t with the model's top-k candidates
(probabilities pⱼ, rest mass r at its null mean γ), the written token x has likelihood
q_m(x) ∝ e^{δ m_x} / (1 + (e^δ − 1)(Σⱼ pⱼmⱼ + γr)) under green mask m, so the marginal
likelihood ratio of candidate j's bit is

    λₜⱼ = log E[q_m(x) | mⱼ = 1] − log E[q_m(x) | mⱼ = 0]      (other bits at their prior γ)

(all 2^k masks enumerated): positive for the written token where the model was unsure, negative
for alternatives that were likely and not chosen, ≈ 0 where the model was certain. A written
token outside the top k has its own bit with λ = δ. A bit read at several positions (a repeated
phrase, a persisting anchor) adds its λ's (independent evidence given the model), and

    πᵦ = σ(logit γ + Σₜ λₜᵦ),   cᵦ = πᵦ − γ            (``weights="deflection"``)

saturates: a bit seen green-chosen ten times is at most one green coin's worth (cᵦ ≤ 1 − γ),
unlike the score statistic (`watermark_score`), whose coefficient grows with every repeat.
``weights="log-odds"`` uses cᵦ = Σₜ λₜᵦ instead (the Neyman–Pearson statistic if the bits were
independent under the watermark; no saturation). Nothing is fitted: γ, δ and the model only.

Served as the ``posterior`` detector (`detectors`); `benchmarks/watermark_posterior.py` measures it
against ``linear`` (benchmarks/RESULTS.md, "posterior weights and exact tails": 0.877 → 0.923 pooled
over three fresh keys, 0 FP; the Gaussian p of every detector there is anti-conservative near z 4,
so the p reported is the exact tail, `watermark_tail`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from privtune.serve.guards.watermark import Detection, WatermarkScheme, placeholder_skipped, token_green_bits
from privtune.serve.guards.watermark_lr import _masks, candidate_anchors_green
from privtune.serve.guards.watermark_score import bit_key
from privtune.serve.guards.watermark_tail import EXACT_BINOMIAL, GAUSSIAN, exact_tail, tail_method, z_of_tail

__all__ = ["BitStatistic", "WEIGHTS", "deflection_weights", "detect_posterior", "exact_tail", "position_log_ratios",
           "posterior_statistic", "text_log_ratios", "z_of_tail"]

WEIGHTS = ("deflection", "log-odds")


@dataclass(frozen=True)
class BitStatistic:
    """A linear statistic of distinct green bits: coefficient, observed bit and key of each."""

    keys: torch.Tensor  # int64 [B] (`watermark_score.bit_key`)
    coefficients: torch.Tensor  # double [B]
    bits: torch.Tensor  # double [B], 0/1 under the key tested
    scored: int  # positions scored

    def observed(self, gamma: float) -> float:
        return float((self.coefficients * (self.bits - gamma)).sum())

    def null_variance(self, gamma: float) -> float:
        return gamma * (1 - gamma) * float((self.coefficients ** 2).sum())


def position_log_ratios(gamma: float, delta: float, p_top: torch.Tensor, x_col: torch.Tensor) -> torch.Tensor:
    """[n, k] λₜⱼ (module docstring) for each position's top-k candidates ``p_top`` [n, k];
    ``x_col`` [n]: the written token's column (−1: outside the top k)."""
    n, k = p_top.shape
    if n == 0:
        return p_top.clone()
    masks, prior = _masks(k, gamma)
    p = p_top.double()
    rest = (1.0 - p.sum(1)).clamp(min=0.0)
    log_lik = -torch.log1p(math.expm1(delta) * (p @ masks.T + gamma * rest[:, None]))  # [n, 2^k]
    inside = x_col >= 0
    col = masks[:, x_col.clamp(min=0)].T  # [n, 2^k]: the written token's bit under each mask
    log_lik = log_lik + delta * col * inside.double()[:, None]
    log_joint = log_lik + torch.log(prior)[None, :]
    # P(x, mⱼ = b) up to a per-position constant (shifted by the row's max: bounded range, double)
    joint = torch.exp(log_joint - log_joint.max(dim=1, keepdim=True).values)
    on = joint @ masks  # [n, k]
    off = joint @ (1.0 - masks)
    return torch.log(on / gamma) - torch.log(off / (1 - gamma))


def text_log_ratios(gamma: float, delta: float, ids: list[int], cand_ids: torch.Tensor,
                    cand_probs: torch.Tensor) -> torch.Tensor:
    """[n, k] λ of every position's candidates (`position_log_ratios`; keyless: computed once per
    text, whatever key is then tested)."""
    x = torch.tensor(ids, dtype=torch.long)
    is_x = cand_ids == x[:, None]
    x_col = torch.where(is_x.any(1), is_x.long().argmax(1), torch.full((len(ids),), -1))
    return position_log_ratios(gamma, delta, cand_probs, x_col)


def posterior_statistic(scheme: WatermarkScheme, ids: list[int], cand_ids: torch.Tensor, cand_probs: torch.Tensor,
                        placeholder: list[bool] | None = None, weights: str = "deflection",
                        log_ratios: torch.Tensor | None = None) -> BitStatistic:
    """The bits and coefficients of posterior-weighted detection (module docstring) over the
    positions every detector scores: from ``context_width`` on, not a placeholder nor anchored on
    one (`watermark.placeholder_skipped`). ``log_ratios``: `text_log_ratios` of this text, if known."""
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {WEIGHTS}")
    n = len(ids)
    if cand_ids.shape[0] != n or cand_probs.shape != cand_ids.shape:
        raise ValueError("posterior detection needs one row of candidates per token")
    if placeholder is not None and len(placeholder) != n:
        raise ValueError("redaction-aware detection needs one placeholder flag per token")
    w, g, d = scheme.context_width, scheme.gamma, scheme.delta
    empty = BitStatistic(torch.zeros(0, dtype=torch.int64), torch.zeros(0, dtype=torch.double),
                         torch.zeros(0, dtype=torch.double), 0)
    anchors, bits = token_green_bits(scheme, ids)
    if not anchors:
        return empty
    keep = [j for j, a in enumerate(anchors)
            if placeholder is None or not placeholder_skipped(scheme, ids, placeholder, j + w, a)]
    keep = [j for j in keep if float(cand_probs[j + w].sum()) > 0.0]  # a row without a distribution
    if not keep:
        return empty
    rows = torch.tensor(keep, dtype=torch.long)
    cand_anchor, green = (t[w:][rows] for t in candidate_anchors_green(scheme, ids, cand_ids))
    cands = cand_ids[w:][rows]
    x = torch.tensor(ids[w:], dtype=torch.long)[rows]
    is_x = cands == x[:, None]
    x_col = torch.where(is_x.any(1), is_x.long().argmax(1), torch.full((len(keep),), -1))
    if log_ratios is None:
        log_ratios = text_log_ratios(g, d, ids, cand_ids, cand_probs)
    lam = log_ratios[w:][rows]
    outside = x_col < 0
    anchor_x = torch.tensor(anchors, dtype=torch.int64)[rows][outside]
    g_x = torch.tensor(bits, dtype=torch.double)[rows][outside]
    all_keys = torch.cat([bit_key(cand_anchor, cands).flatten(), bit_key(anchor_x, x[outside])])
    all_lam = torch.cat([lam.flatten(), torch.full((int(outside.sum()),), d, dtype=torch.double)])
    all_bits = torch.cat([green.double().flatten(), g_x])
    uniq, inv = torch.unique(all_keys, return_inverse=True)
    total = torch.zeros(uniq.shape[0], dtype=torch.double).index_add_(0, inv, all_lam)
    bit = torch.zeros(uniq.shape[0], dtype=torch.double).index_copy_(0, inv, all_bits)
    return BitStatistic(uniq, deflection_weights(total, g) if weights == "deflection" else total, bit, len(keep))


def deflection_weights(log_odds: torch.Tensor, gamma: float) -> torch.Tensor:
    """cᵦ = πᵦ − γ from each bit's summed log likelihood ratio (πᵦ = σ(logit γ + Σλ))."""
    return torch.sigmoid(log_odds + math.log(gamma / (1 - gamma))) - gamma


def detect_posterior(scheme: WatermarkScheme, ids: list[int], cand_ids: torch.Tensor, cand_probs: torch.Tensor,
                     placeholder: list[bool] | None = None, weights: str = "deflection",
                     exact: bool = True) -> Detection:
    """Posterior-weighted detection as a `Detection`: z = S / sd₀S (the standardised score, what the
    threshold reads), p from `exact_tail` (``exact``; ``z_exact`` its z-score) or the Gaussian;
    ``green_tokens`` counts the distinct bits that are green."""
    s = posterior_statistic(scheme, ids, cand_ids, cand_probs, placeholder, weights)
    g = scheme.gamma
    var = s.null_variance(g)
    k = int(cand_ids.shape[1])
    if var <= 1e-12:
        return Detection(0.0, 1.0, s.scored, 0, likelihood_ratio_top_k=k, detector="posterior",
                         p_value_method=EXACT_BINOMIAL)
    obs = s.observed(g)
    z = obs / math.sqrt(var)
    p = exact_tail(s.coefficients, g, obs) if exact else 0.5 * math.erfc(z / math.sqrt(2))
    z_exact = z_of_tail(p) if exact else None
    return Detection(z, p, s.scored, int(s.bits.sum()), likelihood_ratio_top_k=k, detector="posterior",
                     z_exact=z_exact, p_value_method=tail_method(s.coefficients) if exact else GAUSSIAN)
