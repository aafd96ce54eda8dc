"""A hand-trained tokenizer without pad or EOS token: refused with one line naming the fix
(it crashed the first batch with ``TypeError: full(): ... not NoneType``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import AutoModelForCausalLM, LlamaConfig, PreTrainedTokenizerFast

from privtune.errors import InputError
from privtune.models.padding import ensure_pad_token
from privtune.train.config import TrainConfig
from privtune.train.loop import train

torch.set_num_threads(1)


def _bare_tokenizer() -> PreTrainedTokenizerFast:
    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    backend.train_from_iterator(["where is my parcel", "it shipped today"] * 5, trainers.BpeTrainer(
        vocab_size=300, show_progress=False, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return PreTrainedTokenizerFast(tokenizer_object=backend)


def _bare_model_dir(tmp_path: Path) -> Path:
    """A tiny Llama whose tokenizer has neither a pad nor an EOS token."""
    tok = _bare_tokenizer()
    model = AutoModelForCausalLM.from_config(LlamaConfig(vocab_size=len(tok), hidden_size=16, intermediate_size=32,
                                                         num_hidden_layers=1, num_attention_heads=2))
    model.save_pretrained(tmp_path / "model")
    tok.save_pretrained(tmp_path / "model")
    return tmp_path / "model"


def test_no_pad_and_no_eos_is_an_input_error_before_training(tmp_path: Path) -> None:
    _bare_model_dir(tmp_path)
    rows = [{"messages": [{"role": "user", "content": "where is my parcel"},
                          {"role": "assistant", "content": f"it shipped today {i}"}]} for i in range(6)]
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    cfg = TrainConfig(model=tmp_path / "model", data=tmp_path / "d.jsonl", output_dir=tmp_path / "run", steps=1,
                      batch_size=4, micro_batch_size=4, ledger=str(tmp_path / "l.sqlite"), dp_seed=0)
    with pytest.raises(InputError, match="neither a pad token nor an EOS token") as info:
        train(cfg, log=lambda m: None)
    assert "add_special_tokens" in str(info.value)


def test_eos_pads_when_there_is_no_pad_token() -> None:
    tok = _bare_tokenizer()
    tok.add_special_tokens({"eos_token": "</s>"})
    ensure_pad_token(tok, "m")
    assert tok.pad_token_id == tok.eos_token_id is not None


def test_serve_refuses_a_tokenizer_with_neither_pad_nor_eos_at_load(tmp_path: Path) -> None:
    # The gateway set pad = EOS = None and crashed at the first request (round 7).
    from privtune.serve.backends.embedded import load_model

    with pytest.raises(InputError, match="neither a pad token nor an EOS token"):
        load_model(_bare_model_dir(tmp_path), None, device="cpu")
