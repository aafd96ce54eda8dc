"""Gradient checkpointing keeps per-sample gradients exact (reentrant and non-reentrant, ghost and
materialise) and really recomputes: each captured LoRA forward runs twice, its capture once."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from privtune.demo.corpus import generate
from privtune.errors import ConfigError
from privtune.train import loop as train_loop
from privtune.train.checkpointing import checkpointed_layers, enable_gradient_checkpointing
from privtune.train.config import TrainConfig
from privtune.train.grad_sample import LoraGradSampler

from lora_models import flat_per_sample_grads, tiny_lora_model
from test_grad_sample import losses, padded_batch

torch.set_num_threads(1)


def capture(model: nn.Module, mode: str) -> tuple[torch.Tensor, torch.Tensor, list[int], list[int]]:
    """Flat per-sample grads, norms, forwards per captured layer, materialised captures per layer."""
    with LoraGradSampler(model, mode) as s:
        forwards = [0] * len(s.records)
        for i, rec in enumerate(s.records):  # count the captured forward the sampler installed
            inner = rec.module.forward

            def counted(x, _inner=inner, _i=i):
                forwards[_i] += 1
                return _inner(x)

            rec.module.forward = counted
        losses(model, *padded_batch()).sum().backward()
        norms = s.norm_sq().clone()
        ghosts = [r.ghost is not None for r in s.records]
        calls = [r.calls + int(g) for r, g in zip(s.records, ghosts)]
        flat = flat_per_sample_grads(s)
    return flat, norms, forwards, calls


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
@pytest.mark.parametrize("mode", ["materialize", "ghost"])
@pytest.mark.parametrize("ckpt_mode", ["non_reentrant", "reentrant"])
def test_checkpointed_per_sample_grads_equal_plain(arch: str, mode: str, ckpt_mode: str) -> None:
    plain = tiny_lora_model(arch, dropout=0.1)
    plain.train()  # dropout on: the recompute must replay the same masks
    want, want_norms, plain_fwd, _ = capture(plain, mode)
    model = tiny_lora_model(arch, dropout=0.1)
    model.train()
    enable_gradient_checkpointing(model, ckpt_mode)
    assert checkpointed_layers(model) >= 2  # both decoder layers (GPT-2 flags its stack too)
    got, norms, fwd, calls = capture(model, mode)
    assert plain_fwd == [1] * len(plain_fwd)
    assert fwd == [2] * len(fwd), "checkpointing did not recompute the layers"
    assert calls == [1] * len(calls), "a LoRA layer was captured more or less than once per backward"
    assert want.abs().max() > 0
    assert torch.allclose(got, want, rtol=1e-5, atol=1e-5 * float(want.abs().max()))
    assert torch.allclose(norms, want_norms, rtol=1e-5)


def test_reentrant_gets_lora_gradients_through_frozen_embeddings() -> None:
    """Without the embedding output requiring grad, a reentrant segment would cut every LoRA
    gradient (frozen base, inputs needing no grad): the capture must still see every layer."""
    model = tiny_lora_model("llama")
    model.train()
    enable_gradient_checkpointing(model, "reentrant")
    with LoraGradSampler(model, "materialize") as s:
        losses(model, *padded_batch()).sum().backward()
        assert all(r.calls == 1 for r in s.records)


def test_unsupported_model_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="does not support gradient checkpointing"):
        enable_gradient_checkpointing(nn.Linear(3, 3))
    with pytest.raises(ConfigError, match="gradient_checkpointing_mode"):
        enable_gradient_checkpointing(tiny_lora_model("gpt2"), "sometimes")  # type: ignore[arg-type]


def test_train_with_checkpointing_matches_plain_run(tiny_llama_dir, tmp_path, monkeypatch) -> None:
    """End to end, no validation set (so nothing else puts the model in train mode): the
    checkpointed run recomputes and writes the same adapter as the plain run."""
    recs = list(generate(40, seed=5))
    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs))
    training_forwards: list[int] = []
    real_enable = train_loop.enable_gradient_checkpointing

    def spy(model, mode):  # count training-mode forwards of one LoRA layer
        real_enable(model, mode)
        layer = next(m for n, m in model.named_modules() if n.endswith("lora_A.default"))
        layer.register_forward_hook(lambda m, i, o: training_forwards.append(int(m.training)))

    monkeypatch.setattr(train_loop, "enable_gradient_checkpointing", spy)
    adapters = {}
    for ckpt in (False, True):
        out = tmp_path / f"run_{ckpt}"
        cfg = TrainConfig(model=tiny_llama_dir, data=data, output_dir=out, steps=2, batch_size=8,
                          micro_batch_size=4, max_length=64, noise_multiplier=1.0, target_epsilon=None,
                          ledger=str(tmp_path / "ledger.sqlite"), dp_seed=3, seed=0,
                          gradient_checkpointing=ckpt, lora={"dropout": 0.1})
        train_loop.train(cfg, log=lambda m: None)
        adapters[ckpt] = load_file(out / "adapter" / "adapter_model.safetensors")
    assert sum(training_forwards) >= 4 and sum(training_forwards) % 2 == 0  # every micro-batch twice
    assert adapters[True].keys() == adapters[False].keys()
    for k, w in adapters[False].items():
        assert torch.allclose(adapters[True][k], w, rtol=1e-5, atol=1e-6), k
