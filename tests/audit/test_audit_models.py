"""Loading the audited pair: plain and sealed adapters, run directories, wrong bases."""

from __future__ import annotations

import shutil

import pytest
import torch

from privtune.audit.models import base_scope, load_models
from privtune.errors import InputError

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def adapter_dir(tiny_llama_dir, tmp_path_factory, save_random_adapter):
    """A run directory whose adapter has non-zero random LoRA weights."""
    run = tmp_path_factory.mktemp("run")
    save_random_adapter(tiny_llama_dir, run / "adapter", 3)
    return run


def _logits(model, ids):
    with torch.no_grad():
        return model(input_ids=ids).logits


def test_run_dir_and_sealed_adapter_load_the_same_weights(tiny_llama_dir, adapter_dir, tmp_path, monkeypatch):
    from privtune.train.checkpoint import create_key_file, encrypt_adapter

    plain = load_models(tiny_llama_dir, adapter_dir, device="cpu")  # the run dir: adapter/ is found
    assert plain.adapter_dir == adapter_dir / "adapter"
    sealed_dir = tmp_path / "sealed"
    shutil.copytree(adapter_dir / "adapter", sealed_dir)
    key_file = tmp_path / "k.key"
    key = create_key_file(key_file)
    encrypt_adapter(sealed_dir, key)
    assert not (sealed_dir / "adapter_model.safetensors").exists()
    monkeypatch.delenv("PRIVTUNE_KEY", raising=False)
    sealed = load_models(tiny_llama_dir, sealed_dir, device="cpu", adapter_key_file=key_file)
    ids = torch.tensor([[1, 40, 41, 42, 43, 44]])
    torch.testing.assert_close(_logits(sealed.model, ids), _logits(plain.model, ids))
    with base_scope(plain.model) as base:
        base_logits = _logits(base, ids)
    assert not torch.allclose(base_logits, _logits(plain.model, ids))  # the adapter does change the model
    # Sealed by train with its default key file: found there without --adapter-key-file (audit and
    # serve said "no encryption key" though the key that sealed it sat in its default place).
    from privtune.errors import InputError
    from privtune.keys import train_key_file

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    with pytest.raises(InputError, match="sealed and no key was found") as err:
        load_models(tiny_llama_dir, sealed_dir, device="cpu")
    assert "--adapter-key-file" in str(err.value) and str(train_key_file()) in str(err.value)
    train_key_file().parent.mkdir(parents=True)
    shutil.copy(key_file, train_key_file())
    default = load_models(tiny_llama_dir, sealed_dir, device="cpu")
    torch.testing.assert_close(_logits(default.model, ids), _logits(plain.model, ids))


def test_adapter_for_another_architecture_is_refused(tiny_llama_dir, tiny_gpt2_dir, tmp_path):
    from transformers import AutoModelForCausalLM

    from privtune.train.lora import attach_lora

    gpt2_adapter = tmp_path / "gpt2_adapter"
    attach_lora(AutoModelForCausalLM.from_pretrained(tiny_gpt2_dir), r=2).save_pretrained(gpt2_adapter)
    with pytest.raises(InputError, match="does not fit base"):
        load_models(tiny_llama_dir, gpt2_adapter, device="cpu")
    with pytest.raises(InputError, match="adapter_config.json"):
        load_models(tiny_llama_dir, tmp_path, device="cpu")
