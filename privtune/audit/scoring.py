"""Scoring engine: per-token log-probabilities of token sequences under a causal LM, batched.

Everything the audit measures from likelihoods (membership scores, canary exposure, PII
log-probability gain) goes through `score_sequences` or `score_continuations`:

- Inputs are token sequences with a per-token "scored" flag (`ScoreInput`; the trainer's
  `Example`, whose ``labels`` are ``-100`` where no loss is taken, fits as is). Position 0 is
  never scored: nothing predicts it.
- Sequences are sorted by length and cut into batches bounded by ``batch_size`` and
  ``max_batch_tokens`` (padded tokens), so similar lengths share a batch and padding stays
  small; results come back in input order.
- Right padding with an attention mask. Causal attention means a real token never sees the
  padding after it, so each sequence's numbers do not depend on its batch mates
  (tests check this against one unpadded forward pass per sequence, to 1e-5).
- After the forward pass each sequence's logits are read in place (views, chunks of rows,
  upcast to float32 only if the model computes in lower precision), over the span of its
  scored positions: ``log p(x_t) = z_t[x_t] - logsumexp(z_t)``. With
  ``moments=True`` the same chunk also yields Min-K%++'s μ_t = Σ_v p·log p and
  σ_t² = Σ_v p·(log p)² − μ_t² (computed as Σ_v p·(log p − μ_t)², which is stable in float32)
  over the vocabulary, in two chunk-sized buffers — no (batch × length × vocab) copy
  beyond the logits the model returns anyway.

`score_continuations` scores many continuations of one shared context (canary candidates):
the context is run once and its key/value cache is re-used for every batch, so each
candidate costs only its own tokens.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch
from numpy.typing import NDArray

from privtune.audit.kv_cache import output_cache, with_cache

IGNORE_INDEX = -100

Progress = Callable[[int], None]  # called with the number of sequences finished since the last call


class ScoreInput(Protocol):
    """A token sequence and which of its tokens to score (``labels[t] != -100``)."""

    input_ids: Sequence[int]
    labels: Sequence[int]


@dataclass(frozen=True, slots=True)
class TokenSeq:
    """Concrete `ScoreInput` for callers that build sequences themselves."""

    input_ids: list[int]
    labels: list[int]

    @classmethod
    def from_parts(cls, context: Sequence[int], target: Sequence[int]) -> "TokenSeq":
        """``context + target`` with only the target tokens scored."""
        ids = list(context) + list(target)
        return cls(ids, [IGNORE_INDEX] * len(context) + list(target))


@dataclass(frozen=True, slots=True)
class TokenScores:
    """Per scored token, in sequence order: ``log p(x_t | x_<t)`` and optionally μ_t, σ_t."""

    logprobs: NDArray[np.float64]
    mu: NDArray[np.float64] | None = None
    sigma: NDArray[np.float64] | None = None

    @property
    def losses(self) -> NDArray[np.float64]:
        """Token losses ``-log p``, the convention of `privtune.audit.stats.mia_scores`."""
        return -self.logprobs


def plan_batches(lengths: Sequence[int], batch_size: int, max_batch_tokens: int) -> list[list[int]]:
    """Indices grouped into batches, longest first, each padded size ``n * max_len <= budget``.

    Longest first so an out-of-memory error, if any, comes at the start. A sequence longer
    than the budget still gets a batch of its own.
    """
    if batch_size < 1 or max_batch_tokens < 1:
        raise ValueError("batch_size and max_batch_tokens must be >= 1")
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        # Sorted descending, so the batch's first sequence fixes its padded width.
        width = lengths[current[0]] if current else lengths[i]
        if current and (len(current) >= batch_size or (len(current) + 1) * width > max_batch_tokens):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def model_device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def _chunk_rows(vocab: int, device: torch.device) -> int:
    # CPU: ~4 MiB of float32 per chunk keeps the temporaries in cache and out of mmap'd memory
    # (fresh pages for every large temporary cost more than the arithmetic); GPU: large chunks.
    budget = (1 << 26) if device.type == "cuda" else (1 << 20)
    return max(1, budget // max(vocab, 1))


def _span_stats(z: torch.Tensor, targets: torch.Tensor, moments: bool,
                out: tuple[list[torch.Tensor], list[torch.Tensor], list[torch.Tensor]]) -> None:
    """Append log p(target) (and μ, σ) for the rows of the logit view ``z`` (rows x vocab), chunked.

    ``z`` is a view into the model's logits, so no copy is made unless the logits are in a
    lower precision (then each chunk is upcast to float32).
    """
    rows = _chunk_rows(z.shape[-1], z.device)
    for s in range(0, z.shape[0], rows):
        c = z[s : s + rows]
        c = c if c.dtype == torch.float32 else c.float()
        lse = torch.logsumexp(c, dim=-1)
        out[0].append(c.gather(1, targets[s : s + rows, None]).squeeze(1) - lse)
        if moments:
            logp = c - lse[:, None]
            p = torch.exp(logp)
            mu = torch.linalg.vecdot(p, logp)
            # σ² = Σ p·(log p)² − μ², evaluated in the centred form Σ p·(log p − μ)²: in float32
            # the raw form cancels catastrophically for flat distributions (both terms ≈ 40,
            # σ² ≈ 0.01). Centring and squaring happen in place in the log-p buffer.
            logp.sub_(mu[:, None]).square_()
            out[1].append(mu)
            out[2].append(torch.sqrt(torch.linalg.vecdot(p, logp)))


def _row_scores(logits: torch.Tensor, ids: torch.Tensor, scored: torch.Tensor, moments: bool) -> list[TokenScores]:
    """`TokenScores` of each batch row. ``scored[b, t]``: score token ``t + 1`` from logit row ``t``.

    Statistics are computed over each row's span from its first to its last scored position
    (views into the logits), then the scored positions are picked out of the span.
    """
    results = []
    for b in range(logits.shape[0]):
        pos = scored[b].nonzero().squeeze(1)
        if pos.numel() == 0:
            results.append(TokenScores(np.zeros(0), np.zeros(0) if moments else None,
                                       np.zeros(0) if moments else None))
            continue
        lo, hi = int(pos[0]), int(pos[-1]) + 1
        acc: tuple[list[torch.Tensor], list[torch.Tensor], list[torch.Tensor]] = ([], [], [])
        _span_stats(logits[b, lo:hi], ids[b, lo + 1 : hi + 1], moments, acc)
        pick = pos - lo

        def cat(parts: list[torch.Tensor]) -> NDArray[np.float64]:
            return torch.cat(parts)[pick].double().cpu().numpy()

        results.append(TokenScores(cat(acc[0]), cat(acc[1]) if moments else None, cat(acc[2]) if moments else None))
    return results


@torch.no_grad()
def score_sequences(
    model: Any,
    items: Sequence[ScoreInput],
    *,
    pad_id: int,
    batch_size: int = 16,
    max_batch_tokens: int = 16384,
    moments: bool = False,
    progress: Progress | None = None,
) -> list[TokenScores]:
    """`TokenScores` for every item (same order), batched by length with right padding.

    ``model`` is any causal LM returning ``.logits`` (a `PeftModel` included; wrap the call in
    ``model.disable_adapter()`` to score the base model). Items with no scored token get
    empty arrays.
    """
    device = model_device(model)
    lengths = [len(it.input_ids) for it in items]
    results: list[TokenScores | None] = [None] * len(items)
    for batch in plan_batches(lengths, batch_size, max_batch_tokens):
        width = max(lengths[i] for i in batch)
        ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        attn = torch.zeros((len(batch), width), dtype=torch.long)
        labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
        for row, i in enumerate(batch):
            n = lengths[i]
            ids[row, :n] = torch.as_tensor(list(items[i].input_ids), dtype=torch.long)
            labels[row, :n] = torch.as_tensor(list(items[i].labels), dtype=torch.long)
            attn[row, :n] = 1
        labels[:, 0] = IGNORE_INDEX  # nothing predicts the first token
        ids, attn, labels = ids.to(device), attn.to(device), labels.to(device)
        logits = model(input_ids=ids, attention_mask=attn).logits
        # Row t of the logits predicts token t + 1.
        for i, res in zip(batch, _row_scores(logits, ids, labels[:, 1:] != IGNORE_INDEX, moments)):
            results[i] = res
        del logits
        if progress:
            progress(len(batch))
    return [r if r is not None else TokenScores(np.zeros(0)) for r in results]


@torch.no_grad()
def score_continuations(
    model: Any,
    context: Sequence[int],
    continuations: Sequence[Sequence[int]],
    *,
    pad_id: int,
    batch_size: int = 256,
    max_batch_tokens: int = 65536,
    progress: Progress | None = None,
) -> list[NDArray[np.float64]]:
    """``log p(c_j | context, c_<j)`` for every token of every continuation ``c``.

    The context (at least one token) is run once; its key/value cache is copied and expanded
    to each batch, so a batch costs only the continuation tokens. Equal, to float precision,
    to scoring ``context + c`` with `score_sequences` (tested).
    """
    if not context:
        raise ValueError("score_continuations needs a non-empty context")
    device = model_device(model)
    ctx = torch.as_tensor([list(context)], dtype=torch.long, device=device)
    out = model(input_ids=ctx, attention_mask=torch.ones_like(ctx), use_cache=True)
    ctx_cache = output_cache(out)
    if not hasattr(ctx_cache, "batch_repeat_interleave"):  # legacy tuple caches (old remote code): no reuse
        full = score_sequences(model, [TokenSeq.from_parts(context, c) for c in continuations], pad_id=pad_id,
                               batch_size=batch_size, max_batch_tokens=max_batch_tokens, progress=progress)
        return [f.logprobs for f in full]
    first_logp = torch.log_softmax(out.logits[0, -1].float(), dim=-1)  # predicts each c_0
    lengths = [len(c) for c in continuations]
    results: list[NDArray[np.float64]] = [np.zeros(0)] * len(continuations)
    for batch in plan_batches(lengths, batch_size, max_batch_tokens):
        width = max(lengths[i] for i in batch)
        if width == 0:
            if progress:
                progress(len(batch))
            continue
        ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        attn = torch.zeros((len(batch), len(context) + width), dtype=torch.long)
        attn[:, : len(context)] = 1
        for row, i in enumerate(batch):
            ids[row, : lengths[i]] = torch.as_tensor(list(continuations[i]), dtype=torch.long)
            attn[row, len(context) : len(context) + lengths[i]] = 1
        ids, attn = ids.to(device), attn.to(device)
        cache = copy.deepcopy(ctx_cache)  # each batch appends to its cache; the context's stays pristine
        cache.batch_repeat_interleave(len(batch))
        logits = model(input_ids=ids, attention_mask=attn, **with_cache(cache)).logits
        # Column j of the logits predicts token j + 1 of the continuation; c_0 comes from the context.
        mask = torch.zeros((len(batch), width), dtype=torch.bool, device=device)
        for row, i in enumerate(batch):
            mask[row, : max(lengths[i] - 1, 0)] = True
        first = first_logp[ids[:, 0]].double().cpu().numpy()
        for row, (i, res) in enumerate(zip(batch, _row_scores(logits, ids, mask[:, :-1], False))):
            results[i] = np.concatenate([[first[row]], res.logprobs]) if lengths[i] else np.zeros(0)
        if progress:
            progress(len(batch))
    return results
