"""Model helpers. `tiny` builds small local tokenizers and causal LMs (no hub access); `compat`
checks an adapter against a base model; `cli` is ``privtune model``.

The `tiny` names are re-exported lazily: importing this package (e.g. for the CLI) must not
import torch.
"""

from typing import Any

__all__ = ["ARCHS", "CHAT_TEMPLATE", "SPECIAL_TOKENS", "build_model", "build_tokenizer", "sample_corpus"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from privtune.models import tiny

        return getattr(tiny, name)
    raise AttributeError(f"module 'privtune.models' has no attribute {name!r}")
