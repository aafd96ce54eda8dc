"""Dataset curation in the same streaming pass as the PII scan.

Split for multiprocessing: `summarize` is the pure per-record step a worker runs (it returns a
small picklable `RecordSummary` of hashes, signatures and counts, never text); the `Curator`
lives in the main process, consumes summaries strictly in input order (first occurrence wins)
and produces dedup verdicts online and poisoning/outlier flags at `finalize`. Its cross-record
state lives in temporary files and SQLite databases (see `store`), so RAM stays flat however
many records pass; `finalize` returns counts over all flags but lists only as many as asked.

Typical use::

    curator = Curator(CurationConfig(dedup="drop"))
    # worker:  texts = text_fields(record)
    #          s = summarize(i, texts, answer_fields_for(texts, record), config=cfg)
    verdict = curator.observe(i, s)          # in input order
    if not verdict.drop: write(record)
    result = curator.finalize(max_flags=200)  # result.flags: the first 200; counts cover all
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from privtune.scan.curation.dedup import (
    DEFAULT_NUM_PERM,
    DEFAULT_SHINGLE,
    FIELD_SEP,
    DedupResult,
    Deduplicator,
    exact_hash,
    normalize_folded,
    text_minhash,
)
from privtune.scan.curation.flags import Flag, FlagSummary
from privtune.scan.curation.poisoning import (
    PoisonDetector,
    answer_signature_of_normalized,
    garbage_reasons,
    prompt_units_folded,
)
from privtune.scan.curation.risk import RiskAssessment, assess_risk
from privtune.scan.nfkc import nfkc

__all__ = [
    "CurationConfig",
    "CurationResult",
    "Curator",
    "DedupResult",
    "Flag",
    "RecordSummary",
    "RiskAssessment",
    "Verdict",
    "answer_fields_for",
    "assess_risk",
    "summarize",
    "summarize_many",
]


class CurationConfig(BaseModel):
    """Knobs for dedup and poisoning detection (the ``curation:`` section of a scan config)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dedup: Literal["drop", "flag", "off"] = "drop"
    near_dup_threshold: float = Field(0.85, gt=0.0, lt=1.0, description="estimated Jaccard for a near duplicate")
    num_perm: int = Field(DEFAULT_NUM_PERM, ge=16, le=256)
    shingle_size: int = Field(DEFAULT_SHINGLE, ge=1, le=16, description="characters per shingle")
    poisoning: bool = True
    length_z: float = Field(5.0, gt=0.0, description="robust z-score on log-length beyond which a record is flagged")
    min_chars: int = Field(1, ge=0)
    max_chars: int = Field(200_000, ge=1)
    backdoor_min_support: int = Field(4, ge=2, description="records sharing trigger and answer")
    backdoor_min_purity: float = Field(0.8, gt=0.0, le=1.0, description="share of the n-gram's records with that answer")
    backdoor_min_lift: float = Field(5.0, ge=1.0, description="purity over the answer's corpus-wide share")
    backdoor_min_coverage: float = Field(
        0.5, ge=0.0, le=1.0, description="share of all records with that answer that carry the n-gram"
    )
    backdoor_answer_similarity: float = Field(0.6, gt=0.0, le=1.0, description="estimated Jaccard of 'same' answers")
    rare_df_floor: int = Field(8, ge=1, description="document frequency always counted as rare")
    rare_df_fraction: float = Field(0.01, gt=0.0, le=1.0, description="... or up to this fraction of prompts")


@dataclass(frozen=True, slots=True)
class RecordSummary:
    """Everything the main process needs about one record; hashes only, picklable.

    ``prompt_hash``/``answer_hash`` are set only when the record has both sides; ``units``
    are the prompt's candidate trigger n-gram hashes; ``answer_sig`` see `answer_signature`.
    """

    index: int
    n_chars: int
    exact_hash: int
    signature: np.ndarray | None
    prompt_hash: int | None = None
    answer_hash: int | None = None
    units: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    answer_sig: np.ndarray | None = None
    garbage: tuple[str, ...] = ()


def answer_fields_for(texts: list[tuple[str, str]], record: dict[str, object] | None = None) -> set[str]:
    """Answer field paths by convention: alpaca ``output``/``completion``/``response``/``answer``,
    and chat turns whose role is assistant/gpt (needs ``record`` to read the roles)."""
    answers = {p for p, _ in texts if p in _ANSWER_FIELDS}
    if record is not None:
        by_turn: dict[str, list[str]] | None = None
        for key, role_key in (("messages", "role"), ("conversations", "from")):
            turns = record.get(key)
            if isinstance(turns, list):
                for i, turn in enumerate(turns):
                    if isinstance(turn, dict):
                        role = turn.get(role_key, "")
                        if (role if type(role) is str else str(role)).lower() in _ANSWER_ROLES:
                            if by_turn is None:
                                by_turn = _paths_by_head(texts)
                            answers.update(by_turn.get(f"{key}[{i}]", ()))
    return answers


def _paths_by_head(texts: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The paths of ``texts`` by their part before the first ".": a turn ``messages[3]``'s
    fields are the paths equal to it or starting with ``messages[3].`` (a turn's path holds no
    dot), the paths under that head; one pass instead of one per answer turn."""
    out: dict[str, list[str]] = {}
    for p, _ in texts:
        out.setdefault(p.partition(".")[0], []).append(p)
    return out


_ANSWER_FIELDS = frozenset(("output", "completion", "response", "answer"))
_ANSWER_ROLES = frozenset(("assistant", "gpt", "bot", "model"))


def summarize(
    index: int,
    texts: list[tuple[str, str]],
    answer_fields: set[str],
    *,
    config: CurationConfig | None = None,
) -> RecordSummary:
    """Pure per-record step: hashes, MinHash signature, trigger candidates, garbage reasons."""
    cfg = config or _DEFAULT_CONFIG
    # NFKC + casefold once per field: for `normalize` and for the trigger units.
    folded = [nfkc(t).casefold() for _, t in texts]
    normalized = [normalize_folded(f) for f in folded]
    ehash = exact_hash(normalized)
    shingle_text = FIELD_SEP.join(n for n in normalized if n)
    signature = text_minhash(shingle_text, cfg.shingle_size, cfg.num_perm) if cfg.dedup != "off" else None
    n_chars = sum(len(t) for _, t in texts)
    garbage = garbage_reasons("\n".join(t for _, t in texts))
    prompt = [(p, t) for p, t in texts if p not in answer_fields]
    answer = [(p, t) for p, t in texts if p in answer_fields]
    if not (answer and prompt):
        return RecordSummary(index, n_chars, ehash, signature, garbage=garbage)
    norm_by_path = dict(zip((p for p, _ in texts), normalized))
    prompt_hash = exact_hash([norm_by_path[p] for p, _ in prompt])
    answer_hash = exact_hash([norm_by_path[p] for p, _ in answer])
    # prompt_units("\n".join(prompt texts)) without folding them again (see `fold_units_text`).
    units = (prompt_units_folded(" ".join("\n".join(f for (p, _), f in zip(texts, folded) if p not in answer_fields).split()))
             if cfg.poisoning else np.empty(0, dtype=np.uint64))
    # Same as answer_signature("\n".join(answer texts)), without normalising the answer twice.
    answer_norm = " ".join(n for n in (norm_by_path[p] for p, _ in answer) if n)
    answer_sig = answer_signature_of_normalized(answer_norm) if cfg.poisoning else None
    return RecordSummary(index, n_chars, ehash, signature, prompt_hash, answer_hash, units, answer_sig, garbage)


def summarize_many(
    records: list[tuple[int, list[tuple[str, str]], set[str]]],
    *,
    config: CurationConfig | None = None,
) -> list[RecordSummary]:
    """`summarize` of each (index, texts, answer fields), with the same summaries, one step at a
    time over all of them (folding, hashes, signatures, garbage, trigger units): each step's
    tables and compiled code stay in the CPU caches across the records."""
    cfg = config or _DEFAULT_CONFIG
    folded = [[nfkc(t).casefold() for _, t in texts] for _, texts, _ in records]
    normalized = [[normalize_folded(f) for f in fs] for fs in folded]
    ehashes = [exact_hash(ns) for ns in normalized]
    near = cfg.dedup != "off"
    signatures = [text_minhash(FIELD_SEP.join(n for n in ns if n), cfg.shingle_size, cfg.num_perm) if near else None
                  for ns in normalized]
    garbage = [garbage_reasons("\n".join(t for _, t in texts)) for _, texts, _ in records]
    # Records with a prompt and an answer (which fields are answers, field by field; a path
    # names one field, so its position gives the same normalised text as looking the path up):
    # their hashes, trigger units and answer signature.
    pairs: list[tuple[int, list[bool]]] = []
    for k, (_, texts, answer_fields) in enumerate(records):
        is_answer = [p in answer_fields for p, _ in texts]
        if 0 < sum(is_answer) < len(is_answer):
            pairs.append((k, is_answer))
    hashes = {k: (exact_hash([n for n, a in zip(normalized[k], is_answer) if not a]),
                  exact_hash([n for n, a in zip(normalized[k], is_answer) if a])) for k, is_answer in pairs}
    units = {k: prompt_units_folded(" ".join("\n".join(f for f, a in zip(folded[k], is_answer) if not a).split()))
             for k, is_answer in pairs} if cfg.poisoning else {}
    answer_sigs = {k: answer_signature_of_normalized(" ".join(n for n, a in zip(normalized[k], is_answer) if a and n))
                   for k, is_answer in pairs} if cfg.poisoning else {}
    out: list[RecordSummary] = []
    for k, (index, texts, _) in enumerate(records):
        n_chars = sum(len(t) for _, t in texts)
        pair = hashes.get(k)
        if pair is None:
            out.append(RecordSummary(index, n_chars, ehashes[k], signatures[k], garbage=garbage[k]))
            continue
        out.append(RecordSummary(index, n_chars, ehashes[k], signatures[k], pair[0], pair[1],
                                 units[k] if cfg.poisoning else np.empty(0, dtype=np.uint64),
                                 answer_sigs.get(k), garbage[k]))
    return out


_DEFAULT_CONFIG = CurationConfig()


@dataclass(frozen=True, slots=True)
class Verdict:
    """Online outcome for one record: its dedup result and whether the caller should drop it."""

    dedup: DedupResult
    drop: bool


@dataclass
class CurationResult:
    """What `Curator.finalize` found.

    ``flags``: the first flags in (record, kind) order, as many as ``max_flags`` allowed (all
    when it was None); ``n_flags``, ``flagged_records`` and `flags_by_kind` count all of them.
    ``counts``: dedup counts.
    """

    flags: list[Flag]
    counts: dict[str, int]
    n_flags: int = 0
    flagged_records: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def flags_by_kind(self) -> dict[str, int]:
        """Flags per kind over all flags, not only the listed ones."""
        return dict(self.kinds)


class Curator:
    """Cross-record curation state: dedup + poisoning, fed in input order."""

    def __init__(self, config: CurationConfig | None = None) -> None:
        self.config = config or _DEFAULT_CONFIG
        cfg = self.config
        # With dedup "off" exact hashes are still tracked (cheap) so that copies of one record
        # are not counted as independent evidence of a backdoor; nothing is reported or dropped.
        self._dedup = Deduplicator(cfg.near_dup_threshold, cfg.num_perm, near=cfg.dedup != "off")
        self._poison = (
            PoisonDetector(
                length_z=cfg.length_z,
                min_chars=cfg.min_chars,
                max_chars=cfg.max_chars,
                min_support=cfg.backdoor_min_support,
                min_purity=cfg.backdoor_min_purity,
                min_lift=cfg.backdoor_min_lift,
                min_coverage=cfg.backdoor_min_coverage,
                answer_similarity=cfg.backdoor_answer_similarity,
                rare_df_floor=cfg.rare_df_floor,
                rare_df_fraction=cfg.rare_df_fraction,
            )
            if cfg.poisoning
            else None
        )
        self._last = -1
        self._finalized = False

    def summarize(self, index: int, texts: list[tuple[str, str]], answer_fields: set[str]) -> RecordSummary:
        """`summarize` with this curator's config (for single-process use)."""
        return summarize(index, texts, answer_fields, config=self.config)

    def observe(self, index: int, summary: RecordSummary) -> Verdict:
        """Feed one summary; indices must strictly increase (first occurrence wins)."""
        if self._finalized:
            raise RuntimeError("observe() after finalize()")
        if index <= self._last:
            raise ValueError(f"summaries must arrive in input order: got {index} after {self._last}")
        self._last = index
        result = self._dedup.observe(index, summary)
        duplicate = result.kind != "unique"
        if self.config.dedup == "off":
            result = DedupResult("unique")
        if self._poison is not None:
            self._poison.observe(index, summary, duplicate=duplicate)
        return Verdict(result, drop=duplicate and self.config.dedup == "drop")

    def observe_many(self, items: list[tuple[int, RecordSummary]]) -> list[Verdict]:
        """`observe` of each (index, summary) in turn, with the same verdicts: dedup of them all,
        then the poisoning detector's step of them all (it reads only dedup's verdicts, and
        dedup nothing of its), so each one's tables and compiled code stay in the CPU caches
        across the batch."""
        if self._finalized:
            raise RuntimeError("observe() after finalize()")
        last = self._last
        for index, _ in items:
            if index <= last:
                raise ValueError(f"summaries must arrive in input order: got {index} after {last}")
            last = index
        results = []
        for index, summary in items:
            results.append(self._dedup.observe(index, summary))
            self._last = index
        duplicate = [r.kind != "unique" for r in results]
        if self._poison is not None:
            for (index, summary), dup in zip(items, duplicate):
                self._poison.observe(index, summary, duplicate=dup)
        drop = self.config.dedup == "drop"
        if self.config.dedup == "off":
            return [Verdict(DedupResult("unique"), drop=False) for _ in items]
        return [Verdict(r, drop=dup and drop) for r, dup in zip(results, duplicate)]

    def finalize(self, max_flags: int | None = None, max_group: int | None = None) -> CurationResult:
        """Corpus-level flags (one per record and kind) and dedup counts. Call once.

        Lists the first ``max_flags`` flags, each group cut to its first ``max_group`` records
        (``Flag.group_size`` keeps the full size); None lists everything. Frees the temporary
        storage either way.
        """
        if self._finalized:
            raise RuntimeError("finalize() called twice")
        self._finalized = True
        self._dedup.close()  # frees the dedup index and its temporary file
        summary = FlagSummary()
        if self._poison is not None:
            try:
                summary = self._poison.finalize(max_flags, max_group)
            finally:
                self._poison.close()
        counts = {"observed": sum(self._dedup.counts.values())}
        if self.config.dedup != "off":
            counts |= {
                "unique": self._dedup.counts["unique"],
                "exact_duplicates": self._dedup.counts["exact"],
                "near_duplicates": self._dedup.counts["near"],
            }
        return CurationResult(summary.flags, counts, summary.total, summary.records, summary.by_kind)

    def close(self) -> None:
        """Free all temporary storage without finalizing (e.g. after an error). Idempotent."""
        self._dedup.close()
        if self._poison is not None:
            self._poison.close()
