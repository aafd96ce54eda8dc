"""Shared fixtures: a tiny local tokenizer and tiny saved model dirs (built once per session).

Everything is trained/initialised locally in a few seconds; nothing is fetched from the hub.
transformers is imported inside the fixtures so test modules that do not use them (scan, io)
do not pay its import time at collection.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import torch
from pg_server import postgres_url

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

__all__ = ["postgres_url"]  # a session fixture for the whole suite, defined in pg_server.py

torch.set_num_threads(1)

# Tests never read or write the user's real ledger, keys or gateway stores: the default data and
# config directories point into a scratch directory for the whole session (the model cache stays).
_SCRATCH_HOME = tempfile.mkdtemp(prefix="privtune-tests-")
os.environ["XDG_DATA_HOME"] = os.path.join(_SCRATCH_HOME, "data")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_SCRATCH_HOME, "config")
os.environ.pop("PRIVTUNE_LEDGER", None)


@pytest.fixture(scope="session")
def tiny_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved byte-level BPE tokenizer (512 tokens, ChatML template) for `AutoTokenizer`."""
    from privtune.models.tiny import build_tokenizer, sample_corpus

    out = tmp_path_factory.mktemp("tiny_tokenizer")
    build_tokenizer(sample_corpus(300), vocab_size=512, out_dir=out)
    return out


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_tokenizer_dir: Path) -> PreTrainedTokenizerFast:
    """The tokenizer, loaded back from disk the way the trainer loads it.

    Session-scoped and shared: do not mutate it (``copy.deepcopy`` it first).
    """
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(tiny_tokenizer_dir))


@pytest.fixture(scope="session")
def tiny_llama_dir(tmp_path_factory: pytest.TempPathFactory, tiny_tokenizer: PreTrainedTokenizerFast) -> Path:
    """A random 2-layer Llama (hidden 64, 4 heads, 2 KV heads) + tokenizer, saved with save_pretrained."""
    from privtune.models.tiny import build_model

    out = tmp_path_factory.mktemp("tiny_llama")
    build_model("llama", tiny_tokenizer, hidden=64, layers=2, heads=4, kv_heads=2, seed=0, out_dir=out)
    return out


@pytest.fixture(scope="session")
def tiny_gpt2_dir(tmp_path_factory: pytest.TempPathFactory, tiny_tokenizer: PreTrainedTokenizerFast) -> Path:
    """A random 2-layer GPT-2 (hidden 64, 4 heads) + tokenizer, saved with save_pretrained."""
    from privtune.models.tiny import build_model

    out = tmp_path_factory.mktemp("tiny_gpt2")
    build_model("gpt2", tiny_tokenizer, hidden=64, layers=2, heads=4, seed=0, out_dir=out)
    return out
