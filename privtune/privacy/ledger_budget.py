"""Setting and changing a dataset's budget, with the append-only history of who, when and why.

`Ledger` inherits these methods; they use its connection (``self._db``) and `Ledger.dataset`.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from privtune.privacy.accountants.base import check_delta
from privtune.privacy.errors import LedgerError
from privtune.privacy.ledger_records import (BudgetChange, DatasetRecord, PrivacyUnit, current_user,
                                             delta_at_least_one_over_n, unit_mismatch)

if TYPE_CHECKING:
    from privtune.privacy.ledger_db import Database


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class BudgetMethods:
    _db: Database

    def dataset(self, fingerprint: str) -> DatasetRecord | None:  # pragma: no cover - defined by Ledger
        raise NotImplementedError

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
