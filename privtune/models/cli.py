"""``privtune model``: get a model directory to try train and audit without downloading one.

``privtune model tiny --arch qwen2 OUT`` writes a randomly initialised causal LM with its own
byte-level BPE tokenizer (ChatML template): a complete local Hugging Face model directory in a
few seconds. It has learnt nothing, so it shows the pipeline working, not what DP costs in
quality; for that, use a real model or the demo's pre-trained base (see README).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

model_app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console(stderr=True)


@model_app.command("tiny")
def tiny(
    out: Annotated[Path, typer.Argument(help="Directory to write (config.json, weights, tokenizer).")],
    arch: Annotated[Literal["qwen2", "llama", "gpt2"], typer.Option(
        help="Architecture family (the modules LoRA adapts follow it).")] = "qwen2",
    hidden: Annotated[int, typer.Option(help="Hidden size.")] = 64,
    layers: Annotated[int, typer.Option(help="Decoder layers.")] = 2,
    heads: Annotated[int, typer.Option(help="Attention heads (hidden must be divisible by it).")] = 4,
    vocab_size: Annotated[int, typer.Option(
        help="Tokenizer vocabulary, byte symbols and special tokens included.")] = 1024,
    seed: Annotated[int, typer.Option(help="Seed of the random initialisation.")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUT if it already holds files.")] = False,
) -> None:
    """A random tiny causal LM + tokenizer (zh + en) in OUT, to try `train` and `audit` locally."""
    from privtune.demo.corpus import generate
    from privtune.errors import ConfigError
    from privtune.models.tiny import build_model, build_tokenizer, sample_corpus
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    if out.exists() and any(out.iterdir()) and not force:
        raise ConfigError(f"{out} is not empty; pass --force to overwrite it")
    # Support-chat-like texts (synthetic, no real people) so the bundled example data tokenises
    # into sensible pieces, plus the generic sentences the tests use.
    texts = sample_corpus(300) + [m["content"] for r in generate(300, seed=99, generic=True) for m in r["messages"]]
    tok = build_tokenizer(texts, vocab_size=vocab_size)
    model = build_model(arch, tok, hidden=hidden, layers=layers, heads=heads, seed=seed, out_dir=out)
    n_params = sum(p.numel() for p in model.parameters())
    console.print(f"{arch} model with {n_params:,} parameters and a {len(tok)}-token tokenizer written to {out}")
