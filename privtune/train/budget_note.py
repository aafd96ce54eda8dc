"""The warning a run gets when its dataset already paid for earlier runs and has no budget.

Without a budget nothing is refused, and each run's privacy.json states that run's epsilon
alone: a second run at target epsilon 8 on the same data printed "epsilon=7.960" while the
data had then spent 13.2. Composition is the point of the ledger, so the run says it.
"""

from __future__ import annotations

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
