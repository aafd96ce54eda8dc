"""Model helpers. `tiny` builds small local tokenizers and causal LMs (no hub access)."""

from privtune.models.tiny import (
    ARCHS,
    CHAT_TEMPLATE,
    SPECIAL_TOKENS,
    build_model,
    build_tokenizer,
    sample_corpus,
)

__all__ = ["ARCHS", "CHAT_TEMPLATE", "SPECIAL_TOKENS", "build_model", "build_tokenizer", "sample_corpus"]
