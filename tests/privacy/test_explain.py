"""`privtune privacy explain`: the plain-words account of a run's claim, from its artefacts and the ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from privtune.errors import InputError
from privtune.privacy.accountants import MechanismEvent, get_accountant
from privtune.privacy.cli import privacy_app
from privtune.privacy.ledger import Ledger, PrivacyUnit

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})
FP = "sha256:" + "7a" * 32
DELTA = 1e-4


def _run_dir(tmp_path: Path, name: str, ledger: Path, **privacy: object) -> Path:
    out = tmp_path / name
    out.mkdir()
    base = {"dp": True, "epsilon": 1.5, "delta": DELTA, "noise_multiplier": 1.0, "sample_rate": 0.01, "steps": 300,
            "accountant": "pld", "max_grad_norm": 1.0, "privacy_unit": "user", "privacy_units": 5000,
            "dataset_fingerprint": FP, "base_model": "models/qwen"}
    (out / "privacy.json").write_text(json.dumps({**base, **privacy}))
    report = {"steps": 300, "steps_this_process": 300, "curves": {"train_loss": [], "val_loss": [[0, 2.0]]},
              "config": {"validation": "work/heldout.jsonl", "ledger": str(ledger), "output_dir": str(out),
                         "user_id_field": "customer_id"}}
    (out / "train_report.json").write_text(json.dumps(report))
    return out


def test_explain_composes_every_run_on_the_dataset(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    unit = PrivacyUnit("user", "customer_id")
    with Ledger.open(db) as led:
        led.set_budget(FP, 4.0, DELTA, unit=unit)
        for out in ("earlier", "run"):
            run = led.begin_run(FP, MechanismEvent(1.0, 0.01, 300), unit=unit, config={"output_dir": str(tmp_path / out)})
            led.commit_steps(run, 300)
            led.finish_run(run)
    out = _run_dir(tmp_path, "run", db)
    facts = json.loads(runner.invoke(privacy_app, ["explain", str(out), "--json"], catch_exceptions=False).stdout)
    both = get_accountant("pld").epsilon([MechanismEvent(1.0, 0.01, 600)], DELTA)
    d = facts["dataset"]
    assert d["found"] and d["runs"] == 2 and d["spent_epsilon"] == pytest.approx(both)
    assert d["remaining_epsilon"] == pytest.approx(4.0 - both) and d["this_run"]["id"] == 2
    assert facts["protected"]["privacy_unit"] == "user" and facts["protected"]["user_id_field"] == "customer_id"
    assert not facts["resumed"] and not facts["mixed"] and not facts["warnings"]
    assert any("heldout.jsonl" in x for x in facts["not_protected"]) and any("models/qwen" in x for x in facts["not_protected"])
    text = runner.invoke(privacy_app, ["explain", str(out)], catch_exceptions=False).stdout
    assert "PROTECTED: one user (all records sharing a 'customer_id'), among 5000" in text
    assert f"All 2 run(s) on this dataset together: epsilon={both:.4g}" in text and "RESUMED: no" in text
    assert len(text.splitlines()) <= 25  # one screen


def test_explain_says_what_leaked_outside_the_guarantee_and_how_the_claim_was_made(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as led:
        raw = led.begin_non_private_run(FP, sample_rate=0.1, steps=5)
        led.commit_steps(raw, 5)
        run = led.begin_run(FP, MechanismEvent(1.0, 0.01, 300), delta=DELTA)
        led.commit_steps(run, 310 - 10)
    out = _run_dir(tmp_path, "run", db, ledger_run=run, steps=200, resumed_from_steps=[100], privacy_units=20,
                   delta=0.06, released_outside_guarantee=["training-loss curve (opt-in log_train_loss)"])
    report = json.loads((out / "train_report.json").read_text())
    report["curves"]["train_loss"] = [[10, 2.31]]
    (out / "train_report.json").write_text(json.dumps(report))
    facts = json.loads(runner.invoke(privacy_app, ["explain", str(out), "--json"], catch_exceptions=False).stdout)
    assert facts["resumed"] and "step 100" in facts["resume_evidence"][0]
    assert any("committed 300 steps" in x and "under-reports" in x for x in facts["resume_evidence"])
    assert facts["mixed"] and any(f"non-private run(s) {raw}" in x for x in facts["mixed_evidence"])
    assert facts["dataset"]["spent_unbounded"] is True and facts["dataset"]["spent_epsilon"] is None
    assert any("training-loss curve (opt-in" in x for x in facts["not_protected"])
    assert any("without noise" in x for x in facts["not_protected"])  # the raw curve in train_report.json
    assert facts["warnings"] and "1/N" in facts["warnings"][0]
    text = runner.invoke(privacy_app, ["explain", str(out)], catch_exceptions=False).stdout
    assert "epsilon=unbounded" in text and "RESUMED: yes" in text and "MIXED: yes" in text and "WARNING" in text


def test_explain_a_non_private_run_and_missing_inputs(tmp_path: Path) -> None:
    out = _run_dir(tmp_path, "raw", tmp_path / "nowhere.sqlite", dp=False, epsilon=None, noise_multiplier=None)
    text = runner.invoke(privacy_app, ["explain", str(out)], catch_exceptions=False).stdout
    assert "PROTECTED: nothing" in text
    assert not (tmp_path / "nowhere.sqlite").exists()  # explain never creates a ledger
    missing = runner.invoke(privacy_app, ["explain", str(tmp_path / "typo")])
    assert isinstance(missing.exception, InputError) and "privacy.json" in str(missing.exception)


def test_explain_reads_the_keys_train_writes(tmp_path: Path) -> None:
    # Train writes "outside_guarantee" (explain read only "released_outside_guarantee": the note was
    # lost) and "warnings" about delta, which explain listed as "released outside the guarantee".
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as led:
        run = led.begin_run(FP, MechanismEvent(1.0, 0.01, 300), delta=DELTA)
        led.commit_steps(run, 300)
    note = "The training-loss curve in train_report.json ... is NOT covered by this epsilon."
    warning = "only 39 records: delta=0.0178 is close to 1/N=0.0256"
    out = _run_dir(tmp_path, "run", db, ledger_run=run, outside_guarantee=[note], warnings=[warning])
    facts = json.loads(runner.invoke(privacy_app, ["explain", str(out), "--json"], catch_exceptions=False).stdout)
    assert f"released outside the guarantee: {note}" in facts["not_protected"]
    assert not any(warning in x for x in facts["not_protected"]) and warning in facts["warnings"]


@pytest.mark.parametrize(("privacy", "field"), [
    ({"dp": True, "epsilon": "8"}, "epsilon"), ({"dp": True, "delta": [1e-5]}, "delta"),
    ({"dp": True, "steps": 1.5}, "steps"), ({"dp": "yes"}, "dp"), ({"dp": True, "privacy_unit": ["user"]}, "privacy_unit"),
])
def test_a_privacy_json_field_of_another_type_is_named(tmp_path: Path, privacy: dict, field: str) -> None:
    # an edited privacy.json ("epsilon": "8") was a ValueError traceback from the number format
    (tmp_path / "privacy.json").write_text(json.dumps(privacy))
    result = CliRunner().invoke(privacy_app, ["explain", str(tmp_path), "--ledger", str(tmp_path / "none.sqlite")])
    assert isinstance(result.exception, InputError) and result.exception.field == field, result.exception


def test_a_train_report_of_another_shape_is_read_for_what_it_holds(tmp_path: Path) -> None:
    # "config": [..] and loss points that are not pairs were AttributeError / ValueError tracebacks
    (tmp_path / "privacy.json").write_text(json.dumps({"dp": True, "epsilon": 8.0, "delta": 1e-5, "steps": 3}))
    (tmp_path / "train_report.json").write_text(json.dumps({"config": [1], "curves": {"train_loss": [1, [2], [3, 2.5]]}}))
    result = CliRunner().invoke(privacy_app, ["explain", str(tmp_path), "--ledger", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 0, result.exception
    assert "training-loss curve" in result.output  # the one readable point still counts


def test_explain_refuses_a_privacy_json_edited_after_training(tmp_path: Path) -> None:
    # it explained whatever the file said: "epsilon": 80 edited to 8 was explained as the run's claim
    from privtune.provenance.lineage import file_sha256, write_provenance

    (tmp_path / "privacy.json").write_text(json.dumps({"dp": True, "epsilon": 80.0, "delta": 1e-5, "steps": 3}))
    write_provenance(tmp_path, {"chain": [{"stage": "train", "privacy_json_sha256": file_sha256(tmp_path / "privacy.json")}]})
    args = ["explain", str(tmp_path), "--ledger", str(tmp_path / "none.sqlite")]
    assert CliRunner().invoke(privacy_app, args).exit_code == 0
    (tmp_path / "privacy.json").write_text(json.dumps({"dp": True, "epsilon": 8.0, "delta": 1e-5, "steps": 3}))
    result = CliRunner().invoke(privacy_app, args)
    assert isinstance(result.exception, InputError) and "not the privacy.json the training run wrote" in str(
        result.exception)


def test_explain_shows_the_ledger_path_normalised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A run dir's report names its ledger relative to the run dir ("../ledger.sqlite"): explain printed
    # "runs/dp8/../ledger.sqlite"; it now prints the path a person would type, relative to the cwd.
    (tmp_path / "runs").mkdir()
    db = tmp_path / "runs" / "ledger.sqlite"
    with Ledger.open(db) as led:
        run = led.begin_run(FP, MechanismEvent(1.0, 0.01, 300), delta=DELTA)
        led.commit_steps(run, 300)
    out = _run_dir(tmp_path / "runs", "dp8", Path("../ledger.sqlite"), ledger_run=run)
    monkeypatch.chdir(tmp_path)
    facts = json.loads(runner.invoke(privacy_app, ["explain", "runs/dp8", "--json"], catch_exceptions=False).stdout)
    assert facts["dataset"]["found"] and facts["dataset"]["ledger"] == str(Path("runs/ledger.sqlite"))
    text = runner.invoke(privacy_app, ["explain", "runs/dp8"], catch_exceptions=False).stdout
    assert f"(ledger {Path('runs/ledger.sqlite')})" in text and ".." not in text
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)  # not under the cwd: absolute, still normalised
    facts = json.loads(runner.invoke(privacy_app, ["explain", str(out), "--json"], catch_exceptions=False).stdout)
    assert facts["dataset"]["ledger"] == str(db.resolve())
