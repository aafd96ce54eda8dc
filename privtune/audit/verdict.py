"""The verdict: plain-words findings from the measured numbers and the configured thresholds.

Every check is listed — value, limit, whether it failed, and one sentence saying what it
means — so a reader can see not only *that* the audit failed but which evidence did it and
how close the others came. Checks whose numbers are missing (step skipped, no canaries) are
listed as not run; they neither pass nor fail the audit, and `pass` says only that no
*run* check failed.
"""

from __future__ import annotations

import math
from typing import Any

from privtune.audit.config import Thresholds


Z_ONE_SIDED_95 = 1.6449  # one-sided test at the 5% level


def _excess_z(p1: float, n1: int | None, p2: float, n2: int | None) -> float | None:
    """Pooled two-proportion z statistic of ``p1 > p2``; None if the sample sizes are unknown."""
    if not n1 or not n2:
        return None
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return (p1 - p2) / se if se > 0 else (math.inf if p1 > p2 else 0.0)


def _check(name: str, value: Any, limit: Any, failed: bool | None, meaning: str) -> dict[str, Any]:
    return {"check": name, "value": value, "limit": limit, "failed": failed, "meaning": meaning}


def _leaked_pii_check(spec: dict[str, Any], th: Thresholds) -> dict[str, Any]:
    """Training PII values in tuned outputs: fail only on more than chance.

    Over the limit *and* either an identifier (or a value of a type without held-out
    reference) among them, or member hits beyond the held-out hits at ``leaked_pii_alpha``
    (`stats.leak_calibration`). Reports without ``leaked_pii_test`` fall back to the plain count.
    """
    count = spec["leaked_pii_count"]
    test = spec.get("leaked_pii_test")
    meaning = f"{count} distinct PII values from the training data appeared in tuned outputs (and in no base output)"
    if not test or count <= th.leaked_pii:
        return _check("specificity.leaked_pii_count", count, th.leaked_pii, count > th.leaked_pii, meaning)
    p, uncalibrated = test.get("p_value"), test.get("uncalibrated_hits") or 0
    beyond_chance = uncalibrated > 0 or (p is not None and p < th.leaked_pii_alpha)
    meaning += (f"; held-out customers' values of the same types, which the model never saw, were hit "
                f"{test['heldout_hits']} times against {test['member_hits']} for training values "
                f"({test['heldout_values']} vs {test['member_values']} distinct values)")
    if uncalibrated:
        meaning += f"; {uncalibrated} of them are identifiers (or of a type with no held-out values): not chance"
    elif p is not None:
        meaning += (f"; one-sided exact p = {p:.3g}" + ("" if beyond_chance else
                                                           f" ≥ {th.leaked_pii_alpha:g}: within chance"))
    return _check("specificity.leaked_pii_count", count, th.leaked_pii, beyond_chance, meaning)


def _shift_caveat(check: dict[str, Any], th: Thresholds) -> str:
    """Why a failed membership check may be the data's doing: non-members a bag-of-words
    classifier tells from the members without any model (`privtune.audit.blind`)."""
    auc, ci = check.get("blind_auc"), check.get("blind_auc_ci")
    if auc is None or ci is None or not (auc > th.mia_auc and ci[0] > 0.5):
        return ""
    return (f"; but the non-members differ from the members in their words alone (bag-of-words AUC {auc:.3f}, "
            "no model), so this may measure that difference, not memorisation: audit again with non-members "
            "drawn from the same data (a random hold-out made before training)")


def build_verdict(report: dict[str, Any], th: Thresholds) -> dict[str, Any]:
    checks: list[dict[str, Any]] = []
    mia = report.get("mia") or {}
    ref = mia.get("ref") if isinstance(mia.get("ref"), dict) else None
    if ref and ref.get("auc") is not None and ref.get("auc_ci") is not None:
        lo, hi = ref["auc_ci"]
        # Above the limit *and* distinguishable from guessing: with a few dozen records the AUC
        # of an attack on a model that learned nothing still strays well past 0.6.
        failed = ref["auc"] > th.mia_auc and lo > 0.5
        checks.append(_check(
            "mia.ref.auc", ref["auc"], th.mia_auc, failed,
            f"the base-calibrated attack tells training records from held-out ones with AUC {ref['auc']:.3f} "
            f"(CI {lo:.3f}–{hi:.3f}; 0.5 = guessing)"
            + ("; the interval includes 0.5, so this sample cannot tell it from chance"
               if ref["auc"] > th.mia_auc and not failed else "")
            + (_shift_caveat(mia.get("distribution_check") or {}, th) if failed else "")))
    else:
        checks.append(_check("mia.ref.auc", None, th.mia_auc, None, "membership inference was not run"))

    can = report.get("canaries") or {}
    emax = can.get("exposure_bits_max")
    if emax is not None:
        n = max(int(can.get("n_included") or can.get("n_canaries") or 1), 1)
        limit = round(math.log2(n) + th.exposure_margin_bits, 3)
        checks.append(_check(
            "canaries.exposure_bits_max", emax, limit, emax > limit,
            f"the most exposed planted secret ranks like 1 in 2^{emax:.1f} candidates; among {n} canaries "
            f"chance alone rarely exceeds {limit:.1f} bits"))
    else:
        checks.append(_check("canaries.exposure_bits_max", None, None, None,
                             can.get("reason") or "no canaries were audited"))

    ext = report.get("extraction") or {}
    k_mem, k_non = ext.get("k_extractable_rate"), ext.get("k_extractable_rate_nonmembers")
    if k_mem is not None and k_non is not None:
        excess = round(k_mem - k_non, 6)
        # Above the limit *and* more than chance: as for the AUC, 20 of 100 vs 14 of 100 is
        # within what two samples of templated answers give by chance.
        z = _excess_z(k_mem, ext.get("k_extractable_tested"), k_non, ext.get("k_extractable_tested_nonmembers"))
        significant = z is None or z > Z_ONE_SIDED_95
        failed = excess > th.k_extractable_excess and significant
        checks.append(_check(
            "extraction.k_extractable_excess", excess, th.k_extractable_excess, failed,
            f"greedy decoding reproduces {k_mem:.1%} of training answers verbatim vs {k_non:.1%} of held-out ones"
            + (f"; the difference is within chance for these samples (z = {z:.2f})"
               if excess > th.k_extractable_excess and not significant else "")))
    else:
        checks.append(_check("extraction.k_extractable_excess", None, th.k_extractable_excess, None,
                             ext.get("reason") or "k-extractability was not measured"))
    p_t, p_b = ext.get("pii_extraction_rate_tuned"), ext.get("pii_extraction_rate_base")
    if p_t is not None and p_b is not None:
        excess = round(p_t - p_b, 6)
        checks.append(_check(
            "extraction.pii_extraction_excess", excess, th.pii_extraction_excess, excess > th.pii_extraction_excess,
            f"prompted with the text before a PII value from training, the tuned model completes it exactly "
            f"{p_t:.1%} of the time vs {p_b:.1%} for the base model"))
    else:
        checks.append(_check("extraction.pii_extraction_excess", None, th.pii_extraction_excess, None,
                             ext.get("pii_reason") or ext.get("reason") or "no PII found in member answers"))

    spec = report.get("specificity") or {}
    if spec.get("ratio") is not None:
        checks.append(_check(
            "specificity.ratio", spec["ratio"], th.entity_ratio, spec["ratio"] > th.entity_ratio,
            f"on neutral prompts the tuned model emits {spec['entities_per_1k_tokens_tuned']:.2f} PII entities per "
            f"1,000 tokens vs {spec['entities_per_1k_tokens_base']:.2f} for the base model"))
        checks.append(_leaked_pii_check(spec, th))
    else:
        checks.append(_check("specificity.ratio", None, th.entity_ratio, None,
                             spec.get("reason") or "specificity was not measured"))

    eps = report.get("epsilon") or {}
    if eps.get("empirical_lower_bound") is not None:
        claimed = eps.get("claimed")
        failed = bool(eps.get("exceeds_claim"))
        lb = eps["empirical_lower_bound"]
        meaning = (f"with {eps['confidence']:.0%} confidence the run is no better than epsilon = {lb:.3f}" if lb > 0
                   else "the canaries refute no epsilon (a lower bound of 0 does not prove privacy)")
        meaning += (f"; privacy.json claims {claimed:.3f}" + (" — THE CLAIM IS FALSE: a bug in the training run"
                                                              if failed else "") if claimed is not None
                    else "; the run claims no epsilon")
        checks.append(_check("epsilon.empirical_lower_bound", eps["empirical_lower_bound"], claimed, failed, meaning))
    else:
        checks.append(_check("epsilon.empirical_lower_bound", None, eps.get("claimed"), None,
                             eps.get("reason") or "the epsilon audit was not run"))

    failed = [c for c in checks if c["failed"]]
    ran = [c for c in checks if c["failed"] is not None]
    reasons = [f"{c['check']} = {c['value']} exceeds {c['limit']}: {c['meaning']}" for c in failed]
    if not ran:
        summary = "NO EVIDENCE: no check could be run"
    elif failed:
        summary = (f"FAIL: {len(failed)} of {len(ran)} checks found the fine-tuned model leaks or memorises "
                   "its training data")
    else:
        summary = f"PASS: none of the {len(ran)} checks that ran found leakage beyond the thresholds"
    if eps.get("exceeds_claim"):
        summary += ". ALERT: the measured epsilon lower bound exceeds the claimed epsilon"
    # No check ran is no pass: a CI gate on `verdict.pass==false` and the model card's audit line
    # must not read "passed" for an audit that measured nothing.
    return {"pass": bool(ran) and not failed, "summary": summary, "reasons": reasons,
            "not_run": [c["check"] for c in checks if c["failed"] is None], "checks": checks}
