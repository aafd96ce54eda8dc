"""Model-independent audit statistics: canary exposure, membership-inference metrics and
scores, and the one-run empirical ε lower bound. Inputs are plain arrays of numbers, so the
model-scoring code only has to produce losses / log-probs. See docs/audit_statistics.md.
"""

from privtune.audit.stats._checks import AuditStatsError
from privtune.audit.stats.epsilon_lower_bound import (
    default_k_grid,
    epsilon_from_counts,
    epsilon_lower_bound,
    epsilon_lower_bound_scan,
    one_run_p_value,
)
from privtune.audit.stats.exposure import (
    SkewNormFit,
    exposure_by_extrapolation,
    exposure_by_rank,
    exposure_rank_interval,
    fit_skewnorm,
    skewnorm_logcdf,
)
from privtune.audit.stats.mia_metrics import bootstrap_auc_ci, roc_auc, roc_curve, tpr_at_fpr
from privtune.audit.stats.mia_scores import (
    loss_score,
    min_k_plus_plus_score,
    min_k_plus_plus_token_scores,
    min_k_score,
    next_token_moments,
    reference_score,
    zlib_length,
    zlib_score,
)

__all__ = [
    "AuditStatsError",
    "SkewNormFit",
    "bootstrap_auc_ci",
    "default_k_grid",
    "epsilon_from_counts",
    "epsilon_lower_bound",
    "epsilon_lower_bound_scan",
    "exposure_by_extrapolation",
    "exposure_by_rank",
    "exposure_rank_interval",
    "fit_skewnorm",
    "loss_score",
    "min_k_plus_plus_score",
    "min_k_plus_plus_token_scores",
    "min_k_score",
    "next_token_moments",
    "one_run_p_value",
    "reference_score",
    "roc_auc",
    "roc_curve",
    "skewnorm_logcdf",
    "tpr_at_fpr",
    "zlib_length",
    "zlib_score",
]
