"""Same value, same verdict: spread a record's detected names, places and organisations to
every other place in that record where the exact same string stands.

The model-based recognizers decide from context, so one record can have "石丹丹" tagged in
the customer's turn and missed in the agent's reply ("石丹丹您好，…"). A value the record
itself shows to be a name is a name wherever it recurs there; leaving one copy in clear text
would undo the anonymisation of the others. Structured types need no help (their patterns
fire on every copy). Scope is one record: dataset-wide spreading would make one false
positive rewrite unrelated records.
"""

from __future__ import annotations

import re

from privtune.scan.analyzer import resolve_overlaps
from privtune.scan.entities import MODEL_TYPES, Span

PROPAGATED_TYPES = MODEL_TYPES
MIN_CHARS = 2  # a single character recurs by chance
_LATIN = re.compile(r"[0-9A-Za-z]")


def _occurrences(text: str, value: str) -> list[int]:
    """Start offsets of ``value`` in ``text``; a value that begins or ends in a Latin letter or
    digit must not continue a word there ("Chris" is not in "Christopher")."""
    out, i = [], text.find(value)
    check_left, check_right = bool(_LATIN.match(value[0])), bool(_LATIN.match(value[-1]))
    while i >= 0:
        j = i + len(value)
        if not ((check_left and i > 0 and _LATIN.match(text[i - 1]))
                or (check_right and j < len(text) and _LATIN.match(text[j]))):
            out.append(i)
        i = text.find(value, i + 1)
    return out


def propagate(texts: list[str], spans: list[list[Span]]) -> list[list[Span]]:
    """``spans`` (per text, sorted, non-overlapping) plus a span on every other exact copy of a
    detected PERSON / ADDRESS / ORGANIZATION value in ``texts``; the copy keeps the type and
    score, and its detector reads ``propagated:<detector>``. Existing spans win overlaps."""
    values: dict[str, Span] = {}
    for text, found in zip(texts, spans):
        for s in found:
            if s.type in PROPAGATED_TYPES and s.end - s.start >= MIN_CHARS:
                value = text[s.start : s.end]
                if value.strip() and (value not in values or s.score > values[value].score):
                    values[value] = s
    if not values:
        return spans
    out: list[list[Span]] = []
    for text, found in zip(texts, spans):
        extra: list[Span] = []
        for value, src in values.items():
            for i in _occurrences(text, value):
                j = i + len(value)
                if not any(i < k.end and k.start < j for k in found):
                    extra.append(Span(i, j, src.type, src.score, "propagated:" + src.detector))
        # Two copies may overlap ("王小明" and "王小"): the higher score, then the longer, wins.
        out.append(found if not extra else sorted(found + resolve_overlaps(extra), key=lambda s: s.start))
    return out
