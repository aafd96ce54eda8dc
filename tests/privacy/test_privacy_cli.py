"""`privtune privacy ...` and `privtune ledger ...` sub-apps, driven through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from privtune.privacy.accountants import MechanismEvent, get_accountant
from privtune.privacy.cli import ledger_app, privacy_app
from privtune.privacy.errors import AccountingError, CalibrationError, LedgerError
from privtune.privacy.ledger import Ledger

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})  # rich reads both
FP = "sha256:" + "ef" * 32


@pytest.mark.parametrize("accountant", ["pld", "rdp", "prv"])
def test_epsilon_prints_one_json_object(accountant: str) -> None:
    args = ["epsilon", "--noise-multiplier", "1.0", "--sample-rate", "0.01", "--steps", "1000", "--delta", "1e-5",
            "--accountant", accountant]
    result = runner.invoke(privacy_app, args, catch_exceptions=False)
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out == {
        "epsilon": get_accountant(accountant).epsilon([MechanismEvent(1.0, 0.01, 1000)], 1e-5),
        "noise_multiplier": 1.0, "sample_rate": 0.01, "steps": 1000, "delta": 1e-5, "accountant": accountant,
    }


def test_noise_prints_a_sigma_under_the_target() -> None:
    args = ["noise", "--target-epsilon", "2", "-q", "0.01", "-T", "2000", "-d", "1e-5", "-a", "rdp"]
    result = runner.invoke(privacy_app, args, catch_exceptions=False)
    out = json.loads(result.stdout)
    eps = get_accountant("rdp").epsilon([MechanismEvent(out["noise_multiplier"], 0.01, 2000)], 1e-5)
    assert out["epsilon"] == eps and 1.98 <= eps <= 2.0
    assert out["accountant"] == "rdp" and out["target_epsilon"] == 2.0


def test_bad_input_surfaces_as_privtune_errors() -> None:
    bad_rate = runner.invoke(privacy_app, ["epsilon", "-s", "1", "-q", "1.5", "-T", "10", "-d", "1e-5"])
    assert isinstance(bad_rate.exception, AccountingError)
    unreachable = runner.invoke(privacy_app, ["noise", "-e", "1e-6", "-q", "1", "-T", "100000", "-d", "1e-5", "-a", "rdp"])
    assert isinstance(unreachable.exception, CalibrationError)
    bad_choice = runner.invoke(privacy_app, ["epsilon", "-s", "1", "-q", "0.1", "-T", "10", "-d", "1e-5", "-a", "moments"])
    assert bad_choice.exit_code == 2 and "moments" in bad_choice.output


def test_help_texts() -> None:
    text = runner.invoke(privacy_app, ["epsilon", "--help"]).stdout
    assert "--noise-multiplier" in text and "sampling probability" in text and "pld" in text
    assert "ledger.sqlite" in runner.invoke(ledger_app, ["--help"]).stdout


def test_ledger_set_budget_show_export(location: str, tmp_path: Path) -> None:
    db = location  # SQLite and PostgreSQL (tests/privacy/conftest.py)
    result = runner.invoke(ledger_app, ["set-budget", FP, "--epsilon", "4", "--delta", "1e-5", "--name", "tickets",
                                        "--ledger", db], catch_exceptions=False)
    assert json.loads(result.stdout)["remaining_epsilon"] == 4.0
    with Ledger.open(db) as led:
        run = led.begin_run(FP, MechanismEvent(1.0, 0.01, 1000))
        led.commit_steps(run, 1000)
        spent = led.spent(FP)

    shown = runner.invoke(ledger_app, ["show", "--ledger", db], catch_exceptions=False).stdout
    assert "tickets" in shown and FP[7:17] in shown and f"{spent:.4g}" in shown and f"{4 - spent:.4g}" in shown
    detail = runner.invoke(ledger_app, ["show", "--ledger", db, "--dataset", FP], catch_exceptions=False).stdout
    assert "1000/1000" in detail and "running" in detail

    out = tmp_path / "ledger.json"
    runner.invoke(ledger_app, ["export", "--ledger", db, "--out", str(out)], catch_exceptions=False)
    data = json.loads(out.read_text())
    assert data["datasets"][0]["spent_epsilon"] == pytest.approx(spent)
    assert json.loads(runner.invoke(ledger_app, ["export", "--ledger", db]).stdout)["datasets"][0]["name"] == "tickets"

    closed = runner.invoke(ledger_app, ["finish-run", str(run), "--ledger", db], catch_exceptions=False)
    assert json.loads(closed.stdout) == {"run_id": run, "status": "aborted"}
    again = runner.invoke(ledger_app, ["finish-run", str(run), "--ledger", db])
    assert isinstance(again.exception, LedgerError)


def test_show_and_set_budget_say_why_a_budget_is_exhausted(tmp_path: Path) -> None:
    db = str(tmp_path / "l.sqlite")
    with Ledger.open(db) as led:
        raw = led.begin_non_private_run(FP, sample_rate=0.2, steps=3)
        led.commit_steps(raw, 1)
        led.finish_run(raw, "failed")
    result = runner.invoke(ledger_app, ["set-budget", FP, "-e", "9", "-d", "1e-5", "--ledger", db], catch_exceptions=False)
    out = json.loads(result.stdout)  # strict JSON (no Infinity)
    assert out["spent_unbounded"] is True and out["remaining_epsilon"] is None and "non-private" in out["exhausted_reason"]
    shown = runner.invoke(ledger_app, ["show", "--ledger", db, "--dataset", FP], catch_exceptions=False).stdout
    assert "∞" in shown and "exhausted" in shown and f"non-private run(s) {raw}" in shown and "no DP" in shown


def test_set_budget_change_is_recorded_with_who_and_why(tmp_path: Path) -> None:
    db = str(tmp_path / "l.sqlite")
    base = ["set-budget", FP, "-d", "1e-5", "--ledger", db]
    assert json.loads(runner.invoke(ledger_app, [*base, "-e", "4"], catch_exceptions=False).stdout)["changed"] is True
    refused = runner.invoke(ledger_app, [*base, "-e", "8"])
    assert isinstance(refused.exception, LedgerError) and "needs a reason" in str(refused.exception)
    changed = runner.invoke(ledger_app, [*base, "-e", "8", "--reason", "new DPO agreement", "--by", "dpo@corp"],
                            catch_exceptions=False)
    assert json.loads(changed.stdout)["changed"] is True
    shown = runner.invoke(ledger_app, ["show", "--ledger", db, "--dataset", FP], catch_exceptions=False).stdout
    assert "budget history" in shown and "4 → 8" in shown and "dpo@corp" in shown and "new DPO agreement" in shown
    exported = json.loads(runner.invoke(ledger_app, ["export", "--ledger", db]).stdout)
    assert [c["reason"] for c in exported["datasets"][0]["budget_history"]] == ["first budget", "new DPO agreement"]


def test_set_budget_names_its_privacy_unit(tmp_path: Path) -> None:
    db = str(tmp_path / "l.sqlite")
    args = ["set-budget", FP, "-e", "4", "-d", "1e-5", "--ledger", db, "--privacy-unit", "user", "--user-id-field", "uid"]
    runner.invoke(ledger_app, args, catch_exceptions=False)
    assert "user:uid" in runner.invoke(ledger_app, ["show", "--ledger", db], catch_exceptions=False).stdout
    clash = runner.invoke(ledger_app, [*args[:-4], "--privacy-unit", "record"])
    assert isinstance(clash.exception, LedgerError) and "do not compose" in str(clash.exception)


def test_set_budget_resolves_a_unique_prefix_and_never_creates_from_one(tmp_path: Path) -> None:
    db = str(tmp_path / "l.sqlite")
    twin = "sha256:" + "ef" * 31 + "00"  # shares FP's first 62 hex digits
    with Ledger.open(db) as led:
        led.begin_run(FP, MechanismEvent(1.0, 0.01, 10))
        led.begin_run(twin, MechanismEvent(1.0, 0.01, 10))
    ok = runner.invoke(ledger_app, ["set-budget", FP[:-1], "-e", "4", "-d", "1e-5", "--ledger", db], catch_exceptions=False)
    assert json.loads(ok.stdout)["fingerprint"] == FP
    for prefix, message in (("efef", "matches 2 datasets"), ("sha256:0123", "no dataset"), ("abcd", "no dataset"),
                            ("not-a-fp", "not a dataset fingerprint")):
        bad = runner.invoke(ledger_app, ["set-budget", prefix, "-e", "4", "-d", "1e-5", "--ledger", db])
        assert isinstance(bad.exception, LedgerError) and message in str(bad.exception), (prefix, bad.exception)
    with Ledger.open(db) as led:
        assert sorted(d.fingerprint for d in led.datasets()) == sorted([FP, twin])  # no phantom dataset
        assert led.dataset(FP).budget_epsilon == 4.0  # type: ignore[union-attr]
    shown = runner.invoke(ledger_app, ["show", "--ledger", db, "--dataset", twin[:-1]],
                          catch_exceptions=False).stdout
    assert twin in shown and FP not in shown  # the full fingerprint is printed, and --dataset takes a prefix
    new = "sha256:" + "12" * 32  # a full fingerprint may register a dataset before its first run
    runner.invoke(ledger_app, ["set-budget", new, "-e", "1", "-d", "1e-5", "--ledger", db], catch_exceptions=False)


def test_reading_commands_never_create_a_ledger(tmp_path: Path) -> None:
    typo = tmp_path / "typo" / "ledgr.sqlite"
    for args in (["show"], ["export"], ["finish-run", "1"]):
        result = runner.invoke(ledger_app, [*args, "--ledger", str(typo)])
        assert isinstance(result.exception, LedgerError) and "no ledger at" in str(result.exception)
    assert not typo.exists() and not typo.parent.exists()
    prefix_only = runner.invoke(ledger_app, ["set-budget", "abcd", "-e", "1", "-d", "1e-5", "--ledger", str(typo)])
    assert isinstance(prefix_only.exception, LedgerError) and not typo.exists()  # a prefix never starts a ledger


def test_a_new_ledger_file_is_private(tmp_path: Path) -> None:
    import stat

    db = tmp_path / "new" / "ledger.sqlite"
    runner.invoke(ledger_app, ["set-budget", FP, "-e", "4", "-d", "1e-5", "--ledger", str(db)], catch_exceptions=False)
    with Ledger.open(db) as led:  # while open, SQLite's -wal and -shm files exist
        led.begin_run(FP, MechanismEvent(1.0, 0.01, 10))
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_the_example_config_writes_where_ledger_show_reads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from privtune.config import load_config
    from privtune.privacy.ledger_db import default_ledger_location
    from privtune.train.config import TrainConfig

    monkeypatch.delenv("PRIVTUNE_LEDGER", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    example = Path(__file__).resolve().parents[2] / "examples" / "train_qwen2.5-0.5b.yaml"
    cfg = load_config(TrainConfig, example, {})
    written = cfg.ledger or default_ledger_location()  # what privtune train opens
    with Ledger.open(written) as led:
        led.set_budget(FP, 3.0, 1e-5, name="example")
    assert "example" in runner.invoke(ledger_app, ["show"], catch_exceptions=False).stdout  # no --ledger


def test_show_composes_without_a_budget_and_names_runs_left_running(tmp_path: Path) -> None:
    # Without a budget the spend column read "-" after two DP runs; a trainer killed before
    # finishing left its run 'running' with no word on how to release the reservation.
    db = str(tmp_path / "l.sqlite")
    with Ledger.open(db) as led:
        done = led.begin_run(FP, MechanismEvent(1.0, 0.05, 100), delta=1e-5)
        led.commit_steps(done, 100)
        led.finish_run(done)
        stale = led.begin_run(FP, MechanismEvent(1.0, 0.05, 100), delta=1e-5)
    shown = runner.invoke(ledger_app, ["show", "--ledger", db], env={"COLUMNS": "200"}, catch_exceptions=False).stdout
    spent = get_accountant("pld").epsilon([MechanismEvent(1.0, 0.05, 100)], 1e-5)
    assert f"{spent:.4g}" in shown and "(runs')" in shown and "whose trainer is gone" in shown
    detail = runner.invoke(ledger_app, ["show", "--ledger", db, "--dataset", FP], env={"COLUMNS": "200"},
                           catch_exceptions=False).stdout
    assert f"run(s) {stale} still 'running'" in detail and "ledger finish-run ID" in detail


def test_ledger_show_prints_names_and_reasons_as_written(tmp_path: Path) -> None:
    # They are the user's text, and rich read them as markup: "[/oops]" was a MarkupError traceback,
    # "[red]eve" printed as "eve" in red.
    location = str(tmp_path / "l.sqlite")
    fp = "sha256:" + "c" * 64
    with Ledger.open(location) as led:
        led.set_budget(fp, 8.0, 1e-5, name="[/oops] support chats")
        led.set_budget(fp, 4.0, 1e-5, reason="audit [ticket 12] [/]", changed_by="[red]eve")
    for args in (["show"], ["show", "--dataset", "cc"]):
        result = runner.invoke(ledger_app, [*args, "--ledger", location], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "[/oops] support chats" in result.output
    assert "audit [ticket 12] [/]" in result.output and "[red]eve" in result.output


def test_show_into_a_pipe_keeps_every_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A CI log or `| less` is not a terminal: rich assumed 80 columns and cut the last column
    # (runs) off the table; piped output now gets the whole table.
    monkeypatch.delenv("COLUMNS", raising=False)
    db = str(tmp_path / "ledger.sqlite")
    runner.invoke(ledger_app, ["set-budget", FP, "--epsilon", "4", "--delta", "1e-5", "--name", "support-chats-2026-11",
                               "--ledger", db], catch_exceptions=False)
    with Ledger.open(db) as led:
        led.commit_steps(led.begin_run(FP, MechanismEvent(1.0, 0.01, 100)), 100)
    piped = CliRunner(env={"NO_COLOR": "1"}).invoke(ledger_app, ["show", "--ledger", db], catch_exceptions=False)
    header = next(line for line in piped.stdout.splitlines() if "dataset" in line and "spent" in line)
    assert header.rstrip().endswith("runs ┃"), header
    assert "support-chats-2026-11" in piped.stdout and "1, 1 running" in piped.stdout
