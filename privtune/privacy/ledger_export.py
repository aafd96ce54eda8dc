"""`Ledger.export`: the JSON-able snapshot of a ledger (`privtune ledger export`), made to be handed
to others, so it holds paths only as the ledger's directory sees them and the ledger by name.

`Ledger` inherits this method; it uses `Ledger.datasets`, `history`, `budget_history` and `location`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from privtune.privacy.accountants import DEFAULT_ACCOUNTANT, Accountant, get_accountant
from privtune.privacy.errors import LedgerError
from privtune.privacy.ledger_budget import now_utc
from privtune.privacy.ledger_records import BudgetChange, DatasetRecord, RunRecord, compose, exhausted_reason
from privtune.privacy.ledger_schema import SCHEMA_VERSION
from privtune.provenance.portable import ledger_directory, portable_location, portable_summary


class ExportMethods:
    location: str

    def datasets(self) -> list[DatasetRecord]:  # pragma: no cover - defined by Ledger
        raise NotImplementedError

    def history(self, fingerprint: str) -> list[RunRecord]:  # pragma: no cover - defined by Ledger
        raise NotImplementedError

    def budget_history(self, fingerprint: str) -> list[BudgetChange]:  # pragma: no cover - defined by BudgetMethods
        raise NotImplementedError

    def export(self, fingerprint: str | None = None, accountant: str | Accountant = DEFAULT_ACCOUNTANT) -> dict[str, Any]:
        """JSON-able snapshot: datasets with budget, spent/remaining epsilon and all runs."""
        acc = get_accountant(accountant)
        records = self.datasets()
        if fingerprint is not None:
            records = [d for d in records if d.fingerprint == fingerprint]
            if not records:
                raise LedgerError(f"dataset {fingerprint} is not in ledger {self.location}")
        out = []
        anchor = ledger_directory(self.location)
        for d in records:
            runs = self.history(d.fingerprint)
            exhausted = exhausted_reason(runs)
            # JSON has no infinity: an unbounded spend is spent_epsilon null + spent_unbounded true.
            # Without a budget the dataset has no delta of its own: the spend is composed at the
            # largest delta its private runs were trained under (before, it was not shown at all,
            # so two runs at epsilon 8 each read as nothing spent).
            run_deltas = [r.delta for r in runs if r.dp and r.delta is not None]
            at = d.delta if d.delta is not None else max(run_deltas, default=None)
            spent = compose(acc, runs, at) if at is not None and not exhausted else None
            remaining = d.budget_epsilon - spent if d.budget_epsilon is not None and spent is not None else None
            out.append({**asdict(d), "delta_problem": d.delta_problem(), "spent_epsilon": spent, "remaining_epsilon": remaining,
                        "spent_delta": at, "spent_delta_source": None if at is None else
                        "budget" if d.delta is not None else "runs",
                        "spent_unbounded": exhausted is not None, "exhausted_reason": exhausted,
                        "budget_history": [asdict(c) for c in self.budget_history(d.fingerprint)],
                        "runs": [{**asdict(r), "config": portable_summary(r.config, anchor)} for r in runs]})
        # the file's name, not its path (``/home/alice/.local/share/...``): an export is handed to others
        return {"format": "privtune-ledger", "schema_version": SCHEMA_VERSION, "exported": now_utc(),
                "ledger": portable_location(self.location.removeprefix("sqlite:///"), None),
                "accountant": acc.name, "datasets": out}
