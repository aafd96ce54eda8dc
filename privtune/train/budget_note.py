"""What a run says about the ledger: when its dataset already paid for earlier runs and has no
budget (`prior_spend_note`), and what it spent when it stopped on an error (`stopped_run_note`).

Without a budget nothing is refused, and each run's privacy.json states that run's epsilon
alone: a second run at target epsilon 8 on the same data printed "epsilon=7.960" while the
data had then spent 13.2. Composition is the point of the ledger, so the run says it.
"""

from __future__ import annotations

from privtune.privacy.accountants import get_accountant
from privtune.privacy.accountants.base import MechanismEvent
from privtune.privacy.ledger import Ledger


def prior_spend_note(ledger: Ledger, fingerprint: str, planned: MechanismEvent, delta: float,
                     accountant: str) -> str | None:
    """None unless earlier runs trained on the dataset and it has no budget (a budget check
    already states and enforces the total)."""
    record = ledger.dataset(fingerprint)
    prior = ledger.history(fingerprint)
    if not prior or (record is not None and record.budget_epsilon is not None):
        return None
    check = ledger.plan_check(fingerprint, planned, delta=delta, accountant=accountant)
    if check.exhausted:
        return (f"WARNING: {check.exhausted}; this run's epsilon is not the data's. "
                "`privtune ledger show` lists the runs.")
    assert check.spent_epsilon is not None and check.total_epsilon is not None
    return (f"WARNING: {len(prior)} earlier run(s) trained on this dataset: epsilon {check.spent_epsilon:.4g} spent "
            f"so far, {check.total_epsilon:.4g} with this run (delta={delta:.3g}, {check.accountant} accountant); "
            "privacy.json states this run alone. Cap the total with --budget-epsilon.")


def stopped_run_note(ledger: Ledger, fingerprint: str, run_id: int, planned: MechanismEvent | None,
                     delta: float | None, accountant: str, resume_from: int | None) -> str:
    """What a run that stopped on an error spent, and what becomes of its ledger record.

    The error itself says nothing about the ledger: a user read "out of memory" and did not know
    that the steps taken were spent, nor that the run still reserved the rest of its plan."""
    run = next(r for r in ledger.history(fingerprint) if r.id == run_id)
    if planned is None:
        spent = "the data was used without DP (no bound)"
    elif run.committed_steps:
        eps = get_accountant(accountant).epsilon(
            [MechanismEvent(planned.noise_multiplier, planned.sample_rate, run.committed_steps)], delta)
        spent = f"epsilon={eps:.4g} at delta={delta:.3g} spent"
    else:
        spent = "nothing spent"
    head = (f"ledger run {run_id} stopped after {run.committed_steps} of {run.planned_steps} committed steps "
            f"({spent}; no adapter or privacy.json was written)")
    if run.status == "running":
        return (f"{head}; it stays 'running' so that `privtune train ... --resume` continues it from the "
                f"checkpoint of step {resume_from}, or `privtune ledger finish-run {run_id}` releases its "
                "reserved steps")
    return f"{head}; no checkpoint to resume from, so it is closed as {run.status} (its committed steps stay spent)"
