"""How `privtune train` talks to the privacy-budget ledger (issue 10 items 3, 5, 6)."""

import json

import pytest

from privtune.demo.corpus import generate
from privtune.errors import BudgetExceeded
from privtune.privacy.ledger import Ledger
from privtune.train.config import TrainConfig
from privtune.train.loop import train


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    (d / "train.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in generate(40, seed=5)))
    return d


def _cfg(model_dir, data, out, **kw):
    base = dict(model=model_dir, data=data / "train.jsonl", output_dir=out, steps=2, batch_size=8,
                micro_batch_size=8, max_length=64, target_epsilon=8.0, ledger=str(out.parent / "ledger.sqlite"),
                dp_seed=3, seed=0)
    base.update(kw)
    return TrainConfig(**base)


def test_non_private_run_is_recorded_and_exhausts_a_later_budget(tiny_llama_dir, data, tmp_path):
    first = train(_cfg(tiny_llama_dir, data, tmp_path / "raw", dp=False), log=lambda m: None)
    fp = first["dataset_fingerprint"]
    with Ledger.open(tmp_path / "ledger.sqlite") as led:
        (run,) = led.history(fp)
        assert (run.dp, run.status, run.committed_steps) == (False, "completed", 2)
        led.set_budget(fp, 9.0, 1e-3)
    with pytest.raises(BudgetExceeded, match="exhausted.*non-private"):
        train(_cfg(tiny_llama_dir, data, tmp_path / "dp", delta=1e-3), log=lambda m: None)
    assert not (tmp_path / "dp" / "adapter").exists()


def test_budget_epsilon_flag_never_raises_an_existing_budget(tiny_llama_dir, data, tmp_path):
    from privtune.privacy.errors import LedgerError

    first = train(_cfg(tiny_llama_dir, data, tmp_path / "a", budget_epsilon=20.0), log=lambda m: None)
    fp = first["dataset_fingerprint"]
    with pytest.raises(LedgerError, match="would change it"):
        train(_cfg(tiny_llama_dir, data, tmp_path / "b", budget_epsilon=100.0), log=lambda m: None)
    with Ledger.open(tmp_path / "ledger.sqlite") as led:
        assert led.dataset(fp).budget_epsilon == 20.0 and len(led.history(fp)) == 1
        (change,) = led.budget_history(fp)
        assert change.new_epsilon == 20.0 and "--budget-epsilon" in change.reason
    assert not (tmp_path / "b" / "adapter").exists()


def test_record_and_user_level_runs_are_not_summed(tiny_llama_dir, data, tmp_path):
    from privtune.privacy.errors import LedgerError

    first = train(_cfg(tiny_llama_dir, data, tmp_path / "rec"), log=lambda m: None)
    with pytest.raises(LedgerError, match="accounted per record.*protects one user"):
        train(_cfg(tiny_llama_dir, data, tmp_path / "user", privacy_unit="user", user_id_field="scenario",
                   batch_size=2), log=lambda m: None)
    with Ledger.open(tmp_path / "ledger.sqlite") as led:
        (run,) = led.history(first["dataset_fingerprint"])
        assert run.privacy_unit == "record"


def test_scan_and_train_print_the_fingerprint_the_ledger_uses(tiny_llama_dir, data, tmp_path):
    import re

    import yaml
    from typer.testing import CliRunner

    from privtune.cli import app

    runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})
    clean = tmp_path / "clean.jsonl"
    scanned = runner.invoke(app, ["scan", str(data / "train.jsonl"), "--out", str(clean)], catch_exceptions=False)
    (from_scan,) = re.findall(r"dataset fingerprint of .*: (sha256:[0-9a-f]{64})", scanned.output)
    config = tmp_path / "train.yaml"
    cfg = _cfg(tiny_llama_dir, data, tmp_path / "run").model_copy(update={"data": clean})
    config.write_text(yaml.safe_dump(cfg.model_dump(mode="json", exclude_defaults=True)))
    trained = runner.invoke(app, ["train", str(config), "--quiet"], catch_exceptions=False)
    (from_train,) = re.findall(r"dataset fingerprint: (sha256:[0-9a-f]{64})", trained.output)
    assert from_scan == from_train == json.loads((tmp_path / "run" / "privacy.json").read_text())["dataset_fingerprint"]


def test_explain_reads_a_real_run(tiny_llama_dir, data, tmp_path):
    from privtune.privacy.explain import explain, render

    train(_cfg(tiny_llama_dir, data, tmp_path / "a", steps=1), log=lambda m: None)
    privacy = train(_cfg(tiny_llama_dir, data, tmp_path / "b", steps=2), log=lambda m: None)
    facts = explain(tmp_path / "b")  # the ledger is found through train_report.json
    assert facts["dp"] and facts["dataset"]["runs"] == 2 and facts["dataset"]["this_run"]["committed_steps"] == 2
    assert facts["dataset"]["spent_epsilon"] > privacy["epsilon"]  # both runs composed
    assert "PROTECTED: one training record" in render(facts)


def test_a_run_failing_before_its_first_step_releases_its_reservation(tiny_llama_dir, data, tmp_path):
    # A misspelt LoRA target used to end in PEFT's traceback with the run left 'running' (its
    # planned steps reserved against the budget until `ledger finish-run`); a second misspelt name
    # beside a right one was adapted silently.
    from privtune.errors import ConfigError

    for targets, missing in ((["q_porj"], "'q_porj' matches"), (["q_proj", "v_porj"], "'v_porj' matches")):
        with pytest.raises(ConfigError, match=f"{missing} no module of this model; its linear layers .*v_proj"):
            train(_cfg(tiny_llama_dir, data, tmp_path / "bad", lora={"target_modules": targets}), log=lambda m: None)
    with Ledger.open(tmp_path / "ledger.sqlite") as led:
        (d,) = led.datasets()
        runs = led.history(d.fingerprint)
        assert [(r.status, r.committed_steps) for r in runs] == [("aborted", 0), ("aborted", 0)]
    done = train(_cfg(tiny_llama_dir, data, tmp_path / "ok", lora={"target_modules": ["q_proj", "v_proj"]}),
                 log=lambda m: None)
    assert (tmp_path / "ok" / "adapter").exists() and done["dataset_fingerprint"] == d.fingerprint


class _Stop(Exception):
    pass


def _stop_at(n):
    def progress(step, total):
        if step == n:
            raise _Stop()
    return progress


def test_a_run_stopping_mid_way_says_what_it_spent_and_frees_what_nothing_can_resume(
        tiny_llama_dir, data, tmp_path, monkeypatch):
    # An error at step 3 of 6 (out of memory, Ctrl-C) ended with that error alone: the 3 committed
    # steps were spent without a word, and with no checkpoint the run stayed 'running', reserving
    # all 6 planned steps against the budget until someone ran `ledger finish-run`.
    from privtune.privacy.accountants import MechanismEvent, get_accountant

    monkeypatch.setenv("PRIVTUNE_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
    said: list[str] = []
    with pytest.raises(_Stop):
        train(_cfg(tiny_llama_dir, data, tmp_path / "a", steps=6), progress=_stop_at(3), log=lambda m: None,
              warn=said.append)
    with Ledger.open(tmp_path / "ledger.sqlite") as led:
        (d,) = led.datasets()
        (run,) = led.history(d.fingerprint)
        spent = led.spent(d.fingerprint, delta=run.delta)
    assert (run.status, run.committed_steps) == ("failed", 3)
    assert spent == pytest.approx(get_accountant("pld").epsilon(
        [MechanismEvent(run.noise_multiplier, run.sample_rate, 3)], run.delta))
    note = said[-1]
    assert f"ledger run {run.id} stopped after 3 of 6 committed steps (epsilon={spent:.4g}" in note
    assert "closed as failed" in note

    # With a checkpoint the run stays open for --resume, and the note says from which step.
    said.clear()
    with pytest.raises(_Stop):
        train(_cfg(tiny_llama_dir, data, tmp_path / "b", steps=6, checkpoint={"every": 2}), progress=_stop_at(3),
              log=lambda m: None, warn=said.append)
    with Ledger.open(tmp_path / "ledger.sqlite") as led:
        run = led.history(d.fingerprint)[-1]
    assert (run.status, run.committed_steps) == ("running", 3)
    assert "stays 'running'" in said[-1] and "checkpoint of step 2" in said[-1]
    resumed = train(_cfg(tiny_llama_dir, data, tmp_path / "b", steps=6, checkpoint={"every": 2}, resume=True),
                    log=lambda m: None)
    assert resumed["steps"] == 6


def test_a_budget_lowered_mid_run_stops_the_run_at_its_next_step(tiny_llama_dir, data, tmp_path):
    # `privtune ledger set-budget` lowering the budget while a run trained was never re-checked: the
    # run spent its whole plan (6 steps) past the new budget. Now it stops before the next commit,
    # and its outputs state the steps the ledger holds and their epsilon.
    from privtune.privacy.accountants import MechanismEvent, get_accountant

    out = tmp_path / "run"
    lowered = {}

    def lower_at_step_2(step, total):
        if step == 2 and not lowered:
            with Ledger.open(tmp_path / "ledger.sqlite") as other:  # another connection, as the CLI would be
                (fp,) = [d.fingerprint for d in other.datasets()]
                spent = other.spent(fp)
                lowered["budget"] = spent * 1.05  # room for these 2 steps, not for the other 4
                other.set_budget(fp, lowered["budget"], 1e-3, reason="tightened by the DPO")

    warnings = []
    privacy = train(_cfg(tiny_llama_dir, data, out, steps=6, delta=1e-3, budget_epsilon=50.0),
                    progress=lower_at_step_2, log=lambda m: None, warn=warnings.append)
    assert privacy["steps"] == 2 and privacy["planned_steps"] == 6
    assert "stopped after step 2 of 6" in privacy["stopped_early"] and "changed while run" in privacy["stopped_early"]
    assert any("stops before step 3 of 6" in w for w in warnings)
    expected = get_accountant("pld").epsilon(
        [MechanismEvent(privacy["noise_multiplier"], privacy["sample_rate"], 2)], privacy["delta"])
    assert privacy["epsilon"] == pytest.approx(expected) and privacy["epsilon"] <= lowered["budget"]
    assert json.loads((out / "privacy.json").read_text())["steps"] == 2
    with Ledger.open(tmp_path / "ledger.sqlite") as led:
        (run,) = led.history(privacy["dataset_fingerprint"])
        assert (run.committed_steps, run.status) == (2, "completed")
        assert led.spent(privacy["dataset_fingerprint"]) <= lowered["budget"]


def test_a_budget_lowered_below_the_spend_is_found_by_a_fresh_connection(tmp_path):
    # The recheck also holds for a process that never saw the run begin (a resume).
    from privtune.privacy.accountants import MechanismEvent
    from privtune.privacy.errors import BudgetLowered

    fp = "sha256:" + "ab" * 32
    with Ledger.open(tmp_path / "l.sqlite") as led:
        led.set_budget(fp, 10.0, 1e-5)
        run = led.begin_run(fp, MechanismEvent(1.0, 0.01, 1000), delta=1e-5)
        led.commit_steps(run, 10)
    with Ledger.open(tmp_path / "l.sqlite") as led:
        led.recheck_budget(run)  # a fresh connection rechecks once; the plan still fits
        led.commit_steps(run, 1)
        led.set_budget(fp, 0.5, 1e-5, reason="lowered")
        with pytest.raises(BudgetLowered, match="stops before step 12 of 1000"):
            led.recheck_budget(run)
        assert led.history(fp)[0].committed_steps == 11
        led.set_budget(fp, 10.0, 1e-5, reason="restored")
        led.recheck_budget(run)
