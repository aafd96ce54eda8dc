"""A budget delta >= 1/N (round 8): the ledger records N when a training run registers, refuses
such a budget once N is known, and `ledger show` says why the spend at such a delta reads ~0."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from privtune.privacy.accountants import MechanismEvent
from privtune.privacy.cli import ledger_app
from privtune.privacy.errors import LedgerError
from privtune.privacy.ledger import Ledger
from privtune.privacy.ledger_records import RECORD

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})
FP = "sha256:" + "5a" * 32


def test_a_run_records_n_and_set_budget_refuses_delta_at_or_over_one_over_n(tmp_path: Path) -> None:
    db = str(tmp_path / "l.sqlite")
    with Ledger.open(db) as led:
        led.begin_run(FP, MechanismEvent(1.0, 0.1, 10), delta=1e-4, units=50)
        assert led.dataset(FP).privacy_units == 50
    refused = runner.invoke(ledger_app, ["set-budget", FP, "-e", "4", "-d", "0.02", "--ledger", db])
    assert isinstance(refused.exception, LedgerError), refused.stdout
    assert "not below 1/N = 1/50 = 0.02" in str(refused.exception)
    ok = runner.invoke(ledger_app, ["set-budget", FP, "-e", "4", "-d", "1e-4", "--ledger", db], catch_exceptions=False)
    out = json.loads(ok.stdout)
    assert out["privacy_units"] == 50 and "note" not in out


def test_set_budget_before_any_run_says_n_is_unknown(tmp_path: Path) -> None:
    db = str(tmp_path / "l.sqlite")
    out = json.loads(runner.invoke(ledger_app, ["set-budget", FP, "-e", "4", "-d", "0.5", "--ledger", db],
                                   catch_exceptions=False).stdout)
    assert out["privacy_units"] is None and "1/N" in out["note"]
    # the first run that gives N is refused against that budget (privtune train refuses it earlier)
    with Ledger.open(db) as led:
        try:
            led.begin_run(FP, MechanismEvent(1.0, 0.1, 10), units=50)
            raise AssertionError("a run under a budget delta >= 1/N was recorded")
        except LedgerError as exc:
            assert "not below 1/N" in str(exc)
        assert led.history(FP) == []


def test_show_says_why_a_spend_at_delta_over_one_over_n_reads_near_zero(tmp_path: Path) -> None:
    db = str(tmp_path / "l.sqlite")
    with Ledger.open(db) as led:  # a budget set before N was known (or before the ledger kept N)
        led.set_budget(FP, 4.0, 0.5)
    con = sqlite3.connect(db)
    con.execute("UPDATE datasets SET privacy_units = 50")
    con.commit()
    con.close()
    shown = runner.invoke(ledger_app, ["show", "--ledger", db], catch_exceptions=False).stdout
    assert "≥ 1/N" in shown and "not below 1/N = 1/50" in " ".join(shown.split())
    exported = json.loads(runner.invoke(ledger_app, ["export", "--ledger", db], catch_exceptions=False).stdout)
    assert "not below 1/N" in exported["datasets"][0]["delta_problem"]


def test_a_resumed_run_records_n_on_an_older_ledger(tmp_path: Path) -> None:
    db = str(tmp_path / "l.sqlite")
    with Ledger.open(db) as led:
        led.begin_run(FP, MechanismEvent(1.0, 0.1, 10), delta=1e-4)  # no N: as an older privtune registered it
        assert led.dataset(FP).privacy_units is None
        led.record_units(FP, RECORD, 80)
        assert led.dataset(FP).privacy_units == 80
        led.record_units(FP, RECORD, 99)  # the first N stays
        assert led.dataset(FP).privacy_units == 80


def test_a_non_private_run_records_no_n_for_a_dataset_without_a_unit(tmp_path: Path) -> None:
    # its N counts records; the dataset may later be accounted per user (N smaller, 1/N larger)
    from privtune.privacy.ledger_records import PrivacyUnit

    with Ledger.open(str(tmp_path / "l.sqlite")) as led:
        led.begin_non_private_run(FP, sample_rate=0.1, steps=3, units=500)
        assert led.dataset(FP).privacy_units is None
        led.begin_run(FP, MechanismEvent(1.0, 0.1, 10), delta=1e-4, unit=PrivacyUnit("user", "uid"), units=40)
        assert led.dataset(FP).privacy_units == 40
