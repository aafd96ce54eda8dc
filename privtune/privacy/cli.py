"""Typer sub-apps mounted by the main CLI as ``privtune privacy ...`` and ``privtune ledger ...``.

Errors are raised as `PrivtuneError` subclasses; the main CLI prints them and exits with
their code (``BudgetExceeded``: 4).
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from privtune.io import atomic_write_json
from privtune.privacy.accountants import MechanismEvent, get_accountant
from privtune.privacy.calibration import noise_for_target_epsilon
from privtune.privacy.ledger import Ledger

privacy_app = typer.Typer(
    name="privacy",
    help="DP-SGD privacy accounting: epsilon for a noise level, or the noise for a target epsilon.\n\n"
    "Mechanism: Poisson-subsampled Gaussian (DP-SGD), add/remove-one adjacency.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
ledger_app = typer.Typer(
    name="ledger",
    help="The per-dataset privacy-budget ledger: budgets, spent epsilon, runs.\n\n"
    "Location: --ledger PATH or postgresql:// URL, else $PRIVTUNE_LEDGER, else "
    "~/.local/share/privtune/ledger.sqlite.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class AccountantName(str, Enum):
    pld = "pld"
    rdp = "rdp"
    prv = "prv"


_ACCOUNTANT_HELP = "pld (tight, default) | prv (tight, independent implementation) | rdp (looser, classic)."
SigmaOpt = Annotated[float, typer.Option("--noise-multiplier", "-s", help="Noise std / clipping norm (sigma).")]
RateOpt = Annotated[float, typer.Option("--sample-rate", "-q", help="Per-record sampling probability q = batch size / dataset size.")]
StepsOpt = Annotated[int, typer.Option("--steps", "-T", help="Number of optimizer steps (epochs x steps per epoch).")]
DeltaOpt = Annotated[float, typer.Option("--delta", "-d", help="Target delta, typically 1/n^1.1 for n records.")]
AccOpt = Annotated[AccountantName, typer.Option("--accountant", "-a", help=_ACCOUNTANT_HELP)]
LedgerOpt = Annotated[
    Optional[str], typer.Option("--ledger", help="SQLite path or postgresql:// URL (default: $PRIVTUNE_LEDGER or user data dir).")
]


def _emit(obj: dict[str, Any]) -> None:
    typer.echo(json.dumps(obj))


@privacy_app.command("epsilon")
def epsilon_cmd(
    noise_multiplier: SigmaOpt,
    sample_rate: RateOpt,
    steps: StepsOpt,
    delta: DeltaOpt,
    accountant: AccOpt = AccountantName.pld,
) -> None:
    """Print the epsilon spent by STEPS of DP-SGD at the given noise and sample rate (one JSON object)."""
    acc = get_accountant(accountant.value)
    eps = acc.epsilon([MechanismEvent(noise_multiplier, sample_rate, steps)], delta)
    _emit({"epsilon": eps, "noise_multiplier": noise_multiplier, "sample_rate": sample_rate,
           "steps": steps, "delta": delta, "accountant": acc.name})


@privacy_app.command("noise")
def noise_cmd(
    target_epsilon: Annotated[float, typer.Option("--target-epsilon", "-e", help="Epsilon the whole run may spend.")],
    sample_rate: RateOpt,
    steps: StepsOpt,
    delta: DeltaOpt,
    accountant: AccOpt = AccountantName.pld,
    tol: Annotated[float, typer.Option(help="Accept any epsilon between target*(1-tol) and target.")] = 0.01,
) -> None:
    """Print the noise multiplier whose epsilon is just under the target (one JSON object)."""
    acc = get_accountant(accountant.value)
    sigma = noise_for_target_epsilon(target_epsilon, delta, sample_rate, steps, accountant=acc, tol=tol)
    eps = acc.epsilon([MechanismEvent(sigma, sample_rate, steps)], delta)
    _emit({"noise_multiplier": sigma, "epsilon": eps, "target_epsilon": target_epsilon,
           "sample_rate": sample_rate, "steps": steps, "delta": delta, "accountant": acc.name})


def _fmt(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


@ledger_app.command("show")
def show_cmd(
    ledger: LedgerOpt = None,
    dataset: Annotated[Optional[str], typer.Option("--dataset", help="Only this dataset fingerprint; also lists its runs.")] = None,
    accountant: AccOpt = AccountantName.pld,
) -> None:
    """Table of datasets: budget, spent epsilon, remaining, runs."""
    console = Console()
    with Ledger.open(ledger) as led:
        data = led.export(dataset, accountant=accountant.value)
    table = Table(title=f"privacy budget ledger: {data['ledger']}", caption=f"epsilons by the {data['accountant']} accountant")
    table.add_column("dataset", no_wrap=True)
    table.add_column("name", min_width=10)
    for col in ("budget ε", "δ", "spent ε", "left ε"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("runs", justify="right")
    for d in data["datasets"]:
        running = sum(r["status"] == "running" for r in d["runs"])
        remaining = d["remaining_epsilon"]
        rem = _fmt(remaining) if remaining is None or remaining >= 0 else f"[red]{remaining:.4g}[/red]"
        table.add_row(
            d["fingerprint"].removeprefix("sha256:")[:10] + "…", d["name"] or "",
            _fmt(d["budget_epsilon"]), _fmt(d["delta"], 3), _fmt(d["spent_epsilon"]), rem,
            f"{len(d['runs'])}" + (f", {running} running" if running else ""),
        )
    console.print(table)
    if dataset:
        console.print(f"dataset {dataset}")
        runs = Table(title="runs (steps: committed/planned)")
        for col in ("id", "status", "started (UTC)", "σ", "q", "steps", "accountant"):
            runs.add_column(col, no_wrap=True)
        for r in data["datasets"][0]["runs"]:
            runs.add_row(str(r["id"]), r["status"], r["started"][:16].replace("T", " "), f"{r['noise_multiplier']:.4g}",
                         f"{r['sample_rate']:.4g}", f"{r['committed_steps']}/{r['planned_steps']}", r["accountant"])
        console.print(runs)


@ledger_app.command("export")
def export_cmd(
    ledger: LedgerOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write JSON here (atomically) instead of stdout.")] = None,
    dataset: Annotated[Optional[str], typer.Option("--dataset", help="Only this dataset fingerprint.")] = None,
    accountant: AccOpt = AccountantName.pld,
) -> None:
    """Export datasets, budgets, spent epsilon and all runs as JSON."""
    with Ledger.open(ledger) as led:
        data = led.export(dataset, accountant=accountant.value)
    if out is None:
        typer.echo(json.dumps(data, indent=2))
    else:
        atomic_write_json(out, data)


@ledger_app.command("set-budget")
def set_budget_cmd(
    fingerprint: Annotated[str, typer.Argument(help="Dataset fingerprint (sha256:...), as printed by scan/train.")],
    epsilon: Annotated[float, typer.Option("--epsilon", "-e", help="Total epsilon all runs on this dataset may spend.")],
    delta: DeltaOpt,
    name: Annotated[Optional[str], typer.Option(help="Display name for the dataset.")] = None,
    ledger: LedgerOpt = None,
) -> None:
    """Set or replace a dataset's (epsilon, delta) budget; later runs that would exceed it are refused."""
    with Ledger.open(ledger) as led:
        led.set_budget(fingerprint, epsilon, delta, name=name)
        spent = led.spent(fingerprint)
    _emit({"fingerprint": fingerprint, "budget_epsilon": epsilon, "delta": delta,
           "spent_epsilon": spent, "remaining_epsilon": epsilon - spent})


@ledger_app.command("finish-run")
def finish_run_cmd(
    run_id: Annotated[int, typer.Argument(help="Run id (see `ledger show --dataset FP`).")],
    status: Annotated[str, typer.Option(help="completed | failed | aborted.")] = "aborted",
    ledger: LedgerOpt = None,
) -> None:
    """Close a run left 'running' by a crashed trainer, releasing its reserved steps.

    Its committed steps stay spent.
    """
    with Ledger.open(ledger) as led:
        led.finish_run(run_id, status)
    _emit({"run_id": run_id, "status": status})
