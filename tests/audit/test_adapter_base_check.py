"""An adapter on the wrong base model: one named error before any weights load (issue 11 item 9)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from privtune.errors import AdapterBaseMismatch
from privtune.models.compat import check_adapter_base


@pytest.fixture(scope="module")
def narrow_llama_dir(tmp_path_factory: pytest.TempPathFactory, tiny_tokenizer) -> Path:
    """Same tokenizer and family as `tiny_llama_dir`, hidden 32 instead of 64."""
    from privtune.models.tiny import build_model

    out = tmp_path_factory.mktemp("narrow_llama")
    build_model("llama", tiny_tokenizer, hidden=32, layers=2, heads=4, kv_heads=2, seed=0, out_dir=out)
    return out


@pytest.fixture(scope="module")
def wide_adapter(tmp_path_factory, tiny_llama_dir: Path, save_random_adapter) -> Path:
    return save_random_adapter(tiny_llama_dir, tmp_path_factory.mktemp("adapter64"), 0)


def test_wrong_base_is_one_line_naming_the_field(wide_adapter, narrow_llama_dir):
    with pytest.raises(AdapterBaseMismatch) as info:
        check_adapter_base(wide_adapter, narrow_llama_dir)
    msg = str(info.value)
    assert "\n" not in msg and "hidden_size is 64" in msg and "but 32 here" in msg and str(narrow_llama_dir) in msg


def test_shapes_are_checked_when_the_recorded_base_is_gone(wide_adapter, narrow_llama_dir, tmp_path):
    moved = tmp_path / "adapter"
    shutil.copytree(wide_adapter, moved)
    data = json.loads((moved / "adapter_config.json").read_text())
    data["base_model_name_or_path"] = "/nonexistent/base"
    (moved / "adapter_config.json").write_text(json.dumps(data))
    with pytest.raises(AdapterBaseMismatch, match=r"input size 64 in the adapter but 32 in the base model"):
        check_adapter_base(moved, narrow_llama_dir)


def test_right_base_passes_even_after_a_move(wide_adapter, tiny_llama_dir, tmp_path):
    check_adapter_base(wide_adapter, tiny_llama_dir)
    copy = tmp_path / "base_copy"
    shutil.copytree(tiny_llama_dir, copy)
    check_adapter_base(wide_adapter, copy)


def test_audit_loader_refuses_before_loading(wide_adapter, narrow_llama_dir):
    from privtune.audit.models import load_models

    with pytest.raises(AdapterBaseMismatch, match="does not fit base"):
        load_models(narrow_llama_dir, wide_adapter, device="cpu")
