"""A run on data that earlier runs trained on, with no budget, states the composed spend; and
`ledger export` composes that spend at the runs' delta (it showed none without a budget)."""

from __future__ import annotations

import pytest

from privtune.privacy.accountants import MechanismEvent, get_accountant
from privtune.privacy.ledger import Ledger
from privtune.train.budget_note import prior_spend_note

FP = "sha256:" + "cd" * 32
EVENT = MechanismEvent(1.0, 0.05, 200)
DELTA = 1e-4


@pytest.fixture
def ledger(tmp_path):
    with Ledger.open(tmp_path / "ledger.sqlite") as led:
        yield led


def test_no_note_on_fresh_data_and_the_composed_spend_after_a_run(ledger):
    assert prior_spend_note(ledger, FP, EVENT, DELTA, "pld") is None
    run = ledger.begin_run(FP, EVENT, accountant="pld", delta=DELTA)
    ledger.commit_steps(run, EVENT.steps)
    ledger.finish_run(run)
    note = prior_spend_note(ledger, FP, EVENT, DELTA, "pld")
    acc = get_accountant("pld")
    one, two = acc.epsilon([EVENT], DELTA), acc.epsilon([EVENT, EVENT], DELTA)
    assert note is not None and f"epsilon {one:.4g} spent" in note and f"{two:.4g} with this run" in note
    assert two > one
    exported = ledger.export(FP)["datasets"][0]
    assert exported["spent_epsilon"] == pytest.approx(one, rel=1e-6)
    assert exported["spent_delta"] == DELTA and exported["spent_delta_source"] == "runs"


def test_a_budget_speaks_for_itself_and_a_non_private_run_is_named(ledger):
    ledger.begin_non_private_run(FP, sample_rate=0.05, steps=10)
    assert "without DP" in prior_spend_note(ledger, FP, EVENT, DELTA, "pld")
    other = "sha256:" + "ef" * 32
    run = ledger.begin_run(other, EVENT, accountant="pld", delta=DELTA)
    ledger.commit_steps(run, 5)
    ledger.set_budget(other, 50.0, DELTA)
    assert prior_spend_note(ledger, other, EVENT, DELTA, "pld") is None
    assert ledger.export(other)["datasets"][0]["spent_delta_source"] == "budget"
