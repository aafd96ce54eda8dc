"""Tiny random-init LoRA models shared by the DP-engine tests (no hub, a few ms to build)."""

from __future__ import annotations

import torch
from torch import nn
from transformers import AutoModelForCausalLM, GPT2Config, LlamaConfig

from privtune.train.lora import attach_lora

VOCAB = 97


def tiny_lora_model(arch: str = "gpt2", *, dropout: float = 0.0, dtype: torch.dtype = torch.float32,
                    adapter_fp32: bool = True, random_b: bool = True) -> nn.Module:
    """Random-init 2-layer GPT-2 (Conv1D) or Llama (Linear) with LoRA on attention + MLP."""
    torch.manual_seed(0)
    if arch == "gpt2":
        cfg = GPT2Config(n_layer=2, n_embd=32, n_head=4, vocab_size=VOCAB, n_positions=64,
                         bos_token_id=0, eos_token_id=0)
    else:
        cfg = LlamaConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                          num_key_value_heads=2, vocab_size=VOCAB, bos_token_id=0, eos_token_id=0)
    model = attach_lora(AutoModelForCausalLM.from_config(cfg, dtype=dtype), r=4, alpha=8, dropout=dropout,
                        include_mlp=True, adapter_dtype_fp32=adapter_fp32)
    if random_b:
        randomise_lora_b(model, 0.3)
    return model


def randomise_lora_b(model: nn.Module, std: float) -> None:
    """PEFT starts B at zero, which makes every lora_A gradient zero; randomise B so both are tested."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".lora_B." in name:
                p.normal_(0.0, std)


def flat_per_sample_grads(sampler) -> torch.Tensor:
    """A `LoraGradSampler`'s per-sample gradients, one row per example (a copy)."""
    return torch.cat([g.flatten(1) for g in sampler.per_sample_grads().values()], dim=1).clone()
