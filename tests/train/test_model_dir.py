"""A model directory missing its tokenizer or its weights: one line naming what to save, for
train and audit (bare ValueError "Couldn't instantiate the backend tokenizer ..." and OSError
tracebacks before)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from privtune.audit.models import load_models
from privtune.errors import InputError
from privtune.train.config import TrainConfig
from privtune.train.loop import train


def _copy(src: Path, dst: Path, drop: tuple[str, ...]) -> Path:
    shutil.copytree(src, dst, ignore=lambda _d, names: [n for n in names if n.startswith(drop)])
    return dst


@pytest.mark.parametrize(("drop", "message", "hint"), [
    (("tokenizer", "special_tokens", "chat_template", "vocab", "merges"), "no tokenizer files", "tokenizer.save_pretrained"),
    (("model.safetensors",), "no model weights", "model.save_pretrained"),
])
def test_missing_tokenizer_or_weights_is_one_line(tiny_llama_dir, tmp_path, drop, message, hint) -> None:
    model = _copy(tiny_llama_dir, tmp_path / "model", drop)
    (tmp_path / "d.jsonl").write_text('{"text": "a b c"}\n{"text": "d e f"}\n', encoding="utf-8")
    cfg = TrainConfig(model=model, data=tmp_path / "d.jsonl", output_dir=tmp_path / "run", steps=1, batch_size=2,
                      ledger=str(tmp_path / "l.sqlite"))
    with pytest.raises(InputError, match=message) as info:
        train(cfg, log=lambda m: None)
    assert hint in str(info.value) and str(model) in str(info.value)
    with pytest.raises(InputError, match=message):
        load_models(model, tmp_path / "adapter")


def test_gguf_only_directory_says_so(tmp_path) -> None:
    from privtune.models.local import check_model_dir

    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model-q4_k_m.gguf").write_bytes(b"GGUF")
    with pytest.raises(InputError, match="no model weights") as info:
        check_model_dir(tmp_path)
    assert "llama.cpp" in str(info.value)
