"""Specificity arithmetic on known texts: entity rates, smoothed ratio, leaked PII, probes."""

from __future__ import annotations

import numpy as np
import pytest

from privtune.audit.records import AuditRecord, prompt_ids
from privtune.audit.scoring import TokenScores
from privtune.audit.specificity import amplification, build_probes, entity_rates, training_pii
from privtune.scan.analyzer import Analyzer

A, B, C = "(415) 555-0199", "(212) 555-0147", "(646) 555-0123"


def test_rates_ratio_and_leaked_pii_against_the_training_set():
    analyzer = Analyzer(types=["PHONE"])
    train = training_pii([f"call me at {A}", f"or at {B}", "no pii here"], analyzer)
    assert set(train) == {A, B}
    base = [f"the office line is {B}", "nothing"]
    tuned = [f"reach her at {A}", f"the office line is {B}", f"try {C}"]
    r = entity_rates(base, 1000, tuned, 1000, train, analyzer)
    assert r["entities_per_1k_tokens_base"] == 1.0 and r["entities_per_1k_tokens_tuned"] == 3.0
    assert r["ratio"] == pytest.approx(3.5 / 1.5, abs=1e-4)  # counts + 0.5, per token (rounded to 4 places)
    # A is training PII the base never said; B the base says too; C is not training PII.
    assert r["leaked_pii_count"] == 1 and r["leaked_pii_by_type"] == {"PHONE": 1}
    assert r["leaked_pii_precision"] == pytest.approx(2 / 3) and r["leaked_pii_recall"] == 1.0
    assert r["base_pii_precision"] == 1.0 and r["base_pii_recall"] == 0.5
    assert A not in str(r) and B not in str(r)  # counts only
    none = entity_rates(["x"], 100, ["y"], 100, train, analyzer)
    assert none["ratio"] == 1.0 and none["leaked_pii_precision"] is None


def test_values_echoed_from_the_prompt_are_not_volunteered_entities():
    analyzer = Analyzer(types=["PHONE"])
    prompts = [f"my number is {A}", "hello"]
    base = [f"we will text {A}", "ok"]
    tuned = [f"we will text {A}", f"call {B}"]
    r = entity_rates(base, 1000, tuned, 1000, {}, analyzer, prompts)
    assert r["entities_per_1k_tokens_base"] == 0.0 and r["entities_per_1k_tokens_tuned"] == 1.0
    assert r["echoed_entities_base"] == 1 and r["echoed_entities_tuned"] == 1
    with pytest.raises(ValueError):
        entity_rates(base, 1000, tuned + ["x"], 1000, {}, analyzer, prompts)


def test_amplification_is_the_mean_per_site_gain():
    tuned = [TokenScores(np.array([-1.0, -1.0])), TokenScores(np.array([-2.0])), TokenScores(np.zeros(0))]
    base = [TokenScores(np.array([-3.0, -2.0])), TokenScores(np.array([-2.0])), TokenScores(np.zeros(0))]
    assert amplification(tuned, base) == pytest.approx((1.5 + 0.0) / 2)
    assert amplification([], []) is None


def test_probes_stop_before_the_first_answer(tiny_tokenizer):
    chat = AuditRecord(0, [("system", "be brief"), ("user", "hello"), ("assistant", "secret 123"), ("user", "x")],
                       "", [], [])
    doc = AuditRecord(1, None, "The clerk filed the invoice on Monday.", [], [])
    (p,) = build_probes([chat], tiny_tokenizer, chat=True, doc_prefix_tokens=4, max_probes=10, seed=0)
    assert p == prompt_ids(tiny_tokenizer, [("system", "be brief"), ("user", "hello")])
    assert "secret" not in tiny_tokenizer.decode(p)
    (d,) = build_probes([doc], tiny_tokenizer, chat=False, doc_prefix_tokens=4, max_probes=10, seed=0)
    assert len(d) == 1 + 4 and d[0] == tiny_tokenizer.bos_token_id
    many = build_probes([chat] * 30, tiny_tokenizer, chat=True, doc_prefix_tokens=4, max_probes=7, seed=0)
    assert len(many) == 7


def test_identifier_rate_leaves_names_out():
    # Both models greet by name (the base learned that); only the tuned one adds phone numbers.
    analyzer = Analyzer(types=["PHONE", "PERSON"])
    base = ["Hi Sarah Johnson, you are booked.", "Hello Michael Brown, done."]
    tuned = [f"Hi Sarah Johnson, a reminder goes to {A}.", f"Hello Michael Brown, call {B}."]
    r = entity_rates(base, 1000, tuned, 1000, {}, analyzer)
    assert r["by_type"]["PERSON"] == {"base": 2.0, "tuned": 2.0}
    assert r["identifiers_per_1k_tokens_base"] == 0.0 and r["identifiers_per_1k_tokens_tuned"] == 2.0
    assert r["ratio"] == pytest.approx(4.5 / 2.5, abs=1e-4)
    assert r["identifier_ratio"] == pytest.approx(2.5 / 0.5, abs=1e-4)
