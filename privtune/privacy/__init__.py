"""Privacy accounting for DP-SGD, noise calibration and the per-dataset privacy-budget ledger.

- `privtune.privacy.accountants`: ``pld`` (default), ``prv`` and ``rdp`` accountants behind one
  `Accountant` interface, `get_accountant`, `epsilon_curve`.
- `privtune.privacy.calibration`: `noise_for_target_epsilon`, `default_delta`.
- `privtune.privacy.ledger`: `Ledger` (SQLite or PostgreSQL), keyed by dataset fingerprint; every
  run (non-private ones too), one `PrivacyUnit` per dataset, budget history.
- `privtune.privacy.explain`: the plain-words account behind ``privtune privacy explain``.
- `privtune.privacy.privacy_file`: the type check of a run's ``privacy.json`` every reader shares
  (explain, card, bom, serve's ``/info``), and whether an audit report is of that run.
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
from privtune.privacy.ledger import BudgetCheck, Ledger, PrivacyUnit, RunRecord

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
    "PrivacyUnit",
    "RunRecord",
    "default_delta",
    "epsilon_curve",
    "get_accountant",
    "noise_for_target_epsilon",
]
