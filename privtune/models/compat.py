"""Does this LoRA adapter belong on this base model? Checked before anything heavy is loaded.

PEFT only finds out while copying weights, and then prints one ``size mismatch`` line per
tensor (40 lines for a 2-layer model, thousands for a real one). Here the adapter's tensor
shapes (read from the safetensors header, no weights loaded) are compared with the base
model's modules, instantiated on the ``meta`` device from its ``config.json`` (no weights, no
memory), and a mismatch becomes one `AdapterBaseMismatch` line naming both sides.

Used by the audit; anything else that puts an adapter on a base (serving) should call
`check_adapter_base` first too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from privtune.errors import AdapterBaseMismatch, InputError

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
# Architecture fields that must agree for an adapter to fit (names differ per model family).
_ARCH_FIELDS = ("model_type", "hidden_size", "n_embd", "num_hidden_layers", "n_layer", "intermediate_size",
                "n_inner", "num_attention_heads", "n_head", "num_key_value_heads", "vocab_size")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"unreadable {path.name}: {exc}", path=str(path)) from None
    if not isinstance(data, dict):
        raise InputError(f"{path.name} does not hold a JSON object", path=str(path))
    return data


def recorded_base(adapter_dir: Path) -> str | None:
    """The base model path or id the adapter was trained on, as PEFT recorded it."""
    value = _read_json(adapter_dir / ADAPTER_CONFIG).get("base_model_name_or_path")
    return str(value) if value else None


def adapter_shapes(adapter_dir: Path) -> dict[str, tuple[int, ...]]:
    """Tensor name -> shape from the adapter's safetensors header (no tensor data is read)."""
    from safetensors import safe_open

    path = adapter_dir / ADAPTER_WEIGHTS
    if not path.exists():
        return {}
    with safe_open(str(path), framework="pt") as f:
        return {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}


def _config_mismatch(base_dir: Path, recorded: str | None) -> str | None:
    """Compare --base's config.json with the recorded base's, when that one is still on disk."""
    if not recorded or not (Path(recorded) / "config.json").is_file():
        return None
    if Path(recorded).resolve() == base_dir.resolve():
        return None
    ours, theirs = _read_json(base_dir / "config.json"), _read_json(Path(recorded) / "config.json")
    for key in _ARCH_FIELDS:
        if key in ours and key in theirs and ours[key] != theirs[key]:
            return f"{key} is {theirs[key]} in the base it was trained on but {ours[key]} here"
    return None


def _meta_model(base_dir: Path, trust_remote_code: bool) -> Any:
    """The base architecture with no weights (``meta`` tensors): module shapes for free."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(base_dir, local_files_only=True, trust_remote_code=trust_remote_code)
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config, trust_remote_code=trust_remote_code)


def _module_dims(module: Any) -> tuple[int, int] | None:
    """(in, out) features of a Linear, GPT-2 Conv1D or Embedding layer; None for anything else."""
    if hasattr(module, "in_features") and hasattr(module, "out_features"):
        return int(module.in_features), int(module.out_features)
    if hasattr(module, "nx") and hasattr(module, "nf"):  # transformers' Conv1D (GPT-2)
        return int(module.nx), int(module.nf)
    if hasattr(module, "num_embeddings") and hasattr(module, "embedding_dim"):
        return int(module.num_embeddings), int(module.embedding_dim)
    return None


def shape_mismatch(shapes: dict[str, tuple[int, ...]], model: Any) -> str | None:
    """The first adapter tensor that does not fit ``model`` (a base model, not yet PEFT-wrapped)."""
    modules = dict(model.named_modules())
    for key, shape in sorted(shapes.items()):
        for marker, axis, side in ((".lora_A.", 1, 0), (".lora_B.", 0, 1),
                                   (".lora_embedding_A.", 1, 0), (".lora_embedding_B.", 0, 1)):
            if marker in key:
                break
        else:
            continue
        name = key.split(marker, 1)[0].removeprefix("base_model.model.")
        module = modules.get(name)
        if module is None:
            return f"the adapter adapts {name}, which the base model does not have"
        dims = _module_dims(module)
        if dims is not None and len(shape) == 2 and shape[axis] != dims[side]:
            what = "input" if side == 0 else "output"
            return f"{name} has {what} size {shape[axis]} in the adapter but {dims[side]} in the base model"
    return None


def check_adapter_base(adapter_dir: Path, base_dir: Path, *, model: Any = None,
                       trust_remote_code: bool = False) -> None:
    """Raise `AdapterBaseMismatch` (one line) unless the adapter's tensors fit the base model.

    ``model``: the already-loaded base model, if there is one; otherwise the architecture is
    built on the meta device from ``base_dir/config.json``. Encrypted adapters have no readable
    header; only their recorded base is compared.
    """
    recorded = recorded_base(adapter_dir)
    trained_on = f" (it was trained on {recorded})" if recorded else ""
    advice = "; pass the base model it was trained on"
    reason = _config_mismatch(base_dir, recorded)
    if reason:
        raise AdapterBaseMismatch(f"adapter {adapter_dir} does not fit base {base_dir}: {reason}{trained_on}{advice}")
    shapes = adapter_shapes(adapter_dir)
    if not shapes:
        return
    reason = shape_mismatch(shapes, model if model is not None else _meta_model(base_dir, trust_remote_code))
    if reason:
        raise AdapterBaseMismatch(f"adapter {adapter_dir} does not fit base {base_dir}: {reason}{trained_on}{advice}")
