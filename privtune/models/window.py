"""A causal LM's context window, read from its config, and sequence limits that respect it.

A model with learned absolute positions (GPT-2, OPT, GPT-Neo) fails with a bare
``IndexError: index out of range in self`` on a sequence longer than its position table; a
rotary model runs on but was never trained there. So `privtune train` refuses a
``max_length`` beyond the window (or lowers the default to it), and the audit's decoding keeps
prompt plus new tokens inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Config keys that hold the number of positions, by family (first one present wins).
_WINDOW_KEYS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx")


def context_window(config: Any) -> tuple[int, str] | None:
    """``(positions, config key)`` of a model config (or of a model), or ``None`` if it has no limit.

    Text configs nested in multimodal ones (``text_config``) are looked into too.
    """
    config = getattr(config, "config", config)  # a model (or PEFT wrapper) was passed
    for cfg in (config, getattr(config, "text_config", None)):
        if cfg is None:
            continue
        stored = getattr(cfg, "__dict__", {})  # the names config.json uses (GPT-2 aliases n_positions)
        for key in sorted(_WINDOW_KEYS, key=lambda k: k not in stored):
            value = getattr(cfg, key, None)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value, key
    return None


def fit_prompts(prompts: Sequence[Sequence[int]], new_tokens: int,
                window: int | None) -> tuple[list[Sequence[int]], int]:
    """``(prompts, new_tokens)`` cut so that each prompt plus the new tokens fits ``window``
    positions: a long prompt keeps its *last* tokens (those nearest the continuation), and
    every prompt keeps at least one."""
    if window is None or all(len(p) + new_tokens <= window for p in prompts):
        return list(prompts), new_tokens
    new_tokens = min(new_tokens, window - 1)
    keep = window - new_tokens
    return [p[-keep:] if len(p) > keep else p for p in prompts], new_tokens
