"""A model whose context window is shorter than max_length: train and audit stay inside it.

GPT-2 has learned positions: one token past ``n_positions`` raised a bare ``IndexError: index
out of range in self`` in the first forward pass (train, after the ledger recorded the run;
audit, in decoding prompt + new tokens and in scoring PII context + value)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from privtune.audit.config import AuditConfig
from privtune.audit.generation import Decoding, generate
from privtune.audit.run import run_audit
from privtune.errors import ConfigError
from privtune.models.tiny import build_model
from privtune.models.window import context_window
from privtune.privacy.ledger import Ledger
from privtune.train.config import TrainConfig
from privtune.train.loop import train

torch.set_num_threads(1)
WINDOW = 48


def _chat(i: int) -> dict:
    return {"messages": [
        {"role": "user", "content": f"My order {i} has not arrived, please check where it is and call me back. " * 2},
        {"role": "assistant", "content": f"Order {i} ships today; we will call you at (415) 555-01{i:02d} tomorrow."}]}


@pytest.fixture(scope="module")
def short_gpt2(tmp_path_factory, tiny_tokenizer) -> Path:
    out = tmp_path_factory.mktemp("gpt2_window")
    build_model("gpt2", tiny_tokenizer, hidden=32, layers=1, heads=2, max_positions=WINDOW, out_dir=out)
    return out


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("window_data")
    for name, rng in (("train", range(8)), ("held", range(50, 56))):
        (d / f"{name}.jsonl").write_text("\n".join(json.dumps(_chat(i)) for i in rng) + "\n", encoding="utf-8")
    return {"train": d / "train.jsonl", "held": d / "held.jsonl"}


def _cfg(model: Path, data: dict[str, Path], tmp: Path, **kw) -> TrainConfig:
    return TrainConfig(model=model, data=data["train"], output_dir=tmp / "run", steps=1, batch_size=4,
                       micro_batch_size=4, noise_multiplier=1.0, target_epsilon=None, accountant="rdp", dp_seed=0,
                       ledger=str(tmp / "ledger.sqlite"), **kw)


def test_the_window_is_read_under_the_name_config_json_uses(short_gpt2) -> None:
    from transformers import AutoConfig

    assert context_window(AutoConfig.from_pretrained(short_gpt2)) == (WINDOW, "n_positions")


def test_explicit_max_length_beyond_the_window_is_refused_before_the_ledger(short_gpt2, data, tmp_path) -> None:
    with pytest.raises(ConfigError, match=f"max_length 256 exceeds the model's context window \\({WINDOW} positions, "
                                          "n_positions"):
        train(_cfg(short_gpt2, data, tmp_path, max_length=256), log=lambda m: None)
    with Ledger.open(str(tmp_path / "ledger.sqlite")) as ledger:
        assert ledger.datasets() == []  # nothing reserved, nothing to finish by hand


def test_default_max_length_is_lowered_and_the_audit_fits_the_window(short_gpt2, data, tmp_path) -> None:
    lines: list[str] = []
    train(_cfg(short_gpt2, data, tmp_path, validation=data["held"]), log=lines.append)
    assert any(f"-> {WINDOW}, the model's context window" in line for line in lines)
    report = json.loads((tmp_path / "run" / "train_report.json").read_text())
    assert report["config"]["max_length"] == WINDOW
    # The audit decodes prompts of up to max_length tokens plus new ones, and scores PII
    # context + value: both used to run past the 48 positions.
    audit = AuditConfig(base=short_gpt2, adapter=tmp_path / "run", members=data["train"], nonmembers=data["held"],
                        out=tmp_path / "audit", device="cpu", mia={"bootstrap": 20},
                        extraction={"max_records": 4, "pii_max_sites": 4},
                        specificity={"max_probes": 2, "samples": 1, "max_new_tokens": 8})
    result = run_audit(audit, log=lambda m: None).report
    assert result["extraction"]["pii_sites_members"] > 0
    with pytest.raises(ConfigError, match="exceeds the base model's context window"):
        run_audit(audit.model_copy(update={"max_length": 200}), log=lambda m: None)


def test_decoding_keeps_the_last_prompt_tokens_inside_the_window(short_gpt2, tiny_tokenizer) -> None:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(short_gpt2).eval()
    long, short = list(range(5, 5 + WINDOW)), [7, 8, 9]
    outs = generate(model, [long, short], Decoding(max_new_tokens=10), pad_id=tiny_tokenizer.pad_token_id)
    assert [len(o) for o in outs] == [10, 10]
    # The cut prompt decodes as its last WINDOW - 10 tokens alone would.
    alone = generate(model, [long[-(WINDOW - 10):]], Decoding(max_new_tokens=10), pad_id=tiny_tokenizer.pad_token_id)
    assert outs[0] == alone[0]
    # More new tokens than the window holds: as many as fit after one prompt token.
    (over,) = generate(model, [short], Decoding(max_new_tokens=WINDOW + 5), pad_id=tiny_tokenizer.pad_token_id)
    assert len(over) == WINDOW - 1
