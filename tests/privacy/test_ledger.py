"""Privacy-budget ledger: composition over runs, refusals, crash semantics, concurrency.

Tests taking the ``location`` / ``ledger`` fixtures (tests/privacy/conftest.py) run on SQLite and
on a real PostgreSQL server that the test session starts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from privtune.privacy.accountants import MechanismEvent, get_accountant
from privtune.privacy.errors import BudgetExceeded, LedgerError
from privtune.privacy.ledger import Ledger
from privtune.privacy.ledger_db import default_ledger_location

FP = "sha256:" + "ab" * 32
OTHER = "sha256:" + "cd" * 32
DELTA = 1e-5


def _pld(*events: MechanismEvent) -> float:
    return get_accountant("pld").epsilon(list(events), DELTA)


def test_spent_composes_committed_steps_over_runs(ledger: Ledger) -> None:
    ledger.set_budget(FP, 10.0, DELTA, name="support tickets")
    a = ledger.begin_run(FP, MechanismEvent(1.0, 0.01, 1000))
    ledger.commit_steps(a, 600)
    ledger.finish_run(a, "completed")
    b = ledger.begin_run(FP, MechanismEvent(2.0, 0.02, 500))
    for _ in range(3):
        ledger.commit_steps(b)
    spent = ledger.spent(FP)
    assert spent == pytest.approx(_pld(MechanismEvent(1.0, 0.01, 600), MechanismEvent(2.0, 0.02, 3)), rel=1e-12)
    assert spent > _pld(MechanismEvent(1.0, 0.01, 600))
    assert ledger.spent(FP, accountant="rdp") > spent
    assert ledger.spent(OTHER, delta=DELTA) == 0.0


def test_refusal_happens_before_the_run_and_carries_the_numbers(ledger: Ledger) -> None:
    ledger.set_budget(FP, 3.0, DELTA)
    first = ledger.begin_run(FP, MechanismEvent(1.0, 0.01, 1000))
    ledger.commit_steps(first, 1000)
    ledger.finish_run(first)
    spent = _pld(MechanismEvent(1.0, 0.01, 1000))
    planned = MechanismEvent(1.0, 0.01, 2000)
    with pytest.raises(BudgetExceeded) as err:
        ledger.plan_check(FP, planned)
    text = str(err.value)
    total = _pld(MechanismEvent(1.0, 0.01, 3000))
    for number in (3.0, spent, _pld(planned), total):
        assert f"{number:.4g}" in text
    assert err.value.exit_code == 4
    with pytest.raises(BudgetExceeded):
        ledger.begin_run(FP, planned)
    assert [r.id for r in ledger.history(FP)] == [first]  # the refused run left no row
    ok = ledger.plan_check(FP, MechanismEvent(1.0, 0.01, 100))
    assert ok.ok and ok.spent_epsilon == pytest.approx(spent) and ok.total_epsilon < 3.0


def test_running_runs_reserve_their_planned_steps(ledger: Ledger) -> None:
    ledger.set_budget(FP, 2.5, DELTA)
    run = ledger.begin_run(FP, MechanismEvent(1.0, 0.01, 1000))  # ~1.83 of 2.5 once done
    ledger.commit_steps(run, 10)
    with pytest.raises(BudgetExceeded, match="990 steps reserved") as err:
        ledger.begin_run(FP, MechanismEvent(1.0, 0.01, 1000))
    # The refusal names the run and how to release it (a killed trainer's run reserved in silence).
    assert f"reserved by running run(s) {run} " in str(err.value)
    assert f"`privtune ledger finish-run ID` (ID: {run};" in str(err.value)
    ledger.finish_run(run, "aborted")  # releases what it did not use; its 10 steps stay spent
    second = ledger.begin_run(FP, MechanismEvent(1.0, 0.01, 1000))
    assert ledger.history(FP)[-1].id == second


def test_a_run_cannot_commit_beyond_its_plan(ledger: Ledger) -> None:
    run = ledger.begin_run(FP, MechanismEvent(1.0, 0.01, 5))
    ledger.commit_steps(run, 4)
    with pytest.raises(BudgetExceeded, match="planned only 5"):
        ledger.commit_steps(run, 2)
    ledger.commit_steps(run)
    ledger.finish_run(run)
    with pytest.raises(LedgerError, match="completed"):
        ledger.commit_steps(run)
    with pytest.raises(LedgerError, match="already completed"):
        ledger.finish_run(run, "failed")
    with pytest.raises(LedgerError, match="no run 999"):
        ledger.commit_steps(999)
    with pytest.raises(LedgerError):
        ledger.commit_steps(run, 0)
    with pytest.raises(LedgerError, match="status"):
        ledger.finish_run(run, "exploded")


def test_datasets_without_budget_record_but_never_refuse(ledger: Ledger) -> None:
    run = ledger.begin_run(FP, MechanismEvent(0.6, 0.2, 2_000), config={"lr": 2e-4, "epochs": 3})
    ledger.commit_steps(run, 2_000)
    rec = ledger.history(FP)[0]
    assert rec.config == {"epochs": 3, "lr": 2e-4} and rec.delta is None and rec.status == "running"
    assert ledger.spent(FP, delta=DELTA, accountant="rdp") > 100  # recorded, however large
    with pytest.raises(LedgerError, match="no budget delta"):
        ledger.spent(FP)


def test_budget_delta_cannot_be_swapped_for_a_weaker_one(ledger: Ledger) -> None:
    ledger.set_budget(FP, 5.0, DELTA)
    with pytest.raises(LedgerError, match="delta=1e-05"):
        ledger.plan_check(FP, MechanismEvent(1.0, 0.01, 10), delta=1e-3)
    with pytest.raises(LedgerError):
        ledger.set_budget(FP, -1.0, DELTA)
    with pytest.raises(LedgerError):
        ledger.set_budget(FP, float("inf"), DELTA)


def test_commit_is_one_statement(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite") as led:
        run = led.begin_run(FP, MechanismEvent(1.0, 0.01, 100))
        seen: list[str] = []
        led._db._conn.set_trace_callback(seen.append)  # type: ignore[attr-defined]
        led.commit_steps(run)
        assert len(seen) == 1 and seen[0].lstrip().upper().startswith("UPDATE")


_CRASHING_TRAINER = """
import os, sys
from privtune.privacy.accountants import MechanismEvent
from privtune.privacy.ledger import Ledger
led = Ledger.open(sys.argv[1])
run = led.begin_run(sys.argv[2], MechanismEvent(1.0, 0.01, 1000))
for step in range(5):
    led.commit_steps(run)   # the trainer commits BEFORE applying the update...
    if step == 4:
        os._exit(3)         # ...and dies during the 5th update: no finish, no close
"""


def test_crash_never_undercounts(location: str) -> None:
    proc = subprocess.run([sys.executable, "-c", _CRASHING_TRAINER, location, FP], capture_output=True, text=True)
    assert proc.returncode == 3, proc.stderr
    with Ledger.open(location) as led:
        (run,) = led.history(FP)
        assert run.status == "running" and run.committed_steps == 5
        assert led.spent(FP, delta=DELTA) == pytest.approx(_pld(MechanismEvent(1.0, 0.01, 5)), rel=1e-12)


def test_two_connections_see_each_other(location: str) -> None:
    with Ledger.open(location) as one, Ledger.open(location) as two:
        one.set_budget(FP, 4.0, DELTA)
        run = two.begin_run(FP, MechanismEvent(1.0, 0.01, 100))
        two.commit_steps(run, 7)
        assert one.history(FP)[0].committed_steps == 7
        assert one.spent(FP) == pytest.approx(two.spent(FP))


def _race(location: str, planned: MechanismEvent, workers: int) -> list[object]:
    barrier = threading.Barrier(workers)
    results: list[object] = [None] * workers

    def work(i: int) -> None:
        with Ledger.open(location) as led:  # one connection per thread, like separate processes
            barrier.wait()
            try:
                results[i] = led.begin_run(FP, planned)
            except BudgetExceeded as exc:
                results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_begin_run_admits_only_what_fits(location: str) -> None:
    with Ledger.open(location) as led:
        led.set_budget(FP, 2.5, DELTA)  # one 1000-step run (~1.83) fits, two (~2.7) do not
    results = _race(location, MechanismEvent(1.0, 0.01, 1000), workers=3)
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, BudgetExceeded) for r in results) == 2
    with Ledger.open(location) as led:
        assert len(led.history(FP)) == 1


_RACER = """
import sys, time
from pathlib import Path
from privtune.privacy.accountants import MechanismEvent
from privtune.privacy.errors import BudgetExceeded
from privtune.privacy.ledger import Ledger
location, fp, gate = sys.argv[1], sys.argv[2], Path(sys.argv[3])
with Ledger.open(location) as led:
    Path(sys.argv[4]).touch()          # connected and ready
    while not gate.exists():           # all racers start together
        time.sleep(0.001)
    try:
        print("admitted", led.begin_run(fp, MechanismEvent(1.0, 0.01, 300)))
    except BudgetExceeded:
        print("refused")
"""


def test_processes_racing_for_the_last_of_a_budget(location: str, tmp_path: Path) -> None:
    with Ledger.open(location) as led:
        led.set_budget(FP, 2.0, DELTA)
        first = led.begin_run(FP, MechanismEvent(1.0, 0.01, 800))  # ~1.64 of 2.0 spent
        led.commit_steps(first, 800)
        led.finish_run(first)
    # One more 300-step run fits (~1.92 in all); two do not (~2.16).
    gate = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", _RACER, location, FP, str(gate), str(tmp_path / f"ready{i}")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready{i}").exists() for i in range(2)):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    gate.touch()
    outcomes = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        outcomes.append(out.split()[0])
    assert sorted(outcomes) == ["admitted", "refused"]
    with Ledger.open(location) as led:
        assert len(led.history(FP)) == 2
        assert led.plan_check(FP, MechanismEvent(1.0, 0.01, 1)).total_epsilon <= 2.0


def test_export_is_json_and_complete(ledger: Ledger) -> None:
    ledger.set_budget(FP, 5.0, DELTA, name="tickets")
    run = ledger.begin_run(FP, MechanismEvent(1.0, 0.01, 100), config={"model": "tiny"})
    ledger.commit_steps(run, 100)
    ledger.begin_run(OTHER, MechanismEvent(2.0, 0.01, 10))
    data = json.loads(json.dumps(ledger.export()))
    by_fp = {d["fingerprint"]: d for d in data["datasets"]}
    assert set(by_fp) == {FP, OTHER} and data["accountant"] == "pld"
    mine = by_fp[FP]
    assert mine["name"] == "tickets" and mine["budget_epsilon"] == 5.0 and mine["delta"] == DELTA
    assert mine["spent_epsilon"] == pytest.approx(_pld(MechanismEvent(1.0, 0.01, 100)))
    assert mine["remaining_epsilon"] == pytest.approx(5.0 - mine["spent_epsilon"])
    assert mine["runs"][0]["committed_steps"] == 100 and mine["runs"][0]["config"] == {"model": "tiny"}
    assert by_fp[OTHER]["spent_epsilon"] is None  # no delta known: nothing to report against
    assert [d["fingerprint"] for d in ledger.export(OTHER)["datasets"]] == [OTHER]
    with pytest.raises(LedgerError, match="not in ledger"):
        ledger.export("sha256:" + "00" * 32)


def test_default_location_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PRIVTUNE_LEDGER", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_ledger_location() == str(tmp_path / "xdg" / "privtune" / "ledger.sqlite")
    monkeypatch.setenv("PRIVTUNE_LEDGER", str(tmp_path / "team.sqlite"))
    with Ledger.open() as led:
        led.set_budget(FP, 1.0, DELTA)
    assert (tmp_path / "team.sqlite").exists()


def test_unopenable_locations_are_ledger_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(LedgerError, match="cannot open ledger"):
        Ledger.open(str(blocker / "sub" / "ledger.sqlite"))
    # Without psycopg installed the error says so instead; either way it is a LedgerError.
    with pytest.raises(LedgerError, match="cannot open ledger|needs psycopg"):
        Ledger.open("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")


def test_postgres_password_is_redacted_in_messages() -> None:
    with pytest.raises(LedgerError) as err:
        Ledger.open("postgresql://nobody:hunter2@127.0.0.1:1/none?connect_timeout=2")
    assert "hunter2" not in str(err.value)



def test_a_non_private_run_exhausts_any_budget_set_later(ledger: Ledger) -> None:
    # Issue 10 item 3: a --no-dp run, then a budget of 9, then a DP run that "fits" 9 on its own.
    raw = ledger.begin_non_private_run(FP, sample_rate=0.1, steps=20, config={"dp": False})
    ledger.commit_steps(raw, 20)
    ledger.finish_run(raw)
    (rec,) = ledger.history(FP)
    assert rec.dp is False and rec.committed_steps == 20
    ledger.set_budget(FP, 9.0, DELTA)
    assert ledger.spent(FP) == float("inf")
    with pytest.raises(BudgetExceeded, match=rf"exhausted.*non-private run\(s\) {raw} "):
        ledger.begin_run(FP, MechanismEvent(5.0, 0.01, 10))  # ~0.1 on its own
    (d,) = ledger.export(FP)["datasets"]
    assert d["spent_unbounded"] is True and d["spent_epsilon"] is None and d["remaining_epsilon"] is None
    assert "non-private" in d["exhausted_reason"] and d["runs"][0]["dp"] is False
    json.dumps(d, allow_nan=False)  # strict JSON: no Infinity in the export


def test_a_non_private_run_is_refused_where_a_budget_exists(ledger: Ledger) -> None:
    ledger.set_budget(FP, 9.0, DELTA)
    with pytest.raises(BudgetExceeded, match="non-private run"):
        ledger.begin_non_private_run(FP, sample_rate=0.1, steps=5)
    assert ledger.history(FP) == []
    # Elsewhere it is recorded; while it runs it holds everything, once aborted unused it frees nothing.
    run = ledger.begin_non_private_run(OTHER, sample_rate=0.1, steps=5)
    assert ledger.spent(OTHER, delta=DELTA) == float("inf")
    ledger.finish_run(run, "aborted")  # aborted before its first step: no update was ever made
    assert ledger.spent(OTHER, delta=DELTA) == 0.0


def test_a_version_1_ledger_is_upgraded_in_place(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE datasets (fingerprint TEXT PRIMARY KEY, name TEXT, budget_epsilon DOUBLE PRECISION,
            delta DOUBLE PRECISION, created TEXT NOT NULL, updated TEXT NOT NULL);
        CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint TEXT NOT NULL REFERENCES datasets(fingerprint),
            started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL, accountant TEXT NOT NULL,
            noise_multiplier DOUBLE PRECISION NOT NULL, sample_rate DOUBLE PRECISION NOT NULL,
            planned_steps BIGINT NOT NULL, committed_steps BIGINT NOT NULL DEFAULT 0, delta DOUBLE PRECISION,
            config TEXT NOT NULL DEFAULT '{}');
        INSERT INTO datasets VALUES ('%s', 'old', 5.0, 1e-5, '2026-01-01', '2026-01-01');
        INSERT INTO runs (fingerprint, started, status, accountant, noise_multiplier, sample_rate, planned_steps,
            committed_steps, delta) VALUES ('%s', '2026-01-01', 'completed', 'pld', 1.0, 0.01, 100, 100, 1e-5);
    """ % (FP, FP))
    conn.commit()
    conn.close()
    with Ledger.open(path) as led:
        (run,) = led.history(FP)
        assert run.dp is True and led.spent(FP) == pytest.approx(_pld(MechanismEvent(1.0, 0.01, 100)))
        assert led._db.execute("SELECT value FROM meta").fetchone()[0] == "2"  # type: ignore[attr-defined]


def test_budget_changes_need_a_reason_and_are_kept(ledger: Ledger) -> None:
    assert ledger.set_budget(FP, 5.0, DELTA, changed_by="ana@lab") is True
    assert ledger.set_budget(FP, 5.0, DELTA) is False  # the same budget again: nothing to record
    with pytest.raises(LedgerError, match="needs a reason"):
        ledger.set_budget(FP, 100.0, DELTA)
    assert ledger.dataset(FP).budget_epsilon == 5.0  # type: ignore[union-attr]
    ledger.set_budget(FP, 3.0, 1e-6, reason="  audit found a second copy of the data  ", changed_by="bo@lab")
    first, second = ledger.budget_history(FP)
    assert (first.old_epsilon, first.new_epsilon, first.changed_by, first.reason) == (None, 5.0, "ana@lab", "first budget")
    assert (second.old_epsilon, second.new_epsilon, second.old_delta, second.new_delta) == (5.0, 3.0, DELTA, 1e-6)
    assert second.reason == "audit found a second copy of the data" and second.changed_by == "bo@lab"
    assert second.changed >= first.changed
    exported = ledger.export(FP)["datasets"][0]["budget_history"]
    assert [c["new_epsilon"] for c in exported] == [5.0, 3.0] and exported[1]["reason"].startswith("audit")


def test_ensure_budget_sets_a_first_budget_but_never_changes_one(ledger: Ledger) -> None:
    ledger.ensure_budget(FP, 10.0, DELTA)
    ledger.ensure_budget(FP, 10.0, DELTA)  # the same: fine
    with pytest.raises(LedgerError, match=r"would change it.*ledger set-budget"):
        ledger.ensure_budget(FP, 100.0, DELTA)
    (only,) = ledger.budget_history(FP)
    assert only.new_epsilon == 10.0 and "privtune train" in only.reason
    assert ledger.dataset(FP).budget_epsilon == 10.0  # type: ignore[union-attr]


def test_privacy_units_do_not_mix_on_a_dataset(ledger: Ledger) -> None:
    from privtune.privacy.ledger import PrivacyUnit

    per_user = PrivacyUnit("user", "customer_id")
    first = ledger.begin_run(FP, MechanismEvent(1.0, 0.01, 100), unit=per_user, delta=DELTA)
    ledger.commit_steps(first, 100)
    with pytest.raises(LedgerError, match=r"accounted per user \(user_id_field=customer_id\); this run protects one record"):
        ledger.begin_run(FP, MechanismEvent(1.0, 0.01, 100), delta=DELTA)
    with pytest.raises(LedgerError, match="do not compose"):
        ledger.begin_run(FP, MechanismEvent(1.0, 0.01, 100), unit=PrivacyUnit("user", "email"), delta=DELTA)
    with pytest.raises(LedgerError, match="this budget"):
        ledger.set_budget(FP, 5.0, DELTA, unit=PrivacyUnit())
    ledger.set_budget(FP, 5.0, DELTA, unit=per_user)
    second = ledger.begin_run(FP, MechanismEvent(1.0, 0.01, 100), unit=PrivacyUnit("user", "customer_id"))
    assert [r.unit for r in ledger.history(FP)] == [per_user, per_user] and second > first
    (d,) = ledger.export(FP)["datasets"]
    assert (d["privacy_unit"], d["user_id_field"]) == ("user", "customer_id")
    assert d["runs"][0]["privacy_unit"] == "user" and d["runs"][0]["user_id_field"] == "customer_id"
    # A budget may fix the unit before any run; a non-private run is unbounded for every unit.
    ledger.set_budget(OTHER, 5.0, DELTA, unit=PrivacyUnit())
    with pytest.raises(LedgerError, match="accounted per record"):
        ledger.begin_run(OTHER, MechanismEvent(1.0, 0.01, 10), unit=per_user)
    with pytest.raises(BudgetExceeded, match="non-private"):
        ledger.begin_non_private_run(OTHER, sample_rate=0.1, steps=1, unit=per_user)
    with pytest.raises(LedgerError, match="user_id_field"):
        PrivacyUnit("user")


def test_upgrade_reads_the_unit_from_old_run_summaries(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "v1.sqlite"
    with Ledger.open(path) as led:
        led.begin_run(FP, MechanismEvent(1.0, 0.01, 10), config={"privacy_unit": "user", "user_id_field": "uid"})
    conn = sqlite3.connect(path)  # make it look like a v1 ledger: no unit columns
    for table, col in (("runs", "privacy_unit"), ("runs", "user_id_field"), ("datasets", "privacy_unit"),
                       ("datasets", "user_id_field")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {col}")
    conn.execute("UPDATE meta SET value = '1'")
    conn.commit()
    conn.close()
    with Ledger.open(path) as led:
        (run,) = led.history(FP)
        assert (run.privacy_unit, run.user_id_field) == ("user", "uid")
        assert led.dataset(FP).unit == run.unit  # type: ignore[union-attr]


def test_a_database_that_is_not_a_ledger_is_refused_and_left_alone(tmp_path: Path) -> None:
    # `--ledger privtune-keys.sqlite3` (the key store, a SQLite file too) wrote the ledger tables into
    # it; `ledger show` then reported an empty ledger, nothing spent, and train would have recorded there
    import sqlite3

    from privtune.serve.auth.keys import open_store
    from privtune.serve.roles import Role

    keys = tmp_path / "privtune-keys.sqlite3"
    store = open_store(str(keys))
    store.create("alice", Role.user)
    store.close()

    def tables() -> set[str]:
        with sqlite3.connect(keys) as conn:
            return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    before = tables()
    with pytest.raises(LedgerError, match="not a privtune ledger"):
        Ledger.open(keys, create=False)  # ledger show / export / privacy explain
    with pytest.raises(LedgerError, match="SQLite database of something else"):
        Ledger.open(keys)  # train, ledger set-budget
    assert tables() == before
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    with pytest.raises(LedgerError, match="not a privtune ledger"):
        Ledger.open(empty, create=False)
    with Ledger.open(empty) as led:  # an empty file may become a ledger
        led.set_budget(FP, 1.0, DELTA)
    with Ledger.open(empty, create=False) as led:
        assert led.dataset(FP) is not None
