"""Privacy accounting for DP-SGD, noise calibration and the per-dataset privacy-budget ledger.

- `privtune.privacy.accountants`: ``pld`` (default), ``prv`` and ``rdp`` accountants behind one
  `Accountant` interface, `get_accountant`, `epsilon_curve`.
- `privtune.privacy.calibration`: `noise_for_target_epsilon`, `default_delta`.
- `privtune.privacy.ledger`: `Ledger` (SQLite or PostgreSQL), keyed by dataset fingerprint.
- `privtune.privacy.cli`: ``privacy_app`` and ``ledger_app`` for the main CLI.
"""

from privtune.privacy.accountants import (
    ACCOUNTANTS,
    DEFAULT_ACCOUNTANT,
    Accountant,
    MechanismEvent,
    epsilon_curve,
    get_accountant,
)
from privtune.privacy.calibration import default_delta, noise_for_target_epsilon
from privtune.privacy.errors import AccountingError, BudgetExceeded, CalibrationError, LedgerError
from privtune.privacy.ledger import BudgetCheck, Ledger, RunRecord

__all__ = [
    "ACCOUNTANTS",
    "DEFAULT_ACCOUNTANT",
    "Accountant",
    "AccountingError",
    "BudgetCheck",
    "BudgetExceeded",
    "CalibrationError",
    "Ledger",
    "LedgerError",
    "MechanismEvent",
    "RunRecord",
    "default_delta",
    "epsilon_curve",
    "get_accountant",
    "noise_for_target_epsilon",
]
