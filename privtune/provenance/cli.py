"""Typer commands for provenance: ``privtune license check``, ``card``, ``bom``, ``sign``, ``verify``.

The main CLI mounts them; each builds its pydantic config (YAML + flags) and calls one function.
`PrivtuneError`s propagate to the main CLI, which prints them and exits with their code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

from privtune.config import load_config, parse_set_overrides

license_app = typer.Typer(
    name="license",
    help="The base model's licence: detect it and check an intended use against it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)

# `privtune license check` exit codes, for CI.
EXIT_ALLOW, EXIT_BLOCK, EXIT_UNKNOWN = 0, 5, 6

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="YAML file with any of these options.")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", help="Override a config key: key=value.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout instead of the summary.")]


def _overrides(flags: dict[str, Any], set_: list[str] | None) -> dict[str, Any]:
    return {**{k: v for k, v in flags.items() if v is not None}, **parse_set_overrides(set_)}


def print_licence_record(record: dict[str, Any], out: Console = console) -> None:
    """The human summary of a licence check."""
    det = record["detected"]
    colour = {"allow": "green", "block": "red"}.get(record["decision"], "yellow")
    out.print(f"licence: {escape(record['licence_name'] or 'unknown')}  (from {det['source']}"
              + (f", {det['phrases_matched']} phrases matched" if det["text_match"] else "") + ")")
    for name, digest in det["files"].items():
        out.print(f"  {escape(name)}  {digest}")
    if det["conflict"]:
        out.print(f"[yellow]conflict:[/yellow] {escape(det['conflict'])}")
    for note in det["notes"]:
        out.print(f"[yellow]note:[/yellow] {escape(note)}")
    out.print(f"decision: [bold {colour}]{record['decision'].upper()}[/bold {colour}]")
    for reason in record["reasons"]:
        out.print(f"  - {escape(reason)}")
    if record["obligations"]:
        out.print("obligations:")
        for ob in record["obligations"]:
            out.print(escape(f"  [{ob['kind']}] {ob['text']}"))


@license_app.command("check")
def license_check(
    base: Annotated[Optional[Path], typer.Option("--base", help="Local base-model directory.")] = None,
    use: Annotated[Optional[str], typer.Option("--use", help="commercial | research.")] = None,
    distribution: Annotated[Optional[str], typer.Option("--distribution", help="none | weights | api.")] = None,
    mau: Annotated[Optional[int], typer.Option("--mau", help="Monthly active users of the product.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Name the derivative is distributed under.")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="Comma-separated ISO country codes or EU.")] = None,
    base_model_id: Annotated[Optional[str], typer.Option("--base-model-id", help="Hub id of the base model.")] = None,
    json_out: JsonOpt = False,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Check an intended use against the base model's licence: allow / block / unknown, with obligations.

    Exit code: 0 allow, 5 block, 6 unknown licence (review by hand).
    """
    from privtune.provenance.licence_check import LicenceCheckConfig, licence_record
    from privtune.provenance.licence_policy import IntendedUse

    flags = {"base": base, "use": use, "distribution": distribution, "mau": mau, "name": name,
             "region": region, "base_model_id": base_model_id}
    cfg = load_config(LicenceCheckConfig, config, _overrides(flags, set_))
    use_only = IntendedUse.model_validate(cfg.model_dump(include=set(IntendedUse.model_fields)))
    record = licence_record(cfg.base, use_only, cfg.base_model_id)
    if json_out:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=1))
    else:
        print_licence_record(record)
    code = {"allow": EXIT_ALLOW, "block": EXIT_BLOCK}.get(record["decision"], EXIT_UNKNOWN)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Mount the provenance commands on the main CLI."""
    app.add_typer(license_app, name="license", help="The base model's licence: detect it, check a use against it.")
