"""Memory knobs: the largest micro-batch that fits (probed), and out-of-memory errors that say
which setting to turn.

Probing runs a real forward + per-sample backward (the DP engine's capture, norms and clipped
sum included) on *synthetic* token ids of the full ``max_length``: the worst case for every later
micro-batch, and independent of the training data, so the chosen size reveals nothing about it.
The micro-batch size never changes what a DP step computes (micro-batches are summed before the
noise), only how much memory a step needs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import torch

from privtune.errors import PrivtuneError

KNOBS = ("micro_batch_size (lower it, or set it to auto)", "gradient_checkpointing: true",
         "dtype: bf16", "quantization.bits: 4", "max_length (shorter)", "lora.r (smaller)")


class OutOfMemory(PrivtuneError):
    """The device ran out of memory; the message lists the settings that reduce memory."""


def is_oom(exc: BaseException) -> bool:
    """CUDA/MPS/CPU allocator failures (older torch raised a plain RuntimeError)."""
    return isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower())


def oom_message(where: str, settings: dict[str, Any]) -> str:
    now = ", ".join(f"{k}={v}" for k, v in settings.items())
    return (f"out of memory during {where} ({now}). Reduce memory with, in order of cost: "
            + "; ".join(KNOBS) + ".")


@contextlib.contextmanager
def oom_guard(where: str, settings: dict[str, Any]) -> Iterator[None]:
    """Turn an allocator failure inside the block into :class:`OutOfMemory` with the knobs."""
    try:
        yield
    except Exception as exc:
        if not is_oom(exc):
            raise
        _free()
        raise OutOfMemory(oom_message(where, settings)) from None


def _free() -> None:
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def largest_fitting(fits: Callable[[int], None], upper: int, start: int = 1) -> int:
    """Largest ``n`` in [1, upper] for which ``fits(n)`` returns without running out of memory.

    Doubles from ``start`` until a failure or ``upper``, then bisects between the last success and
    the first failure: O(log upper) probes. ``fits`` signals failure by raising an OOM error; any
    other exception propagates. Raises :class:`OutOfMemory` when even ``n = 1`` does not fit.
    """
    if upper < 1:
        raise ValueError("upper must be >= 1")
    good, bad = 0, upper + 1
    n = max(1, min(start, upper))
    while n < bad:
        try:
            fits(n)
        except Exception as exc:  # noqa: BLE001 - filtered just below
            if not is_oom(exc):
                raise
            _free()
            bad = n
        else:
            good = n
            if n == upper:
                break
        n = min(n * 2, upper) if bad > upper else (good + bad) // 2
        if n <= good:
            break
    if good == 0:
        raise OutOfMemory(oom_message("micro-batch probing", {"micro_batch_size": 1}))
    return good


def probe_step(model: Any, engine: Any, batch: int, seq_len: int, vocab: int, device: torch.device) -> None:
    """One forward + backward + per-sample clipping work on synthetic ids; leaves no state behind."""
    from privtune.train.dp_step import per_sample_causal_lm_loss

    g = torch.Generator().manual_seed(batch)
    ids = torch.randint(0, vocab, (batch, seq_len), generator=g).to(device)
    sampler = getattr(engine, "grad_sampler", None)
    try:
        logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits
        loss = per_sample_causal_lm_loss(logits, ids)
        del logits
        if sampler is not None:
            sampler.clear()
        loss.sum().backward()
        if sampler is not None:
            norms = sampler.norm_sq()
            sampler.weighted_sum(torch.ones_like(norms))
    finally:
        if sampler is not None:
            sampler.clear()
        for p in model.parameters():
            p.grad = None


def auto_micro_batch_size(model: Any, engine: Any, *, max_length: int, vocab: int, device: torch.device,
                          upper: int, cpu_default: int = 8) -> int:
    """``micro_batch_size: auto``: probe on an accelerator; on CPU (which swaps rather than
    failing) use ``cpu_default``. Never above ``upper`` (the expected logical batch)."""
    upper = max(1, upper)
    if device.type == "cpu":
        return min(cpu_default, upper)
    return largest_fitting(lambda n: probe_step(model, engine, n, max_length, vocab, device), upper, start=1)
