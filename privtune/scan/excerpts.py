"""Masked excerpts of records for the scan report: the start of a record's first text with
each detected entity as ``[TYPE]`` and any other run of 3+ digits as ``#``.

`RecordProcessor` makes them for the records the report lists; the pipeline makes them again,
on demand, for the records its flags list (`record_excerpt`), so no excerpt is kept per record.
"""

from __future__ import annotations

import re

from privtune.errors import InputError
from privtune.io.readers import SourceRecord
from privtune.io.records import text_fields
from privtune.scan.analyzer import Analyzer
from privtune.scan.config import ScanConfig
from privtune.scan.entities import Span
from privtune.scan.propagate import propagate

_DIGITS = re.compile(r"\d{3,}")
EXCERPT_CHARS = 80


def excerpt_cap(cfg: ScanConfig) -> int:
    """How many records' excerpts a scan makes: the listed ones when the user asked for
    excerpts (`report_excerpts`), else none, so no training text reaches the report."""
    return cfg.max_flagged_in_report if cfg.report_excerpts else 0


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


def first_excerpt(fields: list[tuple[str, str]], spans: list[list[Span]]) -> str:
    """`masked_excerpt` of the record's first non-blank text field (with its spans), or ""."""
    for (_, text), found in zip(fields, spans):
        if text.strip():
            return masked_excerpt(text, found)
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
