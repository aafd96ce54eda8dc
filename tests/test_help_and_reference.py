"""`--help` says everything it should, and docs/config_reference.md matches the real CLI (issue 11 item 13)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from privtune.cli import app
from privtune.config import config_flags

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {"privtune scan": "privtune.scan.config:ScanConfig", "privtune train": "privtune.train.config:TrainConfig",
           "privtune audit": "privtune.audit.config:AuditConfig", "privtune demo": "privtune.demo.config:DemoConfig",
           "privtune serve": "privtune.serve.config:ServeConfig",
           "privtune license check": "privtune.provenance.licence_check:LicenceCheckConfig"}


def _model(path: str) -> Any:
    import importlib

    module, name = CONFIGS[path].split(":")
    return getattr(importlib.import_module(module), name)


def _commands(cmd: Any = None, path: str = "privtune") -> Iterator[tuple[str, Any]]:
    cmd = cmd or typer.main.get_command(app)
    if hasattr(cmd, "commands"):
        own = [p for p in cmd.params if p.param_type_name == "option" and "--help" not in p.opts]
        if own and path != "privtune":  # a group that also runs by itself (`privtune serve --base ...`)
            yield path, cmd
        for name, sub in cmd.commands.items():
            yield from _commands(sub, f"{path} {name}")
    else:
        yield path, cmd


def _real_flags(path: str, cmd: Any) -> set[str]:
    names = {o for p in cmd.params if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts)}
    names.discard("--help")
    # typer keeps these in context_settings (read when the command runs), not as the command's attributes
    settings = cmd.context_settings or {}
    if path in CONFIGS and settings.get("allow_extra_args") and settings.get("ignore_unknown_options"):
        names |= set(config_flags(_model(path)))
    return names


def _documented_flags() -> dict[str, set[str]]:
    """Per `## \\`privtune …\\`` section: the flags in the option column of its tables."""
    sections: dict[str, set[str]] = {}
    current = None
    for line in (ROOT / "docs" / "config_reference.md").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"## `(privtune[^`]*)`", line):
            current = sections.setdefault(m.group(1), set())
        elif current is not None and line.startswith("| ") and not line.startswith("| option") \
                and not line.startswith("| key"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            # options table: column 0 names the option; keys table: column 1 ("set by").
            column = cells[1] if cells[0].startswith("`") and not cells[0].startswith("`-") \
                and not cells[0].endswith("(argument)") else cells[0]
            current |= set(re.findall(r"`(--?[A-Za-z0-9][A-Za-z0-9-]*)`", column))
    return sections


def test_reference_documents_exactly_the_real_options() -> None:
    documented = _documented_flags()
    real = dict(_commands())
    assert set(documented) == set(real)
    for path, cmd in real.items():
        flags = _real_flags(path, cmd)
        assert documented[path] - flags == set(), f"{path}: documented but not accepted"
        assert flags - documented[path] == set(), f"{path}: accepted but not documented"


def test_scan_reference_has_no_phantom_options() -> None:
    assert not {"--input", "--max-flagged-in-report"} & _documented_flags()["privtune scan"]


def test_every_option_and_config_key_has_a_description() -> None:
    for path, cmd in _commands():
        for p in cmd.params:
            assert getattr(p, "help", None), f"{path} {p.name} has no help"
        if path in CONFIGS:
            missing = [d for d, info in config_flags(_model(path)).values() if not info.description]
            assert not missing, f"{path}: keys without a description: {missing}"


@pytest.mark.parametrize("args", [["--help"], ["scan", "--help"], ["train", "--help"], ["audit", "--help"],
                                  ["ledger", "finish-run", "--help"], ["model", "tiny", "--help"]])
def test_help_shows_defaults_and_no_bool_label(args: list[str]) -> None:
    res = CliRunner().invoke(app, args, env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert "<bool>" not in res.output
    assert not re.search(r"\w \.(\s|$)", res.output, re.M)  # a swallowed [tag] leaves "text ." behind


def test_bracketed_text_survives_in_help() -> None:
    audit = CliRunner().invoke(app, ["audit", "--help"], env={"COLUMNS": "250"}).output
    assert "privacy.json of the run (default: beside the adapter)" in audit
    ledger = CliRunner().invoke(app, ["ledger", "finish-run", "--help"], env={"COLUMNS": "250"}).output
    assert "user data dir" in ledger
    train = CliRunner().invoke(app, ["train", "--help"], env={"COLUMNS": "250"}).output
    assert "--dtype (dtype): Base-model weight dtype" in train


def test_help_paragraphs_are_rewrapped_to_the_terminal() -> None:
    # typer 0.29 kept the docstring's own line breaks after the first paragraph: in 80 columns
    # "A run whose planned" ended one printed line and "epsilon exceeds" began a short next one
    out = CliRunner().invoke(app, ["train", "--help"], env={"COLUMNS": "80"}).output
    lines = [ln.strip() for ln in out.splitlines()]
    assert not any(ln.endswith("A run whose planned") for ln in lines)
    assert "A run whose planned epsilon" in " ".join(lines)
    wide = CliRunner().invoke(app, ["train", "--help"], env={"COLUMNS": "250"}).output
    assert "train_report.json. A run whose planned epsilon exceeds the dataset's remaining budget" in wide
    # deliberate layout (an indented or bulleted line) is kept
    from privtune.help_format import _reflow

    assert _reflow("Steps:\n- scan\n- train") == "Steps:\n- scan\n- train"
    assert _reflow("one\ntwo") == "one two"


@pytest.mark.parametrize(("command", "flag"), [("train", "--checkpoint-key-file"), ("audit", "--adapter-key-file")])
def test_key_file_help_names_the_key_used_when_unset(command: str, flag: str) -> None:
    # "(default: None)" alone read as "no key": the key actually used is train.key in the config dir.
    out = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"}).output
    line = next(x for x in out.splitlines() if x.strip().startswith(flag))
    assert "privtune/train.key" in line, line
