"""Docs that are generated from code must be current."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_config_reference_is_current():
    res = subprocess.run([sys.executable, "tools/gen_config_reference.py", "--check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_config_reference_marks_set_only_exactly_the_keys_the_cli_refuses_as_flags():
    """A key documented "YAML / --set only" must be refused by the command as a flag, and a key
    documented with a flag must parse: every train, demo and audit key was marked set-only though
    those commands take any key as a flag (typer keeps that in context_settings)."""
    import re

    sys.path.insert(0, str(ROOT / "tools"))
    import gen_config_reference as gen

    doc = (ROOT / "docs" / "config_reference.md").read_text(encoding="utf-8")
    commands = dict(gen.walk(gen.root_command()))
    checked = 0
    for path in gen.COMMAND_CONFIGS:
        section = doc.split(f"## `{path}`\n", 1)[1].split("\n## ", 1)[0]
        flag_of = {dotted: flag for flag, (dotted, _) in gen.config_flags(gen.config_model(path)).items()}
        for dotted, setter in re.findall(r"^\| `([\w.]+)` \| ([^|]+) \|", section, re.M):
            if dotted not in flag_of or "(argument)" in setter:
                continue
            try:
                commands[path].make_context(path.split()[-1], [flag_of[dotted], "1"])
                refused = False
            except Exception as exc:  # noqa: BLE001 - click's classes come from typer's own click
                refused = type(exc).__name__ == "NoSuchOption"
            assert refused == ("--set` only" in setter), (path, dotted, setter)
            checked += 1
    assert checked > 100
