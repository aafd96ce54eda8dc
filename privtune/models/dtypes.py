"""Weight dtype names accepted in configs, and what they mean for torch.

Configs take ``fp32 | bf16 | fp16`` and the spellings people type from other tools
(``float32``, ``bfloat16``, ``float16``, ``half``); they are normalised to the short names.
"""

from __future__ import annotations

from typing import Any, Literal

DTypeName = Literal["fp32", "bf16", "fp16"]
DTYPE_HELP = ("Base-model weight dtype: fp32, bf16 or fp16 (also float32/bfloat16/float16). "
              "LoRA adapters stay fp32; bf16/fp16 halve the base model's memory, for GPUs.")

_ALIASES = {"fp32": "fp32", "float32": "fp32", "float": "fp32",
            "bf16": "bf16", "bfloat16": "bf16",
            "fp16": "fp16", "float16": "fp16", "half": "fp16"}


def normalise_dtype(value: Any) -> Any:
    """Map an accepted spelling to its short name; anything else is left for pydantic to reject."""
    return _ALIASES.get(value.strip().lower(), value) if isinstance(value, str) else value


def torch_dtype(name: str, device_type: str) -> Any:
    """The torch dtype for a normalised name, refusing what the device cannot run."""
    import torch

    from privtune.errors import ConfigError

    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[name]
    if dtype == torch.bfloat16 and device_type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ConfigError("dtype: bf16 is not supported on this GPU; use fp16 or fp32")
    return dtype
