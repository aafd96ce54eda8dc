"""Membership inference: can the fine-tuned model tell its training records from held-out ones?

Five standard attacks score every member and non-member record from its supervised tokens
(the tokens the trainer took its loss on) — higher score = "more likely trained on":

=========  ==========================================================  ===================
key        score                                                       reference
=========  ==========================================================  ===================
``loss``   −mean token loss under the tuned model                      Yeom et al. 2018
``ref``    mean loss under the base − mean loss under the tuned model  Carlini et al. 2021
``zlib``   −mean loss / zlib-compressed length of the scored text      Carlini et al. 2021
``mink``   mean of the lowest 20% token log-probs                      Shi et al. 2024
``minkpp`` the same over (log p − μ_t) / σ_t                           Zhang et al. 2024
=========  ==========================================================  ===================

Each attack gets ROC-AUC with a stratified bootstrap CI, TPR at 1% and 0.1% FPR, and a
compact ROC curve for the report's log-scale plot (`privtune.audit.stats` does the maths).

``distribution_check``: the LOSS attack run on the *base* model. The base never saw either
set, so its AUC should be ≈ 0.5; far from it means members and non-members differ in kind
(different time span, topic, length) and every attack's AUC is inflated by that, not by
memorisation. ``ref`` cancels most of such a shift, which is why the verdict reads it. A base
model that knows little (a small or random one) cannot see a shift, so ``blind_auc`` asks the
same of a bag-of-words classifier that uses no model at all (`privtune.audit.blind`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from privtune.audit.blind import blind_auc
from privtune.audit.scoring import TokenScores
from privtune.audit.stats import (
    bootstrap_auc_ci,
    loss_score,
    min_k_plus_plus_score,
    min_k_score,
    reference_score,
    roc_auc,
    roc_curve,
    tpr_at_fpr,
    zlib_score,
)

ATTACKS = ("loss", "ref", "zlib", "mink", "minkpp")
ATTACK_NAMES = {"loss": "LOSS", "ref": "base-calibrated (ref)", "zlib": "zlib ratio", "mink": "Min-K% (k=20%)",
                "minkpp": "Min-K%++ (k=20%)"}
ROC_POINTS = 200  # the curve stored in report.json is thinned to about this many points


@dataclass(frozen=True, slots=True)
class RecordScores:
    """Token scores of one record under the tuned and the base model, plus its scored text."""

    tuned: TokenScores
    base: TokenScores
    text: str


def attack_scores(rec: RecordScores, k: float = 0.2) -> dict[str, float]:
    """The five membership scores of one record (higher = more member-like)."""
    t, b = rec.tuned, rec.base
    return {
        "loss": loss_score(t.losses),
        "ref": reference_score(t.losses, b.losses),
        "zlib": zlib_score(t.losses, rec.text),
        "mink": min_k_score(np.minimum(t.logprobs, 0.0), k),  # float rounding can give +1e-8
        "minkpp": min_k_plus_plus_score(t.logprobs, t.mu, t.sigma, k),  # type: ignore[arg-type]
    }


def thin_roc(fpr: NDArray[np.float64], tpr: NDArray[np.float64], points: int = ROC_POINTS) -> dict[str, list[float]]:
    """At most ~``points`` points, evenly spaced in log FPR (where the low-FPR story is), ends kept."""
    if fpr.size <= points:
        return {"fpr": [round(float(x), 6) for x in fpr], "tpr": [round(float(x), 6) for x in tpr]}
    grid = np.unique(np.concatenate([[0.0], np.geomspace(max(float(fpr[fpr > 0].min()), 1e-6), 1.0, points)]))
    # For each grid FPR, the best TPR reachable at or below it (the ROC is a step function).
    idx = np.searchsorted(fpr, grid, side="right") - 1
    return {"fpr": [round(float(fpr[i]), 6) for i in idx], "tpr": [round(float(tpr[i]), 6) for i in idx]}


def evaluate_attack(members: Sequence[float], nonmembers: Sequence[float], *, n_boot: int, seed: int,
                    alpha: float = 0.05) -> dict[str, Any]:
    m = np.asarray(members, dtype=np.float64)
    n = np.asarray(nonmembers, dtype=np.float64)
    lo, hi = bootstrap_auc_ci(m, n, n_boot=n_boot, alpha=alpha, seed=seed)
    fpr, tpr = roc_curve(m, n)
    return {
        "auc": round(roc_auc(m, n), 6),
        "auc_ci": [round(lo, 6), round(hi, 6)],
        "tpr_at_fpr_0.01": round(tpr_at_fpr(m, n, 0.01), 6),
        "tpr_at_fpr_0.001": round(tpr_at_fpr(m, n, 0.001), 6),
        "roc": thin_roc(fpr, tpr),
    }


def run_mia(members: Sequence[RecordScores], nonmembers: Sequence[RecordScores], *, k: float = 0.2,
            n_boot: int = 1000, confidence: float = 0.95, seed: int = 0) -> dict[str, Any]:
    """The ``mia`` section of report.json. Records without scored tokens are left out."""
    mem = [r for r in members if r.tuned.logprobs.size]
    non = [r for r in nonmembers if r.tuned.logprobs.size]
    if not mem or not non:
        return {"reason": "no member or no non-member record has supervised tokens to score",
                **{a: None for a in ATTACKS}}
    m_scores = [attack_scores(r, k) for r in mem]
    n_scores = [attack_scores(r, k) for r in non]
    out: dict[str, Any] = {"n_members": len(mem), "n_nonmembers": len(non), "k": k,
                           "ci_level": confidence, "bootstrap": n_boot}
    for i, attack in enumerate(ATTACKS):
        out[attack] = evaluate_attack([s[attack] for s in m_scores], [s[attack] for s in n_scores],
                                      n_boot=n_boot, seed=seed + i, alpha=1.0 - confidence)
    base_m = [loss_score(r.base.losses) for r in mem]
    base_n = [loss_score(r.base.losses) for r in non]
    blind = blind_auc([r.text for r in mem], [r.text for r in non], n_boot=n_boot, confidence=confidence, seed=seed)
    out["distribution_check"] = {"base_loss_auc": round(roc_auc(base_m, base_n), 6),
                                 "blind_auc": blind["auc"], "blind_auc_ci": blind["auc_ci"]}
    if len(non) < 1000:
        out["note"] = (f"TPR at 0.1% FPR needs >= 1000 non-members to mean more than 'TPR at FPR 0'; "
                       f"this audit has {len(non)}")
    return out
