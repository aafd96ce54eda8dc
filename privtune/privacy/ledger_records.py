"""The ledger's row types and the composition rule they follow (no database code here)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from privtune.privacy.accountants import Accountant, MechanismEvent
from privtune.privacy.errors import LedgerError


@dataclass(frozen=True)
class PrivacyUnit:
    """What one DP guarantee protects: one record, or everything one user (by ``user_id_field``) gave.

    Epsilons of different units do not compose: a record-level epsilon bounds a user with k
    records only at k times epsilon (group privacy), and a user-level one bounds a user, not a
    record swapped inside that user's data. The ledger therefore refuses to mix them on a dataset.
    """

    kind: str = "record"
    user_id_field: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("record", "user"):
            raise LedgerError(f"privacy unit must be 'record' or 'user', got {self.kind!r}")
        if self.kind == "user" and not self.user_id_field:
            raise LedgerError("a user-level privacy unit needs its user_id_field")
        if self.kind == "record":
            object.__setattr__(self, "user_id_field", None)

    def __str__(self) -> str:
        return "record" if self.kind == "record" else f"user (user_id_field={self.user_id_field})"


RECORD = PrivacyUnit()


@dataclass(frozen=True)
class DatasetRecord:
    fingerprint: str
    name: str | None
    budget_epsilon: float | None
    delta: float | None
    privacy_unit: str | None = None  # fixed by the first DP run or a budget that names it
    user_id_field: str | None = None
    # N: records (or users) in the dataset, recorded by the first training run; None until then.
    # A budget's delta must lie below 1/N, or it protects nothing.
    privacy_units: int | None = None

    def delta_problem(self) -> str | None:
        """Why this dataset's budget delta protects nothing (delta >= 1/N), or None."""
        if self.delta is None or not self.privacy_units:
            return None
        return delta_at_least_one_over_n(self.delta, self.privacy_units, self.privacy_unit or "record")

    @property
    def unit(self) -> PrivacyUnit | None:
        return PrivacyUnit(self.privacy_unit, self.user_id_field) if self.privacy_unit else None


def delta_at_least_one_over_n(delta: float, n_units: int, unit: str = "record") -> str | None:
    """The reason a budget at ``delta`` protects nothing for ``n_units`` units, or None when delta < 1/N."""
    if delta < 1.0 / n_units:
        return None
    return (f"the budget's delta={delta:.3g} is not below 1/N = 1/{n_units} = {1 / n_units:.3g} (N = {unit}s "
            f"recorded by its training runs): publishing one random {unit}'s data in the clear meets such a "
            "delta, so the epsilon spent at it reads near zero and means nothing; set delta well below 1/N "
            f"(e.g. {1 / n_units ** 2:.1e}) with `privtune ledger set-budget --delta ... --reason ...`")


def unit_mismatch(fingerprint: str, have: PrivacyUnit, new: PrivacyUnit, what: str) -> str:
    """The refusal for mixing privacy units on one dataset, in words."""
    return (f"dataset {fingerprint} is accounted per {have}; {what} protects one {new}. Epsilons of different "
            "privacy units do not compose (a record-level epsilon says little about a user with many records, "
            f"and a user-level one is not a record-level one), so the ledger keeps one unit per dataset. Use "
            f"privacy_unit: {have.kind}" + (f" with user_id_field: {have.user_id_field}" if have.user_id_field else "")
            + ", or account the other unit in a separate ledger.")


@dataclass(frozen=True)
class BudgetChange:
    """One row of a dataset's budget history: the first budget (``old_epsilon`` None) or a change."""

    id: int
    fingerprint: str
    changed: str
    changed_by: str
    old_epsilon: float | None
    new_epsilon: float
    old_delta: float | None
    new_delta: float
    reason: str


def current_user() -> str:
    """``user@host`` for the budget history; never fails (containers may have no passwd entry)."""
    import getpass
    import os
    import socket

    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser raises OSError/KeyError without USER and a passwd entry
        user = f"uid{os.getuid()}"
    return f"{user}@{socket.gethostname()}"


@dataclass(frozen=True)
class RunRecord:
    """One training run on a dataset. ``dp`` False: a non-private run, whose epsilon is unbounded."""

    id: int
    fingerprint: str
    started: str
    finished: str | None
    status: str
    accountant: str
    noise_multiplier: float  # 0.0 for a non-private run
    sample_rate: float
    planned_steps: int
    committed_steps: int
    delta: float | None
    config: dict[str, Any] = field(default_factory=dict)
    dp: bool = True
    privacy_unit: str = "record"
    user_id_field: str | None = None

    @property
    def unit(self) -> PrivacyUnit:
        return PrivacyUnit(self.privacy_unit, self.user_id_field)

    def steps_held(self, reserved: bool) -> int:
        """Committed steps, or (``reserved``) what a running run may still reach: all its planned steps."""
        if reserved and self.status == "running":
            return max(self.planned_steps, self.committed_steps)
        return self.committed_steps

    def spent_event(self) -> MechanismEvent:
        """The steps that have (or may have) reached the model. Private runs only."""
        return MechanismEvent(self.noise_multiplier, self.sample_rate, self.steps_held(False))

    def reserved_event(self) -> MechanismEvent:
        """What the budget must hold for this run: all planned steps while it is running."""
        return MechanismEvent(self.noise_multiplier, self.sample_rate, self.steps_held(True))


def compose(acc: Accountant, runs: Sequence[RunRecord], delta: float, *, reserved: bool = False,
            extra: Sequence[MechanismEvent] = ()) -> float:
    """Epsilon of all ``runs`` (committed steps, or ``reserved`` ones) plus ``extra`` events at ``delta``.

    A non-private run that took (or, reserved, may take) a step makes the result infinite: its
    updates released the data with no bound at all, and nothing composed with it is bounded.
    """
    events = list(extra)
    for run in runs:
        steps = run.steps_held(reserved)
        if steps == 0:
            continue
        if not run.dp:
            return math.inf
        events.append(run.reserved_event() if reserved else run.spent_event())
    return acc.epsilon(events, delta) if events else 0.0


def non_private_runs(runs: Sequence[RunRecord]) -> list[RunRecord]:
    """Non-private runs that may have updated a model (committed or still running)."""
    return [r for r in runs if not r.dp and (r.committed_steps > 0 or r.status == "running")]


def exhausted_reason(runs: Sequence[RunRecord]) -> str | None:
    """Why the dataset's epsilon is unbounded, in words, or None when it is not."""
    bad = non_private_runs(runs)
    if not bad:
        return None
    ids = ", ".join(f"{r.id} ({r.started[:10]})" for r in bad)
    return (f"non-private run(s) {ids} trained on this dataset without DP: the data was released with "
            "unbounded epsilon, so no budget on it can be met")


@dataclass(frozen=True)
class BudgetCheck:
    """The numbers behind a budget decision (epsilons at ``delta``; ``inf`` after a non-private run)."""

    fingerprint: str
    budget_epsilon: float | None  # None: no budget set, nothing is refused
    delta: float | None  # None only when there is neither a budget nor a caller's delta
    spent_epsilon: float | None  # committed steps only
    planned_epsilon: float | None  # the new run on its own
    total_epsilon: float | None  # committed + reserved by running runs + planned
    reserved_steps: int  # steps still reserved by other running runs
    accountant: str
    exhausted: str | None = None  # why spent is unbounded (non-private runs), if it is
    reserving_runs: tuple[int, ...] = ()  # ids of the running runs behind reserved_steps

    @property
    def ok(self) -> bool:
        if self.budget_epsilon is None:
            return True
        assert self.total_epsilon is not None
        return self.total_epsilon <= self.budget_epsilon

    def message(self) -> str:
        if self.exhausted:
            return (f"privacy budget exhausted for dataset {self.fingerprint} (budget epsilon="
                    f"{self.budget_epsilon:.4g}): {self.exhausted}. Train on data that was never used "
                    "without DP.")
        if self.planned_epsilon is not None and math.isinf(self.planned_epsilon):
            return (f"dataset {self.fingerprint} has a privacy budget (epsilon={self.budget_epsilon:g}); a "
                    "non-private run (dp: false) would spend unbounded epsilon. Train with dp: true, or use "
                    "other data.")
        ids = ", ".join(map(str, self.reserving_runs))
        reserved = f" + {self.reserved_steps} steps reserved by running run(s) {ids}" if self.reserved_steps else ""
        # A killed trainer's run keeps its reservation: the refusal says how to release it.
        release = (f" A run left 'running' by a trainer that is gone keeps its reservation until "
                   f"`privtune ledger finish-run ID` (ID: {ids}; its committed steps stay spent)."
                   if self.reserved_steps else "")
        assert self.delta is not None and self.spent_epsilon is not None and self.planned_epsilon is not None
        return (
            f"privacy budget exceeded for dataset {self.fingerprint}: budget epsilon="
            f"{self.budget_epsilon:.4g} at delta={self.delta:.3g}; already spent {self.spent_epsilon:.4g}; "
            f"this run alone {self.planned_epsilon:.4g}; spent{reserved} + this run would total "
            f"{self.total_epsilon:.4g} ({self.accountant} accountant). Use more noise, fewer steps or a "
            "smaller sample rate, or raise the budget with `privtune ledger set-budget`." + release
        )
