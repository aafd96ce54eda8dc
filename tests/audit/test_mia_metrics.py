import numpy as np
import pytest
from scipy import special

from privtune.audit.stats import AuditStatsError, bootstrap_auc_ci, roc_auc, roc_curve, tpr_at_fpr


def _pair_count_auc(m, n):
    m, n = np.asarray(m, float), np.asarray(n, float)
    wins = sum(float(a > b) + 0.5 * float(a == b) for a in m for b in n)
    return wins / (m.size * n.size)


def test_separable_scores_give_auc_one_and_zero():
    assert roc_auc([5, 6, 7], [1, 2, 3, 4]) == 1.0
    assert roc_auc([1, 2, 3], [5, 6]) == 0.0


def test_identical_distributions_give_half():
    rng = np.random.default_rng(0)
    assert roc_auc(rng.normal(size=3000), rng.normal(size=3000)) == pytest.approx(0.5, abs=0.025)
    assert roc_auc(np.ones(7), np.ones(9)) == 0.5  # all ties


def test_auc_matches_brute_force_pair_counting_with_ties():
    rng = np.random.default_rng(1)
    for _ in range(20):
        m = rng.integers(0, 8, size=int(rng.integers(1, 40)))
        n = rng.integers(0, 8, size=int(rng.integers(1, 40)))
        assert roc_auc(m, n) == pytest.approx(_pair_count_auc(m, n), abs=1e-12)


def test_auc_of_shifted_normals_matches_theory():
    rng = np.random.default_rng(2)
    m, n = rng.normal(1.0, 1.0, 20_000), rng.normal(0.0, 1.0, 20_000)
    assert roc_auc(m, n) == pytest.approx(special.ndtr(1 / np.sqrt(2)), abs=0.01)


def test_roc_curve_shape_and_area():
    rng = np.random.default_rng(3)
    m, n = rng.integers(0, 20, 300), rng.integers(0, 25, 400)  # many ties
    fpr, tpr = roc_curve(m, n)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    assert np.trapezoid(tpr, fpr) == pytest.approx(roc_auc(m, n), abs=1e-12)


def test_bootstrap_replicate_equals_auc_of_the_materialised_resample():
    rng = np.random.default_rng(4)
    m, n = rng.integers(0, 10, 60).astype(float), rng.integers(0, 10, 45).astype(float)
    lo, hi = bootstrap_auc_ci(m, n, n_boot=1, seed=11)
    # The same draws, materialised: member indices then non-member indices (into sorted scores).
    draw = np.random.default_rng(11)
    members = m[draw.integers(0, m.size, size=(1, m.size))[0]]
    nonmembers = np.sort(n)[draw.integers(0, n.size, size=(1, n.size))[0]]
    expected = roc_auc(members, nonmembers)
    assert lo == hi == pytest.approx(expected, abs=1e-12)


def test_bootstrap_ci_contains_truth_shrinks_with_n_and_is_seeded():
    rng = np.random.default_rng(5)
    truth = special.ndtr(0.5 / np.sqrt(2))
    small = bootstrap_auc_ci(rng.normal(0.5, 1, 200), rng.normal(0, 1, 200), seed=0)
    m, n = rng.normal(0.5, 1, 3000), rng.normal(0, 1, 3000)
    big = bootstrap_auc_ci(m, n, seed=0)
    assert big[0] < truth < big[1] and small[0] < truth < small[1]
    assert big[1] - big[0] < (small[1] - small[0]) / 2
    assert big[0] < roc_auc(m, n) < big[1]
    assert bootstrap_auc_ci(m, n, seed=0) == big
    # About +-1.96 standard errors, with the Hanley & McNeil (1982) approximation of the AUC's SE.
    a, k = truth, 3000
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    se = np.sqrt((a * (1 - a) + (k - 1) * (q1 - a * a) + (k - 1) * (q2 - a * a)) / (k * k))
    assert big[1] - big[0] == pytest.approx(2 * 1.96 * se, rel=0.15)


def test_tpr_at_fpr_on_a_constructed_case():
    nonmembers = np.arange(100, dtype=float)  # 0..99
    members = [50.5, 98.5, 99.5, 100.0, 200.0]
    assert tpr_at_fpr(members, nonmembers, 0.0) == pytest.approx(3 / 5)  # above 99
    assert tpr_at_fpr(members, nonmembers, 0.01) == pytest.approx(4 / 5)  # one FP allowed: above 98
    assert tpr_at_fpr(members, nonmembers, 0.019) == pytest.approx(4 / 5)  # still one
    assert tpr_at_fpr(members, nonmembers, 0.5) == 1.0
    assert tpr_at_fpr(members, nonmembers, 1.0) == 1.0


def test_tpr_at_fpr_ties_with_the_cut_are_not_counted():
    assert tpr_at_fpr([3.0, 3.0, 4.0], [1.0, 2.0, 3.0], 0.0) == pytest.approx(1 / 3)


def test_tpr_at_fpr_tiny_sample_convention_is_tpr_at_zero_fpr():
    members, nonmembers = [0.5, 2.0, 3.0, 9.0], [0.0, 1.0, 2.5, 1.5, 0.2, 0.1, 0.3, 0.4, 0.6, 0.7]
    assert tpr_at_fpr(members, nonmembers, 0.01) == tpr_at_fpr(members, nonmembers, 0.0) == 0.5


def test_tpr_at_fpr_floating_budget():
    nonmembers = np.arange(300, dtype=float)
    members = [296.5, 297.5, 298.5, 299.5]
    assert tpr_at_fpr(members, nonmembers, 0.01) == 1.0  # 0.01 * 300 == 3 false positives allowed


def test_tpr_at_fpr_agrees_with_the_roc_curve():
    rng = np.random.default_rng(6)
    m, n = rng.normal(1.0, 1.0, 700), rng.normal(0.0, 1.0, 900)
    fpr, tpr = roc_curve(m, n)
    for target in (0.0, 0.001, 0.01, 0.05, 0.3):
        assert tpr_at_fpr(m, n, target) == pytest.approx(tpr[fpr <= target + 1e-12].max())


def test_errors():
    with pytest.raises(AuditStatsError):
        roc_auc([], [1.0])
    with pytest.raises(AuditStatsError):
        tpr_at_fpr([1.0], [0.0], 1.5)
    with pytest.raises(AuditStatsError):
        bootstrap_auc_ci([1.0], [0.0], n_boot=0)
