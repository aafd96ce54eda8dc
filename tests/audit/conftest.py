"""Audit test fixtures: an adapter that makes the tuned model differ from its base."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch


@pytest.fixture(scope="session")
def save_random_adapter() -> Callable[[Path, Path, int], Path]:
    """``save(base_dir, out_dir, seed)``: LoRA (r=4) on ``base_dir`` with random non-zero B, saved to ``out_dir``."""

    def save(base_dir: Path, out_dir: Path, seed: int) -> Path:
        from transformers import AutoModelForCausalLM

        from privtune.train.lora import attach_lora

        model = attach_lora(AutoModelForCausalLM.from_pretrained(base_dir), r=4, alpha=8.0)
        with torch.no_grad(), torch.random.fork_rng():
            torch.manual_seed(seed)
            for name, p in model.named_parameters():
                if "lora_B" in name:
                    p.normal_(0.0, 0.5)
        model.save_pretrained(out_dir)
        return out_dir

    return save
