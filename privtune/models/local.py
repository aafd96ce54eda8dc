"""Loading a local model directory with one clear line when something is missing.

A directory saved with ``model.save_pretrained`` alone (the tokenizer forgotten) failed deep
inside transformers with ``ValueError: Couldn't instantiate the backend tokenizer ... You need to
have sentencepiece or tiktoken installed``, and one without weights with a bare ``OSError``
traceback. Both are now an `InputError` naming the directory and what to save into it. Used by
`privtune train` and `privtune audit`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from privtune.errors import InputError

# Any of these makes a directory hold a tokenizer `AutoTokenizer` can load.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json", "spiece.model",
                   "tekken.json", "qwen.tiktoken")
WEIGHT_GLOBS = ("*.safetensors", "*.bin", "*.safetensors.index.json", "*.bin.index.json")


def check_model_dir(model_dir: Path) -> None:
    """`InputError` unless ``model_dir`` has a config, weights and a tokenizer (no file is read)."""
    where = str(model_dir)
    if not model_dir.is_dir() or not (model_dir / "config.json").exists():
        raise InputError("not a local Hugging Face model directory (needs config.json and weights)", path=where,
                         hint="privtune loads local model directories only; download the model yourself first")
    if not any(next(model_dir.glob(g), None) for g in WEIGHT_GLOBS):
        gguf = next(model_dir.glob("*.gguf"), None) is not None
        raise InputError("no model weights (model.safetensors, pytorch_model.bin or a sharded index)", path=where,
                         hint=("GGUF files are for llama.cpp: use the original Hugging Face checkpoint" if gguf else
                               "save them with model.save_pretrained(DIR), or finish the download"))
    if not any((model_dir / f).exists() for f in TOKENIZER_FILES):
        raise InputError(f"no tokenizer files ({', '.join(TOKENIZER_FILES[:3])}, ...)", path=where,
                         hint="save the tokenizer beside the weights: tokenizer.save_pretrained(DIR)")


def load_tokenizer(model_dir: Path, *, trust_remote_code: bool = False) -> Any:
    """``AutoTokenizer`` from a checked local directory; a load failure is an `InputError`."""
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(model_dir, local_files_only=True, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot load the tokenizer: {_first_line(exc)}", path=str(model_dir)) from None


def load_causal_lm(model_dir: Path, **kwargs: Any) -> Any:
    """``AutoModelForCausalLM`` from a checked local directory; a missing file is an `InputError`."""
    from transformers import AutoModelForCausalLM

    try:
        return AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True, **kwargs)
    except OSError as exc:
        raise InputError(f"cannot load the model: {_first_line(exc)}", path=str(model_dir)) from None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
