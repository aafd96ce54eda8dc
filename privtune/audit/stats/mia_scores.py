"""Membership scores of the common attack families, from per-token numbers of one text.

Model-independent on purpose: the caller runs the model once and passes per-token losses
(``-log p(x_t | x_<t)``) or log-probabilities; these functions only do the arithmetic. Every
score follows the convention of `mia_metrics`: **higher = more likely a member**.

- LOSS (Yeom et al., CSF 2018): ``-mean loss``.
- Reference-calibrated (Carlini et al., USENIX Security 2021 "Extracting Training Data",
  §6.2): ``mean loss under a reference/base model - mean loss under the tuned model``.
- zlib (same paper): ``-mean loss / len(zlib(text))``, the loss normalised by a cheap
  model-free estimate of how compressible (hence a priori likely) the text is.
- Min-K% (Shi et al., ICLR 2024): mean of the lowest k-fraction of token log-probs.
- Min-K%++ (Zhang et al., 2024, arXiv:2404.02936): the same over per-token scores
  ``(log p(x_t) - μ_t) / σ_t`` with μ_t, σ_t the mean and std of ``log p(z)`` for
  ``z ~ p(· | x_<t)``, the model's own next-token distribution; see `next_token_moments`.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
from numpy.typing import NDArray

from privtune.audit.stats._checks import ArrayLike, AuditStatsError, as_scores, check_probability

DEFAULT_K = 0.2
# σ_t is 0 only when the next-token distribution is a point mass; then the token is either
# that certain token (z would be 0/0) or impossible. Clamping keeps the score finite.
_SIGMA_FLOOR = 1e-6


def loss_score(token_losses: ArrayLike) -> float:
    """LOSS attack: ``-mean(token_losses)``."""
    return -float(as_scores(token_losses, "token_losses").mean())


def reference_score(token_losses: ArrayLike, reference_token_losses: ArrayLike) -> float:
    """Reference calibration: ``mean(reference losses) - mean(tuned losses)``.

    The two arrays may differ in length (different tokenisers); each is averaged on its own.
    Subtracting the reference model's loss removes how easy the text is in general, leaving
    what fine-tuning added.
    """
    tuned = as_scores(token_losses, "token_losses")
    base = as_scores(reference_token_losses, "reference_token_losses")
    return float(base.mean()) - float(tuned.mean())


def zlib_length(text: str, level: int = 9) -> int:
    """Bytes of ``zlib.compress(text as UTF-8, level)``; a model-free description length."""
    return len(zlib.compress(text.encode("utf-8"), level))


def zlib_score(token_losses: ArrayLike, text: str, level: int = 9) -> float:
    """zlib ratio: ``-mean(token_losses) / zlib_length(text)``.

    Non-empty ``text`` is required (the zlib length of "" would still be 8 header bytes, which
    would silently produce a meaningless ratio).
    """
    if not text:
        raise AuditStatsError("zlib_score needs the non-empty text the losses were computed on")
    return loss_score(token_losses) / zlib_length(text, level)


def _lowest_k_mean(values: NDArray[np.float64], k: float) -> float:
    # floor(k * n) tokens, at least one: the count convention of the Min-K% paper.
    count = max(1, math.floor(k * values.size + 1e-9))
    return float(np.partition(values, count - 1)[:count].mean())


def min_k_score(token_logprobs: ArrayLike, k: float = DEFAULT_K) -> float:
    """Min-K%: mean of the ``max(1, floor(k n))`` lowest token log-probs (k = 0.2 = 20%).

    Members have fewer surprising tokens, so their lowest log-probs are higher.
    """
    logp = as_scores(token_logprobs, "token_logprobs")
    if np.any(logp > 1e-9):
        raise AuditStatsError("token_logprobs must be log-probabilities (<= 0); did you pass losses?")
    return _lowest_k_mean(logp, check_probability(k, "k", open_high=False))


def min_k_plus_plus_token_scores(token_logprobs: ArrayLike, mu: ArrayLike, sigma: ArrayLike) -> NDArray[np.float64]:
    """Per-token Min-K%++ scores ``(log p(x_t) - μ_t) / σ_t`` (Zhang et al. 2024, Eq. 2)."""
    logp = as_scores(token_logprobs, "token_logprobs")
    mu_a = as_scores(mu, "mu")
    sigma_a = as_scores(sigma, "sigma")
    if not (logp.size == mu_a.size == sigma_a.size):
        raise AuditStatsError(
            f"token_logprobs, mu and sigma must have one value per token; got {logp.size}, {mu_a.size}, {sigma_a.size}"
        )
    if np.any(sigma_a < 0):
        raise AuditStatsError("sigma must be non-negative (it is a standard deviation)")
    return (logp - mu_a) / np.maximum(sigma_a, _SIGMA_FLOOR)


def min_k_plus_plus_score(token_logprobs: ArrayLike, mu: ArrayLike, sigma: ArrayLike, k: float = DEFAULT_K) -> float:
    """Min-K%++: mean of the lowest k-fraction of `min_k_plus_plus_token_scores`.

    The normalisation asks whether the actual token is unusually likely *relative to the
    model's own expectation* at that position — training examples sit at local maxima of
    the likelihood, so their tokens score high even where the distribution is flat.
    """
    z = min_k_plus_plus_token_scores(token_logprobs, mu, sigma)
    return _lowest_k_mean(z, check_probability(k, "k", open_high=False))


def next_token_moments(logprobs: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """μ_t, σ_t of ``log p(z)`` under ``z ~ p(· | x_<t)``, from a (T, V) log-softmax matrix.

    ``μ_t = Σ_z p(z) log p(z)`` (the negative entropy) and
    ``σ_t = sqrt(Σ_z p(z) (log p(z))² - μ_t²)``. Rows must be normalised log-probabilities;
    ``-inf`` entries (masked tokens) are allowed and contribute nothing.
    """
    lp = np.asarray(logprobs, dtype=np.float64)
    if lp.ndim != 2 or lp.shape[0] == 0 or lp.shape[1] == 0:
        raise AuditStatsError(f"logprobs must be a non-empty (tokens, vocab) matrix, got shape {lp.shape}")
    if np.any(np.isnan(lp)) or np.any(lp == np.inf):
        raise AuditStatsError("logprobs contain NaN or +inf")
    p = np.exp(lp)
    total = p.sum(axis=1)
    if np.any(np.abs(total - 1.0) > 1e-3):
        row = int(np.argmax(np.abs(total - 1.0)))
        raise AuditStatsError(f"row {row} of logprobs sums to {total[row]:.4f} in probability; pass log_softmax output")
    finite_lp = np.where(p > 0, lp, 0.0)  # 0 * -inf would be NaN; those terms are exactly 0
    mu = (p * finite_lp).sum(axis=1)
    second = (p * finite_lp**2).sum(axis=1)
    sigma = np.sqrt(np.maximum(second - mu**2, 0.0))
    return mu, sigma
