"""Tiny, fully local tokenizers and causal LMs for tests, benchmarks and the demo.

Nothing here touches the Hugging Face hub: the tokenizer is a byte-level BPE trained on the
texts you pass in (so any script, Chinese included, round-trips byte-exactly), and the model
is randomly initialised from a config. Both save with ``save_pretrained`` so the rest of the
toolkit loads them exactly like a downloaded model directory.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    AutoModelForCausalLM,
    GPT2Config,
    LlamaConfig,
    PretrainedConfig,
    PreTrainedModel,
    PreTrainedTokenizerFast,
    Qwen2Config,
)

from privtune.errors import ConfigError

Arch = Literal["llama", "qwen2", "gpt2"]
ARCHS: tuple[str, ...] = ("llama", "qwen2", "gpt2")

BOS, EOS, PAD = "<s>", "</s>", "<pad>"
IM_START, IM_END = "<|im_start|>", "<|im_end|>"
SPECIAL_TOKENS: tuple[str, ...] = (BOS, EOS, PAD, IM_START, IM_END)

# ChatML layout. The assistant content *and* its closing <|im_end|> sit inside
# {% generation %} so `return_assistant_tokens_mask` supervises the stop token too (the model
# must learn to end its turn); the newline after it is template glue and stays unsupervised.
CHAT_TEMPLATE = (
    "{{- bos_token }}"
    "{%- for message in messages %}"
    "{%- if message['role'] == 'assistant' %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{% generation %}{{- message['content'] + '<|im_end|>' }}{% endgeneration %}"
    "{{- '\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)

_EN_SUBJECTS = ["The clerk", "A nurse", "Our team", "The auditor", "My neighbour", "The pilot", "A student"]
_EN_VERBS = ["reviewed", "filed", "signed", "shipped", "checked", "translated", "archived"]
_EN_OBJECTS = ["the quarterly report", "a short letter", "the invoice", "two parcels", "the contract", "a recipe"]
_EN_TAILS = ["before noon.", "on Monday.", "without delay.", "after the meeting.", "in the morning.", "yesterday."]
_ZH_SUBJECTS = ["我们", "老师", "医生", "经理", "学生", "同事"]
_ZH_VERBS = ["检查了", "整理了", "提交了", "翻译了", "寄出了", "讨论了"]
_ZH_OBJECTS = ["报告", "合同", "信件", "账单", "资料", "计划"]
_ZH_TAILS = ["。", "，然后回家了。", "，大家都很满意。", "，时间是周一。"]


def sample_corpus(n_lines: int = 300, seed: int = 0) -> list[str]:
    """Deterministic synthetic English + Chinese sentences (no real people or identifiers)."""
    rng = random.Random(seed)
    lines = []
    for i in range(n_lines):
        if i % 3 == 2:
            parts = (_ZH_SUBJECTS, _ZH_VERBS, _ZH_OBJECTS, _ZH_TAILS)
            lines.append("".join(rng.choice(p) for p in parts))
        else:
            lines.append(" ".join((rng.choice(_EN_SUBJECTS), rng.choice(_EN_VERBS), rng.choice(_EN_OBJECTS),
                                   rng.choice(_EN_TAILS))))
    return lines


def build_tokenizer(
    texts: Iterable[str], vocab_size: int = 512, out_dir: str | Path | None = None, *, model_max_length: int = 512
) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE tokenizer with ChatML special tokens and chat template.

    ``vocab_size`` counts the 256 byte symbols and the 5 special tokens, so it must exceed 261;
    the result may be smaller when the texts do not support that many merges.
    """
    floor = 256 + len(SPECIAL_TOKENS)
    if vocab_size <= floor:
        raise ConfigError(f"vocab_size must be > {floor} (256 bytes + {len(SPECIAL_TOKENS)} special tokens)")
    backend = Tokenizer(models.BPE())
    # Byte-level: every UTF-8 byte is a base symbol, so no text is ever <unk>.
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(texts, trainer)
    tok = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        # Byte-level BPE never needs <unk>; naming an existing token stops transformers' Qwen2
        # tokenizer class (picked by model_type on load) adding its own <|endoftext|> beyond
        # the model's vocabulary.
        unk_token=EOS,
        extra_special_tokens=[IM_START, IM_END],
        model_max_length=model_max_length,
    )
    tok.chat_template = CHAT_TEMPLATE
    if out_dir is not None:
        tok.save_pretrained(str(out_dir))
    return tok


def _config(arch: str, vocab: int, hidden: int, layers: int, heads: int, kv_heads: int, inter: int,
            max_positions: int, ids: dict[str, int | None]) -> PretrainedConfig:
    if arch == "gpt2":
        # Dropout off: tiny models serve reproducibility-sensitive tests (DP noise is the only randomness).
        return GPT2Config(vocab_size=vocab, n_embd=hidden, n_layer=layers, n_head=heads, n_inner=inter,
                          n_positions=max_positions, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                          tie_word_embeddings=True, **ids)
    cls = LlamaConfig if arch == "llama" else Qwen2Config
    return cls(vocab_size=vocab, hidden_size=hidden, intermediate_size=inter, num_hidden_layers=layers,
               num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=max_positions,
               tie_word_embeddings=True, **ids)


def build_model(
    arch: Arch,
    tokenizer: PreTrainedTokenizerFast,
    hidden: int = 64,
    layers: int = 2,
    heads: int = 4,
    kv_heads: int | None = None,
    intermediate: int | None = None,
    max_positions: int = 512,
    seed: int = 0,
    out_dir: str | Path | None = None,
) -> PreTrainedModel:
    """Randomly initialised causal LM sized for ``tokenizer``; returned in eval mode.

    Initialisation is a pure function of the arguments (the global torch RNG is left untouched).
    With ``out_dir`` the model (safetensors) *and* the tokenizer are saved there, so the
    directory is a complete model dir for `AutoModelForCausalLM` / `AutoTokenizer`.
    """
    if arch not in ARCHS:
        raise ConfigError(f"unknown arch {arch!r}; choose one of {', '.join(ARCHS)}")
    # Sizes below 1 surfaced as ZeroDivisionError (heads 0) or torch's negative-dimension error.
    for name, value in (("hidden", hidden), ("layers", layers), ("heads", heads), ("max_positions", max_positions)):
        if value < 1:
            raise ConfigError(f"{name} must be >= 1, got {value}")
    if intermediate is not None and intermediate < 1:
        raise ConfigError(f"intermediate must be >= 1, got {intermediate}")
    if hidden % heads:
        raise ConfigError(f"hidden ({hidden}) must be divisible by heads ({heads})")
    if arch == "gpt2" and kv_heads not in (None, heads):
        raise ConfigError("gpt2 has no grouped-query attention; leave kv_heads unset")
    kv = heads if kv_heads is None else kv_heads
    if kv < 1 or heads % kv:
        raise ConfigError(f"heads ({heads}) must be a multiple of kv_heads ({kv})")
    inter = intermediate if intermediate is not None else 4 * hidden
    im_end = tokenizer.convert_tokens_to_ids(IM_END) if IM_END in tokenizer.get_vocab() else None
    ids = {"bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id,
           "pad_token_id": tokenizer.pad_token_id}
    config = _config(arch, len(tokenizer), hidden, layers, heads, kv, inter, max_positions, ids)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(config)
    model.eval()
    if im_end is not None and tokenizer.eos_token_id is not None:
        # A chat reply ends with <|im_end|>, a plain document with </s>: generation stops at either.
        model.generation_config.eos_token_id = [tokenizer.eos_token_id, im_end]
    if out_dir is not None:
        model.save_pretrained(str(out_dir))
        tokenizer.save_pretrained(str(out_dir))
    return model
