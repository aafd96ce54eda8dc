"""Persistent per-dataset privacy-budget ledger (SQLite file, or PostgreSQL for teams).

Datasets are keyed by their fingerprint (`privtune.provenance.fingerprint`). Each training run
is a row holding its mechanism (sigma, q), its planned steps and its *committed* steps. The
trainer calls `Ledger.commit_steps` before it applies each step's noisy update, so the
committed count is never below the number of updates that could have reached the model: a
crash between commit and update over-counts by at most one step, never under-counts.

- spent: epsilon of the composition of every run's committed steps (all statuses — a failed
  run's updates happened too), computed by the chosen accountant at the dataset's delta.
  Non-private runs are recorded too (``dp`` 0); once one has taken a step, spent is infinite and
  any budget on the dataset is exhausted (see `ledger_records.compose`).
- budget check (`plan_check`, and atomically inside `begin_run`): spent, plus the steps still
  reserved by runs that are ``running`` (planned minus committed), plus the new run's planned
  steps, must stay within the budget; otherwise `BudgetExceeded` is raised before the run starts.
  A run cannot commit more steps than it planned, since only those were checked.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from typing import Any

from privtune.privacy.accountants import DEFAULT_ACCOUNTANT, Accountant, MechanismEvent, get_accountant
from privtune.privacy.accountants.base import check_delta
from privtune.privacy.errors import BudgetExceeded, LedgerError
from privtune.privacy.ledger_budget import BudgetMethods, now_utc
from privtune.privacy.ledger_db import Database, default_ledger_location, redact
from privtune.privacy.ledger_export import ExportMethods
from privtune.privacy.ledger_records import (
    RECORD,
    BudgetChange,
    BudgetCheck,
    DatasetRecord,
    PrivacyUnit,
    RunRecord,
    compose,
    exhausted_reason,
    unit_mismatch,
)
from privtune.privacy.ledger_schema import SCHEMA_VERSION, check_is_ledger, create_or_upgrade
from privtune.provenance.fingerprint import FINGERPRINT_PREFIX

__all__ = ["SCHEMA_VERSION", "BudgetChange", "BudgetCheck", "DatasetRecord", "Ledger", "PrivacyUnit", "RunRecord"]

RUN_STATUSES = ("running", "completed", "failed", "aborted")
_MAX_CONFIG_CHARS = 65_536


_RUN_COLUMNS = ("id, fingerprint, started, finished, status, accountant, noise_multiplier, sample_rate, "
                "planned_steps, committed_steps, delta, config, dp, privacy_unit, user_id_field")
_DATASET_COLUMNS = "fingerprint, name, budget_epsilon, delta, privacy_unit, user_id_field, privacy_units"


def _run_record(row: Sequence[Any]) -> RunRecord:
    (run_id, fp, started, finished, status, acc, sigma, q, planned, committed, delta, config, dp, unit, field) = row
    return RunRecord(int(run_id), fp, started, finished, status, acc, sigma, q, int(planned), int(committed),
                     delta, json.loads(config), bool(dp), unit, field)


class Ledger(BudgetMethods, ExportMethods):
    """Privacy-budget ledger on one database connection. Use `Ledger.open`; closes on ``with`` exit.

    Budgets and their history: `BudgetMethods` (ledger_budget.py); the JSON snapshot:
    `ExportMethods` (ledger_export.py).
    """

    def __init__(self, db: Database, *, create: bool = True) -> None:
        self._db = db
        self._budget_seen = {}
        try:
            with db.transaction():
                check_is_ledger(db, self.location, create)
                create_or_upgrade(db, self.location)
        except LedgerError:
            db.close()
            raise

    @classmethod
    def open(cls, path_or_url: str | os.PathLike[str] | None = None, *, create: bool = True) -> Ledger:
        """Open (creating if needed) a SQLite path, ``sqlite:///path`` or ``postgresql://`` URL.

        ``None`` means `default_ledger_location` (``$PRIVTUNE_LEDGER`` or the user data dir).
        ``create=False`` (reading commands): a missing SQLite file is a `LedgerError`, so a typo
        in a path never yields a new, empty ledger that reports nothing spent.
        """
        return cls(Database.connect(str(path_or_url or default_ledger_location()), create=create), create=create)

    def resolve(self, fingerprint_or_prefix: str, *, may_create: bool = False) -> str:
        """The full fingerprint of a dataset given in full or by a unique prefix (``sha256:`` optional).

        A full fingerprint is returned as is when ``may_create`` (a budget may precede the first
        run); a prefix must match exactly one dataset already in the ledger, so a prefix never
        registers a new dataset.
        """
        text = fingerprint_or_prefix.strip().rstrip("…").lower()
        text = text if text.startswith(FINGERPRINT_PREFIX) else FINGERPRINT_PREFIX + text
        digits = text[len(FINGERPRINT_PREFIX):]
        if not digits or any(c not in "0123456789abcdef" for c in digits) or len(digits) > 64:
            raise LedgerError(f"{fingerprint_or_prefix!r} is not a dataset fingerprint (sha256:<64 hex digits>) "
                              "or a prefix of one")
        if len(digits) == 64 and (may_create or self.dataset(text) is not None):
            return text
        matches = [r[0] for r in self._db.execute(
            "SELECT fingerprint FROM datasets WHERE fingerprint LIKE ? ORDER BY fingerprint", (text + "%",)).fetchall()]
        if len(matches) == 1:
            return str(matches[0])
        if not matches:
            raise LedgerError(f"no dataset in ledger {self.location} has a fingerprint starting with {text}"
                              + ("" if len(digits) == 64 else "; to register a new dataset give its full fingerprint "
                                 "(printed by `privtune scan` and `privtune train`)"))
        raise LedgerError(f"{text} matches {len(matches)} datasets in ledger {self.location} "
                          f"({', '.join(m[:19] + '…' for m in matches)}); give more digits")

    @property
    def location(self) -> str:
        return redact(self._db.location)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- datasets ---------------------------------------------------------------------------------
    def dataset(self, fingerprint: str) -> DatasetRecord | None:
        row = self._db.execute(
            f"SELECT {_DATASET_COLUMNS} FROM datasets WHERE fingerprint = ?", (fingerprint,)
        ).fetchone()
        return DatasetRecord(*row) if row else None

    def datasets(self) -> list[DatasetRecord]:
        rows = self._db.execute(f"SELECT {_DATASET_COLUMNS} FROM datasets ORDER BY created, fingerprint")
        return [DatasetRecord(*r) for r in rows.fetchall()]

    # -- runs -------------------------------------------------------------------------------------
    def history(self, fingerprint: str) -> list[RunRecord]:
        """All runs on the dataset, oldest first."""
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE fingerprint = ? ORDER BY id", (fingerprint,)
        ).fetchall()
        return [_run_record(r) for r in rows]

    def spent(self, fingerprint: str, delta: float | None = None, accountant: str | Accountant = DEFAULT_ACCOUNTANT) -> float:
        """Epsilon composed over all runs' committed steps (at the dataset's delta by default).

        ``inf`` once a non-private run has trained on the dataset.
        """
        runs = self.history(fingerprint)
        if exhausted_reason(runs):
            return math.inf
        return compose(get_accountant(accountant), runs, self._delta_for(fingerprint, delta))

    def plan_check(
        self,
        fingerprint: str,
        planned: MechanismEvent,
        delta: float | None = None,
        accountant: str | Accountant = DEFAULT_ACCOUNTANT,
    ) -> BudgetCheck:
        """Would ``planned`` fit the budget? Raises `BudgetExceeded` (with the numbers) if not."""
        check = self._check(fingerprint, planned, delta, accountant, self.history(fingerprint))
        if not check.ok:
            raise BudgetExceeded(check.message())
        return check

    def begin_run(
        self,
        fingerprint: str,
        planned: MechanismEvent,
        *,
        accountant: str | Accountant = DEFAULT_ACCOUNTANT,
        delta: float | None = None,
        config: dict[str, Any] | None = None,
        name: str | None = None,
        unit: PrivacyUnit = RECORD,
        units: int | None = None,
    ) -> int:
        """Check the budget and record a ``running`` DP run in one transaction; returns its id.

        ``config`` is a JSON-able summary of the run settings; never put records in it. ``unit``
        must be the dataset's privacy unit (the first DP run or a budget fixes it): `LedgerError`
        otherwise, since epsilons of different units do not compose. ``units``: N, the number of
        those units in the data; the first run that gives it records it on the dataset, so that a
        budget delta >= 1/N can be refused (`set_budget`) and flagged (`export`).
        """
        return self._insert_run(fingerprint, planned, planned.sample_rate, planned.steps,
                                accountant=accountant, delta=delta, config=config, name=name, unit=unit, units=units)

    def begin_non_private_run(
        self,
        fingerprint: str,
        *,
        sample_rate: float,
        steps: int,
        config: dict[str, Any] | None = None,
        name: str | None = None,
        unit: PrivacyUnit = RECORD,
        units: int | None = None,
    ) -> int:
        """Record a ``running`` run without DP (its epsilon is unbounded); returns its id.

        Refused (`BudgetExceeded`) on a dataset with a budget. Recorded everywhere else, so that a
        budget set later knows the data was already released without a bound. ``units`` as in `begin_run`.
        """
        return self._insert_run(fingerprint, None, sample_rate, steps, accountant=DEFAULT_ACCOUNTANT,
                                delta=None, config=config, name=name, unit=unit, units=units)

    def _insert_run(
        self,
        fingerprint: str,
        planned: MechanismEvent | None,  # None: a non-private run
        sample_rate: float,
        steps: int,
        *,
        accountant: str | Accountant,
        delta: float | None,
        config: dict[str, Any] | None,
        name: str | None,
        unit: PrivacyUnit,
        units: int | None = None,
    ) -> int:
        acc = get_accountant(accountant)
        config_text = json.dumps(config or {}, sort_keys=True, default=str)
        if len(config_text) > _MAX_CONFIG_CHARS:
            raise LedgerError(f"run config summary is {len(config_text)} characters; keep it under {_MAX_CONFIG_CHARS}")
        now = now_utc()
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO datasets (fingerprint, name, created, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (fingerprint) DO NOTHING",
                (fingerprint, name, now, now),
            )
            # Lock the dataset row (PostgreSQL; SQLite holds the write lock already) so no other
            # process can pass the same budget check before this run is recorded.
            have_kind, have_field = self._db.execute(
                "SELECT privacy_unit, user_id_field FROM datasets WHERE fingerprint = ?" + self._db.lock_suffix, (fingerprint,)
            ).fetchone()
            have = PrivacyUnit(have_kind, have_field) if have_kind else None
            # A non-private run is unbounded for every unit: nothing to compose, so no unit check.
            if planned is not None and have is not None and have != unit:
                raise LedgerError(unit_mismatch(fingerprint, have, unit, "this run"))
            if planned is not None and have is None:
                self._db.execute("UPDATE datasets SET privacy_unit = ?, user_id_field = ? WHERE fingerprint = ?",
                                 (unit.kind, unit.user_id_field, fingerprint))
            # N counts the dataset's own unit: the one fixed on it, or fixed just above by this DP run
            # (a non-private run fixes none, and its N might count records of a per-user dataset).
            if units is not None and (have == unit or (have is None and planned is not None)):
                self._record_units(fingerprint, units)
            record = self.dataset(fingerprint)
            problem = record.delta_problem() if record is not None and record.budget_epsilon is not None else None
            if planned is not None and problem:
                raise LedgerError(f"dataset {fingerprint}: {problem}")
            check = self._check(fingerprint, planned, delta, acc, self.history(fingerprint))
            if not check.ok:
                raise BudgetExceeded(check.message())
            sigma = planned.noise_multiplier if planned is not None else 0.0
            run_id = self._db.insert_returning_id(
                "INSERT INTO runs (fingerprint, started, status, accountant, noise_multiplier, sample_rate, "
                "planned_steps, committed_steps, delta, config, dp, privacy_unit, user_id_field) "
                "VALUES (?, ?, 'running', ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
                (fingerprint, now, acc.name, sigma, float(sample_rate), int(steps), check.delta, config_text,
                 int(planned is not None), unit.kind, unit.user_id_field),
            )
        if record is not None and record.budget_epsilon is not None:
            self._budget_seen[run_id] = (record.budget_epsilon, record.delta)  # the check above held the plan
        return run_id

    def _record_units(self, fingerprint: str, units: int) -> None:
        if units > 0:
            self._db.execute("UPDATE datasets SET privacy_units = ? WHERE fingerprint = ? AND privacy_units IS NULL",
                             (int(units), fingerprint))

    def record_units(self, fingerprint: str, unit: PrivacyUnit, units: int) -> None:
        """Record N (``units`` of ``unit``) on the dataset if it has none yet and is accounted in that
        unit: for runs registered before the ledger kept N (a resumed run does not register again;
        its DP run has fixed the unit)."""
        record = self.dataset(fingerprint)
        if record is not None and record.unit == unit:
            with self._db.transaction():
                self._record_units(fingerprint, units)

    def commit_steps(self, run_id: int, n: int = 1) -> None:
        """Record ``n`` more steps of run ``run_id``; call BEFORE applying their updates.

        One UPDATE (its own transaction). Refuses to exceed the run's planned steps. A trainer
        calls `recheck_budget` first: a budget lowered mid-run stops the run there.
        """
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise LedgerError(f"commit_steps needs a whole number n >= 1, got {n!r}")
        cur = self._db.execute(
            "UPDATE runs SET committed_steps = committed_steps + ? "
            "WHERE id = ? AND status = 'running' AND committed_steps + ? <= planned_steps",
            (n, run_id, n),
        )
        if cur.rowcount == 1:
            return
        run = self._run(run_id)  # diagnose the refusal; not on the hot path
        if run.status != "running":
            raise LedgerError(f"run {run_id} is {run.status}; it cannot commit more steps")
        raise BudgetExceeded(
            f"run {run_id} tried to commit steps {run.committed_steps + 1}..{run.committed_steps + n} "
            f"but planned only {run.planned_steps}; the budget check covered {run.planned_steps} steps"
        )

    def finish_run(self, run_id: int, status: str = "completed") -> None:
        """Mark a run finished (``completed``, ``failed`` or ``aborted``); frees its reservation."""
        if status not in RUN_STATUSES[1:]:
            raise LedgerError(f"status must be one of {', '.join(RUN_STATUSES[1:])}, got {status!r}")
        cur = self._db.execute(
            "UPDATE runs SET status = ?, finished = ? WHERE id = ? AND status = 'running'", (status, now_utc(), run_id)
        )
        if cur.rowcount != 1:
            run = self._run(run_id)
            raise LedgerError(f"run {run_id} is already {run.status}")

    # -- internals --------------------------------------------------------------------------------
    def _run(self, run_id: int) -> RunRecord:
        row = self._db.execute("SELECT fingerprint FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise LedgerError(f"no run {run_id} in ledger {self.location}")
        return next(r for r in self.history(row[0]) if r.id == run_id)

    def _delta_for(self, fingerprint: str, delta: float | None) -> float:
        d = self.dataset(fingerprint)
        if d is not None and d.budget_epsilon is not None and d.delta is not None:
            if delta is not None and float(delta) != d.delta:
                raise LedgerError(
                    f"dataset {fingerprint} has its budget at delta={d.delta:g}; "
                    f"budget checks use that delta, not {delta:g} (pass delta=None)"
                )
            return d.delta
        if delta is None:
            raise LedgerError(f"dataset {fingerprint} has no budget delta; pass delta explicitly")
        return check_delta(delta)

    def _check(
        self,
        fingerprint: str,
        planned: MechanismEvent | None,
        delta: float | None,
        accountant: str | Accountant,
        runs: Sequence[RunRecord],
    ) -> BudgetCheck:
        acc = get_accountant(accountant)
        d = self.dataset(fingerprint)
        budget = d.budget_epsilon if d is not None else None
        exhausted = exhausted_reason(runs)
        if budget is None and delta is None:
            # No budget and no delta: nothing to check or report against; record the run.
            return BudgetCheck(fingerprint, None, None, None, None, None, 0, acc.name, exhausted)
        delta = self._delta_for(fingerprint, delta)
        reserved_steps = sum(r.steps_held(True) - r.committed_steps for r in runs)
        reserving = tuple(r.id for r in runs if r.steps_held(True) > r.committed_steps)
        if planned is None:
            planned_eps = total = math.inf
        else:
            planned_eps = acc.epsilon([planned], delta)
            total = compose(acc, runs, delta, reserved=True, extra=[planned])
        return BudgetCheck(
            fingerprint=fingerprint,
            budget_epsilon=budget,
            delta=delta,
            spent_epsilon=compose(acc, runs, delta),
            planned_epsilon=planned_eps,
            total_epsilon=total,
            reserved_steps=reserved_steps,
            accountant=acc.name,
            exhausted=exhausted,
            reserving_runs=reserving,
        )
