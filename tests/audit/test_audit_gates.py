"""--fail-on rules, the verdict, the ε-claim check and the report's PII guard (no model needed)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from privtune.audit import gates
from privtune.audit.canary_audit import CanaryKey, _epsilon_section
from privtune.audit.config import Thresholds
from privtune.audit.report import null_section, redact, skeleton
from privtune.audit.report_html import render_html
from privtune.audit.verdict import build_verdict
from privtune.errors import ConfigError


def test_rules_resolve_short_names_and_dotted_paths():
    sk = skeleton()
    rules = gates.parse_rules(["exposure_bits_max>8,mia.ref.auc>=0.6", "ratio>1.5", "verdict.pass==false",
                               "canaries.by_repeats.16.included.exposure_bits_max>4"], sk)
    assert [r.path for r in rules] == [("canaries", "exposure_bits_max"), ("mia", "ref", "auc"),
                                       ("specificity", "ratio"), ("verdict", "pass"),
                                       ("canaries", "by_repeats", "16", "included", "exposure_bits_max")]
    assert [r.op for r in rules] == [">", ">=", ">", "==", ">"]
    assert rules[3].value is False


@pytest.mark.parametrize("rule, message", [
    ("mia.ref.aucc>0.6", "not a report.json key"),
    ("auc>0.5", "unknown key"),  # auc lives under each attack, not directly in a section
    ("exposure_bits_max 8", "expected KEY OP VALUE"),
    ("exposure_bits_max>high", "not a number"),
])
def test_bad_rules_fail_before_any_work(rule, message):
    with pytest.raises(ConfigError, match=message):
        gates.parse_rules([rule], skeleton())


def test_evaluate_trips_only_on_real_values():
    report = skeleton()
    report["mia"]["ref"]["auc"] = 0.71
    report["canaries"] = null_section("canaries", "no --canaries key file was given")
    report["verdict"]["pass"] = False
    rules = gates.parse_rules(["mia.ref.auc>0.6", "mia.loss.auc>0.6", "exposure_bits_max>8", "verdict.pass==false",
                               "mia.ref.auc<0.5"], skeleton())
    res = gates.evaluate(rules, report, allow_unevaluated=True)
    assert [r["tripped"] for r in res] == [True, False, False, True, False]
    assert "no --canaries" in res[2]["note"]  # a null value is "not evaluated", with the section's reason


def test_a_rule_that_cannot_be_evaluated_fails_the_gate_unless_allowed():
    """It passed in silence: `exposure_bits_max>8` with no canaries (or `verdict.pass>0`) could never
    fail, so a CI gate built on it was no gate."""
    report = skeleton()
    report["canaries"] = null_section("canaries", "no --canaries key file was given")
    report["verdict"]["pass"] = True
    report["mia"]["ref"]["auc"] = 0.5
    rules = gates.parse_rules(["exposure_bits_max>8", "verdict.pass>0", "mia.ref.auc>0.6"], skeleton())
    res = gates.evaluate(rules, report)
    assert [(r["tripped"], r["evaluated"]) for r in res] == [(True, False), (True, False), (False, True)]
    assert res[0]["note"] == "not evaluated: no --canaries key file was given"
    allowed = gates.evaluate(rules, report, allow_unevaluated=True)
    assert [(r["tripped"], r["evaluated"]) for r in allowed] == [(False, False), (False, False), (False, True)]


def _report(auc=0.55, exposure=3.0, n_inc=10, eps_lb=None, claimed=None):
    r = skeleton()
    r["mia"]["ref"] = {"auc": auc, "auc_ci": [auc - 0.1, auc + 0.1]}
    r["canaries"].update({"exposure_bits_max": exposure, "n_included": n_inc})
    r["extraction"].update({"k_extractable_rate": 0.1, "k_extractable_rate_nonmembers": 0.08,
                            "pii_extraction_rate_tuned": 0.0, "pii_extraction_rate_base": 0.0})
    r["specificity"].update({"ratio": 1.1, "entities_per_1k_tokens_base": 2.0, "entities_per_1k_tokens_tuned": 2.2,
                             "leaked_pii_count": 0})
    r["epsilon"].update({"empirical_lower_bound": eps_lb, "claimed": claimed, "confidence": 0.95,
                         "exceeds_claim": eps_lb is not None and claimed is not None and eps_lb > claimed})
    return r


def test_verdict_passes_clean_numbers_and_names_each_failed_check():
    ok = build_verdict(_report(), Thresholds())
    assert ok["pass"] is True and ok["summary"].startswith("PASS") and not ok["reasons"]
    bad = build_verdict(_report(auc=0.8, exposure=15.0), Thresholds())
    assert bad["pass"] is False
    assert [c["check"] for c in bad["checks"] if c["failed"]] == ["mia.ref.auc", "canaries.exposure_bits_max"]
    # The exposure limit grows with the number of canaries: log2(10) + 7 bits.
    limit = next(c["limit"] for c in bad["checks"] if c["check"] == "canaries.exposure_bits_max")
    assert limit == pytest.approx(np.log2(10) + 7, abs=1e-3)


def test_an_audit_in_which_no_check_ran_does_not_pass():
    verdict = build_verdict({}, Thresholds())
    assert verdict["summary"].startswith("NO EVIDENCE") and verdict["pass"] is False
    assert verdict["not_run"] and not verdict["reasons"]


def test_epsilon_above_the_claim_is_flagged_as_a_training_bug():
    rows = [{"repeats": 1, "included": bool(i % 2), "calibrated_score": float(i % 2) * 10 + i * 1e-3}
            for i in range(200)]  # perfectly separated: the scores reveal inclusion
    key = CanaryKey((), tuple(r["included"] for r in rows), "chat", "hi", None)
    privacy = {"dp": True, "epsilon": 1.0, "delta": 1e-5, "privacy_unit": "record"}
    eps = _epsilon_section(rows, key, privacy, 0.95)
    assert eps["empirical_lower_bound"] > 1.0 and eps["exceeds_claim"] is True and "EXCEEDS" in eps["alert"]
    verdict = build_verdict(_report(eps_lb=eps["empirical_lower_bound"], claimed=1.0) | {"epsilon": eps},
                            Thresholds())
    assert verdict["pass"] is False and "ALERT" in verdict["summary"]
    html = render_html({**_report(), "epsilon": eps, "verdict": verdict})
    assert 'class="alert"' in html
    # Uninformative scores: no bound beyond chance, no alarm.
    rng = np.random.default_rng(0)
    noisy = [dict(r, calibrated_score=float(rng.normal())) for r in rows]
    calm = _epsilon_section(noisy, key, privacy, 0.95)
    assert calm["empirical_lower_bound"] < 1.0 and calm["exceeds_claim"] is False


def test_epsilon_uses_single_copy_canaries_for_record_level_runs():
    rows = [{"repeats": 4, "included": bool(i % 2), "calibrated_score": float(i % 2)} for i in range(20)]
    key = CanaryKey((), tuple(r["included"] for r in rows), "chat", "hi", None)
    eps = _epsilon_section(rows, key, {"dp": True, "epsilon": 2.0, "delta": 1e-5, "privacy_unit": "record"}, 0.95)
    assert eps["empirical_lower_bound"] is None and "repeats=1" in eps["reason"]
    user_key = CanaryKey((), key.included, "chat", "hi", "customer_id")
    eps_user = _epsilon_section(rows, user_key, {"dp": True, "epsilon": 2.0, "delta": 1e-5, "privacy_unit": "user"},
                                0.95)
    assert eps_user["canaries_used"] == 20


def test_redact_masks_values_in_strings_but_never_touches_numbers():
    report = {"a": "phone 13812345678 seen", "n": 0.13812345678, "k": {"13812345678": 1}, "l": ["x 13812345678"]}
    clean, count = redact(report, ["13812345678", "abc"])
    assert count == 3
    text = json.dumps(clean)
    assert "13812345678" not in text.replace("0.13812345678", "")
    assert clean["n"] == 0.13812345678 and clean["a"] == "phone ########### seen"


def test_an_auc_above_the_limit_fails_only_when_its_interval_excludes_chance():
    noisy = _report(auc=0.66)
    noisy["mia"]["ref"]["auc_ci"] = [0.45, 0.85]  # a handful of records: cannot tell from guessing
    check = next(c for c in build_verdict(noisy, Thresholds())["checks"] if c["check"] == "mia.ref.auc")
    assert check["failed"] is False and "cannot tell it from chance" in check["meaning"]
    sure = _report(auc=0.66)
    sure["mia"]["ref"]["auc_ci"] = [0.58, 0.74]
    assert next(c for c in build_verdict(sure, Thresholds())["checks"] if c["check"] == "mia.ref.auc")["failed"]


def test_skipped_sections_are_checks_not_run():
    from privtune.audit.report import null_section, skeleton

    report = skeleton() | {"mia": null_section("mia", "skipped (--skip mia)"),
                           "canaries": null_section("canaries", "skipped")}
    checks = {c["check"]: c for c in build_verdict(report, Thresholds())["checks"]}
    assert checks["mia.ref.auc"]["failed"] is None and checks["mia.ref.auc"]["value"] is None
    assert checks["canaries.exposure_bits_max"]["failed"] is None


def test_k_extractable_excess_fails_only_beyond_chance():
    def verdict(k_mem, k_non, n):
        r = _report()
        r["extraction"].update({"k_extractable_rate": k_mem, "k_extractable_rate_nonmembers": k_non,
                                "k_extractable_tested": n, "k_extractable_tested_nonmembers": n})
        return next(c for c in build_verdict(r, Thresholds())["checks"]
                    if c["check"] == "extraction.k_extractable_excess")

    chance = verdict(0.20, 0.14, 100)  # z = 1.13: two samples of templated answers differ this much
    assert chance["failed"] is False and "within chance" in chance["meaning"]
    real = verdict(0.60, 0.14, 100)
    assert real["failed"] is True
    assert verdict(0.20, 0.14, 5000)["failed"] is True  # the same gap on large samples is not chance
    unknown = _report()  # sample sizes not in the report (older reports): the plain limit decides
    unknown["extraction"].update({"k_extractable_rate": 0.20, "k_extractable_rate_nonmembers": 0.14})
    assert next(c for c in build_verdict(unknown, Thresholds())["checks"]
                if c["check"] == "extraction.k_extractable_excess")["failed"] is True


def test_a_key_with_no_included_canary_says_so_in_the_verdict_and_the_gate():
    """3 canaries, none drawn for insertion (1 in 8): the verdict said "no canaries were audited" and a
    gate on exposure_bits_max failed as not evaluated with that false note; the epsilon reason read
    "3 usable canaries with both included and excluded ones are needed"."""
    from privtune.audit.canary_audit import _canary_section

    rows = [{"id": f"c{i}", "repeats": 1, "included": False, "exposure_bits": 0.5, "exposure_bits_extrapolated": None,
             "calibrated_score": 0.0} for i in range(3)]
    key = CanaryKey((), (False, False, False), "chat", None, None)
    report = _report()
    report["canaries"] = _canary_section(rows, key, 50)
    report["epsilon"] = _epsilon_section(rows, key, {"dp": True, "epsilon": 8.0, "delta": 1e-5}, 0.95)
    checks = {c["check"]: c for c in build_verdict(report, Thresholds())["checks"]}
    assert checks["canaries.exposure_bits_max"]["meaning"].startswith("none of the 3 canaries was included")
    assert checks["epsilon.empirical_lower_bound"]["meaning"] == (
        "the bound needs usable canaries both included and excluded; 3 of 3 are usable (0 included, 3 excluded): "
        "a record-level run uses only canaries with repeats=1")
    (gate,) = gates.evaluate(gates.parse_rules(["exposure_bits_max>8"], skeleton()), report)
    assert gate["note"].startswith("not evaluated: none of the 3 canaries was included")
