"""Blind baseline: can members be told from non-members by their words alone, with no model?

Membership inference is only evidence of memorisation when members and non-members come from
the same distribution. If the non-members are another month's tickets, another product's
chats or another template, every attack separates the two sets by *what they say*, and a
model that memorised nothing still fails the audit. Das et al. (2024, "Blind baselines beat
membership inference attacks for foundation models") showed that on several published MIA
benchmarks a bag-of-words classifier that never sees the model beats the attacks.

This runs such a classifier on the audit's own texts: a Bernoulli naive-Bayes score over
word uni- and bigrams (and character bigrams of CJK runs, which have no spaces), fitted on
k − 1 folds and applied to the held-out fold, so each record is scored by a classifier that
never saw it. The pooled out-of-fold scores give an ROC-AUC: ≈ 0.5 when the sets are alike;
far above it, the membership figures measure that difference rather than memorisation.
No text, n-gram or vocabulary is kept; only the AUC and its interval leave this module.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from privtune.audit.stats import bootstrap_auc_ci, roc_auc

FOLDS = 5
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")


def text_features(text: str) -> frozenset[str]:
    """The record's distinct lower-case words, word bigrams and CJK character bigrams."""
    low = text.lower()
    words = _WORD.findall(low)
    feats = {f"w:{w}" for w in words}
    feats.update(f"b:{a} {b}" for a, b in zip(words, words[1:]))
    for run in _CJK_RUN.findall(low):
        feats.update(f"c:{run[i:i + 2]}" for i in range(len(run) - 1))
    return frozenset(feats)


def _fold_scores(train: list[tuple[frozenset[str], int]], test: list[frozenset[str]]) -> list[float]:
    """Naive-Bayes log-odds of "member" for each test record, from the training folds' document
    frequencies (Laplace-smoothed); features the training folds never saw carry nothing."""
    df = (Counter[str](), Counter[str]())
    sizes = [0, 0]
    for feats, label in train:
        df[label].update(feats)
        sizes[label] += 1
    n_non, n_mem = sizes
    out = []
    for feats in test:
        s = 0.0
        for f in feats:
            a, b = df[1][f], df[0][f]
            if a or b:
                s += math.log((a + 1) / (n_mem + 2)) - math.log((b + 1) / (n_non + 2))
        out.append(s)
    return out


def blind_auc(members: Sequence[str], nonmembers: Sequence[str], *, folds: int = FOLDS, seed: int = 0,
              n_boot: int = 1000, confidence: float = 0.95) -> dict[str, Any]:
    """ROC-AUC (with a bootstrap interval) of the out-of-fold bag-of-words classifier."""
    if len(members) < folds or len(nonmembers) < folds:
        return {"auc": None, "auc_ci": None, "reason": f"fewer than {folds} members or non-members"}
    rng = np.random.default_rng(seed)
    items = [(text_features(t), 1) for t in members] + [(text_features(t), 0) for t in nonmembers]
    # Stratified folds: each class dealt out in a random order, so every fold holds both.
    fold_of = np.empty(len(items), dtype=np.int64)
    for idx in (np.arange(len(members)), len(members) + np.arange(len(nonmembers))):
        fold_of[rng.permutation(idx)] = np.arange(len(idx)) % folds
    scores = np.empty(len(items))
    for k in range(folds):
        test_idx = np.flatnonzero(fold_of == k)
        train = [items[i] for i in np.flatnonzero(fold_of != k)]
        scores[test_idx] = _fold_scores(train, [items[i][0] for i in test_idx])
    m, n = scores[: len(members)], scores[len(members):]
    lo, hi = bootstrap_auc_ci(m, n, n_boot=n_boot, alpha=1.0 - confidence, seed=seed)
    return {"auc": round(roc_auc(m, n), 6), "auc_ci": [round(lo, 6), round(hi, 6)], "folds": folds}
