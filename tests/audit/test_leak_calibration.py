"""The leaked-PII check against chance: training-value hits vs held-out customers' values."""

from __future__ import annotations

import pytest
from scipy.stats import fisher_exact

from privtune.audit.config import Thresholds
from privtune.audit.specificity import entity_rates, training_pii
from privtune.audit.stats.leak_calibration import leak_test, stratified_exact_p
from privtune.audit.verdict import build_verdict
from privtune.scan.analyzer import Analyzer
from privtune.scan.entities import STRUCTURED_TYPES

FIRST = ["Sarah", "Michael", "Emily", "James", "Olivia", "Daniel", "Laura", "Robert"]
LAST = ["Johnson", "Brown", "Davis", "Wilson", "Martinez", "Taylor"]
NAMES = [f"{f} {s}" for f in FIRST for s in LAST]  # 48 full names
MEMBER_NAMES, HELDOUT_NAMES = NAMES[::2], NAMES[1::2]  # 24 each, disjoint, same pool
PHONE = "(415) 555-0199"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(types=["PERSON", "PHONE"])


def _leak_check(member_hits: list[str], heldout_hits: list[str], analyzer: Analyzer,
                extra_tuned: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """The specificity section and the verdict's leaked-PII check for outputs greeting these people."""
    members = training_pii([f"Customer {n} called about the bill." for n in MEMBER_NAMES] + [f"call me at {PHONE}"],
                           analyzer)
    heldout = training_pii([f"Customer {n} called about the bill." for n in HELDOUT_NAMES], analyzer)
    assert len(members) == 25 and len(heldout) == 24  # every name (and the phone) is detected
    base = ["Hello, how can I help you today?"] * 4
    tuned = [f"Hi {n}, you are booked." for n in member_hits + heldout_hits] + list(extra_tuned)
    spec = entity_rates(base, 1000, tuned, 1000, members, analyzer, heldout_pii=heldout)
    report = {"specificity": spec}
    check = next(c for c in build_verdict(report, Thresholds())["checks"]
                 if c["check"] == "specificity.leaked_pii_count")
    return spec, check


def test_a_few_common_names_hit_as_often_among_held_out_customers_are_chance(analyzer):
    # Two training customers' names and two held-out customers' names: the model writes names
    # from the same pool, it did not single out its training customers. The raw count says 2.
    spec, check = _leak_check(MEMBER_NAMES[:2], HELDOUT_NAMES[:2], analyzer)
    assert spec["leaked_pii_count"] == 2
    test = spec["leaked_pii_test"]
    assert (test["member_hits"], test["heldout_hits"]) == (2, 2)
    assert (test["member_values"], test["heldout_values"]) == (25, 24)
    assert test["p_value"] > 0.5
    assert check["failed"] is False and check["value"] == 2 and "within chance" in check["meaning"]


def test_one_training_name_and_none_held_out_is_still_chance(analyzer):
    # The demo's DP run that failed: one name from training, none from the held-out set.
    spec, check = _leak_check(MEMBER_NAMES[:1], [], analyzer)
    # The PERSON stratum holds 24 training and 24 held-out names: a single hit is a coin toss.
    assert spec["leaked_pii_count"] == 1 and spec["leaked_pii_test"]["p_value"] == pytest.approx(24 / 48)
    assert check["failed"] is False


def test_many_training_names_and_no_held_out_ones_is_a_leak(analyzer):
    spec, check = _leak_check(MEMBER_NAMES[:10], [], analyzer)
    assert spec["leaked_pii_count"] == 10
    assert spec["leaked_pii_test"]["p_value"] < 0.01
    assert check["failed"] is True and "p = " in check["meaning"]


def test_a_training_identifier_is_a_leak_however_few(analyzer):
    # An 11-digit number is not drawn from a small pool: one hit is not chance.
    spec, check = _leak_check([], HELDOUT_NAMES[:1], analyzer, extra_tuned=(f"text {PHONE} now",))
    assert spec["leaked_pii_count"] == 1 and spec["leaked_pii_test"]["uncalibrated_hits"] == 1
    assert check["failed"] is True


def test_a_raised_limit_still_applies(analyzer):
    spec, _ = _leak_check(MEMBER_NAMES[:10], [], analyzer)
    verdict = build_verdict({"specificity": spec}, Thresholds(leaked_pii=10))
    assert not next(c for c in verdict["checks"] if c["check"] == "specificity.leaked_pii_count")["failed"]


def test_reports_without_the_test_keep_the_plain_count():
    spec = {"ratio": 1.0, "entities_per_1k_tokens_tuned": 1.0, "entities_per_1k_tokens_base": 1.0,
            "leaked_pii_count": 1}
    (check,) = [c for c in build_verdict({"specificity": spec}, Thresholds())["checks"]
                if c["check"] == "specificity.leaked_pii_count"]
    assert check["failed"] is True


def test_one_stratum_is_fishers_exact_test():
    for x, m, y, n in [(1, 25, 0, 24), (5, 300, 1, 280), (0, 10, 3, 10), (7, 7, 0, 30)]:
        expected = fisher_exact([[x, m - x], [y, n - y]], alternative="greater")[1]
        assert stratified_exact_p({"PERSON": (x, m, y, n)}) == pytest.approx(expected, rel=1e-9)
    assert stratified_exact_p({"PERSON": (0, 10, 0, 10)}) is None
    with pytest.raises(ValueError):
        stratified_exact_p({"PERSON": (3, 2, 0, 5)})


def test_strata_pool_exactly_and_keep_types_apart():
    # Per type the member share of hits is what its value counts predict; pooled, no excess.
    p = stratified_exact_p({"PERSON": (1, 10, 1, 10), "ADDRESS": (1, 90, 1, 10)})
    assert 0.5 < p < 1
    # One hit in a type where members hold 90% of the values is weak evidence; in a balanced one, less so.
    assert stratified_exact_p({"ADDRESS": (1, 90, 0, 10)}) > stratified_exact_p({"PERSON": (1, 10, 0, 10)})


def test_values_both_sets_hold_say_nothing_and_no_value_leaves():
    members = {"Ann Lee": "PERSON", "Bo Chen": "PERSON", "13812345678": "PHONE"}
    heldout = {"Ann Lee": "PERSON", "Cy Wu": "PERSON"}
    out = leak_test({"Ann Lee": "PERSON", "Bo Chen": "PERSON"}, members, heldout, STRUCTURED_TYPES)
    assert out["shared_values"] == 1 and out["member_hits"] == 1 and out["heldout_hits"] == 0
    assert (out["member_values"], out["heldout_values"]) == (2, 1)
    assert out["by_type"]["PERSON"] == {"member_hits": 1, "member_values": 1, "heldout_hits": 0, "heldout_values": 1}
    assert "Ann" not in str(out) and "Bo" not in str(out)


def test_html_report_and_gates_show_the_calibrated_statistic(analyzer):
    from privtune.audit import gates
    from privtune.audit.report import skeleton
    from privtune.audit.report_html import render_html

    spec, _ = _leak_check(MEMBER_NAMES[:1], [], analyzer)
    report = skeleton()
    report["specificity"].update(spec)
    report["verdict"] = build_verdict(report, Thresholds())
    html = render_html(report)
    assert "held-out customers" in html and "p = <b>0.5</b>" in html
    rules = gates.parse_rules(["specificity.leaked_pii_test.p_value<0.05", "leaked_pii_count>0"], skeleton())
    assert [r["tripped"] for r in gates.evaluate(rules, report)] == [False, True]
