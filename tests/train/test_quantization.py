"""QLoRA plumbing: config -> BitsAndBytesConfig, a clear error without bitsandbytes, and (where
bitsandbytes is installed, CPU backend included) exact per-sample gradients on a 4-bit base."""

from __future__ import annotations

import pytest
import torch

from privtune.errors import ConfigError
from privtune.train.config import QuantizationConfig, TrainConfig
from privtune.train.quantization import bitsandbytes_version, bnb_config, check_environment, load_kwargs

from lora_models import flat_per_sample_grads, randomise_lora_b

torch.set_num_threads(1)
HAVE_BNB = bitsandbytes_version() is not None


def test_config_maps_to_bitsandbytes_config() -> None:
    assert bnb_config(QuantizationConfig()) is None and load_kwargs(QuantizationConfig(), torch.device("cpu")) == {}
    q4 = bnb_config(QuantizationConfig(bits=4, type="fp4", double_quant=False, compute_dtype="fp16"))
    assert q4.load_in_4bit and not q4.load_in_8bit
    assert (q4.bnb_4bit_quant_type, q4.bnb_4bit_use_double_quant, q4.bnb_4bit_compute_dtype) == (
        "fp4", False, torch.float16)
    q8 = bnb_config(QuantizationConfig(bits=8))
    assert q8.load_in_8bit and not q8.load_in_4bit
    kw = load_kwargs(QuantizationConfig(bits=4), torch.device("cpu"))
    assert kw["device_map"] == {"": "cpu"} and kw["dtype"] == torch.bfloat16


def test_yaml_shape_and_bad_values_are_rejected(tmp_path) -> None:
    cfg = TrainConfig(model=tmp_path, data=tmp_path / "d.jsonl", quantization={"bits": 4, "type": "nf4"})
    assert cfg.quantization.bits == 4 and cfg.quantization.compute_dtype == "bf16"
    with pytest.raises(ValueError, match="bits"):
        TrainConfig(model=tmp_path, data=tmp_path / "d.jsonl", quantization={"bits": 3})


def test_missing_or_old_bitsandbytes_is_a_clear_error(monkeypatch) -> None:
    from privtune.train import quantization

    check_environment(QuantizationConfig(), torch.device("cpu"))  # off: nothing needed
    monkeypatch.setattr(quantization, "bitsandbytes_version", lambda: None)  # as on a machine without it
    with pytest.raises(ConfigError, match=r"pip install 'privtune\[qlora\]'"):
        check_environment(QuantizationConfig(bits=4), torch.device("cpu"))
    monkeypatch.setattr(quantization, "bitsandbytes_version", lambda: (0, 45))
    with pytest.raises(ConfigError, match="CUDA GPU or upgrade"):
        check_environment(QuantizationConfig(bits=4), torch.device("cpu"))


@pytest.mark.skipif(not HAVE_BNB, reason="bitsandbytes not installed (pip install 'privtune[qlora]')")
def test_4bit_base_per_sample_grads_exact_and_only_lora_trainable(tmp_path) -> None:
    from transformers import AutoModelForCausalLM

    from privtune.models.arch_matrix import build_family_model, build_family_tokenizer
    from privtune.models.tiny import sample_corpus
    from privtune.train.checkpointing import enable_gradient_checkpointing
    from privtune.train.dp_step import per_sample_causal_lm_loss
    from privtune.train.grad_sample import LoraGradSampler
    from privtune.train.lora import attach_lora

    tok = build_family_tokenizer("qwen2", sample_corpus(80))
    build_family_model("qwen2", tok, hidden=64, intermediate=128, out_dir=tmp_path)
    q = QuantizationConfig(bits=4, compute_dtype="fp32")
    check_environment(q, torch.device("cpu"))
    model = AutoModelForCausalLM.from_pretrained(tmp_path, **load_kwargs(q, torch.device("cpu")))
    assert type(model.model.layers[0].self_attn.q_proj).__name__ == "Linear4bit"
    model = attach_lora(model, r=4, include_mlp=True, device="cpu")
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all(".lora_A." in n or ".lora_B." in n for n in trainable)
    randomise_lora_b(model, 0.3)
    model.train()
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(5, len(tok), (3, 10), generator=g)
    mask = torch.ones_like(ids)
    mask[1, 6:] = 0
    labels = ids.masked_fill(mask == 0, -100)

    def grads(i, m, lab):
        with LoraGradSampler(model, "materialize") as s:
            per_sample_causal_lm_loss(model(input_ids=i, attention_mask=m).logits, lab).sum().backward()
            return flat_per_sample_grads(s), s.norm_sq().clone()

    together, norms = grads(ids, mask, labels)
    alone, alone_norm = grads(ids[1:2, :6], mask[1:2, :6], labels[1:2, :6])
    assert together.abs().max() > 0
    assert torch.allclose(together[1], alone[0], rtol=1e-4, atol=1e-5 * float(alone.abs().max()))
    enable_gradient_checkpointing(model)
    ckpt, ckpt_norms = grads(ids, mask, labels)
    assert torch.allclose(ckpt, together, rtol=1e-5, atol=1e-6 * float(together.abs().max()))
    assert torch.allclose(ckpt_norms, norms, rtol=1e-5)


@pytest.mark.skipif(not HAVE_BNB, reason="bitsandbytes not installed (pip install 'privtune[qlora]')")
def test_train_on_4bit_base_end_to_end(tiny_llama_dir, tmp_path) -> None:
    import json

    from safetensors.torch import load_file

    from privtune.demo.corpus import generate
    from privtune.train.loop import train

    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in generate(24, seed=2)))
    cfg = TrainConfig(model=tiny_llama_dir, data=data, output_dir=tmp_path / "run", steps=2, batch_size=8,
                      micro_batch_size=4, max_length=64, noise_multiplier=1.0, target_epsilon=None, accountant="rdp",
                      ledger=str(tmp_path / "l.sqlite"), dp_seed=0, gradient_checkpointing=True,
                      quantization={"bits": 4, "compute_dtype": "fp32"})
    assert train(cfg, log=lambda m: None)["steps"] == 2
    weights = load_file(tmp_path / "run" / "adapter" / "adapter_model.safetensors")
    assert weights and all(w.dtype == torch.float32 for w in weights.values())
    assert any(float(w.abs().sum()) > 0 for k, w in weights.items() if "lora_B" in k)


def test_7b_qlora_example_config_loads() -> None:
    from pathlib import Path

    from privtune.config import load_config

    path = Path(__file__).resolve().parents[2] / "examples" / "train_qwen2.5-7b_qlora.yaml"
    cfg = load_config(TrainConfig, path)
    assert cfg.quantization.bits == 4 and cfg.gradient_checkpointing and cfg.micro_batch_size == "auto"
    assert cfg.lora.target_modules == "auto" and cfg.attn_implementation == "sdpa"
