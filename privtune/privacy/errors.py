"""Named errors of the privacy stage (all `PrivtuneError`s, so the CLI prints them cleanly)."""

from __future__ import annotations

from privtune.errors import BudgetExceeded, ConfigError, PrivtuneError

__all__ = ["AccountingError", "BudgetExceeded", "BudgetLowered", "CalibrationError", "LedgerError"]


class AccountingError(ConfigError):
    """Mechanism parameters or a delta that no accountant can work with (e.g. q > 1)."""


class CalibrationError(AccountingError):
    """No noise multiplier in the searchable range meets the requested epsilon."""


class LedgerError(PrivtuneError):
    """The privacy-budget ledger cannot be opened, or a run/dataset it was asked about is unknown."""


class BudgetLowered(BudgetExceeded):
    """The dataset's budget was changed while a run was in progress and its plan no longer fits:
    raised by `Ledger.commit_steps` before the step is recorded (nothing more is spent)."""
