"""Per-record work of a scan: detect, anonymise, summarise for curation, assess risk.

Pure with respect to the dataset (no cross-record state), so it runs the same in the main
process or in a pool of workers. Cross-record work (dedup, poisoning) happens in the
pipeline on the small `RecordSummary` each record yields.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from privtune.errors import InputError
from privtune.io.readers import SourceRecord
from privtune.io.records import detect_shape, set_field, text_fields
from privtune.scan.analyzer import Analyzer
from privtune.scan.anonymize import Anonymizer, load_policy
from privtune.scan.config import ScanConfig
from privtune.scan.ner.backends import build_analyzer
from privtune.scan.curation import RecordSummary, answer_fields_for, summarize
from privtune.scan.curation.risk import RiskAssessment, assess_risk
from privtune.scan.entities import Finding, Span
from privtune.scan.propagate import propagate

_DIGITS = re.compile(r"\d{3,}")
EXCERPT_CHARS = 80
# Pseudonyms are a pure function of (policy, key, type, value, language): the cache only saves
# work, never changes output. 4,096 entries (~1 MB) keep most of its hits (17% of lookups vs 23%
# with the anonymizer's default 65,536, no measurable CPU difference per record) and fill within
# ~1k records. The default fills only after ~30k records (~15 MB) and its eviction churn then
# fragments the heap: with it a scan's RSS grew ~25 MB from 10k to 80k records.
PSEUDONYM_CACHE = 4096


@dataclass(slots=True)
class RecordResult:
    index: int
    line: int
    record: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    summary: RecordSummary | None = None
    risk: RiskAssessment | None = None
    excerpt: str = ""
    reject_reason: str | None = None
    raw: str | None = None  # unparseable input line, kept for the rejects file


def detect_record(analyzer: Analyzer, texts: list[str]) -> list[list[Span]]:
    """Spans per text of one record: all texts in one `Analyzer.analyze_many` pass (context in
    one turn of a chat informs the next), then each detected name/place/organisation spread to
    its other copies in the record (`propagate`)."""
    return propagate(texts, analyzer.analyze_many(texts))


def record_excerpt(analyzer: Analyzer, cfg: ScanConfig, item: SourceRecord) -> str:
    """The masked excerpt `RecordProcessor.process` gives ``item`` (first non-blank field), computed
    again on demand so the pipeline need not keep one per record; "" if the record has no text."""
    try:
        fields = text_fields(item.data, cfg.fields, path=str(cfg.input), line=item.line)
    except InputError:
        return ""
    if not fields:
        return ""
    for (_, text), spans in zip(fields, detect_record(analyzer, [t for _, t in fields])):
        if text.strip():
            return masked_excerpt(text, spans)
    return ""


def masked_excerpt(text: str, spans: list[Span], limit: int = EXCERPT_CHARS) -> str:
    """Start of ``text`` with detected entities as ``[TYPE]`` and any other 3+ digit run as ``#``.

    Digit runs are masked too because a detector may have missed them; reports must never
    carry raw PII.
    """
    parts, pos = [], 0
    for s in spans:
        if s.start >= limit * 2:
            break
        parts.append(_DIGITS.sub(lambda m: "#" * len(m.group()), text[pos : s.start]))
        parts.append(f"[{s.type}]")
        pos = s.end
    parts.append(_DIGITS.sub(lambda m: "#" * len(m.group()), text[pos : pos + limit * 2]))
    out = "".join(parts).replace("\n", " ")
    return out[:limit] + ("…" if len(out) > limit else "")


class RecordProcessor:
    """Holds the per-process detectors and anonymiser; `process` handles one record."""

    def __init__(self, cfg: ScanConfig, key: bytes) -> None:
        self.cfg = cfg
        self.analyzer = build_analyzer(cfg.types, cfg.min_score, cfg.ner_backend)
        self.policy = load_policy(cfg.policy)
        self.anonymizer = Anonymizer(self.policy, key, cache_size=PSEUDONYM_CACHE)
        self.rewrite = cfg.out is not None

    def process(self, item: SourceRecord) -> RecordResult:
        res = RecordResult(item.index, item.line)
        try:
            fields = text_fields(item.data, self.cfg.fields, path=str(self.cfg.input), line=item.line)
        except InputError as exc:
            res.reject_reason = exc.message
            res.record = item.data
            return res
        if not fields:
            res.reject_reason = "no text in the selected fields"
            res.record = item.data
            return res
        new: dict[str, Any] | None = None  # copied on the first replacement only
        all_types: list[str] = []
        for (path, text), spans in zip(fields, detect_record(self.analyzer, [t for _, t in fields])):
            for s in spans:
                res.findings.append(Finding.from_span(item.index, path, s))
                all_types.append(s.type)
            if not res.excerpt and text.strip():
                res.excerpt = masked_excerpt(text, spans)
            if self.rewrite and spans:
                if new is None:
                    new = copy.deepcopy(item.data)
                set_field(new, path, self.anonymizer.apply(text, spans))
        res.record = (new if new is not None else item.data) if self.rewrite else None
        shape = detect_shape(item.data)
        res.summary = summarize(item.index, fields, answer_fields_for(fields, item.data))
        res.risk = assess_risk(fields, all_types, shape.value if shape else "text")
        return res


# Worker-process globals: built once per process by `init_worker`.
_PROCESSOR: RecordProcessor | None = None


def init_worker(cfg_json: str, key: bytes) -> None:
    global _PROCESSOR
    _PROCESSOR = RecordProcessor(ScanConfig.model_validate_json(cfg_json), key)


def process_chunk(items: list[SourceRecord]) -> list[RecordResult]:
    assert _PROCESSOR is not None, "init_worker was not called"
    return [_PROCESSOR.process(it) for it in items]
