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
"""

from __future__ import annotations

from typing import Any

import torch

from privtune.serve.guards.placeholders import encode_marking_placeholders
from privtune.serve.guards.watermark import Detection, WatermarkScheme, detect_ids, encode_for_detection


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


def batch_entropies(model: Any, rows: list[list[int]], bos: int | None) -> list[list[float]]:
    """For each row of token ids, the entropy (nats) of the model's next-token distribution
    before each of its tokens, given BOS (when the tokenizer has one) and the row's earlier
    tokens. Rows are right-padded (causal attention: padding after a token cannot change it)
    and must fit the model's window; `token_entropies` handles longer texts."""
    if not rows:
        return []
    prefix = [bos] if bos is not None else []
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


def token_entropies(model: Any, ids: list[int], bos: int | None) -> list[float]:
    """`batch_entropies` of one text of any length: windows that overlap by half, each token's
    entropy taken from a window that gives it at least half a window of context."""
    win = _window(model) - 1  # room for BOS
    if len(ids) <= win:
        return batch_entropies(model, [ids], bos)[0] if ids else []
    half = win // 2
    out: list[float] = []
    start = 0
    while start < len(ids):
        lo = max(0, start - half)
        chunk = ids[lo: start + (win - (start - lo))]
        ent = batch_entropies(model, [chunk], bos if lo == 0 else None)[0]
        take = ent[start - lo:]
        out.extend(take)
        start += len(take)
    return out


def detect_text_entropy_aware(scheme: WatermarkScheme, model: Any, tokenizer: Any, text: str,
                              entropy_threshold: float | None, redaction_aware: bool = True,
                              entropy_weight_power: float | None = None) -> Detection:
    """Score only the tokens of ``text`` whose entropy under ``model`` exceeds the threshold (and,
    redaction-aware, whose window touches no PII placeholder); with ``entropy_weight_power``, weigh
    each scored token by its entropy ** power (EWD). At least one of the two must be set."""
    if entropy_threshold is None and entropy_weight_power is None:
        raise ValueError("entropy-aware detection needs entropy_threshold or entropy_weight_power")
    if redaction_aware:
        ids, marked = encode_marking_placeholders(tokenizer, text)
    else:
        ids, marked = encode_for_detection(tokenizer, text), None
    ent = token_entropies(model, ids, tokenizer.bos_token_id)
    return detect_ids(scheme, ids, ent, entropy_threshold, placeholder=marked, entropy_weight_power=entropy_weight_power)
