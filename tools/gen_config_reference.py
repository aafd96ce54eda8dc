"""Regenerate docs/config_reference.md from the real CLI (typer/click) and the pydantic config models.

    python tools/gen_config_reference.py          # write
    python tools/gen_config_reference.py --check  # exit 1 if the file is stale (used by tests)

Every command of ``privtune`` gets its options as click parses them, so a documented option
always exists and every option is documented. Commands with a config model also get the
model's keys, with the flag that sets each one: every key for commands that take any key as a
flag (train, audit, demo), the matching named option for the others (scan), else "YAML /
``--set`` only".
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "config_reference.md"
sys.path.insert(0, str(ROOT))

from privtune.config import config_flags  # noqa: E402

# Command path -> its pydantic config model ("module:Class").
COMMAND_CONFIGS = {
    "privtune scan": "privtune.scan.config:ScanConfig",
    "privtune train": "privtune.train.config:TrainConfig",
    "privtune audit": "privtune.audit.config:AuditConfig",
    "privtune demo": "privtune.demo.config:DemoConfig",
    "privtune license check": "privtune.provenance.licence_check:LicenceCheckConfig",
    "privtune card": "privtune.provenance.config:CardConfig",
    "privtune bom": "privtune.provenance.config:BomConfig",
    "privtune sign": "privtune.provenance.config:SignConfig",
    "privtune verify": "privtune.provenance.config:VerifyConfig",
    "privtune serve": "privtune.serve.config:ServeConfig",
}


def config_model(command_path: str) -> type[BaseModel] | None:
    spec = COMMAND_CONFIGS.get(command_path)
    if spec is None:
        return None
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


# typer vendors its own click, so commands and parameters are recognised by shape, not class.
Command = Any


def _is_option(p: Any) -> bool:
    return getattr(p, "param_type_name", "") == "option"


def _is_argument(p: Any) -> bool:
    return getattr(p, "param_type_name", "") == "argument"


def root_command() -> Command:
    import typer

    from privtune.cli import app

    return typer.main.get_command(app)


def walk(cmd: Command, path: str = "privtune") -> Iterator[tuple[str, Command]]:
    """Every leaf command with its full path, in the order the CLI lists them."""
    if hasattr(cmd, "commands"):
        if path != "privtune" and any(_is_option(p) and "--help" not in p.opts for p in cmd.params):
            yield path, cmd  # a group that runs by itself too (`privtune serve --base ...`)
        for name, sub in cmd.commands.items():
            yield from walk(sub, f"{path} {name}")
    else:
        yield path, cmd


def takes_config_flags(cmd: Command) -> bool:
    """Commands that pass unknown ``--key value`` pairs to their config model. typer sets these as
    ``context_settings`` (read when the command runs), not as the command's attributes: reading the
    attributes alone marked every train, demo and audit key "YAML / --set only"."""
    settings = getattr(cmd, "context_settings", None) or {}

    def on(name: str) -> bool:
        return bool(settings.get(name, getattr(cmd, name, False)))

    return on("allow_extra_args") and on("ignore_unknown_options")


def option_names(cmd: Command) -> set[str]:
    """Every long and short option name click accepts for ``cmd`` (``--help`` aside)."""
    return {o for p in cmd.params if _is_option(p) for o in (*p.opts, *p.secondary_opts)
            if o != "--help"}


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _type_name(cmd: Command, p: Any) -> str:
    import typer

    if _is_option(p) and p.is_flag:
        return "flag"
    label = p.display_type(typer.Context(cmd)).strip("<>")
    return f"{label}, repeatable" if getattr(p, "multiple", False) else label


def _default(p: Any) -> str:
    if p.required:
        return "required"
    if p.default is None or (_is_option(p) and p.is_flag and p.default is False):
        return ""
    return f"`{p.default}`"


def _options_table(cmd: Command) -> list[str]:
    lines = ["| option | type | default | meaning |", "|---|---|---|---|"]
    for p in cmd.params:
        if _is_argument(p):
            names = f"`{p.name.upper()}` (argument)"
            help_text = getattr(p, "help", "") or ""
        elif _is_option(p) and "--help" not in p.opts:
            names = ", ".join(f"`{o}`" for o in (*p.opts, *p.secondary_opts))
            help_text = p.help or ""
        else:
            continue
        lines.append(f"| {names} | {_cell(_type_name(cmd, p))} | {_default(p)} | {_cell(help_text)} |")
    return lines


def _annotation(info: Any) -> str:
    ann = str(info.annotation).replace("typing.", "").replace("pathlib.", "")
    return ann.replace("<class '", "").replace("'>", "")


def _keys_table(cmd: Command, model: type[BaseModel]) -> list[str]:
    every_key_is_a_flag = takes_config_flags(cmd)
    named = option_names(cmd)
    arguments = {p.name for p in cmd.params if _is_argument(p)}
    lines = ["| key | set by | type | default | meaning |", "|---|---|---|---|---|"]
    for flag, (dotted, info) in config_flags(model).items():
        if every_key_is_a_flag or flag in named:
            setter = f"`{flag}`"
        elif dotted in arguments:
            setter = f"`{dotted.upper()}` (argument)"
        else:
            setter = "YAML / `--set` only"
        default = "required" if info.is_required() else f"`{info.get_default(call_default_factory=True)}`"
        lines.append(f"| `{dotted}` | {setter} | {_cell(_annotation(info))} | {default} | "
                     f"{_cell(info.description or '')} |")
    return lines


def render() -> str:
    lines = [
        "# Command and configuration reference",
        "",
        "Generated from the CLI and the pydantic config models by `python tools/gen_config_reference.py`;",
        "do not edit by hand (a test checks it against the real commands).",
        "",
        "Commands with a config model read it from a YAML file (`--config FILE`; `privtune train` also takes",
        "the file as its first argument) and take any key as `--set key=value` (nested keys joined with `.`).",
        "Precedence: defaults < YAML < flags and `--set`; `--set key=null` clears a key the YAML sets.",
        "",
    ]
    for path, cmd in walk(root_command()):
        summary = (cmd.help or "").strip().splitlines()[0] if cmd.help else ""
        lines += [f"## `{path}`", "", _cell(summary), "", *_options_table(cmd), ""]
        model = config_model(path)
        if model is not None:
            how = ("every key is also a flag (`--key value`, nested keys joined with `-`, e.g. `--lora-r 8`)"
                   if takes_config_flags(cmd) else "keys with a named option above can be set by it")
            lines += [f"Config keys ({model.__name__}): {how}.", "", *_keys_table(cmd, model), ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is stale; run python tools/gen_config_reference.py", file=sys.stderr)
            sys.exit(1)
        return
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
