"""The key/value cache under both names `transformers` has used for it.

transformers 5.x renamed ``past_key_values`` to ``cache`` (in model outputs and as the forward
argument) and warns on the old name; 4.x knows only the old one. The audit's decoding and
prefix-scoring loops read and pass the cache through these two helpers, so they run quietly
on either.
"""

from __future__ import annotations

from typing import Any

from transformers.modeling_outputs import CausalLMOutputWithPast

CACHE_ARG = "cache" if "cache" in getattr(CausalLMOutputWithPast, "__dataclass_fields__", {}) else "past_key_values"


def output_cache(out: Any) -> Any:
    """The cache a forward pass with ``use_cache=True`` returned."""
    return getattr(out, CACHE_ARG)


def with_cache(cache: Any) -> dict[str, Any]:
    """Forward keyword arguments that continue from ``cache``."""
    return {CACHE_ARG: cache, "use_cache": True}
