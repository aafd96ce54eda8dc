"""Named errors of the privacy stage (all `PrivtuneError`s, so the CLI prints them cleanly)."""

from __future__ import annotations

from privtune.errors import BudgetExceeded, ConfigError, PrivtuneError

__all__ = ["AccountingError", "BudgetExceeded", "CalibrationError", "LedgerError"]


class AccountingError(ConfigError):
    """Mechanism parameters or a delta that no accountant can work with (e.g. q > 1)."""


class CalibrationError(AccountingError):
    """No noise multiplier in the searchable range meets the requested epsilon."""


class LedgerError(PrivtuneError):
    """The privacy-budget ledger cannot be opened, or a run/dataset it was asked about is unknown."""
