"""`privtune train` from flags alone, from a file, or both (issue 11 item 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from privtune.cli import app
from privtune.config import parse_config_args
from privtune.demo.corpus import generate
from privtune.errors import ConfigError
from privtune.train.config import TrainConfig


@pytest.fixture()
def chats(tmp_path: Path) -> Path:
    path = tmp_path / "chats.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in generate(12, seed=1)), encoding="utf-8")
    return path


def test_train_runs_from_flags_only(tiny_llama_dir: Path, chats: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = CliRunner().invoke(app, [
        "train", "--model", str(tiny_llama_dir), "--data", str(chats), "--output-dir", str(out),
        "--steps", "1", "--batch-size", "4", "--micro-batch-size", "4", "--max-length", "64",
        "--no-dp", "--ledger", str(tmp_path / "ledger.sqlite"), "--quiet"])
    assert res.exit_code == 0, (res.output, res.exception)
    assert (out / "adapter" / "adapter_model.safetensors").exists()
    assert json.loads((out / "privacy.json").read_text())["dp"] is False


@pytest.mark.parametrize("args", [
    ["cfg.yaml", "--lora-r", "4"],
    ["--lora-r", "4", "cfg.yaml"],
])
def test_a_bare_argument_is_the_config_file(args: list[str]) -> None:
    path, overrides = parse_config_args(TrainConfig, args)
    assert path == Path("cfg.yaml") and overrides == {"lora": {"r": 4}}


def test_flags_without_a_file() -> None:
    path, overrides = parse_config_args(TrainConfig, ["--model", "m", "--data", "d.jsonl"])
    assert path is None and overrides == {"model": "m", "data": "d.jsonl"}


def test_two_bare_arguments_are_an_error() -> None:
    with pytest.raises(ConfigError, match="unexpected argument 'b.yaml'"):
        parse_config_args(TrainConfig, ["a.yaml", "b.yaml"])


def test_file_and_flags_combine(tiny_llama_dir: Path, chats: Path, tmp_path: Path) -> None:
    cfg_file = tmp_path / "t.yaml"
    cfg_file.write_text(f"model: {tiny_llama_dir}\ndata: {chats}\nsteps: 3\n", encoding="utf-8")
    path, overrides = parse_config_args(TrainConfig, ["--steps", "1", str(cfg_file)])
    from privtune.config import load_config

    cfg = load_config(TrainConfig, path, overrides)
    assert cfg.steps == 1 and cfg.model == tiny_llama_dir
