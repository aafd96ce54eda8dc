"""Load the audited pair: the base model once, the fine-tuned model as base + adapter.

One `PeftModel` serves both: the tuned model is the model as loaded, the base model is the
same object inside ``model.disable_adapter()`` (`base_scope`). Holding one copy of the base
weights halves memory, and the two models cannot silently differ in anything but the adapter.

Local directories only: the audit never downloads weights. Encrypted adapters (``privtune
train --encrypt-adapter``) are decrypted in memory with the training key.
"""

from __future__ import annotations


import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from privtune.errors import ConfigError, InputError
from privtune.models.compat import check_adapter_base
from privtune.models.dtypes import normalise_dtype
from privtune.models.dtypes import torch_dtype as dtype_for
from privtune.models.local import check_model_dir, load_causal_lm, load_tokenizer
from privtune.models.padding import ensure_pad_token

ADAPTER_CONFIG = "adapter_config.json"


@dataclass
class AuditModels:
    """The adapter-wrapped model, its tokenizer and where it runs."""

    model: Any
    tokenizer: Any
    device: torch.device
    adapter_dir: Path


def resolve_adapter_dir(path: Path) -> Path:
    """Accept the adapter directory itself or a training run directory holding ``adapter/``."""
    if (path / ADAPTER_CONFIG).exists():
        return path
    if (path / "adapter" / ADAPTER_CONFIG).exists():
        return path / "adapter"
    raise InputError(
        f"no {ADAPTER_CONFIG} here or in its adapter/ folder",
        path=str(path),
        hint="pass the adapter/ directory written by `privtune train` (or the run directory)",
    )


def pick_device(name: str) -> torch.device:
    if name == "cuda" or (name == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise ConfigError("device: cuda was asked for but no CUDA device is visible")
        return torch.device("cuda")
    return torch.device("cpu")


def load_models(base: Path, adapter: Path, *, device: str = "auto", dtype: str = "fp32",
                trust_remote_code: bool = False, adapter_key_file: Path | None = None) -> AuditModels:
    """Base model + tokenizer from ``base`` and the LoRA adapter from ``adapter``, in eval mode."""
    from peft import PeftConfig, PeftModel, get_peft_model, set_peft_model_state_dict

    from privtune.train.lora import quiet_peft_probe
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    check_model_dir(base)
    adapter_dir = resolve_adapter_dir(adapter)
    # Before any weights load: a wrong --base is one line here, not a size-mismatch traceback later.
    check_adapter_base(adapter_dir, base, trust_remote_code=trust_remote_code)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    dev = pick_device(device)
    torch_dtype = dtype_for(normalise_dtype(dtype), dev.type)
    tok = load_tokenizer(base, trust_remote_code=trust_remote_code)
    ensure_pad_token(tok, base)
    model = load_causal_lm(base, dtype=torch_dtype, trust_remote_code=trust_remote_code).to(dev)
    _check_adapter_base(adapter_dir, model)
    plain = adapter_dir / "adapter_model.safetensors"
    sealed = adapter_dir / "adapter_model.safetensors.enc"
    if plain.exists() or not sealed.exists():
        with quiet_peft_probe():
            peft_model = PeftModel.from_pretrained(model, adapter_dir, is_trainable=False)
    else:
        from privtune.keys import KEY_ENV, train_key_file
        from privtune.train.checkpoint import load_encrypted_adapter, load_key

        # train seals with its default key file unless told otherwise: look there too (audit and
        # serve asked for "a key file" while the one that sealed the adapter sat in its place)
        key_file = adapter_key_file or train_key_file()
        if adapter_key_file is None and not key_file.exists() and not os.environ.get(KEY_ENV, "").strip():
            raise InputError("the adapter is sealed and no key was found", path=str(sealed),
                             hint=f"pass --adapter-key-file (train's default is {key_file}) or set PRIVTUNE_KEY")
        key = load_key(key_file, create=False)
        with quiet_peft_probe():
            peft_model = get_peft_model(model, PeftConfig.from_pretrained(adapter_dir))
        result = set_peft_model_state_dict(peft_model, load_encrypted_adapter(adapter_dir, key))
        if getattr(result, "unexpected_keys", None):
            raise InputError(f"sealed adapter holds unexpected weights {result.unexpected_keys[:3]}", path=str(sealed))
    peft_model.to(dev).eval()
    return AuditModels(peft_model, tok, dev, adapter_dir)


def _check_adapter_base(adapter_dir: Path, model: Any) -> None:
    """Refuse an adapter made for a different architecture (PEFT would fail obscurely later)."""
    try:
        cfg = json.loads((adapter_dir / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"unreadable {ADAPTER_CONFIG}: {exc}", path=str(adapter_dir)) from None
    targets = cfg.get("target_modules") or []
    if isinstance(targets, str):
        return  # a regex; PEFT checks it
    names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()} | {n for n, _ in model.named_modules()}
    if targets and not any(t in names or any(n.endswith("." + t) for n in names) for t in targets):
        raise InputError(f"the adapter targets {targets}, which this base model does not have",
                         path=str(adapter_dir), hint="audit with the base model the adapter was trained on")


@contextlib.contextmanager
def base_scope(model: Any) -> Iterator[Any]:
    """The base model: the adapter-wrapped ``model`` with its adapter switched off."""
    with model.disable_adapter():
        yield model
