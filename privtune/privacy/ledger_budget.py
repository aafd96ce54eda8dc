"""Setting and changing a dataset's budget, with the append-only history of who, when and why.

`Ledger` inherits these methods; they use its connection (``self._db``) and `Ledger.dataset`.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from privtune.privacy.accountants import get_accountant
from privtune.privacy.accountants.base import check_delta
from privtune.privacy.errors import BudgetLowered, LedgerError
from privtune.privacy.ledger_records import (BudgetChange, DatasetRecord, PrivacyUnit, RunRecord, compose,
                                             current_user, delta_at_least_one_over_n, exhausted_reason,
                                             unit_mismatch)

if TYPE_CHECKING:
    from privtune.privacy.ledger_db import Database


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class BudgetMethods:
    _db: Database
    # run id -> the (budget epsilon, delta) its plan was last found to fit (see `recheck_budget`)
    _budget_seen: dict[int, tuple[float | None, float | None]]

    def dataset(self, fingerprint: str) -> DatasetRecord | None:  # pragma: no cover - defined by Ledger
        raise NotImplementedError

    def history(self, fingerprint: str) -> list[RunRecord]:  # pragma: no cover - defined by Ledger
        raise NotImplementedError

    def recheck_budget(self, run_id: int) -> None:
        """Before run ``run_id`` commits its next step: if its dataset's budget changed since this
        connection last checked the run (or was never checked here: a resumed process), the
        dataset's total with every running run's planned steps must still fit it. `BudgetLowered`
        otherwise, before anything more is spent.

        `set_budget` cannot stop a run in another process; without this a budget lowered mid-run
        was met only by the next run's check, after this one had spent its whole plan. One cheap
        SELECT per step; the accountant runs only when the budget differs from the last one seen.
        """
        row = self._db.execute(
            "SELECT r.fingerprint, r.accountant, r.committed_steps, r.planned_steps, d.budget_epsilon, d.delta "
            "FROM runs r JOIN datasets d ON d.fingerprint = r.fingerprint WHERE r.id = ? AND r.status = 'running'",
            (run_id,)).fetchone()
        if row is None or row[4] is None:
            return  # not running (commit_steps says so) or no budget to keep
        fingerprint, accountant, committed, planned = row[0], row[1], int(row[2]), int(row[3])
        budget = (float(row[4]), float(row[5]) if row[5] is not None else None)
        if self._budget_seen.get(run_id) == budget or budget[1] is None:
            return
        runs = self.history(fingerprint)
        total = compose(get_accountant(accountant), runs, budget[1], reserved=True)
        if total <= budget[0] and not exhausted_reason(runs):
            self._budget_seen[run_id] = budget
            return
        spent = compose(get_accountant(accountant), runs, budget[1])
        raise BudgetLowered(
            f"the budget of dataset {fingerprint} is now epsilon={budget[0]:g} at delta={budget[1]:g} (changed "
            f"while run {run_id} was in progress): spent so far {spent:.4g}, with the planned steps of the "
            f"running run(s) {total:.4g}; run {run_id} stops before step {committed + 1} of {planned} "
            f"(nothing more is spent; `privtune ledger show {fingerprint[:16]}` lists the runs)")

    def set_budget(self, fingerprint: str, epsilon: float, delta: float, name: str | None = None, *,
                   reason: str | None = None, changed_by: str | None = None, unit: PrivacyUnit | None = None) -> bool:
        """Set a dataset's (epsilon, delta) budget, or change it; ``name`` is a display label.

        ``unit``: what the budget protects; it fixes the dataset's privacy unit if none is fixed
        yet, and must match the one that is (None: whatever the dataset's runs use).

        Every set or change is appended to the budget history with who (``changed_by``, default
        ``user@host``), when and why. Changing an existing budget needs a ``reason``. Returns
        whether the budget changed (False: it already was exactly this). A ``delta`` >= 1/N is
        refused once a training run has recorded N (the dataset's records or users): at such a
        delta every spend reads near zero and protects nothing.
        """
        if not (isinstance(epsilon, int | float) and math.isfinite(epsilon) and epsilon > 0):
            raise LedgerError(f"budget epsilon must be a finite number > 0, got {epsilon!r}")
        delta = check_delta(delta)
        now = now_utc()
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO datasets (fingerprint, name, created, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (fingerprint) DO NOTHING", (fingerprint, name, now, now))
            old_eps, old_delta, old_unit, old_field, n_units = self._db.execute(
                "SELECT budget_epsilon, delta, privacy_unit, user_id_field, privacy_units FROM datasets "
                "WHERE fingerprint = ?" + self._db.lock_suffix, (fingerprint,)
            ).fetchone()
            if n_units and (problem := delta_at_least_one_over_n(delta, int(n_units), old_unit or "record")):
                raise LedgerError(f"dataset {fingerprint}: {problem}")
            if unit is not None and old_unit is not None and PrivacyUnit(old_unit, old_field) != unit:
                raise LedgerError(unit_mismatch(fingerprint, PrivacyUnit(old_unit, old_field), unit, "this budget"))
            if unit is not None and old_unit is None:
                self._db.execute("UPDATE datasets SET privacy_unit = ?, user_id_field = ? WHERE fingerprint = ?",
                                 (unit.kind, unit.user_id_field, fingerprint))
            if name is not None:
                self._db.execute("UPDATE datasets SET name = ? WHERE fingerprint = ?", (name, fingerprint))
            if old_eps is not None and (old_eps, old_delta) == (float(epsilon), delta):
                return False
            if old_eps is not None and not (reason and reason.strip()):
                raise LedgerError(
                    f"dataset {fingerprint} already has a budget of epsilon={old_eps:g} at delta={old_delta:g}; "
                    f"changing it to epsilon={epsilon:g} at delta={delta:g} needs a reason (--reason), which "
                    "the ledger keeps with who and when")
            self._db.execute("UPDATE datasets SET budget_epsilon = ?, delta = ?, updated = ? WHERE fingerprint = ?",
                             (float(epsilon), delta, now, fingerprint))
            self._db.execute(
                "INSERT INTO budget_changes (fingerprint, changed, changed_by, old_epsilon, new_epsilon, old_delta, "
                "new_delta, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (fingerprint, now, changed_by or current_user(), old_eps, float(epsilon), old_delta, delta,
                 (reason or "").strip() or "first budget"))
        return True

    def ensure_budget(self, fingerprint: str, epsilon: float, delta: float, name: str | None = None, *,
                      source: str = "privtune train --budget-epsilon", unit: PrivacyUnit | None = None) -> None:
        """Set the budget if the dataset has none; refuse (`LedgerError`) to change an existing one.

        What a training config may do: a config or flag silently raising a budget would defeat it.
        """
        d = self.dataset(fingerprint)
        if d is not None and d.budget_epsilon is not None:
            if (d.budget_epsilon, d.delta) != (float(epsilon), delta):
                raise LedgerError(
                    f"dataset {fingerprint} already has a budget of epsilon={d.budget_epsilon:g} at "
                    f"delta={d.delta:g}; {source} {epsilon:g} would change it. A training run never changes a "
                    f"budget: drop the setting, or change it on purpose with `privtune ledger set-budget "
                    f"{fingerprint} --epsilon {epsilon:g} --delta {delta:g} --reason '...'`")
            return
        self.set_budget(fingerprint, epsilon, delta, name, reason=f"first budget, set by {source}", unit=unit)

    def budget_history(self, fingerprint: str) -> list[BudgetChange]:
        """Every budget set or change on the dataset, oldest first."""
        rows = self._db.execute(
            "SELECT id, fingerprint, changed, changed_by, old_epsilon, new_epsilon, old_delta, new_delta, reason "
            "FROM budget_changes WHERE fingerprint = ? ORDER BY id", (fingerprint,)).fetchall()
        return [BudgetChange(int(r[0]), *r[1:]) for r in rows]
