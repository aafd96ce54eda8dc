"""Batched decoding for the extraction and specificity probes: greedy or temperature + top-p.

Prompts are **left**-padded (so every row's next token sits in the last column) and position
ids are counted from each row's first real token, so a padded row decodes exactly as it
would alone (tested against unbatched decoding and against `transformers`' ``generate``).
The loop keeps the key/value cache between steps, like ``generate``; it is written out here
so that sampling can be made reproducible independently of batching:

Sampling uses inverse-CDF draws from a fixed stream of uniforms per (prompt, sample, step),
seeded from ``(seed, prompt id, sample number)``. Two consequences the audit relies on: the
same prompt gets the same samples whatever batch it lands in, and base and fine-tuned models
see the *same* uniforms (common random numbers) — if the two next-token distributions are
equal, so are the outputs, and a difference in PII rates is the models', not the dice's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from privtune.audit.kv_cache import output_cache, with_cache
from privtune.audit.scoring import model_device, plan_batches
from privtune.models.window import context_window, fit_prompts


@dataclass(frozen=True, slots=True)
class Decoding:
    """``temperature == 0`` means greedy. ``top_p`` keeps the smallest set of tokens whose
    probability reaches ``top_p`` (nucleus sampling). Generation stops at an end token."""

    max_new_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0


def end_token_ids(model: object, tokenizer: object) -> list[int]:
    """Every token that ends a turn: the generation config's EOS id(s) and the tokenizer's."""
    ids: set[int] = set()
    cfg = getattr(model, "generation_config", None)
    eos = getattr(cfg, "eos_token_id", None)
    if isinstance(eos, int):
        ids.add(eos)
    elif isinstance(eos, (list, tuple)):
        ids.update(int(e) for e in eos)
    tok_eos = getattr(tokenizer, "eos_token_id", None)
    if tok_eos is not None:
        ids.add(int(tok_eos))
    return sorted(ids)


def _uniforms(seed: int, prompt_ids: Sequence[int], sample_ids: Sequence[int], steps: int) -> torch.Tensor:
    rows = [np.random.default_rng([seed, int(p), int(s)]).random(steps) for p, s in zip(prompt_ids, sample_ids)]
    return torch.as_tensor(np.stack(rows), dtype=torch.float32)


def _next_tokens(logits: torch.Tensor, decoding: Decoding, u: torch.Tensor) -> torch.Tensor:
    """Greedy argmax, or an inverse-CDF draw with ``u`` from the temperature/top-p distribution."""
    if decoding.temperature <= 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits.float() / decoding.temperature, dim=-1)
    sorted_p, order = probs.sort(dim=-1, descending=True)
    cum = sorted_p.cumsum(dim=-1)
    # Nucleus: keep tokens until the mass *before* them reaches top_p (the first always stays).
    keep = (cum - sorted_p) < decoding.top_p
    sorted_p = sorted_p * keep
    cum = sorted_p.cumsum(dim=-1)
    target = u[:, None] * cum[:, -1:]
    pick = torch.searchsorted(cum, target).clamp(max=sorted_p.shape[-1] - 1)
    return order.gather(1, pick).squeeze(1)


@torch.no_grad()
def generate(
    model: object,
    prompts: Sequence[Sequence[int]],
    decoding: Decoding,
    *,
    pad_id: int,
    end_ids: Sequence[int] = (),
    prompt_keys: Sequence[int] | None = None,
    sample_keys: Sequence[int] | None = None,
    batch_size: int = 16,
    max_batch_tokens: int = 16384,
    progress: Callable[[int], None] | None = None,
) -> list[list[int]]:
    """New tokens for every prompt (same order); a row ends after emitting one of ``end_ids``
    (the end token is kept) or after ``max_new_tokens``. A prompt that would not fit the model's
    context window with them keeps its last tokens (and ``max_new_tokens`` stays below the window).

    ``prompt_keys`` / ``sample_keys`` name each row's random stream (default: its position and
    0); use the same keys for base and tuned runs to pair their samples.
    """
    if any(len(p) == 0 for p in prompts):
        raise ValueError("every prompt needs at least one token")
    device = model_device(model)  # type: ignore[arg-type]
    # A prompt plus its new tokens beyond the model's positions crashed GPT-2-style models
    # (IndexError in the position embedding): long prompts keep their last tokens instead.
    window = context_window(model)
    prompts, steps = fit_prompts(prompts, decoding.max_new_tokens, window[0] if window else None)
    pkeys = list(prompt_keys) if prompt_keys is not None else list(range(len(prompts)))
    skeys = list(sample_keys) if sample_keys is not None else [0] * len(prompts)
    ends = torch.as_tensor(sorted(set(end_ids)), dtype=torch.long, device=device)
    lengths = [len(p) + steps for p in prompts]
    results: list[list[int]] = [[] for _ in prompts]
    for batch in plan_batches(lengths, batch_size, max_batch_tokens):
        width = max(len(prompts[i]) for i in batch)
        ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        attn = torch.zeros((len(batch), width), dtype=torch.long)
        for row, i in enumerate(batch):
            n = len(prompts[i])
            ids[row, width - n :] = torch.as_tensor(list(prompts[i]), dtype=torch.long)
            attn[row, width - n :] = 1
        ids, attn = ids.to(device), attn.to(device)
        u = _uniforms(decoding.seed, [pkeys[i] for i in batch], [skeys[i] for i in batch], steps).to(device)
        pos = (attn.cumsum(dim=1) - 1).clamp(min=0)
        out = model(input_ids=ids, attention_mask=attn, position_ids=pos, use_cache=True)  # type: ignore[operator]
        next_pos = pos[:, -1] + 1
        done = torch.zeros(len(batch), dtype=torch.bool, device=device)
        generated = torch.full((len(batch), steps), pad_id, dtype=torch.long, device=device)
        n_new = torch.zeros(len(batch), dtype=torch.long, device=device)
        for step in range(steps):
            tok = _next_tokens(out.logits[:, -1, :], decoding, u[:, step])
            tok = torch.where(done, torch.full_like(tok, pad_id), tok)
            generated[:, step] = tok
            n_new += (~done).long()
            if ends.numel():
                done |= torch.isin(tok, ends)
            if bool(done.all()) or step == steps - 1:
                break
            attn = torch.cat([attn, torch.ones((len(batch), 1), dtype=attn.dtype, device=device)], dim=1)
            out = model(input_ids=tok[:, None], attention_mask=attn, position_ids=next_pos[:, None],  # type: ignore[operator]
                        **with_cache(output_cache(out)))
            next_pos = next_pos + 1
        gen = generated.cpu().tolist()
        counts = n_new.cpu().tolist()
        for row, i in enumerate(batch):
            results[i] = gen[row][: counts[row]]
        if progress:
            progress(len(batch))
    return results
