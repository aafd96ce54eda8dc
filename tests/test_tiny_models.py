"""Tiny local tokenizer/model builders: round-trips, chat template, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerFast

from privtune.errors import ConfigError
from privtune.models.tiny import IM_END, IM_START, build_model, build_tokenizer, sample_corpus

Tok = PreTrainedTokenizerFast


def test_tokenizer_round_trips_mixed_scripts(tiny_tokenizer: Tok) -> None:
    text = "The auditor 检查了报告 on Monday — ünïcödé ✓ 🚀"
    ids = tiny_tokenizer(text, add_special_tokens=False)["input_ids"]
    assert tiny_tokenizer.decode(ids) == text
    assert tiny_tokenizer.unk_token_id is None or tiny_tokenizer.unk_token_id not in ids


def test_tokenizer_learns_merges_from_corpus(tiny_tokenizer: Tok) -> None:
    # A frequent corpus word must be fewer tokens than its byte count, or BPE learned nothing.
    assert len(tiny_tokenizer("quarterly", add_special_tokens=False)["input_ids"]) < len("quarterly")
    assert len(tiny_tokenizer) == 512


def test_special_tokens_and_template_survive_save(tiny_tokenizer_dir: Path) -> None:
    tok = AutoTokenizer.from_pretrained(str(tiny_tokenizer_dir))
    assert (tok.bos_token, tok.eos_token, tok.pad_token) == ("<s>", "</s>", "<pad>")
    assert len({tok.bos_token_id, tok.eos_token_id, tok.pad_token_id}) == 3
    for special in (IM_START, IM_END):
        assert tok(special, add_special_tokens=False)["input_ids"] == [tok.convert_tokens_to_ids(special)]
    msgs = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    rendered = tok.apply_chat_template(msgs, tokenize=False)
    assert rendered == "<s><|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n"
    prompt = tok.apply_chat_template(msgs[:1], tokenize=False, add_generation_prompt=True)
    assert prompt.endswith("<|im_start|>assistant\n") and rendered.startswith(prompt)


def test_assistant_mask_from_generation_blocks(tiny_tokenizer: Tok) -> None:
    msgs = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "你好"},
            {"role": "assistant", "content": "Hello 世界"}, {"role": "user", "content": "again"},
            {"role": "assistant", "content": "ok"}]
    out = tiny_tokenizer.apply_chat_template(msgs, return_dict=True, return_assistant_tokens_mask=True)
    ids, mask = out["input_ids"], out["assistant_masks"]
    picked = tiny_tokenizer.decode([t for t, m in zip(ids, mask) if m])
    assert picked == "Hello 世界<|im_end|>ok<|im_end|>"


def test_vocab_size_floor() -> None:
    with pytest.raises(ConfigError, match="vocab_size"):
        build_tokenizer(["abc"], vocab_size=200)


@pytest.mark.parametrize("arch", ["llama", "qwen2", "gpt2"])
def test_build_model_saves_loadable_dir(arch: str, tiny_tokenizer: Tok, tmp_path: Path) -> None:
    model = build_model(arch, tiny_tokenizer, hidden=32, layers=1, heads=4, max_positions=64, out_dir=tmp_path)
    assert (tmp_path / "model.safetensors").is_file() and (tmp_path / "tokenizer.json").is_file()
    assert json.loads((tmp_path / "config.json").read_text())["vocab_size"] == len(tiny_tokenizer)
    loaded = AutoModelForCausalLM.from_pretrained(str(tmp_path))
    x = torch.tensor([tiny_tokenizer("The clerk 提交了合同", add_special_tokens=False)["input_ids"]])
    with torch.no_grad():
        assert torch.equal(model(x).logits, loaded(x).logits)
    assert not model.training
    ends = loaded.generation_config.eos_token_id
    assert tiny_tokenizer.convert_tokens_to_ids(IM_END) in ends and tiny_tokenizer.eos_token_id in ends


def test_gpt2_fixture_loads_and_trains_one_step(tiny_gpt2_dir: Path) -> None:
    tok = AutoTokenizer.from_pretrained(str(tiny_gpt2_dir))
    model = AutoModelForCausalLM.from_pretrained(str(tiny_gpt2_dir))
    batch = tok(["The pilot shipped two parcels."], return_tensors="pt")
    model.train()
    loss = model(**batch, labels=batch["input_ids"]).loss
    loss.backward()
    assert torch.isfinite(loss) and model.transformer.wte.weight.grad is not None


def test_llama_fixture_has_gqa(tiny_llama_dir: Path) -> None:
    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama_dir))
    assert model.config.num_key_value_heads == 2 and model.config.num_attention_heads == 4


def test_seed_determines_weights_and_leaves_global_rng(tiny_tokenizer: Tok) -> None:
    torch.manual_seed(123)
    before = torch.get_rng_state()
    a = build_model("llama", tiny_tokenizer, hidden=32, layers=1, seed=1)
    assert torch.equal(torch.get_rng_state(), before)
    b = build_model("llama", tiny_tokenizer, hidden=32, layers=1, seed=1)
    c = build_model("llama", tiny_tokenizer, hidden=32, layers=1, seed=2)
    wa, wb, wc = (m.model.layers[0].mlp.up_proj.weight for m in (a, b, c))
    assert torch.equal(wa, wb) and not torch.equal(wa, wc)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"arch": "bert"}, "unknown arch"),
    ({"hidden": 30, "heads": 4}, "divisible"),
    ({"heads": 4, "kv_heads": 3}, "multiple"),
    ({"arch": "gpt2", "kv_heads": 2}, "grouped-query"),
    ({"heads": 0}, "heads must be >= 1"),  # was ZeroDivisionError
    ({"hidden": -4}, "hidden must be >= 1"),  # was torch's negative-dimension RuntimeError
    ({"layers": 0}, "layers must be >= 1"),  # was a 'model' with no decoder layer
])
def test_build_model_rejects_bad_shapes(tiny_tokenizer: Tok, kwargs: dict, match: str) -> None:
    args = {"arch": "llama", **kwargs}
    with pytest.raises(ConfigError, match=match):
        build_model(args.pop("arch"), tiny_tokenizer, **args)


def test_sample_corpus_is_deterministic_and_bilingual() -> None:
    a, b = sample_corpus(30, seed=4), sample_corpus(30, seed=4)
    assert a == b and a != sample_corpus(30, seed=5)
    assert any("的" in s or "了" in s for s in a) and any(s.isascii() for s in a)
