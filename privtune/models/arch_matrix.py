"""Tiny random-init models of every common decoder family, each with its own chat format.

The architecture matrix (``tests/train/test_arch_matrix.py``, ``benchmarks/gpu``) runs the whole
pipeline on these: the same module layout, attention variant (GQA, sliding window, soft-capping,
q/k norms, fused projections, mixture of experts) and chat-template shape as the real models,
at a few thousand parameters, with nothing downloaded. Templates carry no ``{% generation %}``
tags, like the ones the model vendors ship, so the trainer's prefix-rendering fallback is what
finds the assistant tokens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import AutoModelForCausalLM, PreTrainedModel, PreTrainedTokenizerFast

from privtune.errors import ConfigError

_CHATML = (
    "{%- for m in messages %}{{- '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
_LLAMA3 = (
    "{{- bos_token }}{%- for m in messages %}"
    "{{- '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + m['content'] + '<|eot_id|>' }}"
    "{%- endfor %}{%- if add_generation_prompt %}"
    "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}"
)
# Gemma has no system role: the system text opens the first user turn; the assistant is "model".
_GEMMA = (
    "{{- bos_token }}{%- if messages[0]['role'] == 'system' %}{%- set first = messages[0]['content'] + '\\n\\n' %}"
    "{%- set turns = messages[1:] %}{%- else %}{%- set first = '' %}{%- set turns = messages %}{%- endif %}"
    "{%- for m in turns %}{%- set role = 'model' if m['role'] == 'assistant' else 'user' %}"
    "{{- '<start_of_turn>' + role + '\\n' + (first if loop.first else '') + m['content'] + '<end_of_turn>\\n' }}"
    "{%- endfor %}{%- if add_generation_prompt %}{{- '<start_of_turn>model\\n' }}{%- endif %}"
)
# Mistral's [INST] format: the answer follows [/INST] directly and ends with </s>.
_MISTRAL = (
    "{{- bos_token }}{%- if messages[0]['role'] == 'system' %}{%- set first = messages[0]['content'] + '\\n\\n' %}"
    "{%- set turns = messages[1:] %}{%- else %}{%- set first = '' %}{%- set turns = messages %}{%- endif %}"
    "{%- for m in turns %}{%- if m['role'] == 'assistant' %}{{- m['content'] + eos_token }}"
    "{%- else %}{{- '[INST] ' + (first if loop.first else '') + m['content'] + ' [/INST]' }}{%- endif %}{%- endfor %}"
)
_PHI3 = (
    "{%- for m in messages %}{{- '<|' + m['role'] + '|>\\n' + m['content'] + '<|end|>\\n' }}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|assistant|>\\n' }}{%- endif %}"
)


@dataclass(frozen=True)
class Family:
    """How one decoder family is configured and how its tokenizer looks."""

    config_class: str  # name in `transformers`
    bos: str | None
    eos: str
    pad: str | None  # None: the family ships without one (the trainer pads with eos)
    extra_tokens: tuple[str, ...] = ()
    chat_template: str | None = None  # None: the plain prompt/answer format (GPT-2)
    config_kwargs: dict[str, Any] = field(default_factory=dict)


_CHATML_TOKENS = dict(bos=None, eos="<|im_end|>", pad="<|endoftext|>", extra_tokens=("<|im_start|>",),
                      chat_template=_CHATML)
_GEMMA_TOKENS = dict(bos="<bos>", eos="<eos>", pad="<pad>", extra_tokens=("<start_of_turn>", "<end_of_turn>"),
                     chat_template=_GEMMA)

FAMILIES: dict[str, Family] = {
    "llama": Family("LlamaConfig", "<|begin_of_text|>", "<|eot_id|>", "<|finetune_right_pad_id|>",
                    ("<|start_header_id|>", "<|end_header_id|>"), _LLAMA3),
    "qwen2": Family("Qwen2Config", **_CHATML_TOKENS),
    "qwen3": Family("Qwen3Config", **_CHATML_TOKENS, config_kwargs={"head_dim": 8}),
    "gemma2": Family("Gemma2Config", **_GEMMA_TOKENS, config_kwargs={"head_dim": 8, "sliding_window": 16}),
    "gemma3": Family("Gemma3TextConfig", **_GEMMA_TOKENS, config_kwargs={"head_dim": 8, "sliding_window": 16}),
    "mistral": Family("MistralConfig", "<s>", "</s>", None, ("[INST]", "[/INST]"), _MISTRAL,
                      {"sliding_window": 16}),
    "phi3": Family("Phi3Config", "<s>", "<|endoftext|>", "<|endoftext|>",
                   ("<|system|>", "<|user|>", "<|assistant|>", "<|end|>"), _PHI3),
    "gpt2": Family("GPT2Config", "<|endoftext|>", "<|endoftext|>", None),
    "qwen2_moe": Family("Qwen2MoeConfig", **_CHATML_TOKENS, config_kwargs={
        "num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 32,
        "shared_expert_intermediate_size": 32}),
    "mixtral": Family("MixtralConfig", "<s>", "</s>", None, ("[INST]", "[/INST]"), _MISTRAL,
                      {"num_local_experts": 4, "num_experts_per_tok": 2}),
}


def available_families() -> list[str]:
    """Families whose config class the installed transformers provides."""
    return [name for name, fam in FAMILIES.items() if hasattr(transformers, fam.config_class)]


def _family(name: str) -> Family:
    if name not in FAMILIES:
        raise ConfigError(f"unknown family {name!r}; choose one of {', '.join(FAMILIES)}")
    fam = FAMILIES[name]
    if not hasattr(transformers, fam.config_class):
        raise ConfigError(f"transformers {transformers.__version__} has no {fam.config_class}")
    return fam


def build_family_tokenizer(name: str, texts: Iterable[str], vocab_size: int = 400) -> PreTrainedTokenizerFast:
    """Byte-level BPE trained on ``texts`` with the family's special tokens and chat template."""
    fam = _family(name)
    specials = list(dict.fromkeys(t for t in (fam.bos, fam.eos, fam.pad, *fam.extra_tokens) if t))
    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    backend.train_from_iterator(texts, trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token=fam.bos, eos_token=fam.eos,
                                  pad_token=fam.pad, extra_special_tokens=list(fam.extra_tokens),
                                  model_max_length=512)
    if fam.chat_template is not None:
        tok.chat_template = fam.chat_template
    return tok


def build_family_model(name: str, tokenizer: PreTrainedTokenizerFast, *, hidden: int = 32, layers: int = 2,
                       heads: int = 4, kv_heads: int = 2, intermediate: int = 64, seed: int = 0,
                       out_dir: str | Path | None = None, **overrides: Any) -> PreTrainedModel:
    """Random-init causal LM of family ``name`` sized for ``tokenizer`` (eval mode, global RNG
    untouched). With ``out_dir``, model and tokenizer are saved there as a model directory."""
    fam = _family(name)
    ids = {"bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id,
           "pad_token_id": tokenizer.pad_token_id}
    cls = getattr(transformers, fam.config_class)
    if name == "gpt2":
        config = cls(vocab_size=len(tokenizer), n_embd=hidden, n_layer=layers, n_head=heads, n_inner=intermediate,
                     n_positions=512, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, **ids, **overrides)
    else:
        kwargs = {**fam.config_kwargs, **overrides}
        config = cls(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=intermediate,
                     num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
                     max_position_embeddings=512, **ids, **kwargs)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(config)
    model.eval()
    if out_dir is not None:
        model.save_pretrained(str(out_dir))
        tokenizer.save_pretrained(str(out_dir))
    return model
