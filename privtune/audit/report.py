"""report.json: the contract keys, empty sections with reasons, and the last-line PII guard.

The contract (every key always present; null with a ``reason`` when not measured)::

    mia.{loss,ref,zlib,mink,minkpp}.{auc,auc_ci,tpr_at_fpr_0.01,tpr_at_fpr_0.001}
    canaries.{exposure_bits_mean,exposure_bits_max,by_repeats}
    extraction.{k_extractable_rate,pii_extraction_rate_tuned,pii_extraction_rate_base}
    specificity.{entities_per_1k_tokens_base,entities_per_1k_tokens_tuned,ratio,
                 identifiers_per_1k_tokens_base,identifiers_per_1k_tokens_tuned,identifier_ratio,
                 leaked_pii_count,logprob_amplification_members,logprob_amplification_nonmembers,
                 leaked_pii_test.{member_hits,heldout_hits,member_values,heldout_values,p_value,...}}
    epsilon.{claimed,empirical_lower_bound,confidence}
    verdict.{pass,reasons}

`redact` is the guard: the report is built from counts and rates only, but before it is
written every string in it is searched for every training PII value and canary secret the
audit saw, and any occurrence is replaced by its masked shape (and counted in
``redactions``). A non-zero count is a bug to report; the file still never carries the value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from privtune.audit.extraction import mask_value
from privtune.audit.mia import ATTACKS

MIA_METRICS = ("auc", "auc_ci", "tpr_at_fpr_0.01", "tpr_at_fpr_0.001")
CANARY_KEYS = ("exposure_bits_mean", "exposure_bits_max", "by_repeats")
EXTRACTION_KEYS = ("k_extractable_rate", "pii_extraction_rate_tuned", "pii_extraction_rate_base")
SPECIFICITY_KEYS = ("entities_per_1k_tokens_base", "entities_per_1k_tokens_tuned", "ratio",
                    "identifiers_per_1k_tokens_base", "identifiers_per_1k_tokens_tuned", "identifier_ratio",
                    "leaked_pii_count", "logprob_amplification_members", "logprob_amplification_nonmembers")
LEAK_TEST_SKELETON = {"member_hits": None, "heldout_hits": None, "member_values": None, "heldout_values": None,
                      "shared_values": None, "uncalibrated_hits": None, "p_value": None, "by_type": {}}
EPSILON_KEYS = ("claimed", "empirical_lower_bound", "confidence")
_MIN_GUARDED_LEN = 5  # shorter "values" (a 4-digit PIN) also occur as ordinary numbers in a report


def skeleton() -> dict[str, Any]:
    """Every contract key with a null value; ``by_repeats`` is an open mapping."""
    return {
        "mia": {a: {m: None for m in MIA_METRICS} for a in ATTACKS}
        | {"distribution_check": {"base_loss_auc": None, "blind_auc": None, "blind_auc_ci": None}},
        "canaries": {"exposure_bits_mean": None, "exposure_bits_max": None, "by_repeats": {},
                     "exposure_bits_extrapolated_max": None, "excluded_exposure_bits_mean": None},
        "extraction": {k: None for k in EXTRACTION_KEYS} | {"k_extractable_rate_nonmembers": None,
                                                           "k_extractable_rate_base": None,
                                                           "pii_extraction_rate_nonmembers_tuned": None,
                                                           "pii_extraction_rate_nonmembers_base": None},
        "specificity": {k: None for k in SPECIFICITY_KEYS} | {"leaked_pii_precision": None,
                                                             "leaked_pii_recall": None,
                                                             "leaked_pii_test": LEAK_TEST_SKELETON},
        "epsilon": {k: None for k in EPSILON_KEYS} | {"exceeds_claim": None},
        "verdict": {"pass": None, "reasons": None, "summary": None},
    }


def null_section(name: str, reason: str, **extra: Any) -> dict[str, Any]:
    """The skeleton's section ``name`` with a reason (and any known values in ``extra``)."""
    sec = json.loads(json.dumps(skeleton()[name]))
    sec.update(extra)
    sec["reason"] = reason
    return sec


def redact(report: Any, secrets: Iterable[str]) -> tuple[Any, int]:
    """Copy of ``report`` with every occurrence of a secret in its strings (values and keys)
    replaced by the secret's masked shape, and the number of replacements.

    Numbers are left alone: a float such as 0.0421375 is not a disclosure of "421375", and
    rewriting it would corrupt the report.
    """
    ordered = sorted({s for s in secrets if len(s) >= _MIN_GUARDED_LEN}, key=len, reverse=True)
    count = 0

    def clean(text: str) -> str:
        nonlocal count
        for s in ordered:
            if s in text:
                count += text.count(s)
                text = text.replace(s, mask_value(s))
        return text

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return clean(node)
        if isinstance(node, dict):
            return {clean(str(k)): walk(v) for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            return [walk(v) for v in node]
        return node

    return walk(report), count
