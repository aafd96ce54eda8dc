"""`privtune model tiny`, the real-size example configs and fp16 (issue 11 item 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from privtune.cli import app
from privtune.config import load_config
from privtune.train.config import TrainConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("arch", ["qwen2", "llama", "gpt2"])
def test_model_tiny_writes_a_loadable_model_dir(arch: str, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path / arch
    res = CliRunner().invoke(app, ["model", "tiny", "--arch", arch, "--vocab-size", "400", str(out)])
    assert res.exit_code == 0, (res.output, res.exception)
    model = AutoModelForCausalLM.from_pretrained(out, local_files_only=True)
    tok = AutoTokenizer.from_pretrained(out, local_files_only=True)
    assert model.config.model_type == arch and model.config.vocab_size == len(tok)
    text = "您好，订单已发货 / your order shipped"
    assert tok.decode(tok(text)["input_ids"], skip_special_tokens=True) == text
    assert tok.chat_template  # chat records train through the template
    again = CliRunner().invoke(app, ["model", "tiny", str(out)])
    assert again.exit_code != 0 and "--force" in str(again.exception)


@pytest.mark.parametrize("name", ["train_qwen2.5-7b.yaml", "train_llama3.1-8b.yaml", "train_qwen2.5-0.5b.yaml"])
def test_example_train_configs_validate(name: str) -> None:
    cfg = load_config(TrainConfig, ROOT / "examples" / name)
    assert cfg.dtype in ("bf16", "fp16")


@pytest.mark.parametrize(("spelling", "name"), [("float16", "fp16"), ("half", "fp16"), ("fp16", "fp16"),
                                                ("bfloat16", "bf16"), ("float32", "fp32")])
def test_dtype_spellings(spelling: str, name: str) -> None:
    assert TrainConfig(model="m", data="d", dtype=spelling).dtype == name


def test_fp16_loads_the_base_in_half_precision(tiny_llama_dir: Path) -> None:
    from privtune.train.setup import load_model_and_tokenizer

    cfg = TrainConfig(model=tiny_llama_dir, data="d", dtype="float16")
    model, _ = load_model_and_tokenizer(cfg, torch.device("cpu"))
    assert next(model.parameters()).dtype == torch.float16
