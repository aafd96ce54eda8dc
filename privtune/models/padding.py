"""The token batches are padded with: the tokenizer's pad token, else its EOS token.

Padded positions are masked out (attention mask, labels ``-100``), so any id would do, but a
tokenizer with neither token also gives the model no way to end an answer. Such a tokenizer
(one trained by hand without special tokens) crashed the first batch with ``TypeError:
full(): argument 'fill_value' must be Number, not NoneType``; it is now refused up front.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from privtune.errors import InputError


def ensure_pad_token(tokenizer: Any, model_dir: str | Path) -> None:
    """Pad with EOS when the tokenizer has no pad token; `InputError` when it has neither."""
    if tokenizer.pad_token_id is not None:
        return
    if tokenizer.eos_token_id is None:
        raise InputError("the tokenizer has neither a pad token nor an EOS token: batches cannot be padded and "
                         "the model cannot learn to end an answer", path=str(model_dir),
                         hint="add one and save the tokenizer again, e.g. tokenizer.add_special_tokens("
                              "{'eos_token': '</s>'}), then model.resize_token_embeddings(len(tokenizer))")
    tokenizer.pad_token = tokenizer.eos_token
