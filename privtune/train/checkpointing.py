"""Gradient (activation) checkpointing for DP-LoRA, with per-sample gradients kept exact.

Checkpointing stores only each decoder layer's input in the forward pass and recomputes the
layer during backward, trading ~30% more compute for activations that no longer grow with
depth. Per-sample gradient capture survives this unchanged because
:mod:`privtune.train.grad_sample` records in the *backward* of each LoRA linear, never in its
forward:

* non-reentrant (``torch.utils.checkpoint``'s default, ours too): the forward builds the
  graph but drops the saved tensors; backward unpacks them by re-running the segment, and
  the *original* autograd node's backward runs once with the recomputed input;
* reentrant: the first forward runs under ``no_grad`` (no autograd node, nothing captured);
  backward re-runs the segment with grad on and back-propagates through that fresh graph,
  whose LoRA nodes each run their backward once.

Either way each LoRA layer's capture fires exactly once per backward, with the same input
``a`` (dropout masks are replayed: ``preserve_rng_state`` is on) and the same output gradient
``g``. The tests in ``tests/train/test_checkpointing.py`` prove equality to 1e-5 and that the
recompute really happens (each captured forward runs twice).
"""

from __future__ import annotations

import warnings
from typing import Literal

from torch import nn

from privtune.errors import ConfigError

CheckpointMode = Literal["non_reentrant", "reentrant"]


def base_transformer(model: nn.Module) -> nn.Module:
    """The Hugging Face model under a PEFT wrapper (or ``model`` itself)."""
    get_base = getattr(model, "get_base_model", None)
    return get_base() if callable(get_base) else model


def enable_gradient_checkpointing(model: nn.Module, mode: CheckpointMode = "non_reentrant") -> None:
    """Checkpoint every decoder layer of ``model`` (a PEFT or plain transformers causal LM).

    Also makes the embedding output require grad (what transformers does for PEFT): with a
    frozen base, a reentrant segment whose inputs need no grad would otherwise return outputs
    that need none, and the LoRA weights inside it would silently get no gradient. The KV cache
    is switched off, since recomputation cannot reuse it. Checkpointing acts in ``train()``
    mode only, as in transformers.
    """
    if mode not in ("non_reentrant", "reentrant"):
        raise ConfigError(f"gradient_checkpointing_mode must be non_reentrant or reentrant, got {mode!r}")
    base = base_transformer(model)
    if not getattr(base, "supports_gradient_checkpointing", False):
        raise ConfigError(
            f"{type(base).__name__} does not support gradient checkpointing; set gradient_checkpointing: false"
        )
    kwargs = {"use_reentrant": mode == "reentrant"}
    enable = getattr(base, "activation_checkpointing_enable", None)
    with warnings.catch_warnings():
        # transformers 5 renamed the method and warns on the old name, which older 4.x still needs.
        warnings.filterwarnings("ignore", message=".*gradient_checkpointing_enable.*", category=FutureWarning)
        if enable is not None:
            enable(activation_checkpointing_kwargs=kwargs)
        else:
            base.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)
    if hasattr(base, "enable_input_require_grads") and not hasattr(base, "_require_grads_hook"):
        base.enable_input_require_grads()  # transformers 5 already did this; older versions may not
    config = getattr(base, "config", None)
    if config is not None and getattr(config, "use_cache", False):
        config.use_cache = False


def checkpointed_layers(model: nn.Module) -> int:
    """How many submodules have checkpointing switched on (0 when it is off)."""
    return sum(1 for m in base_transformer(model).modules() if getattr(m, "gradient_checkpointing", False) is True)
