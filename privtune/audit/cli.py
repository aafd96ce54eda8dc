"""``privtune audit``: the typer command. Mount it on the main app with::

    app.command("audit", context_settings=AUDIT_CONTEXT, epilog=audit_epilog())(audit_command)

`AUDIT_CONTEXT` lets every `AuditConfig` key through as a flag (``--canary-candidates 500``);
the epilog lists them. A tripped ``--fail-on`` gate raises `GateFailed` (exit code 3) after the
summary is printed and both reports are written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from privtune.config import config_help, deep_merge, load_config, parse_config_flags, parse_set_overrides
from privtune.progress import bar_factory, progress_bar

AUDIT_CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True}
console = Console(stderr=True)


def audit_epilog() -> str:
    from privtune.audit.config import AuditConfig

    return "Every config key is also a flag:\n\n" + "\n\n".join(config_help(AuditConfig).splitlines())


def audit_command(
    ctx: typer.Context,
    base: Annotated[Optional[Path], typer.Option(help="Local base model directory.")] = None,
    adapter: Annotated[Optional[Path], typer.Option(help="Adapter dir (or the training run dir with adapter/).")] = None,
    members: Annotated[Optional[Path], typer.Option(help="Training data (any format scan reads).")] = None,
    nonmembers: Annotated[Optional[Path], typer.Option(help="Held-out data from the same distribution.")] = None,
    canaries: Annotated[Optional[Path], typer.Option(help="Canary key file from `privtune canary insert`.")] = None,
    probes: Annotated[Optional[Path], typer.Option(help="Prompts for the specificity probe (JSONL).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output dir for report.json / report.html.")] = None,
    fail_on: Annotated[Optional[list[str]], typer.Option(
        help="Gate rule(s), comma-separated or repeated: exposure_bits_max>8, mia.ref.auc>0.6, "
             "extraction.pii_extraction_rate_tuned>0, verdict.pass==false. Exit 3 if any holds.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="YAML file with any config key.")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a config key: key=value.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or summary.")] = False,
) -> None:
    """Audit a fine-tuned adapter against its base model: membership inference, canary exposure and the one-run epsilon lower bound, verbatim and PII extraction, PII drift on neutral prompts.

    Writes OUT/report.json and a self-contained OUT/report.html (numbers and masked shapes only, never training text or PII values). See docs/audit.md.
    """  # noqa: E501 - one line: typer keeps the docstring's line breaks in --help
    from privtune.audit.config import AuditConfig
    from privtune.audit.run import run_audit

    flags = {"base": base, "adapter": adapter, "members": members, "nonmembers": nonmembers, "canaries": canaries,
             "probes": probes, "out": out, "fail_on": fail_on}
    overrides = deep_merge(parse_config_flags(AuditConfig, list(ctx.args)), parse_set_overrides(set_))
    overrides = deep_merge(overrides, {k: (str(v) if isinstance(v, Path) else v) for k, v in flags.items()
                                       if v is not None})
    cfg = load_config(AuditConfig, config, overrides)
    with progress_bar(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, disable=quiet, transient=True,
                      command="privtune audit") as bar:
        log = (lambda m: None) if quiet else bar.console.print
        result = run_audit(cfg, progress=bar_factory(bar), log=log, raise_on_gate=False)
    if not quiet:
        _summary(result.report, result.paths)
    for g in result.report.get("gates", []):  # even when quiet: a CI gate that could not fail is no gate
        if not g.get("evaluated", True) and not g["tripped"]:  # allow_unevaluated_gates: passes, said loudly
            console.print(f"warning: --fail-on {g['rule']!r} was {g['note']}; it cannot fail this run",
                          style="yellow", markup=False, highlight=False)
    if result.gates_tripped:
        raise result.gate_error()


def _summary(r: dict, paths: dict) -> None:
    v = r["verdict"]
    console.print(("[bold green]" if v["pass"] else "[bold red]") + v["summary"].replace("[", r"\[") + "[/]")
    t = Table(title="privtune audit")
    for col in ("check", "value", "limit", "result"):
        t.add_column(col)
    def num(x: object) -> str:
        return "—" if x is None else f"{x:.4g}" if isinstance(x, float) else str(x)

    for c in v["checks"]:
        res = "not run" if c["failed"] is None else ("FAIL" if c["failed"] else "pass")
        t.add_row(c["check"], num(c["value"]), num(c["limit"]), res)
    console.print(t)
    # Why each failed check failed (the table holds numbers only; the reason may say the data,
    # not the model, is at fault)
    for c in v["checks"]:
        if c["failed"]:
            console.print(f"[red]{c['check']}[/]: " + str(c.get("meaning", "")).replace("[", r"\["))
    if (r.get("data") or {}).get("warning"):
        console.print("[yellow]warning:[/] " + r["data"]["warning"].replace("[", r"\["))
    if r["epsilon"].get("alert"):
        console.print(f"[bold white on red]{r['epsilon']['alert']}[/]")
    for k, p in paths.items():
        console.print(f"{k}: {p}")
