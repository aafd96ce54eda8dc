"""Entropy-aware watermark detection (SWEET, Lee et al. 2023): the model's per-token entropy.

A low-entropy model (the demo's: perplexity ≈ 7) is often nearly certain of the next token;
there the +δ green bias cannot change the choice, so the token is green with probability ≈ γ
whether or not the text was watermarked, and it dilutes the z-score. Scoring only the tokens
whose entropy, under the model that generated the text, exceeds a threshold keeps the signal.
The detector then needs that model (base + adapter, as served), not only the key; key-only
detection stays the default.

The entropy is recomputed from the text alone (teacher-forced after BOS): the prompt that
preceded the output at generation is unknown to a detector, so the first tokens' entropies
differ a little from generation time. Neither the threshold nor the entropies depend on the key.

**Which distribution** (`ENTROPY_DISTRIBUTIONS`, ``watermark.entropy_distribution``). The
weight should say how much the +δ bias could move the choice of the token the text holds. Every
token of a text is a visible one: decoded text holds no special tokens (end of turn, chat
markers), so the choice the bias acted on was among visible tokens, and the entropy that
matters is that of the model's distribution *given that the next token is visible*:

* ``visible`` (default): special and added tokens removed, the rest renormalised. Where the model
  wanted to end the turn (most of its mass on ``<|im_end|>``), the full distribution looks
  certain, yet the token that followed was drawn from the spread-out remainder, which is where
  the bias acts most. On the demo model this was the main gap between text-only entropies and
  generation-time ones (benchmarks/RESULTS.md, "detector entropies: mask and context");
* ``visible-canonical``: also the canonical-split mask watermarked generation applies (keyless:
  `canonical.CanonicalSplitProcessor` on the unbiased logits): tokens breaking UTF-8 and likely
  candidates whose pair with the previous token is not how the tokenizer splits its own text;
* ``model``: the model's full distribution (the detector before; for comparison).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import torch

from privtune.serve.guards.placeholders import encode_marking_placeholders
from privtune.serve.guards.watermark import Detection, WatermarkScheme, detect_ids, encode_for_detection


ENTROPY_DISTRIBUTIONS = ("visible", "visible-canonical", "model")
DEFAULT_ENTROPY_DISTRIBUTION = "visible"


@dataclass(frozen=True)
class EntropySource:
    """What is removed from the model's next-token distribution before its entropy is taken:
    ``drop`` token ids (special tokens, never in decoded text) and, with ``canonical``, the
    non-canonical splits (see the module docstring). Keyless: the null stays N(0, 1)."""

    name: str = "model"
    drop: tuple[int, ...] = ()
    canonical: Any = None  # a `canonical.CanonicalSplitProcessor` (keyless: no watermark bias)


def invisible_ids(tokenizer: Any) -> list[int]:
    """Token ids decoded text never holds: the special tokens and the added special tokens."""
    ids = set(getattr(tokenizer, "all_special_ids", []) or [])
    for t, added in (getattr(tokenizer, "added_tokens_decoder", {}) or {}).items():
        if getattr(added, "special", True):
            ids.add(int(t))
    return sorted(ids)


def entropy_source(tokenizer: Any, distribution: str = DEFAULT_ENTROPY_DISTRIBUTION, canonical: Any = None) -> EntropySource:
    """The `EntropySource` of ``distribution`` (one of `ENTROPY_DISTRIBUTIONS`); ``canonical``: a
    `CanonicalSplitProcessor` to reuse (its pair cache) for ``visible-canonical``, else one is built."""
    if distribution not in ENTROPY_DISTRIBUTIONS:
        raise ValueError(f"entropy distribution must be one of {', '.join(ENTROPY_DISTRIBUTIONS)}, got {distribution!r}")
    if distribution == "model":
        return EntropySource()
    drop = tuple(invisible_ids(tokenizer))
    if distribution == "visible":
        return EntropySource(distribution, drop)
    if canonical is None:
        from privtune.serve.guards.canonical import CanonicalPairs, CanonicalSplitProcessor

        eos = tokenizer.eos_token_id
        canonical = CanonicalSplitProcessor(CanonicalPairs(tokenizer), end_ids=[eos] if eos is not None else [])
    return EntropySource(distribution, drop, canonical)


def _window(model: Any) -> int:
    cfg = model.config
    return int(getattr(cfg, "max_position_embeddings", None) or getattr(cfg, "n_positions", None) or 1024)


def padded_logits(model: Any, rows: list[list[int]], bos: int | None) -> torch.Tensor:
    """The model's logits (float32) over BOS (when there is one) + each row, the rows
    right-padded to one length (causal attention: padding after a token cannot change it)."""
    prefix = [bos] if bos is not None else []
    seqs = [prefix + r for r in rows]
    n = max(len(s) for s in seqs)
    device = next(model.parameters()).device
    ids = torch.zeros((len(seqs), n), dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for k, s in enumerate(seqs):
        ids[k, : len(s)] = torch.tensor(s, dtype=torch.long)
        mask[k, : len(s)] = 1
    with torch.inference_mode():
        return model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float()


def masked_log_probs(logits: torch.Tensor, seq: list[int], start: int, canonical: Any,
                     drop: list[int] | None = None) -> torch.Tensor:
    """Log-probabilities [len(seq) - start, V] of the distributions before ``seq[start:]``
    (``logits[t - 1]`` predicts ``seq[t]``; ``start`` >= 1), with the ``drop`` ids (special
    tokens) removed first and ``canonical`` (a keyless `canonical.CanonicalSplitProcessor`)
    removing what watermarked generation could not have sampled after each context: tokens
    breaking UTF-8 after the previous bytes, and among the candidates carrying the mass those whose
    pair [previous token, candidate] the tokenizer would never produce; the rest renormalised.
    Neither: the model's distribution as is."""
    lg = logits[start - 1: len(seq) - 1].float().clone()
    if drop:
        lg[:, [t for t in drop if t < lg.shape[-1]]] = float("-inf")
    if canonical is not None and lg.shape[0]:
        width = 4  # what the processor reads: the pending UTF-8 bytes and the previous token
        pad = min(canonical.pairs.special_ids, default=seq[0])  # bytes unknown: contributes none
        hist = [([pad] * width + seq[max(0, t - width): t])[-width:] for t in range(start, len(seq))]
        lg = canonical(torch.tensor(hist, dtype=torch.long), lg)
    return torch.log_softmax(lg, dim=-1)


def _entropy(logp: torch.Tensor) -> torch.Tensor:
    return -torch.where(logp > float("-inf"), logp.exp() * logp, torch.zeros_like(logp)).sum(-1)


def batch_entropies(model: Any, rows: list[list[int]], bos: int | None,
                    source: EntropySource | None = None) -> list[list[float]]:
    """For each row of token ids, the entropy (nats) of the model's next-token distribution
    before each of its tokens, given BOS (when the tokenizer has one) and the row's earlier
    tokens; with ``source``, of that distribution after its removals (`masked_log_probs`; None:
    the full distribution). Rows are right-padded (causal attention: padding after a token cannot
    change it) and must fit the model's window; `token_entropies` handles longer texts."""
    if not rows:
        return []
    prefix = [bos] if bos is not None else []
    if source is not None and (source.drop or source.canonical is not None):
        out_m = []
        with torch.inference_mode():
            logits = padded_logits(model, rows, bos).cpu()
            for k, r in enumerate(rows):
                seq = prefix + r
                ent = _entropy(masked_log_probs(logits[k], seq, 1, source.canonical, list(source.drop))).tolist() \
                    if len(seq) > 1 else []
                out_m.append(ent if prefix else [0.0] + ent)
        return out_m
    with torch.inference_mode():
        logp = torch.log_softmax(padded_logits(model, rows, bos), dim=-1)
        ent = -(logp.exp() * logp).sum(-1).cpu()  # ent[:, j]: entropy of the token after position j
    out = []
    for k, r in enumerate(rows):
        if prefix:
            out.append(ent[k, : len(r)].tolist())
        else:  # nothing predicts the first token: give it no entropy (it is never scored anyway)
            out.append([0.0] + ent[k, : len(r) - 1].tolist())
    return out


def token_entropies(model: Any, ids: list[int], bos: int | None, source: EntropySource | None = None) -> list[float]:
    """`batch_entropies` of one text of any length: windows that overlap by half, each token's
    entropy taken from a window that gives it at least half a window of context."""
    win = _window(model) - 1  # room for BOS
    if len(ids) <= win:
        return batch_entropies(model, [ids], bos, source)[0] if ids else []
    half = win // 2
    out: list[float] = []
    start = 0
    while start < len(ids):
        lo = max(0, start - half)
        chunk = ids[lo: start + (win - (start - lo))]
        ent = batch_entropies(model, [chunk], bos if lo == 0 else None, source)[0]
        take = ent[start - lo:]
        out.extend(take)
        start += len(take)
    return out


def detect_text_entropy_aware(scheme: WatermarkScheme, model: Any, tokenizer: Any, text: str,
                              entropy_threshold: float | None, redaction_aware: bool = True,
                              entropy_weight_power: float | None = None,
                              source: EntropySource | str = DEFAULT_ENTROPY_DISTRIBUTION) -> Detection:
    """Score only the tokens of ``text`` whose entropy under ``model`` exceeds the threshold (and,
    redaction-aware, whose window touches no PII placeholder); with ``entropy_weight_power``, weigh
    each scored token by its entropy ** power (EWD). At least one of the two must be set.
    ``source``: an `EntropySource` or the name of a distribution (`ENTROPY_DISTRIBUTIONS`)."""
    if entropy_threshold is None and entropy_weight_power is None:
        raise ValueError("entropy-aware detection needs entropy_threshold or entropy_weight_power")
    if redaction_aware:
        ids, marked = encode_marking_placeholders(tokenizer, text)
    else:
        ids, marked = encode_for_detection(tokenizer, text), None
    if isinstance(source, str):
        source = entropy_source(tokenizer, source)
    ent = token_entropies(model, ids, tokenizer.bos_token_id, source)
    det = detect_ids(scheme, ids, ent, entropy_threshold, placeholder=marked, entropy_weight_power=entropy_weight_power)
    return dataclasses.replace(det, entropy_distribution=source.name)
