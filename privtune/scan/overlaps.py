"""Overlap resolution: which of the spans the recognizers found over one text are kept."""

from __future__ import annotations

import re
from bisect import bisect_left
from operator import attrgetter, itemgetter

from privtune.scan.address_join import join_address_pieces
from privtune.scan.entities import STRUCTURED_TYPES, Span


def resolve_overlaps(spans: list[Span], text: str | None = None) -> list[Span]:
    """Keep a non-overlapping subset: a structured (pattern/checksum) span beats a model span,
    then the higher score wins, then the longer span, then the earlier. ``text`` (the analysed
    string) lets a street block with postal evidence absorb a model span across its edge
    (`_widen_names`) and joins the pieces of one postal address (`address_join`).

    Structured and model scores are not on one scale: a CRF's 0.99 on "ghp_…" or "EA" inside a
    passport number is a guess about an ASCII token it has no feature for, while a checksum- or
    format-validated SECRET/PASSPORT at 0.85 is near certain.
    """
    if len(spans) < 2:
        return spans
    if len(spans) > _MANY:
        return _resolve_many(spans, text)
    kept: list[Span] = []
    wider: list[Span] = []  # dropped names that contain a kept one
    for s in sorted(spans, key=_priority):
        start, end = s.start, s.end
        for k in kept:
            if start < k.end and k.start < end:  # Span.overlaps, inlined (hot loop)
                if _may_widen(s, k):
                    wider.append(s)
                break
        else:
            kept.append(s)
    if wider:
        kept = _widen_names(kept, wider, text)
    kept.sort(key=_START)
    return join_address_pieces(kept, text) if text is not None else kept


# Above this many spans the kept ones are searched by position (bisection) instead of one by
# one: a 230,000-character record with ~10,000 spans took 4.6 s in the loop above (quadratic).
_MANY = 64


def _resolve_many(spans: list[Span], text: str | None) -> list[Span]:
    """`resolve_overlaps` with the same result, in O(n log n) searches: kept spans never overlap,
    so ordered by start they are ordered by end too, and the ones a span overlaps are one run of
    that order; of them the loop above would have met the earliest kept first."""
    starts: list[int] = []  # kept spans by start, with their rank in keeping order
    kept_by_start: list[tuple[Span, int]] = []
    wider: list[Span] = []
    for rank, s in enumerate(sorted(spans, key=_priority)):
        start, end = s.start, s.end
        hi = bisect_left(starts, end)  # kept spans starting before s ends
        lo = hi
        while lo > 0 and kept_by_start[lo - 1][0].end > start:
            lo -= 1
        if lo == hi:
            starts.insert(hi, start)
            kept_by_start.insert(hi, (s, rank))
            continue
        k = min(kept_by_start[lo:hi], key=itemgetter(1))[0]
        if _may_widen(s, k):
            wider.append(s)
    kept = [k for k, _ in kept_by_start]
    if wider:
        kept = _widen_names(kept, wider, text)
        kept.sort(key=_START)
    return join_address_pieces(kept, text) if text is not None else kept


# Street-address patterns: a block they find ("98, avenue Lucie Fernandes, 29750 Barbe") holds the
# names and towns the English model tags inside it, more surely than the pattern scores it.
_ADDRESS_PATTERNS = frozenset({"postal_address_pattern", "en_address_pattern"})


# A postcode-like number (five digits or more, digits around a hyphen: CEP, 〒, house ranges), a
# UK postcode, or a line break inside the block (a postal block of several lines).
_POSTAL_EVIDENCE = re.compile(r"\d{5}|\d-\d|\n|\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b")


def _may_widen(s: Span, k: Span) -> bool:
    """May ``s``, dropped for the kept ``k`` it overlaps, replace it (see `_widen_names`)?"""
    if s.type == "PERSON":
        return k.type == "PERSON" and s.start <= k.start and k.end <= s.end
    return s.type == "ADDRESS" and s.detector in _ADDRESS_PATTERNS and k.type not in STRUCTURED_TYPES


def _widen_names(kept: list[Span], wider: list[Span], text: str | None) -> list[Span]:
    """A kept PERSON span gives way to a less sure one around it ("Diana" by a rule inside the
    English model's "Diana Good"), unless that one also overlaps another kept span: a name
    part left in the text is a leak, a word too many masked is not. A street-address pattern's
    block likewise replaces the model's names, places and organisations inside it ("rue Thomas
    Thierry" is a street, and "98, avenue" and the postcode were left) when each span it
    overlaps lies inside it and none is a structured one. A model span that crosses the block's
    edge ("Monteiro da Praia / SC" over the end of "12178-243 Monteiro da Praia") merges with it
    into one ADDRESS when the block shows postal evidence (`_POSTAL_EVIDENCE`): dropping it would
    leave the postcode in the text. Without that evidence the block is dropped as before: "2007
    Bowling Green" inside "The 2007 Bowling Green Falcons" is a year and a team."""
    kept = sorted(kept, key=_START)  # non-overlapping: by start is by end too
    starts = [k.start for k in kept]
    for w in sorted(wider, key=lambda x: x.start - x.end):  # widest first
        hi = bisect_left(starts, w.end)
        lo = hi
        while lo > 0 and kept[lo - 1].end > w.start:
            lo -= 1
        if w.type == "ADDRESS":
            inside = kept[lo:hi]
            if inside and all(k.type not in STRUCTURED_TYPES for k in inside):
                start, end = min(w.start, inside[0].start), max(w.end, inside[-1].end)
                if (start, end) != (w.start, w.end):
                    if text is None or not _POSTAL_EVIDENCE.search(text, w.start, w.end):
                        continue
                    w = Span(start, end, "ADDRESS", w.score, w.detector)
                kept[lo:hi] = [w]
                starts[lo:hi] = [w.start]
            continue
        # Only outward: a narrower candidate met after a wider one ("Natasha Weaver" by the cue
        # rule after "Miss Natasha Weaver" by the title rule) must not shrink the span again.
        if hi - lo == 1 and kept[lo].type == "PERSON" and w.start <= kept[lo].start and kept[lo].end <= w.end:
            k = kept[lo]
            kept[lo] = Span(w.start, w.end, "PERSON", max(k.score, w.score), k.detector)
            starts[lo] = w.start  # it overlapped nothing else kept: the order holds
    return kept


_START = attrgetter("start")


# Detectors whose span a column, field, parameter or property name vouches for: ranked with the
# structured spans, so that "Aiko Tanaka" under a "Name" header stays a PERSON when the tagger,
# with no context in a cell, reads an ORGANIZATION there at 0.95.
VOUCHED_DETECTORS = frozenset({"table_column", "text_table", "vcard_property", "log_field", "query_param", "field_name",
                               "xml_field", "hl7_field", "config_value"})


def _priority(s: Span) -> tuple[bool, float, int, int]:
    return (s.type not in STRUCTURED_TYPES and s.detector not in VOUCHED_DETECTORS, -s.score, s.start - s.end, s.start)
