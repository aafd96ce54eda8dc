"""Which watermark detector answers (``watermark.detector``, ``--detector``, a request's ``detector``).

* ``weighted`` (`detect_text_with`'s default; the server's is ``posterior``): the green-count z-test of `watermark.detect_ids`: key-only, or
  entropy-aware / entropy-weighted with ``entropy_threshold`` / ``entropy_weight_power`` (then the
  entropies of the served model's visible distribution, `entropy.EntropySource`);
* ``lr``: the likelihood ratio over the model's top-k candidates of the same distribution
  (`watermark_lr.detect_ids_likelihood_ratio`, shared-bit covariance on); needs the model;
* ``combined``: both, joined by Bonferroni: p = 2·min(p_weighted, p_lr), turned back into a
  z-score. The two statistics read the same green bits, so they are strongly correlated; the
  union bound needs no assumption about that: P₀(2·min(p₁, p₂) ≤ α) ≤ P₀(p₁ ≤ α/2) + P₀(p₂ ≤ α/2) = α,
  so "z > 4" keeps the single test's null rate bound (it means the better of the two above 4.17);
* ``joint``: both as one sum, z = (z_w + z_lr) / sqrt(2 + 2ρ), with ρ their null correlation
  computed on the text (`joint`): no bound, an exact second moment instead, so two moderate
  z-scores that agree add up;
* ``linear`` (the served default before ``posterior``): the score statistic Σ(g_x − G) over every scored position
  (green excess over the green mass of the model's top-k candidates; repeats kept) and the
  weighted count, as one linear statistic of the green bits whose key null has exact mean 0 and
  variance 1 (`watermark_score.detect_linear`); needs the model;
* ``posterior`` (the served default): Σᵦ cᵦ(bᵦ − γ) over the distinct green bits of the model's top-k candidates and the
  written tokens, cᵦ = πᵦ − γ with πᵦ the bit's posterior under the watermark given the model and δ
  (a repeated bit is at most one coin; `watermark_posterior.detect_posterior`); needs the model and δ.

``weighted``, ``linear`` and ``posterior`` are weighted sums of keyed bits: their ``p_value`` is the
exact key-null tail (saddle point, `watermark_tail`) and ``z_exact`` its z-score, while ``z_score``
stays the standardised statistic the threshold reads (near z 4 the Gaussian p was ~3× too small).

One model pass per text gives both the entropies and the candidates (the same logits and the
same masked distribution), so ``combined`` costs what ``lr`` costs. The benchmarks score their
saved generations through `detect_features`, the function the server and the CLI call.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import torch

from privtune.errors import ConfigError
from privtune.serve.guards.entropy import (DEFAULT_ENTROPY_DISTRIBUTION, EntropySource, _entropy, _window,
                                           detect_text_entropy_aware, entropy_source, masked_log_probs,
                                           padded_logits)
from privtune.serve.guards.placeholders import encode_marking_placeholders
from privtune.serve.guards.watermark import (Detection, WatermarkScheme, detect_ids, detect_text, encode_for_detection,
                                            weighted_terms)
from privtune.serve.guards.watermark_lr import (MAX_TOP_K, TOP_K, detect_ids_likelihood_ratio, likelihood_ratio_terms,
                                               score_likelihood_ratio)
from privtune.serve.guards.watermark_posterior import detect_posterior
from privtune.serve.guards.watermark_score import detect_linear
from privtune.serve.guards.watermark_tail import BONFERRONI_GAUSSIAN, GAUSSIAN

LINEAR_DEFAULT_POWER = 0.5  # the linear detector's weighted part when no entropy_weight_power is set

DETECTORS = ("weighted", "lr", "combined", "joint", "linear", "posterior")
DEFAULT_DETECTOR = "weighted"
_Z_FLOOR_P = 1.0 - 1e-6  # a p-value of 1 has no finite z: report z −4.75 (only "far below any threshold" matters)


def check_detector(name: str) -> str:
    """``name`` if it is one of `DETECTORS`, else a `ConfigError` naming the choices."""
    if name not in DETECTORS:
        raise ConfigError(f"watermark detector {name!r}: use one of {', '.join(DETECTORS)}")
    return name


def needs_model(detector: str, entropy_threshold: float | None, entropy_weight_power: float | None) -> bool:
    """Key-only detection needs the tokenizer alone; every other mode reads the model's distribution."""
    return detector != "weighted" or entropy_threshold is not None or entropy_weight_power is not None


@dataclass(frozen=True)
class TextFeatures:
    """What the detectors read from one text, all keyless: token ids, placeholder flags (None: not
    redaction-aware), and per token the entropy and top-k candidates (ids, probabilities) of the
    model's distribution before it (None where the detector needs no model)."""

    ids: list[int]
    placeholder: list[bool] | None = None
    entropies: list[float] | None = None
    cand_ids: torch.Tensor | None = None
    cand_probs: torch.Tensor | None = None


def _window_features(model: Any, chunk: list[int], bos: int | None, source: EntropySource,
                     top_k: int) -> tuple[list[float], torch.Tensor, torch.Tensor]:
    """Entropies and top-k candidates before each token of ``chunk`` (one model pass); without
    BOS the first token has no distribution: entropy 0 and an all-zero candidate row."""
    prefix = [bos] if bos is not None else []
    seq = prefix + chunk
    k = top_k
    if len(seq) < 2:
        return [0.0] * len(chunk), torch.zeros((len(chunk), k), dtype=torch.long), \
            torch.zeros((len(chunk), k), dtype=torch.double)
    with torch.inference_mode():
        logits = padded_logits(model, [chunk], bos)[0].cpu()
        logp = masked_log_probs(logits, seq, 1, source.canonical, list(source.drop))
        ent = _entropy(logp).tolist()
        top = logp.topk(min(k, logp.shape[-1]), dim=-1)
        ci, cp = top.indices, top.values.exp().double()
    if not prefix:
        ent = [0.0] + ent
        ci = torch.cat([torch.zeros((1, ci.shape[1]), dtype=torch.long), ci])
        cp = torch.cat([torch.zeros((1, cp.shape[1]), dtype=torch.double), cp])
    return ent, ci, cp


def model_features(model: Any, ids: list[int], bos: int | None, source: EntropySource,
                   top_k: int = TOP_K) -> tuple[list[float], torch.Tensor, torch.Tensor]:
    """Per token of ``ids`` (any length): the entropy (nats) and the top-k candidates of the model's
    ``source`` distribution before it, given BOS and the earlier tokens. Longer texts: windows that
    overlap by half, as `entropy.token_entropies` (whose entropies these equal)."""
    if not 1 <= top_k <= MAX_TOP_K:
        raise ValueError(f"top_k must be in 1..{MAX_TOP_K}")
    if not ids:
        return [], torch.zeros((0, top_k), dtype=torch.long), torch.zeros((0, top_k), dtype=torch.double)
    win = _window(model) - 1  # room for BOS
    if len(ids) <= win:
        return _window_features(model, ids, bos, source, top_k)
    half = win // 2
    ents: list[float] = []
    parts_i, parts_p = [], []
    start = 0
    while start < len(ids):
        lo = max(0, start - half)
        chunk = ids[lo: start + (win - (start - lo))]
        ent, ci, cp = _window_features(model, chunk, bos if lo == 0 else None, source, top_k)
        ents.extend(ent[start - lo:])
        parts_i.append(ci[start - lo:])
        parts_p.append(cp[start - lo:])
        start += len(ent) - (start - lo)
    return ents, torch.cat(parts_i), torch.cat(parts_p)


def z_of_p(p: float, z_hint: float) -> float:
    """The one-sided z-score of p-value ``p``. Where ``p`` underflowed to 0, ``z_hint``: a z-score
    at least as large (the caller's best single z, reduced by its Bonferroni factor)."""
    if p <= 0.0:
        return z_hint
    return -NormalDist().inv_cdf(min(p, _Z_FLOOR_P))


def bonferroni(parts: list[tuple[str, Detection]]) -> Detection:
    """Union of calibrated one-sided tests: p = m·min(pᵢ) (m tests, capped at 1) back as a z-score;
    counts (tokens scored, green) and settings are those of the first part, each part's z, p and
    tokens scored are listed in ``components``."""
    m = len(parts)
    p = min(1.0, m * min(d.p_value for _, d in parts))
    best = max(d.z_score for _, d in parts)
    # p below the float range: -log p(z) ≈ z²/2 + log z + c, so the z of m·p(best) is at least
    # sqrt(best² − 2 log m): a conservative z (far above any threshold anyway)
    z = z_of_p(p, math.sqrt(max(best * best - 2.0 * math.log(m), 0.0)))
    first = parts[0][1]
    lr_k = next((d.likelihood_ratio_top_k for _, d in parts if d.likelihood_ratio_top_k is not None), None)
    approx = any(d.p_value_method == GAUSSIAN for _, d in parts)
    return dataclasses.replace(first, z_score=z, p_value=p, detector="combined", likelihood_ratio_top_k=lr_k,
                               p_value_method=BONFERRONI_GAUSSIAN if approx else "bonferroni", z_exact=None,
                               components=tuple((n, d.z_score, d.p_value, d.tokens_scored, d.p_value_method or GAUSSIAN)
                                                for n, d in parts))


def joint(scheme: WatermarkScheme, f: TextFeatures, entropy_threshold: float | None,
          entropy_weight_power: float | None, distribution: str | None) -> Detection:
    """Weighted and LR z-scores as one: z = (z_w + z_lr) / sqrt(2 + 2ρ).

    ρ, their null correlation on this text: the weighted numerator is linear in the scored bits,
    S_w = Σ_b c_w(b)(b − γ); for one Bernoulli(γ) bit b and any position's LLR,
    Cov(b, LLRₜ) = γ(1−γ)·aₜ(b) with aₜ(b) = E[LLRₜ | b = 1] − E[LLRₜ | b = 0]; distinct (anchor,
    token) pairs are independent bits without the watermark. So Cov(S_w, S_lr) =
    γ(1−γ) Σ_b c_w(b) Σₜ aₜ(b), exact, and ρ = Cov / sqrt(Var S_w · Var S_lr) with the two
    detectors' own null variances. z then has null mean 0 and variance 1 to the LR variance's own
    approximation (its first-order shared-bit term); nothing is fitted. A part that scored nothing
    leaves the other alone."""
    aware = entropy_threshold is not None or entropy_weight_power is not None
    ents = f.entropies if aware else None
    w_det = dataclasses.replace(detect_ids(scheme, f.ids, ents, entropy_threshold, f.placeholder, entropy_weight_power),
                                entropy_distribution=distribution if aware else None)
    if f.cand_ids is None or f.cand_probs is None:
        raise ValueError("the joint detector needs the model's candidates (TextFeatures.cand_ids)")
    lr = score_likelihood_ratio(scheme, likelihood_ratio_terms(scheme, f.ids, f.cand_ids, f.cand_probs, f.placeholder))
    parts = (("weighted", w_det.z_score, w_det.p_value, w_det.tokens_scored, w_det.p_value_method or GAUSSIAN),
             ("lr", lr.detection.z_score, lr.detection.p_value, lr.detection.tokens_scored, GAUSSIAN))
    g = scheme.gamma
    c_w = {(a, t): wt for a, t, wt, _ in weighted_terms(scheme, f.ids, ents, entropy_threshold, f.placeholder,
                                                        entropy_weight_power)}
    var_w = g * (1 - g) * sum(v * v for v in c_w.values())
    if var_w <= 0.0 or lr.null_variance <= 0.0:  # one part scored nothing: the other alone
        z, rho = (lr.detection.z_score, None) if var_w <= 0.0 else (w_det.z_score, None)
    else:
        cov = g * (1 - g) * sum(v * lr.bit_coefficients.get(b, 0.0) for b, v in c_w.items())
        rho = max(-1.0, min(1.0, cov / math.sqrt(var_w * lr.null_variance)))
        z = (w_det.z_score + lr.detection.z_score) / math.sqrt(2.0 + 2.0 * rho) if rho > -1.0 else 0.0
    # the LR part is not linear in the bits: no exact tail, the Gaussian tail of z (stated as such)
    return dataclasses.replace(w_det, z_score=z, p_value=0.5 * math.erfc(z / math.sqrt(2)), detector="joint",
                               p_value_method=GAUSSIAN, z_exact=None,
                               likelihood_ratio_top_k=lr.detection.likelihood_ratio_top_k, components=parts,
                               null_correlation=rho)


def detect_features(scheme: WatermarkScheme, detector: str, f: TextFeatures, entropy_threshold: float | None = None,
                    entropy_weight_power: float | None = None, distribution: str | None = None) -> Detection:
    """The ``detector``'s answer on one text's features (`TextFeatures`). ``weighted`` reads the
    entropies only with a threshold or a power; ``lr`` ignores both (it scores every position of
    nonzero null variance); ``combined`` is `bonferroni` of the two. ``distribution``: the name of
    the distribution the features came from, recorded in the answer. ``joint``: see `joint`;
    ``linear``: `watermark_score.detect_linear` (power: ``entropy_weight_power``, else 0.5);
    ``posterior``: `watermark_posterior.detect_posterior` (entropy settings unused)."""
    check_detector(detector)
    if detector == "posterior":
        if f.cand_ids is None or f.cand_probs is None:
            raise ValueError("the posterior detector needs the model's candidates (TextFeatures.cand_ids)")
        det = detect_posterior(scheme, f.ids, f.cand_ids, f.cand_probs, f.placeholder)
        return dataclasses.replace(det, entropy_distribution=distribution)
    if detector == "joint":
        return joint(scheme, f, entropy_threshold, entropy_weight_power, distribution)
    if detector == "linear":
        if f.cand_ids is None or f.cand_probs is None or f.entropies is None:
            raise ValueError("the linear detector needs the model's candidates and entropies (TextFeatures)")
        power = LINEAR_DEFAULT_POWER if entropy_weight_power is None else entropy_weight_power
        det = detect_linear(scheme, f.ids, f.cand_ids, f.cand_probs, f.entropies, f.placeholder, power,
                            entropy_threshold)
        return dataclasses.replace(det, entropy_distribution=distribution)
    parts: list[tuple[str, Detection]] = []
    if detector in ("weighted", "combined"):
        aware = entropy_threshold is not None or entropy_weight_power is not None
        w = detect_ids(scheme, f.ids, f.entropies if aware else None, entropy_threshold, f.placeholder,
                       entropy_weight_power)
        parts.append(("weighted", dataclasses.replace(w, entropy_distribution=distribution if aware else None)))
    if detector in ("lr", "combined"):
        if f.cand_ids is None or f.cand_probs is None:
            raise ValueError(f"the {detector} detector needs the model's candidates (TextFeatures.cand_ids)")
        lr = detect_ids_likelihood_ratio(scheme, f.ids, f.cand_ids, f.cand_probs, f.placeholder)
        parts.append(("lr", dataclasses.replace(lr, entropy_distribution=distribution)))
    if detector == "combined":
        return bonferroni(parts)
    return dataclasses.replace(parts[0][1], detector=detector)


def detect_text_with(scheme: WatermarkScheme, tokenizer: Any, text: str, detector: str = DEFAULT_DETECTOR,
                     model: Any = None, entropy_threshold: float | None = None,
                     entropy_weight_power: float | None = None,
                     source: EntropySource | str = DEFAULT_ENTROPY_DISTRIBUTION, top_k: int = TOP_K,
                     redaction_aware: bool = True) -> Detection:
    """Test ``text`` with ``detector`` (`DETECTORS`); ``model`` (base + adapter, as served) is needed
    unless `needs_model` says otherwise. Redaction-aware by default (placeholder windows skipped)."""
    check_detector(detector)
    if not needs_model(detector, entropy_threshold, entropy_weight_power):
        return dataclasses.replace(detect_text(scheme, tokenizer, text, redaction_aware), detector="weighted")
    if model is None:
        raise ValueError(f"the {detector} detector (or entropy-aware weighting) needs the model")
    if isinstance(source, str):
        source = entropy_source(tokenizer, source)
    if detector == "weighted":  # the entropies alone: the existing path, unchanged
        det = detect_text_entropy_aware(scheme, model, tokenizer, text, entropy_threshold, redaction_aware,
                                        entropy_weight_power, source)
        return dataclasses.replace(det, detector="weighted")
    if redaction_aware:
        ids, marked = encode_marking_placeholders(tokenizer, text)
    else:
        ids, marked = encode_for_detection(tokenizer, text), None
    ent, ci, cp = model_features(model, ids, tokenizer.bos_token_id, source, top_k)
    return detect_features(scheme, detector, TextFeatures(ids, marked, ent, ci, cp), entropy_threshold,
                           entropy_weight_power, source.name)
