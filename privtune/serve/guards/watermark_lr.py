"""Likelihood-ratio (Neyman–Pearson) watermark detection: the green status of the alternatives.

Key-only detection counts green tokens; entropy-weighted detection weighs each by how unsure the
model was. Both ignore *which* alternatives were green. Under the watermark (H1) the model's
distribution ``p`` before a token becomes ``p_i e^{δ g_i} / Z`` with ``Z = 1 + (e^δ − 1) G`` and
``G = Σ_{i green} p_i``, so the token ``x`` that was written has log-likelihood ratio against
unwatermarked sampling

    LLR = δ g_x − log Z.

A green choice over red alternatives (small G) is strong evidence, a red choice when green ones
were likely (large G) is evidence against, and a near-certain token carries none (G ≈ g_x, so
LLR ≈ 0 whichever its colour). The detector recomputes ``p`` from the text alone (BOS + the
text before the token; the prompt is unknown), as entropy-aware detection does.

**Null.** Without the watermark the text does not depend on the key, and the green bits of the
candidates at one position are keyed hashes of distinct (anchor, token) inputs: iid
Bernoulli(γ) over keys. The score is z = Σ(LLRₜ − μₜ) / sqrt(Σσₜ²) with μₜ, σₜ² the exact null
mean and variance of LLRₜ (deterministic, no Monte Carlo): the green bits of the model's top
``top_k`` candidates (default 10) enter exactly, all 2^k masks enumerated with their γ-weights,
and the mass left (the other candidates) counts as γ·rest green, its null expectation, in the
observed statistic and in its null alike. The null is thus exact for the statistic used; only
power is lost where the tail is large (under H1 it is a little greener, but a flat tail's green
share is ≈ γ anyway by the law of large numbers). The token written enters both δ g_x and G when
it is among the top k: the moments take that covariance; outside them its bit is independent.

Positions whose LLR has null variance 0 (the model certain of the token) carry no evidence and
are not scored, as weight-0 tokens in entropy-weighted detection; the skip uses the model alone.
Redaction-aware skipping and one score per (anchor, token) pair are as in `watermark.detect_ids`.

**Shared bits.** A green bit is a function of its (anchor, candidate) pair, and unlike key-only
detection the LLR reads the bits of the alternatives too: a window's anchor often persists over
several positions, and a frequent token whose own hash is the window minimum has one bit
everywhere, so the same bit enters the log Z of many positions and their LLRs covary. The
variance adds, to first order, γ(1−γ) Σ_bits [(Σₜ aₜ)² − Σₜ aₜ²] with aₜ = E[LLRₜ | bit 1] −
E[LLRₜ | bit 0] (``shared_bit_covariance``). Measured on the demo model's unwatermarked texts
under one key: null z sd 1.14 without the term, 0.995 with it (benchmarks/RESULTS.md).

**Where it is used.** A serving mode (``watermark.detector: lr``, or ``combined`` / ``joint`` with
the weighted detector; `detectors.detect_text_with`), and the benchmarks score the saved generations with
the same functions. With the model's full distribution it lost to entropy-weighted detection on
the demo model; with the visible one (special tokens dropped, ``drop``) it gained on four of five
keys and lost on one (benchmarks/RESULTS.md, "likelihood ratio with the visible distribution").
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import torch

from privtune.serve.guards.entropy import _window, padded_logits
from privtune.serve.guards.watermark import Detection, WatermarkScheme, _mix, placeholder_skipped, token_green_bits
from privtune.serve.guards.watermark_tail import GAUSSIAN

TOP_K = 10  # candidates whose green bits enter exactly (2^k masks enumerated per position)
MAX_TOP_K = 14
_MIN_VAR = 1e-9


def batch_candidates(model: Any, rows: list[list[int]], bos: int | None,
                     top_k: int = TOP_K, drop: tuple[int, ...] = ()) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Per row: (ids [n, k], probs [n, k]) of the model's top-k next-token candidates before each
    of the row's n tokens, given BOS (when there is one) and the row's earlier tokens. Without BOS
    the first token has no distribution: its row is all-zero probabilities (never scored).
    ``drop``: token ids removed and the rest renormalised (`entropy.EntropySource.drop`: the
    special tokens, for the ``visible`` distribution, the one the written tokens were drawn from)."""
    if not rows:
        return []
    prefix = [bos] if bos is not None else []
    with torch.inference_mode():
        logits = padded_logits(model, rows, bos)
        if drop:
            logits[..., [t for t in drop if t < logits.shape[-1]]] = float("-inf")
        k = min(top_k, logits.shape[-1])
        top = torch.softmax(logits, dim=-1).topk(k, dim=-1)
        cand_p, cand_i = top.values.double().cpu(), top.indices.cpu()
    out = []
    for j, r in enumerate(rows):
        if prefix:
            out.append((cand_i[j, : len(r)], cand_p[j, : len(r)]))
        else:
            pad_i = torch.zeros((1, k), dtype=torch.long)
            out.append((torch.cat([pad_i, cand_i[j, : len(r) - 1]]),
                        torch.cat([torch.zeros((1, k), dtype=torch.double), cand_p[j, : len(r) - 1]])))
    return out


def token_candidates(model: Any, ids: list[int], bos: int | None, top_k: int = TOP_K,
                     drop: tuple[int, ...] = ()) -> tuple[torch.Tensor, torch.Tensor]:
    """`batch_candidates` of one text of any length: half-overlapping windows, as
    `entropy.token_entropies` does, each token's candidates from at least half a window of context."""
    win = _window(model) - 1
    if len(ids) <= win:
        if not ids:
            return torch.zeros((0, top_k), dtype=torch.long), torch.zeros((0, top_k), dtype=torch.double)
        return batch_candidates(model, [ids], bos, top_k, drop)[0]
    half = win // 2
    parts_i, parts_p = [], []
    start = 0
    while start < len(ids):
        lo = max(0, start - half)
        chunk = ids[lo: start + (win - (start - lo))]
        ci, cp = batch_candidates(model, [chunk], bos if lo == 0 else None, top_k, drop)[0]
        parts_i.append(ci[start - lo:])
        parts_p.append(cp[start - lo:])
        start += len(parts_i[-1])
    return torch.cat(parts_i), torch.cat(parts_p)


def candidate_green(scheme: WatermarkScheme, ids: list[int], cand_ids: torch.Tensor) -> torch.Tensor:
    """Green bit [n, k] of each candidate ``cand_ids[i, j]`` in the place of ``ids[i]`` (context:
    the ``context_width`` tokens before it); rows before ``context_width`` are all False."""
    return candidate_anchors_green(scheme, ids, cand_ids)[1]


def candidate_anchors_green(scheme: WatermarkScheme, ids: list[int],
                            cand_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(anchor, green bit) [n, k] of each candidate (`candidate_green`); a bit is a function of
    the (anchor, candidate) pair alone, so equal pairs at two positions share one bit."""
    w, n = scheme.context_width, len(ids)
    out = torch.zeros(cand_ids.shape, dtype=torch.bool)
    anchors = torch.zeros(cand_ids.shape, dtype=torch.int64)
    if n <= w:
        return anchors, out
    h = {t: scheme._h(t) for t in set(ids) | set(cand_ids[w:].flatten().tolist())}
    hashed_ids = torch.tensor([h[t] for t in ids], dtype=torch.int64)
    ctx_min = hashed_ids.unfold(0, w, 1)[:-1].min(dim=1).values  # row j: context of ids[j + w]
    cand = cand_ids[w:]
    hashed_cand = torch.tensor([h[t] for t in cand.flatten().tolist()], dtype=torch.int64).view(cand.shape)
    anchor = torch.minimum(ctx_min[:, None], hashed_cand)
    x = _mix(anchor ^ scheme._k ^ _mix(cand))
    out[w:] = ((x >> 11) & ((1 << 53) - 1)).double() / float(1 << 53) < scheme.gamma
    anchors[w:] = anchor
    return anchors, out


@functools.lru_cache(maxsize=8)
def _masks(k: int, gamma: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Every green mask of k candidates [2^k, k] and its probability under iid Bernoulli(γ)."""
    bits = (torch.arange(1 << k)[:, None] >> torch.arange(k)[None, :]) & 1
    n_green = bits.sum(1).double()
    return bits.double(), gamma ** n_green * (1.0 - gamma) ** (k - n_green)


def llr_terms(gamma: float, delta: float, p_top: torch.Tensor, x_col: torch.Tensor, green_top: torch.Tensor,
              g_x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per position: observed LLR, its null mean and null variance, exact over all 2^k masks, and
    [n, k] the LLR's first-order coefficient in each candidate's bit, E[LLR | gⱼ = 1] − E[LLR | gⱼ = 0]
    (for `detect_ids_likelihood_ratio`'s covariance of positions that share a bit).

    ``p_top`` [n, k]: the model's top-k candidate probabilities; ``x_col`` [n]: the column of the
    token written (−1: outside the top k); ``green_top`` [n, k]: the candidates' green bits under the
    key; ``g_x`` [n]: the token's bit. G = Σ pᵢgᵢ over the top k + γ·rest, rest = 1 − Σ pᵢ."""
    n, k = p_top.shape
    c = math.expm1(delta)
    p_top = p_top.double()
    rest = (1.0 - p_top.sum(1)).clamp(min=0.0)
    base = gamma * rest
    observed = delta * g_x.double() - torch.log1p(c * ((p_top * green_top.double()).sum(1) + base))
    if n == 0:
        return observed, observed.clone(), observed.clone(), p_top.clone()
    bits, weight = _masks(k, gamma)
    a = torch.log1p(c * (p_top @ bits.T + base[:, None]))  # [n, 2^k]: log Z under each mask
    mean_a = a @ weight
    var_a = (a * a) @ weight - mean_a ** 2
    e_bit_a = (a * weight[None, :]) @ bits  # [n, k]: E[g_j · log Z]
    inside = x_col >= 0
    e_gx_a = torch.where(inside, e_bit_a.gather(1, x_col.clamp(min=0)[:, None])[:, 0], gamma * mean_a)
    mu = delta * gamma - mean_a
    var = delta * delta * gamma * (1 - gamma) + var_a - 2 * delta * (e_gx_a - gamma * mean_a)
    coef = -(e_bit_a - gamma * mean_a[:, None]) / (gamma * (1 - gamma))
    coef.scatter_add_(1, x_col.clamp(min=0)[:, None], (delta * inside.double())[:, None])
    return observed, mu, var.clamp(min=0.0), coef


def expected_green_gain(cand_probs: torch.Tensor, gamma: float, delta: float) -> list[float]:
    """Per token: E_key[P_H1(the token is green)] − γ, with P_H1(green) = e^δ G / (1 + (e^δ − 1) G) and
    the expectation over iid Bernoulli(γ) bits of the top-k candidates (rest: γ·rest). The green
    excess the watermark can buy at that position: keyless, so usable as an EWD-style weight
    (`watermark.detect_ids(..., entropies=gain, entropy_weight_power=1)`) with an exact N(0, 1) null."""
    k = int(cand_probs.shape[1])
    if cand_probs.shape[0] == 0:
        return []
    bits, weight = _masks(k, gamma)
    p = cand_probs.double()
    big_g = p @ bits.T + gamma * (1.0 - p.sum(1)).clamp(min=0.0)[:, None]
    c = math.expm1(delta)
    return (((1 + c) * big_g / (1 + c * big_g)) @ weight - gamma).clamp(min=0.0).tolist()


def detect_ids_likelihood_ratio(scheme: WatermarkScheme, ids: list[int], cand_ids: torch.Tensor,
                                cand_probs: torch.Tensor, placeholder: list[bool] | None = None,
                                shared_bit_covariance: bool = True, entropies: list[float] | None = None,
                                entropy_threshold: float | None = None) -> Detection:
    """z-score of the summed LLR (module docstring). ``cand_ids``/``cand_probs`` [len(ids), k]:
    `token_candidates` of ``ids``. Skips as `watermark.detect_ids`, plus positions of zero null
    variance and, with ``entropy_threshold``, positions whose ``entropies`` (one per token, keyless)
    are not above it: a keyless choice of positions, so the null stays exact; ``green_tokens``
    counts the scored tokens that are green."""
    return detect_ids_likelihood_ratio_variants(scheme, ids, cand_ids, cand_probs, placeholder, entropies,
                                                [(entropy_threshold, shared_bit_covariance)])[0]


def detect_ids_likelihood_ratio_variants(scheme: WatermarkScheme, ids: list[int], cand_ids: torch.Tensor,
                                         cand_probs: torch.Tensor, placeholder: list[bool] | None,
                                         entropies: list[float] | None,
                                         variants: list[tuple[float | None, bool]]) -> list[Detection]:
    """`detect_ids_likelihood_ratio` for several (entropy threshold, shared-bit covariance) pairs
    of one text: the per-position terms (the costly part) computed once."""
    terms = likelihood_ratio_terms(scheme, ids, cand_ids, cand_probs, placeholder, entropies,
                                   any(t is not None for t, _ in variants))
    return [score_likelihood_ratio(scheme, terms, t, cov).detection for t, cov in variants]


@dataclass(frozen=True)
class LRTerms:
    """Per-position pieces of one text's likelihood ratio (`likelihood_ratio_terms`), before the
    choice of scored positions: the keyed anchors and bits, centred LLRs, null variances, and each
    position's (anchor, candidate, first-order coefficient) triples."""

    ids: list[int]
    top_k: int
    anchors: list[int]
    bits: list[bool]
    centred: list[float]
    variances: list[float]
    pairs: list[list[tuple[int, int, float]]]
    placeholder: list[bool] | None
    entropies: list[float] | None


def likelihood_ratio_terms(scheme: WatermarkScheme, ids: list[int], cand_ids: torch.Tensor, cand_probs: torch.Tensor,
                           placeholder: list[bool] | None = None, entropies: list[float] | None = None,
                           needs_entropies: bool = False) -> LRTerms:
    """The costly part of likelihood-ratio detection (`llr_terms` over every position), once per text."""
    if cand_ids.shape[0] != len(ids) or cand_probs.shape != cand_ids.shape:
        raise ValueError("likelihood-ratio detection needs one row of candidates per token")
    if placeholder is not None and len(placeholder) != len(ids):
        raise ValueError("redaction-aware detection needs one placeholder flag per token")
    if needs_entropies and (entropies is None or len(entropies) != len(ids)):
        raise ValueError("an entropy threshold needs one entropy per token")
    w, k = scheme.context_width, int(cand_ids.shape[1])
    if k > MAX_TOP_K:
        raise ValueError(f"likelihood-ratio detection enumerates 2^top_k masks: top_k must be <= {MAX_TOP_K}")
    anchors, bits = token_green_bits(scheme, ids)
    if not anchors:
        return LRTerms(ids, k, [], [], [], [], [], placeholder, entropies)
    is_x = cand_ids[w:] == torch.tensor(ids[w:], dtype=torch.long)[:, None]
    x_col = torch.where(is_x.any(1), is_x.long().argmax(1), torch.full((len(anchors),), -1))
    cand_anchor, green = (t[w:] for t in candidate_anchors_green(scheme, ids, cand_ids))
    g_x = torch.tensor(bits, dtype=torch.bool)
    observed, mu, var, coef = llr_terms(scheme.gamma, scheme.delta, cand_probs[w:], x_col, green, g_x)
    pair_anchor, pair_token, pair_coef = cand_anchor.tolist(), cand_ids[w:].tolist(), coef.tolist()
    pairs = []
    for j, out_j in enumerate((x_col < 0).tolist()):
        triples = list(zip(pair_anchor[j], pair_token[j], pair_coef[j]))
        if out_j:  # the token itself, outside the top k: only its δ g_x term carries its bit
            triples.append((anchors[j], ids[j + w], scheme.delta))
        pairs.append(triples)
    return LRTerms(ids, k, anchors, bits, (observed - mu).tolist(), var.tolist(), pairs, placeholder, entropies)


class LRScore(NamedTuple):
    detection: Detection
    bit_coefficients: dict[tuple[int, int], float]  # per (anchor, candidate) bit: Σₜ aₜ over the scored positions
    null_variance: float  # of the summed LLR (the z-score's denominator squared)


def score_likelihood_ratio(scheme: WatermarkScheme, terms: LRTerms, entropy_threshold: float | None = None,
                           shared_bit_covariance: bool = True, dedup: bool = True) -> LRScore:
    """z-score of the summed LLR over the scored positions (rules: `detect_ids_likelihood_ratio`),
    per (anchor, candidate) bit the sum over those positions of its coefficient
    aₜ = E[LLRₜ | bit 1] − E[LLRₜ | bit 0] (exact for one Bernoulli bit: Cov(bit, LLRₜ) = γ(1−γ)·aₜ),
    and the null variance of the sum. ``dedup=False`` counts a repeated (anchor, token) again (a
    diagnostic: `benchmarks/watermark_gap.py`'s no-dedup row; its null is not calibrated)."""
    w, ids, placeholder, entropies = scheme.context_width, terms.ids, terms.placeholder, terms.entropies
    by_bit: dict[tuple[int, int], list[float]] = {}
    seen: set[tuple[int, int]] = set()
    num = den = 0.0
    scored = n_green = 0
    for j, (anchor, bit) in enumerate(zip(terms.anchors, terms.bits)):
        i = j + w
        if placeholder is not None and placeholder_skipped(scheme, ids, placeholder, i, anchor):
            continue
        if not terms.variances[j] > _MIN_VAR or (dedup and (anchor, ids[i]) in seen):
            continue
        if entropy_threshold is not None and not entropies[i] > entropy_threshold:  # type: ignore[index]
            continue
        seen.add((anchor, ids[i]))
        num += terms.centred[j]
        den += terms.variances[j]
        for a, t, c in terms.pairs[j]:
            acc = by_bit.setdefault((a, t), [0.0, 0.0])
            acc[0] += c
            acc[1] += c * c
        scored += 1
        n_green += int(bit)
    sums = {b: v[0] for b, v in by_bit.items()}
    if scored == 0:
        return LRScore(Detection(0.0, 1.0, 0, 0, likelihood_ratio_top_k=terms.top_k, p_value_method=GAUSSIAN), sums, 0.0)
    # positions sharing a bit (a persisting anchor, a self-anchored frequent token) covary: add the
    # first-order covariance γ(1−γ) Σ_bits [(Σₜ aₜ)² − Σₜ aₜ²] to the sum of per-position variances
    g = scheme.gamma
    if shared_bit_covariance:  # False: per-position variances alone (too small a null variance; diagnostics)
        den += g * (1 - g) * sum(s * s - sq for s, sq in by_bit.values())
    z = num / math.sqrt(den) if den > 0 else 0.0
    # the LLR is not linear in the bits: no exact tail here, the p is the Gaussian tail of z (stated)
    return LRScore(Detection(z, 0.5 * math.erfc(z / math.sqrt(2)), scored, n_green, likelihood_ratio_top_k=terms.top_k,
                             p_value_method=GAUSSIAN),
                   sums, den)
