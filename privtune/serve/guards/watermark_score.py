"""Score-test watermark detection: the green excess over the model's green mass, exact key null.

Under the watermark the model's distribution p before a token becomes ``p_i e^{δ g_i} / Z``; the
derivative of the log-likelihood ratio in δ at δ = 0 (the score, the locally most powerful
statistic) is ``g_x − G``, with ``g_x`` the written token's green bit and ``G = Σ p_i g_i`` the
green mass of the model's candidates. It is what the oracle of `benchmarks/watermark_bound.py`
counts (S − ΣG), but here it is calibrated the way a detector must be, over the *key*, the text
fixed (the text may be human, or from any other model):

    T = Σₜ (g_{xₜ} − Gₜ),   Gₜ = Σ_{j ≤ k} pₜⱼ gₜⱼ + γ·restₜ   (top-k candidates, rest at its mean)

is linear in the green bits, and each bit is a keyed hash of one (anchor, candidate) pair:
without the watermark distinct pairs are iid Bernoulli(γ) over keys, pairs that recur (a
repeated phrase, a frequent self-anchored token) are one bit. So with cᵦ the summed coefficient
of bit b over every scored position (+1 for the written token, −pⱼ for each candidate),

    E₀[T] = 0,   Var₀[T] = γ(1−γ) Σᵦ cᵦ²     (exact: no independence, no first-order term)

and z = T / sqrt(Var₀ T). Repeats need no dedup: a phrase written ten times puts ten times the
coefficient on the same bits, and its variance grows with the square, so a repeated coin counts
once, as it should, while *different* choices in the same context (the model writing x here and
y there after the same anchor) still count against p.

The likelihood ratio (`watermark_lr`) reads the same bits non-linearly and needs a first-order
covariance for shared bits; this statistic's null is exact in mean and variance for any text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from privtune.serve.guards.watermark import Detection, WatermarkScheme, _mix, placeholder_skipped, token_green_bits
from privtune.serve.guards.watermark_lr import candidate_anchors_green
from privtune.serve.guards.watermark_tail import GAUSSIAN, exact_p_and_z, tail_method

SCORE_TOP_K = 32  # candidates whose bits enter exactly; the rest of the mass counts at its null mean γ


@dataclass(frozen=True)
class ScoreParts:
    """The statistic's pieces on one text: T, its exact null variance, positions scored, green count."""

    total: float
    null_variance: float
    scored: int
    green: int
    bit_keys: torch.Tensor | None = None  # one int64 per distinct (anchor, candidate) bit (`bit_key`)
    bit_coefficients: torch.Tensor | None = None  # its summed coefficient cᵦ


def bit_key(anchor: torch.Tensor, token: torch.Tensor) -> torch.Tensor:
    """One int64 per (anchor, token) pair (a keyed green bit is a function of the pair alone)."""
    return _mix(anchor ^ _mix(token))


def score_parts(scheme: WatermarkScheme, ids: list[int], cand_ids: torch.Tensor, cand_probs: torch.Tensor,
                placeholder: list[bool] | None = None, weights: list[float] | None = None,
                dedup: bool = False) -> ScoreParts:
    """T and Var₀ T (module docstring) over the positions a detector scores: from ``context_width``
    on, not a placeholder nor anchored on one (`watermark.placeholder_skipped`). ``cand_ids`` /
    ``cand_probs`` [len(ids), k]: the model's top-k candidates before each token (keyless).
    ``weights``: an optional keyless weight per token (multiplies its whole term; the null stays exact)."""
    n = len(ids)
    if cand_ids.shape[0] != n or cand_probs.shape != cand_ids.shape:
        raise ValueError("score detection needs one row of candidates per token")
    if placeholder is not None and len(placeholder) != n:
        raise ValueError("redaction-aware detection needs one placeholder flag per token")
    w, g = scheme.context_width, scheme.gamma
    anchors, bits = token_green_bits(scheme, ids)
    if not anchors:
        return ScoreParts(0.0, 0.0, 0, 0)
    keep, seen = [], set()
    for j, a in enumerate(anchors):
        if placeholder is not None and placeholder_skipped(scheme, ids, placeholder, j + w, a):
            continue
        if dedup:  # diagnostics: the other detectors' rule (one position per (anchor, token) pair)
            if (a, ids[j + w]) in seen:
                continue
            seen.add((a, ids[j + w]))
        keep.append(j)
    if not keep:
        return ScoreParts(0.0, 0.0, 0, 0)
    rows = torch.tensor(keep, dtype=torch.long)
    cand_anchor, green = (t[w:][rows] for t in candidate_anchors_green(scheme, ids, cand_ids))
    p = cand_probs[w:][rows].double()
    cands = cand_ids[w:][rows]
    x = torch.tensor(ids[w:], dtype=torch.long)[rows]
    anchor_x = torch.tensor(anchors, dtype=torch.int64)[rows]
    g_x = torch.tensor(bits, dtype=torch.double)[rows]
    wt = torch.ones(len(keep), dtype=torch.double) if weights is None else \
        torch.tensor(weights, dtype=torch.double)[w:][rows]
    rest = (1.0 - p.sum(1)).clamp(min=0.0)
    big_g = (p * green.double()).sum(1) + g * rest
    total = float((wt * (g_x - big_g)).sum())
    # every (anchor, candidate) bit with its coefficient: −w·pⱼ per candidate, +w for the token
    bit_keys = torch.cat([bit_key(cand_anchor, cands).flatten(), bit_key(anchor_x, x)])
    coefs = torch.cat([(-wt[:, None] * p).flatten(), wt])
    uniq, inv = torch.unique(bit_keys, return_inverse=True)
    summed = torch.zeros(uniq.shape[0], dtype=torch.double).index_add_(0, inv, coefs)
    var = g * (1 - g) * float((summed * summed).sum())
    return ScoreParts(total, var, len(keep), int(g_x.sum()), uniq, summed)


def detect_ids_score(scheme: WatermarkScheme, ids: list[int], cand_ids: torch.Tensor, cand_probs: torch.Tensor,
                     placeholder: list[bool] | None = None, weights: list[float] | None = None) -> Detection:
    """z = T / sqrt(Var₀ T) of `score_parts`, as a `Detection` (``green_tokens``: scored tokens green)."""
    s = score_parts(scheme, ids, cand_ids, cand_probs, placeholder, weights)
    z = s.total / math.sqrt(s.null_variance) if s.null_variance > 1e-12 else 0.0
    return Detection(z, 0.5 * math.erfc(z / math.sqrt(2)), s.scored, s.green,
                     likelihood_ratio_top_k=int(cand_ids.shape[1]) if cand_ids.ndim == 2 else None,
                     p_value_method=GAUSSIAN)


def detect_linear(scheme: WatermarkScheme, ids: list[int], cand_ids: torch.Tensor, cand_probs: torch.Tensor,
                  entropies: list[float], placeholder: list[bool] | None = None,
                  entropy_weight_power: float = 0.5, entropy_threshold: float | None = None) -> Detection:
    """The ``linear`` detector: the score T (`score_parts`, every scored position, no dedup) and
    the entropy-weighted green count S_w = Σ wᵦ(gᵦ − γ) (`watermark.weighted_terms`: one position
    per (anchor, token) pair, wᵦ = entropy ** power) as one linear statistic of the green bits,

        L = T / σ_T + S_w / σ_w,   Var₀ L = γ(1−γ) Σᵦ (cᵦ/σ_T + wᵦ/σ_w)²,

    each part standardised by its own exact null sd and the two added with equal weight (nothing
    fitted); the bits they share enter the variance exactly, so z = L / sqrt(Var₀ L) has null
    mean 0 and variance 1 for any text under a random key. The two read the mark differently:
    S_w trusts the written token where the model was unsure, T reads it against the green mass
    of the alternatives and keeps the evidence of repeated choices in a repeated context. A part
    that scores nothing leaves the other alone. ``entropy_threshold``: the weighted part scores only
    tokens above it (as `watermark.detect_ids`). ``components``: each part's own z and the exact
    key-null tail of that part alone.
    ``p_value``: the exact key-null tail of L (`watermark_tail`), ``z_exact`` its z-score."""
    from privtune.serve.guards.watermark import weighted_terms

    g = scheme.gamma
    s = score_parts(scheme, ids, cand_ids, cand_probs, placeholder)
    terms = weighted_terms(scheme, ids, entropies, entropy_threshold, placeholder, entropy_weight_power)
    c_w = torch.tensor([wt for _, _, wt, _ in terms], dtype=torch.double)
    g_w = torch.tensor([float(b) for _, _, _, b in terms], dtype=torch.double)
    var_w = g * (1 - g) * float((c_w * c_w).sum())
    t_w = float((c_w * (g_w - g)).sum())
    z_w = t_w / math.sqrt(var_w) if var_w > 1e-12 else 0.0
    z_s = s.total / math.sqrt(s.null_variance) if s.null_variance > 1e-12 else 0.0
    k = int(cand_ids.shape[1])
    if var_w <= 1e-12 or s.null_variance <= 1e-12:  # one part scored nothing: the other alone
        z = z_s if var_w <= 1e-12 else z_w
        rho = None
        empty = torch.zeros(0, dtype=torch.double)
        if var_w <= 1e-12:
            coef, observed = (s.bit_coefficients if s.bit_coefficients is not None else empty), s.total
        else:
            coef, observed = c_w, t_w
    else:
        sd_w, sd_s = math.sqrt(var_w), math.sqrt(s.null_variance)
        assert s.bit_keys is not None and s.bit_coefficients is not None
        w_keys = bit_key(torch.tensor([a for a, _, _, _ in terms], dtype=torch.int64),
                         torch.tensor([t for _, t, _, _ in terms], dtype=torch.int64))
        uniq, inv = torch.unique(torch.cat([s.bit_keys, w_keys]), return_inverse=True)
        coef = torch.zeros(uniq.shape[0], dtype=torch.double).index_add_(
            0, inv, torch.cat([s.bit_coefficients / sd_s, c_w / sd_w]))
        var = g * (1 - g) * float((coef * coef).sum())  # = 2 + 2ρ
        z = (z_s + z_w) / math.sqrt(var)
        rho = var / 2.0 - 1.0
        observed = z_s + z_w  # L = Σᵦ coefᵦ(bᵦ − γ)
    # p: the exact key-null tail of L (a weighted sum of Bernoulli(γ) bits; the Gaussian's is too small near z 4)
    p, z_exact = exact_p_and_z(coef, g, observed)
    # each part's own p: the exact tail of that part alone, as the whole's
    empty = torch.zeros(0, dtype=torch.double)
    c_s = s.bit_coefficients if s.bit_coefficients is not None else empty
    p_s = exact_p_and_z(c_s, g, s.total)[0] if s.null_variance > 1e-12 else 1.0
    p_w = exact_p_and_z(c_w, g, t_w)[0] if var_w > 1e-12 else 1.0
    eff = float(c_w.sum()) ** 2 / float((c_w * c_w).sum()) if var_w > 1e-12 else 0.0
    # tokens scored / green: the score part's (every scored position; the weighted part's are a subset)
    return Detection(z, p, s.scored, s.green, z_exact=z_exact, p_value_method=tail_method(coef),
                     entropy_threshold=entropy_threshold, entropy_weight_power=entropy_weight_power,
                     effective_tokens=eff, likelihood_ratio_top_k=k, detector="linear",
                     components=(("score", z_s, p_s, s.scored, tail_method(c_s)),
                                 ("weighted", z_w, p_w, len(terms), tail_method(c_w))),
                     null_correlation=rho)
