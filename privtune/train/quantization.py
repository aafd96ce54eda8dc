"""Quantised base models (QLoRA) through transformers' bitsandbytes integration.

Only the frozen base is quantised. PEFT wraps each targeted ``Linear4bit``/``Linear8bitLt`` with a
LoRA layer whose ``lora_A``/``lora_B`` are ordinary full-precision ``nn.Linear``: those are all
that :class:`~privtune.train.grad_sample.LoraGradSampler` captures, clips and noises, and its
"no other trainable tensor" check still guards against a quantised weight requiring grad.
Per-sample gradients stay exact: the capture needs only the LoRA input (the activation after
the dequantised base layers) and the output gradient, whatever produced them.

bitsandbytes is an optional dependency (``pip install 'privtune[qlora]'``). It runs on CUDA GPUs,
and since 0.46 also on CPUs (slowly; used by the tests).
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import torch

from privtune.errors import ConfigError
from privtune.train.config import QuantizationConfig

COMPUTE_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}
MIN_CPU_BNB = (0, 46)  # first bitsandbytes release with a CPU backend


def bitsandbytes_version() -> tuple[int, ...] | None:
    """Installed bitsandbytes version as a tuple of ints, or None when it is not installed."""
    try:
        version = metadata.version("bitsandbytes")
    except metadata.PackageNotFoundError:
        return None
    return tuple(int(p) for p in version.split(".")[:2] if p.isdigit())


def check_environment(q: QuantizationConfig, device: torch.device) -> None:
    """Refuse early, with the fix, when this machine cannot load a quantised base."""
    if q.bits is None:
        return
    version = bitsandbytes_version()
    if version is None:
        raise ConfigError(
            f"quantization.bits={q.bits} needs bitsandbytes, which is not installed: pip install 'privtune[qlora]' "
            "(or set quantization.bits: null to train a full-precision base)"
        )
    if device.type == "cpu" and version < MIN_CPU_BNB:
        raise ConfigError(
            f"quantization on CPU needs bitsandbytes >= {'.'.join(map(str, MIN_CPU_BNB))} "
            f"(installed: {'.'.join(map(str, version))}); use a CUDA GPU or upgrade bitsandbytes"
        )
    if q.compute_dtype == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ConfigError("quantization.compute_dtype: bf16 is not supported on this GPU; use fp16")


def bnb_config(q: QuantizationConfig) -> Any:
    """transformers ``BitsAndBytesConfig`` for ``q`` (None when quantisation is off)."""
    if q.bits is None:
        return None
    from transformers import BitsAndBytesConfig

    compute = COMPUTE_DTYPES[q.compute_dtype]
    if q.bits == 8:
        return BitsAndBytesConfig(load_in_8bit=True)
    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type=q.type, bnb_4bit_use_double_quant=q.double_quant,
                              bnb_4bit_compute_dtype=compute)


def load_kwargs(q: QuantizationConfig, device: torch.device) -> dict[str, Any]:
    """Extra ``from_pretrained`` arguments: quantised weights are placed at load time, so the
    model is loaded straight onto ``device`` (moving a bitsandbytes model later is refused)."""
    if q.bits is None:
        return {}
    return {"quantization_config": bnb_config(q), "device_map": {"": device.index if device.type == "cuda" and
                                                                  device.index is not None else device.type},
            "dtype": COMPUTE_DTYPES[q.compute_dtype]}


def is_quantized(model: Any) -> bool:
    """True for a model loaded in 4 or 8 bits (PEFT-wrapped or not)."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return bool(getattr(base, "is_loaded_in_4bit", False) or getattr(base, "is_loaded_in_8bit", False)
                or getattr(base, "hf_quantizer", None) is not None)
