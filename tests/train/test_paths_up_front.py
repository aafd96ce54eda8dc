"""Paths that cannot work are refused before anything runs: a missing or folder --data (bare
FileNotFoundError / IsADirectoryError before), and an --output-dir / --out that is a file (found
only when saving: the run had spent its steps in the ledger, the audit had run to the end)."""

from __future__ import annotations

from pathlib import Path

import pytest

from privtune.audit.config import AuditConfig
from privtune.audit.run import run_audit
from privtune.errors import ConfigError, InputError
from privtune.privacy.ledger import Ledger
from privtune.train.config import TrainConfig
from privtune.train.loop import train


def _cfg(model: Path, tmp: Path, **kw) -> TrainConfig:
    base = dict(model=model, data=tmp / "d.jsonl", output_dir=tmp / "run", steps=1, batch_size=2,
                ledger=str(tmp / "l.sqlite"), dp_seed=0)
    return TrainConfig(**{**base, **kw})


@pytest.mark.parametrize(("make", "message"), [(lambda p: None, "file not found"),
                                               (lambda p: p.mkdir(), "is a directory, expected a data file")])
def test_missing_or_folder_data_is_an_input_error(tiny_llama_dir, tmp_path, make, message) -> None:
    make(tmp_path / "d.jsonl")
    with pytest.raises(InputError, match=message):
        train(_cfg(tiny_llama_dir, tmp_path), log=lambda m: None)


def test_output_dir_that_is_a_file_is_refused_before_any_step(tiny_llama_dir, tmp_path) -> None:
    (tmp_path / "d.jsonl").write_text('{"text": "a b c"}\n{"text": "d e f"}\n{"text": "g h"}\n', encoding="utf-8")
    (tmp_path / "run").write_text("")
    with pytest.raises(ConfigError, match="is a file, not a directory"):
        train(_cfg(tiny_llama_dir, tmp_path), log=lambda m: None)
    with Ledger.open(str(tmp_path / "l.sqlite")) as ledger:
        assert ledger.datasets() == []


def test_audit_out_that_is_a_file_is_refused_before_loading(tmp_path) -> None:
    (tmp_path / "out").write_text("")
    cfg = AuditConfig(base=tmp_path / "no-model", adapter=tmp_path / "no-adapter", members=tmp_path / "m.jsonl",
                      nonmembers=tmp_path / "n.jsonl", out=tmp_path / "out")
    with pytest.raises(ConfigError, match="is a file, not a directory"):
        run_audit(cfg, log=lambda m: None)


def test_a_validation_file_with_nothing_usable_is_named_as_validation(tiny_llama_dir, tmp_path) -> None:
    (tmp_path / "d.jsonl").write_text('{"text": "a b c"}\n{"text": "d e f"}\n', encoding="utf-8")
    (tmp_path / "v.jsonl").write_text('{"messages": [{"role": "user", "content": "hi"}]}\n', encoding="utf-8")
    with pytest.raises(InputError, match="v.jsonl: no usable validation examples"):
        train(_cfg(tiny_llama_dir, tmp_path, validation=tmp_path / "v.jsonl"), log=lambda m: None)


def test_a_bad_adapter_key_is_refused_before_any_step(tiny_llama_dir, tmp_path, monkeypatch) -> None:
    # encrypt_adapter loaded its key after training: a malformed PRIVTUNE_KEY failed once every step
    # was spent in the ledger, and left the adapter it was meant to seal in plaintext on disk.
    (tmp_path / "d.jsonl").write_text('{"text": "a b c"}\n{"text": "d e f"}\n{"text": "g h"}\n', encoding="utf-8")
    monkeypatch.setenv("PRIVTUNE_KEY", "not base64!!")
    with pytest.raises(ConfigError, match="PRIVTUNE_KEY"):
        train(_cfg(tiny_llama_dir, tmp_path, encrypt_adapter=True), log=lambda m: None)
    assert not (tmp_path / "run" / "adapter").exists()
    with Ledger.open(str(tmp_path / "l.sqlite")) as ledger:
        assert ledger.datasets() == []


def test_a_second_run_into_an_output_dir_in_use_is_refused_at_once(tiny_llama_dir, tmp_path) -> None:
    # Two runs into one --output-dir wrote the same checkpoint names, each deleted the other's when it
    # finished, and the later save replaced the earlier run's adapter and privacy.json. The directory
    # is held (flock on its descriptor) for a run's whole length; here another holder has it.
    import fcntl
    import os

    (tmp_path / "d.jsonl").write_text('{"text": "a b c"}\n{"text": "d e f"}\n{"text": "g h"}\n', encoding="utf-8")
    (tmp_path / "run").mkdir()
    other_run = os.open(tmp_path / "run", os.O_RDONLY)
    fcntl.flock(other_run, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        with pytest.raises(ConfigError, match="run is in use by another privtune train run"):
            train(_cfg(tiny_llama_dir, tmp_path), log=lambda m: None)
        with Ledger.open(str(tmp_path / "l.sqlite")) as ledger:
            assert ledger.datasets() == []
    finally:
        os.close(other_run)
    assert train(_cfg(tiny_llama_dir, tmp_path), log=lambda m: None)["steps"] == 1


def test_a_run_that_fails_before_writing_leaves_no_output_dir_it_created(tiny_llama_dir, tmp_path) -> None:
    with pytest.raises(InputError):
        train(_cfg(tiny_llama_dir, tmp_path, output_dir=tmp_path / "new" / "run"), log=lambda m: None)
    assert not (tmp_path / "new" / "run").exists()
