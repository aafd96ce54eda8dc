"""Persistent per-dataset privacy-budget ledger (SQLite file, or PostgreSQL for teams).

Datasets are keyed by their fingerprint (`privtune.provenance.fingerprint`). Each training run
is a row holding its mechanism (sigma, q), its planned steps and its *committed* steps. The
trainer calls `Ledger.commit_steps` before it applies each step's noisy update, so the
committed count is never below the number of updates that could have reached the model: a
crash between commit and update over-counts by at most one step, never under-counts.

- spent: epsilon of the composition of every run's committed steps (all statuses — a failed
  run's updates happened too), computed by the chosen accountant at the dataset's delta.
- budget check (`plan_check`, and atomically inside `begin_run`): spent, plus the steps still
  reserved by runs that are ``running`` (planned minus committed), plus the new run's planned
  steps, must stay within the budget; otherwise `BudgetExceeded` is raised before the run starts.
  A run cannot commit more steps than it planned, since only those were checked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from privtune.privacy.accountants import DEFAULT_ACCOUNTANT, Accountant, MechanismEvent, get_accountant
from privtune.privacy.accountants.base import check_delta
from privtune.privacy.errors import BudgetExceeded, LedgerError
from privtune.privacy.ledger_db import Database, default_ledger_location, redact

SCHEMA_VERSION = 1
RUN_STATUSES = ("running", "completed", "failed", "aborted")
_MAX_CONFIG_CHARS = 65_536


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _schema(db: Database) -> list[str]:
    return [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS datasets (
            fingerprint TEXT PRIMARY KEY,
            name TEXT,
            budget_epsilon DOUBLE PRECISION,
            delta DOUBLE PRECISION,
            created TEXT NOT NULL,
            updated TEXT NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS runs (
            {db.id_column},
            fingerprint TEXT NOT NULL REFERENCES datasets(fingerprint),
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL,
            accountant TEXT NOT NULL,
            noise_multiplier DOUBLE PRECISION NOT NULL,
            sample_rate DOUBLE PRECISION NOT NULL,
            planned_steps BIGINT NOT NULL,
            committed_steps BIGINT NOT NULL DEFAULT 0,
            delta DOUBLE PRECISION,
            config TEXT NOT NULL DEFAULT '{{}}')""",
        "CREATE INDEX IF NOT EXISTS runs_by_dataset ON runs (fingerprint)",
    ]


@dataclass(frozen=True)
class DatasetRecord:
    fingerprint: str
    name: str | None
    budget_epsilon: float | None
    delta: float | None


@dataclass(frozen=True)
class RunRecord:
    id: int
    fingerprint: str
    started: str
    finished: str | None
    status: str
    accountant: str
    noise_multiplier: float
    sample_rate: float
    planned_steps: int
    committed_steps: int
    delta: float | None
    config: dict[str, Any] = field(default_factory=dict)

    def spent_event(self) -> MechanismEvent:
        """The steps that have (or may have) reached the model."""
        return MechanismEvent(self.noise_multiplier, self.sample_rate, self.committed_steps)

    def reserved_event(self) -> MechanismEvent:
        """What the budget must hold for this run: all planned steps while it is running."""
        steps = max(self.planned_steps, self.committed_steps) if self.status == "running" else self.committed_steps
        return MechanismEvent(self.noise_multiplier, self.sample_rate, steps)


@dataclass(frozen=True)
class BudgetCheck:
    """The numbers behind a budget decision (epsilons at ``delta``)."""

    fingerprint: str
    budget_epsilon: float | None  # None: no budget set, nothing is refused
    delta: float | None  # None only when there is neither a budget nor a caller's delta
    spent_epsilon: float | None  # committed steps only
    planned_epsilon: float | None  # the new run on its own
    total_epsilon: float | None  # committed + reserved by running runs + planned
    reserved_steps: int  # steps still reserved by other running runs
    accountant: str

    @property
    def ok(self) -> bool:
        if self.budget_epsilon is None:
            return True
        assert self.total_epsilon is not None
        return self.total_epsilon <= self.budget_epsilon

    def message(self) -> str:
        reserved = f" + {self.reserved_steps} steps reserved by running runs" if self.reserved_steps else ""
        assert self.delta is not None and self.spent_epsilon is not None and self.planned_epsilon is not None
        return (
            f"privacy budget exceeded for dataset {self.fingerprint}: budget epsilon="
            f"{self.budget_epsilon:.4g} at delta={self.delta:.3g}; already spent {self.spent_epsilon:.4g}; "
            f"this run alone {self.planned_epsilon:.4g}; spent{reserved} + this run would total "
            f"{self.total_epsilon:.4g} ({self.accountant} accountant). Use more noise, fewer steps or a "
            "smaller sample rate, or raise the budget with `privtune ledger set-budget`."
        )


class Ledger:
    """Privacy-budget ledger on one database connection. Use `Ledger.open`; closes on ``with`` exit."""

    def __init__(self, db: Database) -> None:
        self._db = db
        with db.transaction():
            db.schema_lock()
            for stmt in _schema(db):
                db.execute(stmt)
            row = db.execute("SELECT value FROM meta WHERE key = ?", ("schema_version",)).fetchone()
            if row is None:
                db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("schema_version", str(SCHEMA_VERSION)))
            elif int(row[0]) > SCHEMA_VERSION:
                raise LedgerError(f"ledger {self.location} has schema v{row[0]}; this privtune reads up to v{SCHEMA_VERSION}")

    @classmethod
    def open(cls, path_or_url: str | None = None) -> Ledger:
        """Open (creating if needed) a SQLite path, ``sqlite:///path`` or ``postgresql://`` URL.

        ``None`` means `default_ledger_location` (``$PRIVTUNE_LEDGER`` or the user data dir).
        """
        return cls(Database.connect(str(path_or_url or default_ledger_location())))

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
    def set_budget(self, fingerprint: str, epsilon: float, delta: float, name: str | None = None) -> None:
        """Set (or replace) a dataset's (epsilon, delta) budget; ``name`` is a display label."""
        if not (isinstance(epsilon, int | float) and math.isfinite(epsilon) and epsilon > 0):
            raise LedgerError(f"budget epsilon must be a finite number > 0, got {epsilon!r}")
        delta = check_delta(delta)
        now = _now()
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO datasets (fingerprint, name, budget_epsilon, delta, created, updated) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET "
                "budget_epsilon = excluded.budget_epsilon, delta = excluded.delta, "
                "name = COALESCE(excluded.name, datasets.name), updated = excluded.updated",
                (fingerprint, name, float(epsilon), delta, now, now),
            )

    def dataset(self, fingerprint: str) -> DatasetRecord | None:
        row = self._db.execute(
            "SELECT fingerprint, name, budget_epsilon, delta FROM datasets WHERE fingerprint = ?", (fingerprint,)
        ).fetchone()
        return DatasetRecord(*row) if row else None

    def datasets(self) -> list[DatasetRecord]:
        rows = self._db.execute("SELECT fingerprint, name, budget_epsilon, delta FROM datasets ORDER BY created, fingerprint")
        return [DatasetRecord(*r) for r in rows.fetchall()]

    # -- runs -------------------------------------------------------------------------------------
    def history(self, fingerprint: str) -> list[RunRecord]:
        """All runs on the dataset, oldest first."""
        rows = self._db.execute(
            "SELECT id, fingerprint, started, finished, status, accountant, noise_multiplier, sample_rate, "
            "planned_steps, committed_steps, delta, config FROM runs WHERE fingerprint = ? ORDER BY id",
            (fingerprint,),
        ).fetchall()
        return [RunRecord(*r[:-1], config=json.loads(r[-1])) for r in rows]

    def spent(self, fingerprint: str, delta: float | None = None, accountant: str | Accountant = DEFAULT_ACCOUNTANT) -> float:
        """Epsilon composed over all runs' committed steps (at the dataset's delta by default)."""
        delta = self._delta_for(fingerprint, delta)
        return get_accountant(accountant).epsilon([r.spent_event() for r in self.history(fingerprint)], delta)

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
    ) -> int:
        """Check the budget and record a ``running`` run in one transaction; returns its id.

        ``config`` is a JSON-able summary of the run settings; never put records in it.
        """
        acc = get_accountant(accountant)
        config_text = json.dumps(config or {}, sort_keys=True, default=str)
        if len(config_text) > _MAX_CONFIG_CHARS:
            raise LedgerError(f"run config summary is {len(config_text)} characters; keep it under {_MAX_CONFIG_CHARS}")
        now = _now()
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO datasets (fingerprint, name, created, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (fingerprint) DO NOTHING",
                (fingerprint, name, now, now),
            )
            # Lock the dataset row (PostgreSQL; SQLite holds the write lock already) so no other
            # process can pass the same budget check before this run is recorded.
            self._db.execute("SELECT fingerprint FROM datasets WHERE fingerprint = ?" + self._db.lock_suffix, (fingerprint,))
            check = self._check(fingerprint, planned, delta, acc, self.history(fingerprint))
            if not check.ok:
                raise BudgetExceeded(check.message())
            return self._db.insert_returning_id(
                "INSERT INTO runs (fingerprint, started, status, accountant, noise_multiplier, sample_rate, "
                "planned_steps, committed_steps, delta, config) VALUES (?, ?, 'running', ?, ?, ?, ?, 0, ?, ?)",
                (fingerprint, now, acc.name, planned.noise_multiplier, planned.sample_rate, planned.steps,
                 check.delta, config_text),
            )

    def commit_steps(self, run_id: int, n: int = 1) -> None:
        """Record ``n`` more steps of run ``run_id``; call BEFORE applying their updates.

        One UPDATE (its own transaction). Refuses to exceed the run's planned steps.
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
            "UPDATE runs SET status = ?, finished = ? WHERE id = ? AND status = 'running'", (status, _now(), run_id)
        )
        if cur.rowcount != 1:
            run = self._run(run_id)
            raise LedgerError(f"run {run_id} is already {run.status}")

    # -- export -----------------------------------------------------------------------------------
    def export(self, fingerprint: str | None = None, accountant: str | Accountant = DEFAULT_ACCOUNTANT) -> dict[str, Any]:
        """JSON-able snapshot: datasets with budget, spent/remaining epsilon and all runs."""
        acc = get_accountant(accountant)
        records = self.datasets()
        if fingerprint is not None:
            records = [d for d in records if d.fingerprint == fingerprint]
            if not records:
                raise LedgerError(f"dataset {fingerprint} is not in ledger {self.location}")
        out = []
        for d in records:
            runs = self.history(d.fingerprint)
            spent = acc.epsilon([r.spent_event() for r in runs], d.delta) if d.delta is not None else None
            remaining = d.budget_epsilon - spent if d.budget_epsilon is not None and spent is not None else None
            out.append({**asdict(d), "spent_epsilon": spent, "remaining_epsilon": remaining,
                        "runs": [asdict(r) for r in runs]})
        return {"format": "privtune-ledger", "schema_version": SCHEMA_VERSION, "exported": _now(),
                "ledger": self.location, "accountant": acc.name, "datasets": out}

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
        planned: MechanismEvent,
        delta: float | None,
        accountant: str | Accountant,
        runs: Sequence[RunRecord],
    ) -> BudgetCheck:
        acc = get_accountant(accountant)
        d = self.dataset(fingerprint)
        budget = d.budget_epsilon if d is not None else None
        if budget is None and delta is None:
            # No budget and no delta: nothing to check or report against; record the run.
            return BudgetCheck(fingerprint, None, None, None, None, None, 0, acc.name)
        delta = self._delta_for(fingerprint, delta)
        reserved_steps = sum(r.reserved_event().steps - r.committed_steps for r in runs)
        return BudgetCheck(
            fingerprint=fingerprint,
            budget_epsilon=budget,
            delta=delta,
            spent_epsilon=acc.epsilon([r.spent_event() for r in runs], delta),
            planned_epsilon=acc.epsilon([planned], delta),
            total_epsilon=acc.epsilon([r.reserved_event() for r in runs] + [planned], delta),
            reserved_steps=reserved_steps,
            accountant=acc.name,
        )
