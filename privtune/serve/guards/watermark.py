"""Green-list watermark (Kirchenbauer et al. 2023) keyed by a server secret: generation and detection.

At each step the vocabulary splits into a "green" fraction γ and the rest; green logits get +δ,
so watermarked text holds more green tokens than chance, which a holder of the key can test
(one-proportion z-test) without the model. Seeding is self-hash ("anchored min-hash"): a
candidate token's green list depends on the minimum keyed hash over the previous
``context_width`` tokens *and the candidate itself*, which makes the mark survive edits better
than hashing the previous token alone (the reference's recommended scheme).

Why not transformers' `WatermarkLogitsProcessor`: its key is an integer multiplied into the
seed (``key * a * b``; default 15485863, public) and its detector counts repeated n-grams unless
asked not to. Here every hash is keyed BLAKE2b over the server secret (no default key exists),
the per-token green test is one vectorised 64-bit mix so the whole vocabulary gets its bias
each step, and detection scores each (anchor, token) pair once (repeated n-grams ignored).

Green test: ``green(ctx, t) = mix(anchor ^ K ^ mix(t)) < γ·2⁶⁴`` with
``anchor = min(H_key(u) for u in ctx[-w:] + [t])``; ``K`` is a key-derived constant.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from privtune.errors import ConfigError
from privtune.serve.guards.watermark_tail import DETECTOR_P_VALUE_METHOD, EXACT_BINOMIAL, exact_p_and_z, tail_method

MIN_KEY_BYTES = 16
_MASK63 = (1 << 63) - 1


def _signed(x: int) -> int:
    x &= (1 << 64) - 1
    return x - (1 << 64) if x >> 63 else x


_C1, _C2, _C3 = _signed(0x9E3779B97F4A7C15), _signed(0xBF58476D1CE4E5B9), _signed(0x94D049BB133111EB)


def _mix(x: torch.Tensor) -> torch.Tensor:
    """splitmix64 finaliser on int64 tensors (wrapping arithmetic; logical shifts emulated)."""
    x = x + _C1
    x = (x ^ ((x >> 30) & ((1 << 34) - 1))) * _C2
    x = (x ^ ((x >> 27) & ((1 << 37) - 1))) * _C3
    return x ^ ((x >> 31) & ((1 << 33) - 1))


def load_watermark_key(path: Path) -> bytes:
    """The server's watermark secret (a 0600 file of at least 16 bytes); never a built-in default."""
    try:
        data = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"watermark key file {path}: {exc.strerror}") from None
    if len(data) < MIN_KEY_BYTES:
        raise ConfigError(f"watermark key file {path}: needs at least {MIN_KEY_BYTES} bytes of secret")
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise ConfigError(f"watermark key file {path} is readable by others; chmod 600 it")
    return data


@dataclass(frozen=True)
class WatermarkScheme:
    """γ (green fraction), δ (logit bias), context width and the secret: everything both sides share."""

    key: bytes
    gamma: float = 0.25
    delta: float = 2.0
    context_width: int = 4

    def __post_init__(self) -> None:
        if len(self.key) < MIN_KEY_BYTES:
            raise ConfigError(f"watermark key must have at least {MIN_KEY_BYTES} bytes")
        if not 0.0 < self.gamma < 1.0:
            raise ConfigError(f"watermark gamma must be in (0, 1), got {self.gamma}")

    def _h(self, token: int) -> int:
        d = hashlib.blake2b(token.to_bytes(8, "little", signed=True), key=self.key[:64], digest_size=8).digest()
        return int.from_bytes(d, "little") & _MASK63

    @functools.cached_property
    def _k(self) -> int:
        return _signed(int.from_bytes(hashlib.blake2b(b"green-mix", key=self.key[:64], digest_size=8).digest(), "little"))

    def green_mask(self, context: list[int], vocab: torch.Tensor, hashed_vocab: torch.Tensor) -> torch.Tensor:
        """Which of ``vocab`` are green after ``context``; ``hashed_vocab`` = H_key of each (cached)."""
        ctx_min = min((self._h(t) for t in context[-self.context_width:]), default=_MASK63)
        return self.green_from_anchor(torch.tensor([ctx_min], dtype=torch.int64), _mix(vocab), hashed_vocab)[0]

    def green_from_anchor(self, ctx_min: torch.Tensor, mixed_vocab: torch.Tensor, hashed_vocab: torch.Tensor) -> torch.Tensor:
        """Batched: ``ctx_min`` [B] (min keyed hash of each row's context) -> green mask [B, V]."""
        anchor = torch.minimum(hashed_vocab[None, :], ctx_min[:, None])
        x = _mix(anchor ^ self._k ^ mixed_vocab[None, :])
        # the top 53 bits as a fraction in [0, 1)
        return ((x >> 11) & ((1 << 53) - 1)).double() / float(1 << 53) < self.gamma

    def hashed(self, vocab: torch.Tensor) -> torch.Tensor:
        return torch.tensor([self._h(int(t)) for t in vocab.tolist()], dtype=torch.int64)

    def describe(self) -> dict[str, Any]:
        return {"scheme": "kirchenbauer-2023 green list, self-hash (anchored min-hash) seeding",
                "gamma": self.gamma, "delta": self.delta, "context_width": self.context_width, "keyed": True}


class WatermarkLogitsProcessor:
    """Adds δ to the green tokens' logits (a transformers `LogitsProcessor`: placed first, before
    temperature/top-p warpers, so the bias shapes the distribution they then truncate)."""

    def __init__(self, scheme: WatermarkScheme, vocab_size: int) -> None:
        self.scheme = scheme
        self.vocab = torch.arange(vocab_size, dtype=torch.int64)
        self.hashed_vocab = scheme.hashed(self.vocab)  # H_key of every token, once
        self.mixed_vocab = _mix(self.vocab)

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        n = min(scores.shape[-1], self.vocab.shape[0])
        ctx = input_ids[:, -self.scheme.context_width:].cpu().clamp(0, self.vocab.shape[0] - 1)
        ctx_min = self.hashed_vocab[ctx].min(dim=1).values
        mask = self.scheme.green_from_anchor(ctx_min, self.mixed_vocab[:n], self.hashed_vocab[:n])
        scores[:, :n] = scores[:, :n] + mask.to(scores.device, scores.dtype) * self.scheme.delta
        return scores


@dataclass(frozen=True)
class Detection:
    z_score: float
    p_value: float
    tokens_scored: int
    green_tokens: int
    entropy_threshold: float | None = None  # set: entropy-aware detection (tokens at or below it not scored)
    entropy_weight_power: float | None = None  # set: entropy-weighted detection (weight entropy ** power)
    effective_tokens: float | None = None  # weighted: (Σw)² / Σw², the equally weighted count it is worth
    likelihood_ratio_top_k: int | None = None  # set: likelihood-ratio detection over this many candidates
    entropy_distribution: str | None = None  # entropy-aware/weighted: whose entropies (`entropy.ENTROPY_DISTRIBUTIONS`)
    detector: str | None = None  # set by `detectors`: weighted | lr | combined (`detectors.DETECTORS`)
    # combined / joint / linear: (name, z, p, tokens scored, p_value_method) of each part it joined
    components: tuple[tuple[str, float, float, int, str], ...] | None = None
    null_correlation: float | None = None  # joint: the two statistics' null correlation on this text
    # weighted / linear / posterior: the z-score of p_value, the exact key-null tail (`watermark_tail`);
    # z_score stays the standardised statistic (the threshold reads it)
    z_exact: float | None = None
    # how p_value was computed (`watermark_tail`: exact-binomial, saddle-point, gaussian-approximation, ...)
    p_value_method: str | None = None

    def as_dict(self, threshold: float = 4.0) -> dict[str, Any]:
        out = {"z_score": round(self.z_score, 4), "p_value": self.p_value, "tokens_scored": self.tokens_scored,
               "green_tokens": self.green_tokens, "z_threshold": threshold,
               "watermarked": self.z_score > threshold}
        if self.p_value_method is not None:
            out["p_value_method"] = self.p_value_method
        if self.entropy_threshold is not None:
            out["entropy_threshold"] = self.entropy_threshold
        if self.entropy_weight_power is not None:
            out["entropy_weight_power"] = self.entropy_weight_power
            out["effective_tokens"] = round(self.effective_tokens or 0.0, 2)
        if self.entropy_distribution is not None:
            out["entropy_distribution"] = self.entropy_distribution
        if self.likelihood_ratio_top_k is not None:
            if self.detector not in ("combined", "joint", "linear"):
                out["detection"] = "likelihood-ratio"
            out["likelihood_ratio_top_k"] = self.likelihood_ratio_top_k
        if self.detector is not None:
            out["detector"] = self.detector
        if self.components is not None:
            out["components"] = {name: {"z_score": round(z, 4), "p_value": p, "tokens_scored": n,
                                        "p_value_method": method}
                                 for name, z, p, n, method in self.components}
        if self.null_correlation is not None:
            out["null_correlation"] = round(self.null_correlation, 4)
        if self.z_exact is not None:
            out["z_exact"] = round(self.z_exact, 4)
        return out


def token_green_bits(scheme: WatermarkScheme, ids: list[int]) -> tuple[list[int], list[bool]]:
    """(anchor, green bit) of every token from position ``context_width`` on, vectorised; the
    same test as `WatermarkLogitsProcessor` applies to the whole vocabulary at generation."""
    w = scheme.context_width
    if len(ids) <= w:
        return [], []
    h = {t: scheme._h(t) for t in set(ids)}
    hashed = torch.tensor([h[t] for t in ids], dtype=torch.int64)
    tokens = torch.tensor(ids, dtype=torch.int64)
    ctx_min = hashed.unfold(0, w, 1)[:-1].min(dim=1).values  # row j: min over ids[j : j + w]
    anchor = torch.minimum(ctx_min, hashed[w:])
    x = _mix(anchor ^ scheme._k ^ _mix(tokens[w:]))
    green = ((x >> 11) & ((1 << 53) - 1)).double() / float(1 << 53) < scheme.gamma
    return anchor.tolist(), green.tolist()


def entropy_weight(entropy: float, power: float) -> float:
    """Weight of a token in entropy-weighted detection: ``entropy ** power`` (nats; 0 at entropy 0).
    Increasing in the entropy, as EWD (Lu et al. 2024) asks: where the model was unsure, +δ could
    move the choice, so the green bit says more. A fixed function of the model's entropy alone."""
    return max(entropy, 0.0) ** power


def placeholder_skipped(scheme: WatermarkScheme, ids: list[int], placeholder: list[bool], i: int, anchor: int) -> bool:
    """Redaction-aware rule shared by every detector: token ``i`` lies in a PII placeholder, or
    its window's anchor (the minimum keyed hash) is a placeholder token (see `detect_ids`)."""
    return placeholder[i] or any(placeholder[k] and scheme._h(ids[k]) == anchor
                                 for k in range(i - scheme.context_width, i))


def detect_ids(scheme: WatermarkScheme, ids: list[int], entropies: list[float] | None = None,
               entropy_threshold: float | None = None, placeholder: list[bool] | None = None,
               entropy_weight_power: float | None = None) -> Detection:
    """z-test on the green count. Not scored: the first ``context_width`` tokens (no context), and
    every repeat of an (anchor, token) pair. A token's green bit is a function of that pair alone,
    so a repeat is not new evidence: this covers repeated n-grams and also a frequent token whose
    own hash is the window's minimum (self-anchored: the same bit in every context), which
    would otherwise push the z-score of ordinary human text past 4.

    Entropy-aware (SWEET, Lee et al. 2023): with ``entropies`` (``entropies[i]``: entropy in nats
    of the model's next-token distribution before ``ids[i]``, see `entropy.token_entropies`) and
    ``entropy_threshold``, only tokens above the threshold are scored. Where the model was nearly
    sure, +δ could not change the choice, so those tokens carry noise, not signal. The filter
    uses the model alone, never the key, so under no watermark the kept tokens are still green
    with probability γ and the z-test stays valid. Repeats are judged among kept tokens.

    Entropy-weighted (EWD, Lu et al. 2024): with ``entropy_weight_power`` p, each scored token
    counts with weight wᵢ = entropyᵢ ** p (`entropy_weight`) and
    z = Σ wᵢ(gᵢ − γ) / sqrt(γ(1−γ) Σ wᵢ²). The weights come from the model, not the key, so under
    no watermark the gᵢ are still independent Bernoulli(γ) given them: z keeps mean 0 and
    variance 1. Tokens of weight 0 are not scored (nor count as the first of a repeat); with a
    threshold too, only tokens above it are weighted.

    Redaction-aware: with ``placeholder`` (one flag per token, `placeholders.encode_marking_placeholders`),
    a token is not scored when it lies in a PII placeholder, or when its window's anchor (the
    minimum keyed hash) is a placeholder token: the model wrote neither, so their bits are coin
    flips. A window that merely contains a placeholder token but is anchored elsewhere is still
    scored: its anchor, and so its bit, is often the one generation used (measured: skipping
    every such window lost more signal than it removed noise). Which windows are skipped
    depends on the keyed hashes but not on the green test's output, so under no watermark the
    scored bits stay green with probability γ."""
    terms = weighted_terms(scheme, ids, entropies, entropy_threshold, placeholder, entropy_weight_power)
    green = scored = 0
    w_sum = w_green = w_sq = 0.0
    for _anchor, _token, weight, bit in terms:
        green += int(bit)
        scored += 1
        w_sum, w_sq, w_green = w_sum + weight, w_sq + weight * weight, w_green + weight * int(bit)
    if scored == 0:
        return Detection(0.0, 1.0, 0, 0, entropy_threshold, entropy_weight_power,
                         0.0 if entropy_weight_power is not None else None, p_value_method=EXACT_BINOMIAL)
    g = scheme.gamma
    z = (w_green - g * w_sum) / math.sqrt(w_sq * g * (1 - g))
    eff = w_sum * w_sum / w_sq if entropy_weight_power is not None else None
    # p: the exact tail of Σ wᵢ(gᵢ − γ) over Bernoulli(γ) bits (the Gaussian's is too small near z 4)
    weights = torch.tensor([t[2] for t in terms], dtype=torch.double)
    p, z_exact = exact_p_and_z(weights, g, w_green - g * w_sum)
    return Detection(z, p, scored, green, entropy_threshold, entropy_weight_power, eff, z_exact=z_exact,
                     p_value_method=tail_method(weights))


def weighted_terms(scheme: WatermarkScheme, ids: list[int], entropies: list[float] | None = None,
                   entropy_threshold: float | None = None, placeholder: list[bool] | None = None,
                   entropy_weight_power: float | None = None) -> list[tuple[int, int, float, bool]]:
    """(anchor, token, weight, green bit) of every token `detect_ids` scores, in text order (its
    rules: see there); each (anchor, token) pair at most once. The z-score is linear in these bits."""
    needs_entropy = entropy_threshold is not None or entropy_weight_power is not None
    if needs_entropy and (entropies is None or len(entropies) != len(ids)):
        raise ValueError("entropy-aware detection needs one entropy per token")
    if entropy_weight_power is not None and not entropy_weight_power >= 0.0:
        raise ValueError("entropy_weight_power must be >= 0")
    w = scheme.context_width
    anchors, bits = token_green_bits(scheme, ids)
    if placeholder is not None and len(placeholder) != len(ids):
        raise ValueError("redaction-aware detection needs one placeholder flag per token")
    seen: set[tuple[int, int]] = set()
    out: list[tuple[int, int, float, bool]] = []
    for j, (anchor, bit) in enumerate(zip(anchors, bits)):
        i = j + w
        if placeholder is not None and placeholder_skipped(scheme, ids, placeholder, i, anchor):
            continue
        if entropy_threshold is not None and entropies is not None and not entropies[i] > entropy_threshold:
            continue
        weight = 1.0
        if entropy_weight_power is not None and entropies is not None:
            weight = entropy_weight(entropies[i], entropy_weight_power)
            if weight <= 0.0:
                continue
        if (anchor, ids[i]) in seen:
            continue
        seen.add((anchor, ids[i]))
        out.append((anchor, ids[i], weight, bool(bit)))
    return out


def encode_for_detection(tokenizer: Any, text: str) -> list[int]:
    # truncation=False explicitly: a fast tokenizer remembers truncation set by an earlier call
    return list(tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])


def detect_text(scheme: WatermarkScheme, tokenizer: Any, text: str, redaction_aware: bool = True) -> Detection:
    """Key-only detection (no model needed); `entropy.detect_text_entropy_aware` is the other way.
    Redaction-aware by default: windows touching a PII placeholder are not scored."""
    if not redaction_aware:
        return detect_ids(scheme, encode_for_detection(tokenizer, text))
    from privtune.serve.guards.placeholders import encode_marking_placeholders

    ids, marked = encode_marking_placeholders(tokenizer, text)
    return detect_ids(scheme, ids, placeholder=marked)


UPSTREAM_CANNOT = ("upstream mode cannot watermark: the engine samples tokens itself and its logits never "
                   "reach the gateway; watermark in the engine, or serve with the embedded backend")


def setup_watermark(cfg: Any, backend: Any) -> dict[str, Any]:
    """Turn the watermark on in ``backend`` if ``cfg`` (a `WatermarkConfig`) has a key; /info's description."""
    if not hasattr(backend, "enable_watermark"):
        if cfg.key_file is not None:
            raise ConfigError(f"watermark.key_file is set but {UPSTREAM_CANNOT}")
        return {"active": False, "reason": UPSTREAM_CANNOT}
    if cfg.key_file is None:
        return {"active": False, "reason": "no watermark.key_file configured"}
    scheme = WatermarkScheme(load_watermark_key(cfg.key_file), cfg.gamma, cfg.delta, cfg.context_width)
    canonical = bool(getattr(cfg, "canonical_splits", True))
    backend.enable_watermark(scheme, canonical_splits=canonical)
    return {"active": True, **scheme.describe(), "z_threshold": cfg.z_threshold, "canonical_splits": canonical,
            "redaction_aware": True,
            "detection": _detection_mode(cfg),
            "detector": getattr(cfg, "detector", "weighted"),
            "lr_top_k": getattr(cfg, "lr_top_k", None) if getattr(cfg, "detector", "weighted") != "weighted" else None,
            # how each detector's p_value is computed: lr / joint / combined state their Gaussian approximation
            "p_value_method": DETECTOR_P_VALUE_METHOD[getattr(cfg, "detector", "weighted")],
            "p_value_methods": dict(DETECTOR_P_VALUE_METHOD),
            "entropy_threshold": getattr(cfg, "entropy_threshold", None),
            "entropy_weight_power": getattr(cfg, "entropy_weight_power", None),
            "entropy_distribution": getattr(cfg, "entropy_distribution", "visible")}


def _detection_mode(cfg: Any) -> str:
    if getattr(cfg, "entropy_weight_power", None) is not None:
        return "entropy-weighted"
    return "entropy-aware" if getattr(cfg, "entropy_threshold", None) is not None else "all-tokens"
