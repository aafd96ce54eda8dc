"""Canary audit: exposure of each planted secret, and the one-run empirical ε lower bound.

For every canary of the key file (`privtune canary make|insert`):

1. The canary is rendered as it was trained — after the insertion's user prompt in chat
   data, as a document otherwise — and its score is the log-likelihood of the secret's
   tokens given everything before them (the prompt and the canary's own prefix), under the
   tuned model. ``candidates`` same-format secrets are scored the same way; the shared
   context is run once and its key/value cache re-used (`score_continuations`).
2. Exposure by rank and by skew-normal extrapolation (`privtune.audit.stats`), aggregated
   by repeat count, for included canaries and — as the zero line — excluded ones.
3. One-run ε lower bound (Steinke, Nasr & Jagielski 2023) from the included/excluded split,
   with the base-calibrated score ``log p_tuned(secret) − log p_base(secret)`` (so a secret
   that is merely easy for the base model does not look included). Canaries are privacy
   units only at ``repeats = 1`` under record-level DP; with a user-level run and canaries
   inserted with ``--unit-field`` every canary counts. ε_LB above the ε that privacy.json
   claims means the training run did not deliver its guarantee: a bug, flagged loudly.

Secrets never leave this module: per-canary rows carry the id, format, repeats, inclusion
and numbers only.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from privtune.audit.canaries import _USER_PROMPT, Canary, CanarySet  # default prompt for keys without insertion info
from privtune.audit.records import encode_text, prompt_ids
from privtune.audit.scoring import TokenSeq, score_continuations, score_sequences
from privtune.audit.stats import (
    epsilon_lower_bound_scan,
    exposure_by_extrapolation,
    exposure_by_rank,
    exposure_rank_interval,
)
from privtune.audit.stats.exposure import MIN_EXTRAPOLATION_CANDIDATES
from privtune.errors import InputError


@dataclass(frozen=True)
class CanaryKey:
    """The canaries, which were included (``None`` when the file has no insertion key) and how."""

    canaries: tuple[Canary, ...]
    included: tuple[bool, ...] | None
    shape: str | None
    user_prompt: str | None
    unit_field: str | None
    # Dataset fingerprints (as training computes them) of the data before and after insertion: an
    # audit whose members are the data before knows they are the training data less the canaries.
    input_fingerprint: str | None = None
    output_fingerprint: str | None = None


def load_canary_key(path: Path) -> CanaryKey:
    """Canaries plus, from an insertion key, each one's ``included`` flag and the insertion shape.

    (`privtune.audit.canaries.load_canaries` validates the canaries but does not return the
    per-canary inclusion flags, which the ε bound needs, so they are read here.)
    """
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("canary file not found", path=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"canary file is not valid JSON ({exc})", path=str(path)) from None
    made = CanarySet.from_dict(obj, str(path))
    insertion = obj.get("insertion")
    included: tuple[bool, ...] | None = None
    if insertion is not None:
        flags = [c.get("included") for c in obj["canaries"]]
        if any(not isinstance(f, bool) for f in flags):
            raise InputError("insertion key lacks a boolean 'included' for every canary", path=str(path))
        included = tuple(flags)
    ins = insertion or {}
    return CanaryKey(made.canaries, included, ins.get("shape"), ins.get("user_prompt"), ins.get("unit_field"),
                     ins.get("input_fingerprint"), ins.get("output_fingerprint"))


def canary_context(tokenizer: Any, key: CanaryKey, canary: Canary, chat: bool, secret: str) -> tuple[list[int], list[int]]:
    """``(context ids, secret ids)``: the secret's tokens are those overlapping it in the sentence."""
    is_chat = key.shape in ("chat", "sharegpt", "alpaca") if key.shape else chat
    if is_chat:
        head = prompt_ids(tokenizer, [("user", key.user_prompt or _USER_PROMPT[canary.lang])])
    else:
        head = prompt_ids(tokenizer, None)
    ids, offsets = encode_text(tokenizer, canary.prefix + secret, offsets=True)
    assert offsets is not None
    cut = next(k for k, (_, end) in enumerate(offsets) if end > len(canary.prefix))
    return head + ids[:cut], ids[cut:]


def score_candidates(model: Any, tokenizer: Any, key: CanaryKey, canary: Canary, secrets: Sequence[str], *,
                     chat: bool, pad_id: int, batch_size: int, max_batch_tokens: int,
                     progress: Callable[[int], None] | None = None) -> np.ndarray:
    """−log p(secret | context) for each of ``secrets`` (lower = more likely), grouped by context.

    Almost always one group: tokenisers do not merge across the prefix/secret boundary when
    the secret starts with a digit or bracket; if one does, that candidate gets its own
    context, so every candidate is scored on its own exact tokenisation.
    """
    groups: dict[tuple[int, ...], list[tuple[int, list[int]]]] = defaultdict(list)
    for i, s in enumerate(secrets):
        ctx, sec = canary_context(tokenizer, key, canary, chat, s)
        groups[tuple(ctx)].append((i, sec))
    out = np.zeros(len(secrets))
    for ctx, members in groups.items():
        lps = score_continuations(model, list(ctx), [sec for _, sec in members], pad_id=pad_id,
                                  batch_size=batch_size, max_batch_tokens=max_batch_tokens, progress=progress)
        for (i, _), lp in zip(members, lps):
            out[i] = -float(lp.sum())
    return out


def _stats(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "exposure_bits_mean": None, "exposure_bits_max": None}
    return {"n": len(values), "exposure_bits_mean": round(float(np.mean(values)), 4),
            "exposure_bits_max": round(float(np.max(values)), 4)}


def run_canary_audit(tuned: Any, base_scope: Callable[[], Any], tokenizer: Any, key: CanaryKey, *, chat: bool,
                     candidates: int, seed: int, pad_id: int, batch_size: int, max_batch_tokens: int,
                     privacy: dict[str, Any] | None, confidence: float,
                     progress: Callable[[int], None] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(canaries section, epsilon section)`` of report.json."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    true_seqs: list[TokenSeq] = []
    for ci, canary in enumerate(key.canaries):
        alts = canary.sample_candidates(candidates, rng)
        scores = score_candidates(tuned, tokenizer, key, canary, [canary.secret] + alts, chat=chat, pad_id=pad_id,
                                  batch_size=batch_size, max_batch_tokens=max_batch_tokens, progress=progress)
        own, others = float(scores[0]), scores[1:]
        exhaustive = len(alts) >= canary.space_size - 1
        lo, hi = exposure_rank_interval(own, others, canary.space_size, confidence, exhaustive=exhaustive)
        extra = (round(float(exposure_by_extrapolation(own, others)), 4)
                 if len(others) >= MIN_EXTRAPOLATION_CANDIDATES and float(np.std(others)) > 0 else None)
        rows.append({"id": canary.id, "format": canary.format, "lang": canary.lang, "repeats": canary.repeats,
                     "included": key.included[ci] if key.included is not None else None,
                     "space_bits": round(math.log2(canary.space_size), 4), "candidates": len(alts),
                     "exposure_bits": round(exposure_by_rank(own, others, canary.space_size), 4),
                     "exposure_bits_ci": [round(lo, 4), round(hi, 4)],
                     "exposure_bits_extrapolated": extra, "tuned_nll": own})
        ctx, sec = canary_context(tokenizer, key, canary, chat, canary.secret)
        true_seqs.append(TokenSeq.from_parts(ctx, sec))
    # Base-model likelihood of each true secret, for the calibrated membership score.
    with base_scope() as base:
        base_lp = score_sequences(base, true_seqs, pad_id=pad_id, batch_size=batch_size,
                                  max_batch_tokens=max_batch_tokens)
    for row, b in zip(rows, base_lp):
        row["calibrated_score"] = round(float(b.losses.sum()) - row.pop("tuned_nll"), 6)
    return _canary_section(rows, key, candidates), _epsilon_section(rows, key, privacy, confidence)


def _canary_section(rows: list[dict[str, Any]], key: CanaryKey, candidates: int) -> dict[str, Any]:
    known = key.included is not None
    inc = [r for r in rows if r["included"] or not known]
    exc = [r for r in rows if known and not r["included"]]
    by_rep: dict[str, Any] = {}
    for rep in sorted({r["repeats"] for r in rows}):
        by_rep[str(rep)] = {
            "included": _stats([r["exposure_bits"] for r in inc if r["repeats"] == rep]),
            "excluded": _stats([r["exposure_bits"] for r in exc if r["repeats"] == rep]),
            "extrapolated_mean_included": _mean([r["exposure_bits_extrapolated"] for r in inc if r["repeats"] == rep]),
        }
    head = _stats([r["exposure_bits"] for r in inc])
    # A key with no included canary (1 in 2^n at insertion) measured only the zero line: the
    # verdict said "no canaries were audited" and a gate on exposure failed with no reason.
    reason = ({"reason": f"none of the {len(rows)} canaries was included in the training data (insertion includes "
                         "each with probability 1/2), so no included canary's exposure could be measured; insert "
                         "more canaries"} if known and not inc else {})
    return {
        **reason,
        "exposure_bits_mean": head["exposure_bits_mean"],
        "exposure_bits_max": head["exposure_bits_max"],
        "exposure_bits_extrapolated_max": _max([r["exposure_bits_extrapolated"] for r in inc]),
        "excluded_exposure_bits_mean": _stats([r["exposure_bits"] for r in exc])["exposure_bits_mean"],
        "by_repeats": by_rep,
        "n_canaries": len(rows),
        "n_included": len(inc) if known else None,
        "inclusion_known": known,
        "candidates_per_canary": candidates,
        "per_canary": rows,
    }


def _mean(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return round(float(np.mean(vals)), 4) if vals else None


def _max(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return round(float(np.max(vals)), 4) if vals else None


def _epsilon_section(rows: list[dict[str, Any]], key: CanaryKey, privacy: dict[str, Any] | None,
                     confidence: float) -> dict[str, Any]:
    claimed = privacy.get("epsilon") if privacy and privacy.get("dp") else None
    delta = float(privacy.get("delta") or 0.0) if privacy and privacy.get("dp") else 0.0
    out: dict[str, Any] = {"claimed": claimed, "empirical_lower_bound": None, "confidence": confidence,
                           "delta": delta, "exceeds_claim": False}
    if privacy is None:
        out["claimed_reason"] = "no privacy.json found beside the adapter"
    elif not privacy.get("dp"):
        out["claimed_reason"] = "the run was non-private (dp: false): no epsilon is claimed"
    if key.included is None:
        out["reason"] = "the canary file has no insertion key (which canaries were trained on is unknown)"
        return out
    user_level = bool(privacy and privacy.get("privacy_unit") == "user" and key.unit_field)
    used = rows if user_level else [r for r in rows if r["repeats"] == 1]
    out["unit"] = "canary (user-level run, one unit per canary)" if user_level else "record (canaries with repeats = 1)"
    if len(used) < 2 or len({r["included"] for r in used}) < 2:
        n_in = sum(bool(r["included"]) for r in used)
        out["reason"] = (f"the bound needs usable canaries both included and excluded; {len(used)} of {len(rows)} "
                         f"are usable ({n_in} included, {len(used) - n_in} excluded)"
                         + ("" if user_level else ": a record-level run uses only canaries with repeats=1"))
        return out
    res = epsilon_lower_bound_scan([r["calibrated_score"] for r in used], np.array([r["included"] for r in used]),
                                   confidence=confidence, delta=delta)
    out.update({"empirical_lower_bound": round(res["epsilon_lb"], 6), "canaries_used": len(used),
                "guesses": res["guesses"], "correct": res["correct"], "k_pos": res["k_pos"], "k_neg": res["k_neg"],
                "tested_k": res["tested"]})
    if claimed is not None and res["epsilon_lb"] > float(claimed):
        out["exceeds_claim"] = True
        out["alert"] = (f"EMPIRICAL EPSILON LOWER BOUND {res['epsilon_lb']:.3f} EXCEEDS THE CLAIMED EPSILON "
                        f"{float(claimed):.3f}: the training run did not deliver its privacy guarantee "
                        "(a bug in the DP pipeline, or data/canaries that were not what the accounting assumed)")
    return out
