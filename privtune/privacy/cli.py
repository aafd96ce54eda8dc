"""Typer sub-apps mounted by the main CLI as ``privtune privacy ...`` and ``privtune ledger ...``.

Errors are raised as `PrivtuneError` subclasses; the main CLI prints them and exits with
their code (``BudgetExceeded``: 4).
"""

from __future__ import annotations

import json
import re
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from privtune.io import atomic_write_json
from privtune.privacy.accountants import MechanismEvent, get_accountant
from privtune.privacy.accountants.base import LOOSE_EPSILON
from privtune.privacy.calibration import noise_for_target_epsilon
from privtune.privacy.ledger import Ledger, PrivacyUnit
from privtune.table_console import table_console

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


class PrivacyUnitName(str, Enum):
    record = "record"
    user = "user"


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
    out = {"epsilon": eps, "noise_multiplier": noise_multiplier, "sample_rate": sample_rate,
           "steps": steps, "delta": delta, "accountant": acc.name}
    if acc.tight and eps > LOOSE_EPSILON:
        out["note"] = (f"the RDP upper bound: above epsilon {LOOSE_EPSILON:g} the {acc.name} grid is not computed; "
                       "no meaningful guarantee at this noise")
    _emit(out)


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


@privacy_app.command("explain")
def explain_cmd(
    output_dir: Annotated[Path, typer.Argument(help="A `privtune train` output directory (holds privacy.json).")],
    ledger: LedgerOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the facts as one JSON object instead.")] = False,
) -> None:
    """What this run's privacy claim covers, in plain words: what is protected (unit, epsilon, delta,
    every run on the dataset composed from the ledger), what is not, and whether it was resumed or mixed.

    The ledger is --ledger, else the one the run's train_report.json names, else the default.
    """
    from privtune.privacy.explain import explain, render

    facts = explain(output_dir, ledger)
    typer.echo(json.dumps(facts, indent=2, allow_nan=False) if as_json else render(facts))


def _fmt(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


@ledger_app.command("show")
def show_cmd(
    ledger: LedgerOpt = None,
    dataset: Annotated[Optional[str], typer.Option(
        "--dataset", help="Only this dataset (fingerprint or a unique prefix); also lists its runs and budget history.")] = None,
    accountant: AccOpt = AccountantName.pld,
) -> None:
    """Table of datasets: budget, spent epsilon, remaining, runs."""
    console = table_console()
    with Ledger.open(ledger, create=False) as led:
        dataset = led.resolve(dataset) if dataset else None
        data = led.export(dataset, accountant=accountant.value)
        location = led.location  # on the user's own screen, the whole path
    table = Table(title=f"privacy budget ledger: {escape(location)}", caption=f"epsilons by the {data['accountant']} accountant")
    table.add_column("dataset", no_wrap=True)
    table.add_column("name", min_width=10)
    table.add_column("unit")
    for col in ("budget ε", "δ", "spent ε", "left ε"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("runs", justify="right")
    for d in data["datasets"]:
        running = sum(r["status"] == "running" for r in d["runs"])
        remaining = d["remaining_epsilon"]
        rem = _fmt(remaining) if remaining is None or remaining >= 0 else f"[red]{remaining:.4g}[/red]"
        spent = _fmt(d["spent_epsilon"])
        if d["spent_unbounded"]:
            spent, rem = "[red]∞[/red]", "[red]0 (exhausted)[/red]" if d["budget_epsilon"] is not None else "-"
        table.add_row(
            # names, reasons and fields are the user's text: escaped, "[/x]" in one was a MarkupError traceback
            d["fingerprint"].removeprefix("sha256:")[:10] + "…", escape(d["name"] or ""),
            f"user:{escape(str(d['user_id_field']))}" if d["privacy_unit"] == "user" else d["privacy_unit"] or "-",
            _fmt(d["budget_epsilon"]),
            f"[red]{_fmt(d['delta'], 3)} ≥ 1/N[/red]" if d["delta_problem"] else
            _fmt(d["delta"], 3) if d["delta"] is not None or d["spent_delta"] is None
            else f"[dim]{_fmt(d['spent_delta'], 3)} (runs')[/dim]", spent, rem,
            f"{len(d['runs'])}" + (f", {running} running" if running else ""),
        )
    console.print(table)
    for d in data["datasets"]:  # in full, to copy into --dataset / set-budget (a unique prefix also works)
        console.print(f"{d['fingerprint']}  {d['name'] or ''}", highlight=False, markup=False)
    if not dataset and any(r["status"] == "running" for d in data["datasets"] for r in d["runs"]):
        console.print("runs shown as 'running' whose trainer is gone: `ledger show --dataset FP` lists them",
                      highlight=False, markup=False)
    for d in data["datasets"]:
        for reason in (d["exhausted_reason"], d["delta_problem"]):  # a near-zero spend at delta >= 1/N: why
            if reason:
                console.print(f"{d['fingerprint']}: {reason}", highlight=False, markup=False)
    if dataset:
        console.print(f"dataset {dataset}")
        runs = Table(title="runs (steps: committed/planned)")
        for col in ("id", "status", "started (UTC)", "σ", "q", "steps", "accountant"):
            runs.add_column(col, no_wrap=True)
        for r in data["datasets"][0]["runs"]:
            sigma = f"{r['noise_multiplier']:.4g}" if r["dp"] else "no DP"
            runs.add_row(str(r["id"]), r["status"], r["started"][:16].replace("T", " "), sigma,
                         f"{r['sample_rate']:.4g}", f"{r['committed_steps']}/{r['planned_steps']}", r["accountant"])
        console.print(runs)
        stale = [str(r["id"]) for r in data["datasets"][0]["runs"] if r["status"] == "running"]
        if stale:  # a killed trainer leaves its run 'running', its planned steps reserved against the budget
            console.print(f"run(s) {', '.join(stale)} still 'running': if no trainer is working on them, close each "
                          "with `privtune ledger finish-run ID` (committed steps stay spent; the reservation goes)",
                          highlight=False, markup=False)
        changes = Table(title="budget history")
        for col in ("when (UTC)", "by", "ε", "δ", "reason"):
            changes.add_column(col, no_wrap=col != "reason")
        for c in data["datasets"][0]["budget_history"]:
            was = f"{c['old_epsilon']:.4g} → " if c["old_epsilon"] is not None else ""
            was_d = f"{c['old_delta']:.3g} → " if c["old_delta"] is not None and c["old_delta"] != c["new_delta"] else ""
            changes.add_row(c["changed"][:16].replace("T", " "), escape(c["changed_by"] or ""),
                            f"{was}{c['new_epsilon']:.4g}", f"{was_d}{c['new_delta']:.3g}", escape(c["reason"] or ""))
        console.print(changes)


@ledger_app.command("export")
def export_cmd(
    ledger: LedgerOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write JSON here (atomically) instead of stdout.")] = None,
    dataset: Annotated[Optional[str], typer.Option("--dataset", help="Only this dataset (fingerprint or a unique prefix).")] = None,
    accountant: AccOpt = AccountantName.pld,
) -> None:
    """Export datasets, budgets, budget history, spent epsilon and all runs as JSON."""
    with Ledger.open(ledger, create=False) as led:
        data = led.export(led.resolve(dataset) if dataset else None, accountant=accountant.value)
    if out is None:
        typer.echo(json.dumps(data, indent=2))
    else:
        atomic_write_json(out, data)


@ledger_app.command("set-budget")
def set_budget_cmd(
    fingerprint: Annotated[str, typer.Argument(
        help="Dataset fingerprint (sha256:...) as printed by scan/train, or a unique prefix of one already in the ledger.")],
    epsilon: Annotated[float, typer.Option("--epsilon", "-e", help="Total epsilon all runs on this dataset may spend.")],
    delta: DeltaOpt,
    name: Annotated[Optional[str], typer.Option(help="Display name for the dataset.")] = None,
    reason: Annotated[Optional[str], typer.Option(help="Why the budget changes (required to change an existing one).")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who changes it [default: user@host].")] = None,
    privacy_unit: Annotated[Optional[PrivacyUnitName], typer.Option(
        help="What the budget protects: record or user [default: the unit of the dataset's runs].")] = None,
    user_id_field: Annotated[Optional[str], typer.Option(help="The user id field, with --privacy-unit user.")] = None,
    ledger: LedgerOpt = None,
) -> None:
    """Set a dataset's (epsilon, delta) budget, or change it with --reason; later runs that would exceed it are refused.

    A run in progress re-reads the budget before each step: lowered below what its plan needs,
    it stops there and saves what the ledger holds (privacy.json `stopped_early`).
    Every set or change is kept in the dataset's budget history (who, when, why), shown by
    `ledger show --dataset` and `ledger export`. `privtune train` can set a first budget but never change one.
    """
    # Only a full fingerprint may start a new ledger; a prefix can only name a dataset already in one.
    full = re.fullmatch(r"(sha256:)?[0-9a-f]{64}", fingerprint.strip().lower()) is not None
    with Ledger.open(ledger, create=full) as led:
        fingerprint = led.resolve(fingerprint, may_create=True)
        unit = PrivacyUnit(privacy_unit.value, user_id_field) if privacy_unit else None
        changed = led.set_budget(fingerprint, epsilon, delta, name=name, reason=reason, changed_by=by, unit=unit)
        (d,) = led.export(fingerprint)["datasets"]
    out = {"fingerprint": fingerprint, "budget_epsilon": epsilon, "delta": delta, "changed": changed,
           **{k: d[k] for k in ("privacy_units", "spent_epsilon", "remaining_epsilon", "spent_unbounded",
                                "exhausted_reason")}}
    if d["privacy_units"] is None:  # refused above when N is known; unknown, the first run checks it
        out["note"] = ("no training run has recorded this dataset's size N yet: delta must lie well below 1/N "
                       "(privtune train refuses a budget delta >= 1/N)")
    _emit(out)


@ledger_app.command("finish-run")
def finish_run_cmd(
    run_id: Annotated[int, typer.Argument(help="Run id (see `ledger show --dataset FP`).")],
    status: Annotated[str, typer.Option(help="completed | failed | aborted.")] = "aborted",
    ledger: LedgerOpt = None,
) -> None:
    """Close a run left 'running' by a crashed trainer, releasing its reserved steps.

    Its committed steps stay spent.
    """
    with Ledger.open(ledger, create=False) as led:
        led.finish_run(run_id, status)
    _emit({"run_id": run_id, "status": status})
