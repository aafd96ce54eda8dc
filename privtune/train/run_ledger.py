"""The ledger side of a training run: its record before the first step, its budget delta, and
how it is closed when the run stops early.

Every run is recorded before any step (non-private ones too, with epsilon = inf), so a budget set
later knows what the data has released; a run that stops keeps its committed steps spent.
"""

from __future__ import annotations

from typing import Any

from privtune.errors import ConfigError
from privtune.privacy.accountants.base import MechanismEvent
from privtune.privacy.ledger import Ledger, PrivacyUnit, RunRecord
from privtune.provenance.portable import ledger_config
from privtune.train.budget_note import prior_spend_note, stopped_run_note
from privtune.train.checkpoint import CheckpointManager
from privtune.train.config import TrainConfig
from privtune.train.setup import PrivacyPlan


def open_ledger_run(cfg: TrainConfig, plan: PrivacyPlan, fingerprint: str,
                 resumed: RunRecord | None, warn: Any = print) -> tuple[Ledger, int, int]:
    """Budget check + run record before any step. Returns (ledger, run_id, steps already committed).

    Non-private runs are recorded too (epsilon = inf), so a budget set later knows the data was released.
    """
    ledger = Ledger.open(cfg.ledger)
    unit = PrivacyUnit(cfg.privacy_unit, cfg.user_id_field)
    if cfg.budget_epsilon is not None and plan.dp:
        ledger.ensure_budget(fingerprint, cfg.budget_epsilon, plan.delta, name=cfg.dataset_name, unit=unit)
    if resumed is not None:
        ledger.record_units(fingerprint, unit, plan.n_units)
        return ledger, resumed.id, resumed.committed_steps
    # paths relative to the ledger's directory or by name: `ledger export` is a file to hand to others
    summary = {k: v for k, v in ledger_config(cfg, ledger.location, cfg.base_model_id).items()
               if k not in ("data", "validation", "ledger", "dp_seed")}
    if not plan.dp:
        return ledger, ledger.begin_non_private_run(fingerprint, sample_rate=plan.sample_rate, steps=plan.steps,
                                                    config=summary, name=cfg.dataset_name, unit=unit,
                                                    units=plan.n_units), 0
    planned = MechanismEvent(plan.noise_multiplier, plan.sample_rate, plan.steps)
    note = prior_spend_note(ledger, fingerprint, planned, plan.delta, cfg.accountant)
    if note:
        warn(note)
    run_id = ledger.begin_run(fingerprint, planned, accountant=cfg.accountant, delta=plan.delta,
                              config=summary, name=cfg.dataset_name, unit=unit, units=plan.n_units)
    return ledger, run_id, 0


def abort_unstarted(ledger: Ledger | None, run_id: int, resumed: RunRecord | None) -> None:
    """Close a run that failed before its first step (a bad LoRA target, out of memory while
    sizing micro-batches, Ctrl-C): it spent nothing, and left 'running' its planned steps would
    stay reserved against the budget until `privtune ledger finish-run`. A resumed run stays
    running: its checkpoint can still continue it."""
    if ledger is None:
        return
    try:
        if resumed is None:
            ledger.finish_run(run_id, "aborted")
    finally:
        ledger.close()


def resumed_run_record(cfg: TrainConfig, fingerprint: str, run_id: int | None) -> RunRecord | None:
    """The ledger record of the run a checkpoint belongs to; it must still be running."""
    if run_id is None:
        return None
    with Ledger.open(cfg.ledger) as ledger:
        run = next((r for r in ledger.history(fingerprint) if r.id == run_id), None)
        location = ledger.location
    if run is None or run.status != "running":
        raise ConfigError(f"checkpoint belongs to ledger run {run_id}, which is not running in {location}")
    return run


def committed_steps(ledger: Ledger, fingerprint: str, run_id: int) -> int:
    return next(r.committed_steps for r in ledger.history(fingerprint) if r.id == run_id)


def budget_delta(cfg: TrainConfig, fingerprint: str) -> float | None:
    """A dataset with a budget fixes delta: every run on it is accounted at that delta."""
    if not cfg.dp:
        return None
    with Ledger.open(cfg.ledger) as ledger:
        record = ledger.dataset(fingerprint)
    if record is None or record.budget_epsilon is None or record.delta is None:
        return None
    if cfg.delta is not None and cfg.delta != record.delta:
        raise ConfigError(f"delta={cfg.delta:g} differs from this dataset's budget delta={record.delta:g} in the ledger")
    return record.delta


def close_stopped_run(ledger: Ledger, cfg: TrainConfig, plan: PrivacyPlan, fingerprint: str, run_id: int,
                       ckpts: CheckpointManager | None, *, resumable: bool, warn: Any) -> None:
    """A run that stopped on an error (its exception propagates): it stays 'running' when a
    checkpoint can continue it, and is closed as failed when none can (nothing could ever resume
    it, so its planned steps stayed reserved against the budget until `ledger finish-run`). Its
    committed steps stay spent either way, and the user is told how many. A failure here must not
    hide the error that stopped the run."""
    try:
        found = ckpts.checkpoints() if ckpts is not None else []
        if not (resumable and found):
            ledger.finish_run(run_id, "failed")
        planned = MechanismEvent(plan.noise_multiplier, plan.sample_rate, plan.steps) if plan.dp else None
        warn(stopped_run_note(ledger, fingerprint, run_id, planned, plan.delta, cfg.accountant,
                              found[-1][0] if found else None))
    except Exception as exc:  # noqa: BLE001 - reported, and the original error goes on
        warn(f"could not update ledger run {run_id} after the run stopped ({type(exc).__name__}); "
             "`privtune ledger show --dataset FP` shows its state")
    finally:
        ledger.close()
