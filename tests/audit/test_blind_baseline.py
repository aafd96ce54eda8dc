"""The bag-of-words blind baseline: high when non-members differ in kind, ≈ 0.5 when the two
sets are one population split at random, and its caveat reaches the failed membership check."""

from __future__ import annotations

import random

from privtune.audit.blind import blind_auc, text_features
from privtune.audit.config import Thresholds
from privtune.audit.verdict import build_verdict

TOPICS = ["router", "modem", "invoice", "refund", "password", "delivery", "screen", "battery"]


def _chats(n: int, seed: int, words: list[str]) -> list[str]:
    rng = random.Random(seed)
    return [f"The {rng.choice(words)} issue on ticket {rng.randint(1, 999)} was {rng.choice(['fixed', 'escalated', 'closed'])}"
            f" after {rng.randint(1, 9)} days; 客户{rng.choice(['满意', '不满', '再次来电'])}。" for _ in range(n)]


def test_shifted_non_members_are_told_apart_and_one_population_is_not() -> None:
    members = _chats(120, 1, TOPICS[:4])
    shifted = _chats(120, 2, TOPICS[4:])
    res = blind_auc(members, shifted, n_boot=200)
    assert res["auc"] > 0.95 and res["auc_ci"][0] > 0.9
    pool = _chats(240, 3, TOPICS)
    aucs = [blind_auc(pool[:120], pool[120:], seed=s, n_boot=50)["auc"] for s in range(5)]
    assert all(0.35 < a < 0.65 for a in aucs) and 0.4 < sum(aucs) / 5 < 0.6
    assert blind_auc(members[:3], shifted)["auc"] is None


def test_features_cover_words_bigrams_and_chinese() -> None:
    f = text_features("Refund sent 客户满意")
    assert {"w:refund", "b:refund sent", "c:客户", "c:满意"} <= f


def _report(blind: float, ci_low: float) -> dict:
    return {"mia": {"ref": {"auc": 0.9, "auc_ci": [0.8, 0.97]},
                    "distribution_check": {"base_loss_auc": 0.5, "blind_auc": blind, "blind_auc_ci": [ci_low, 1.0]}}}


def test_a_failed_membership_check_names_the_shift() -> None:
    th = Thresholds()
    shifted = build_verdict(_report(0.98, 0.9), th)
    alike = build_verdict(_report(0.52, 0.4), th)
    for v in (shifted, alike):
        assert v["pass"] is False  # the gate still fails: the audit cannot vouch for the model
    assert "words alone" in shifted["reasons"][0] and "words alone" not in alike["reasons"][0]
