"""Same value, same verdict: spread a record's detected names, places and organisations (and
its cue-found numbers: accounts, record numbers, phones, IDs) to every other place in that
record where the exact same string stands.

The model-based recognizers decide from context, so one record can have "石丹丹" tagged in
the customer's turn and missed in the agent's reply ("石丹丹您好，…"). A value the record
itself shows to be a name is a name wherever it recurs there; leaving one copy in clear text
would undo the anonymisation of the others. Structured types need no help (their patterns
fire on every copy), but for the numbers some detectors take only after a cue word
(`PROPAGATED_ID_TYPES`). Scope is one record: dataset-wide spreading would make one false
positive rewrite unrelated records.

A detected person's partial mentions ("Thanks John", "王先生", "Bob" for Robert) are marked
the same way (`privtune.scan.name_parts`), with an alias where the anonymiser needs one to
give them the surrogate's matching part.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from itertools import accumulate

from privtune.scan.analyzer import resolve_overlaps
from privtune.scan.entities import MODEL_TYPES, Span
from privtune.scan.name_parts import NamePart, name_parts

PROPAGATED_TYPES = MODEL_TYPES
MIN_CHARS = 2  # a single character recurs by chance
# Values some detectors take only after a cue: an account or record number ("加我微信 zhangli88",
# "MRN 00482913"), a national phone number ("tel:0412 345 678"), a passport or foreign ID number,
# a date after "DOB". A copy elsewhere in the record has no cue ("我朋友杨帆 (zhangli88)", the
# link text after the ``href``, a bare ``cf_order`` value) and is the same person's. Five
# characters or more: a shorter one ("3" of a bed) recurs by chance.
PROPAGATED_ID_TYPES = frozenset({"USERNAME", "RECORD_ID", "PHONE", "PASSPORT", "ID_CARD", "DATE_OF_BIRTH"})
MIN_ID_CHARS = 5
_LATIN = re.compile(r"[0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")  # "José" is not in "Joséphine"


@functools.lru_cache(maxsize=4096)
def _latin_edges(value: str) -> tuple[bool, bool]:
    """Does ``value`` begin / end with a Latin letter or digit? (Asked per text it occurs in.)"""
    return bool(_LATIN.match(value[0])), bool(_LATIN.match(value[-1]))


def _occurrences(text: str, value: str) -> list[int]:
    """Start offsets of ``value`` in ``text``; a value that begins or ends in a Latin letter or
    digit must not continue a word there ("Chris" is not in "Christopher")."""
    out, i = [], text.find(value)
    check_left, check_right = _latin_edges(value)
    while i >= 0:
        j = i + len(value)
        if not ((check_left and i > 0 and _LATIN.match(text[i - 1]))
                or (check_right and j < len(text) and _LATIN.match(text[j]))):
            out.append(i)
        i = text.find(value, i + 1)
    return out


class _Occupied:
    """Which offsets some span covers: ``hits(i, j)`` is true if a span intersects [i, j), in
    O(log n) (spans by start with a running maximum of their ends). A linear test per copy made
    a record with many copies of a name quadratic: 200,000 characters took minutes."""

    def __init__(self, spans: list[Span]) -> None:
        # A text has a few spans as a rule: testing each is cheaper than sorting and bisecting.
        self.few = [(k.start, k.end) for k in spans] if len(spans) <= _FEW else None
        if self.few is None:
            ordered = sorted(spans, key=lambda k: k.start)
            self.starts = [k.start for k in ordered]
            self.max_end = list(accumulate((k.end for k in ordered), max))

    def hits(self, i: int, j: int) -> bool:
        if self.few is not None:
            for start, end in self.few:
                if start < j and i < end:
                    return True
            return False
        n = bisect_left(self.starts, j)  # spans starting before j
        return n > 0 and self.max_end[n - 1] > i


_FEW = 8
# An @handle made of a detected person's names ("@dana.whitfield" beside "Dana Whitfield",
# "@dwhitfield88"): a bare handle is claimed by no detector (too often a team or a brand), but
# one that spells a name the record shows to be a person's gives that person away.
_HANDLE = re.compile(r"(?<![\w.@])@([A-Za-z0-9][\w.\-]{2,39})")
_NOT_HANDLE_CHARS = re.compile(r"[^a-z]")
MIN_HANDLE_NAME = 3  # a surname this short ("Li", "Ng") is inside too many handles by chance


def _name_handles(text: str, persons: list[tuple[str, str]], occupied: "_Occupied") -> list[Span]:
    """USERNAME spans of the @handles in ``text`` that hold a person's surname and their first
    name or its initial (``persons``: (first, last) in lower case, ASCII letters)."""
    out = []
    for m in _HANDLE.finditer(text):
        letters = _NOT_HANDLE_CHARS.sub("", m.group(1).lower())
        for first, last in persons:
            if last in letters and (first in letters or letters.startswith(first[0])):
                if not occupied.hits(m.start(), m.end()):
                    out.append(Span(m.start(), m.end(), "USERNAME", 0.8, "propagated:handle"))
                break
    return out


_LOCAL_PART = re.compile(r"([A-Za-z]{2,})[._-]([A-Za-z]{2,})@")


def _names_from_emails(texts: list[str], spans: list[list[Span]], values: dict[str, Span]) -> list[tuple[str, Span]]:
    """Names an e-mail address spells next to a detected person: "anna.kowalczyk@…" and a PERSON
    "Anna" make "Kowalczyk" that person's surname ('From: "Kowalczyk, Anna" <anna.kowalczyk@…>',
    where the tagger took the given name only). (needle in title case, the person's span)."""
    words: dict[str, Span] = {}
    for value, src in values.items():
        if src.type == "PERSON":
            for w in re.findall(r"[A-Za-z]+", value):
                words.setdefault(w.lower(), src)
    out = []
    if not words:
        return out
    for text, found in zip(texts, spans):
        for s in found:
            if s.type != "EMAIL":
                continue
            m = _LOCAL_PART.match(text, s.start)
            if m is None:
                continue
            a, b = m.group(1).lower(), m.group(2).lower()
            for known, other in ((a, b), (b, a)):
                if known in words and other not in words and len(other) >= MIN_HANDLE_NAME:
                    out.append((other.title(), words[known]))
    return out


def _person_names(values: dict[str, Span]) -> list[tuple[str, str]]:
    """(first, last) of each detected PERSON value of two or more ASCII-letter words."""
    out = []
    for value, src in values.items():
        if src.type != "PERSON":
            continue
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", value)]
        if len(words) >= 2 and len(words[-1]) >= MIN_HANDLE_NAME and len(words[0]) >= 2:
            out.append((words[0], words[-1]))
    return out


def propagate(texts: list[str], spans: list[list[Span]]) -> list[list[Span]]:
    """``spans`` (per text, sorted, non-overlapping) plus a span on every other exact copy of a
    detected PERSON / ADDRESS / ORGANIZATION value in ``texts`` and on every partial mention of a
    detected person (`name_parts`); a copy keeps the type and score, and its detector reads
    ``propagated:<detector>`` (a part: ``propagated:given_name`` / ``surname`` / ``nickname``).
    Existing spans win overlaps. See `propagate_with_aliases` for the parts' replacements."""
    return propagate_with_aliases(texts, spans)[0]


def propagate_with_aliases(
    texts: list[str], spans: list[list[Span]]
) -> tuple[list[list[Span]], list[dict[int, tuple[str, str]]]]:
    """`propagate`, plus per text ``{span start: alias}`` for the partial mentions whose
    replacement must be derived from another value (`NamePart.alias`)."""
    values: dict[str, Span] = {}
    id_spans: dict[str, int] = {}  # cue-found numbers: how many spans cover each value
    for text, found in zip(texts, spans):
        for s in found:
            if s.type in PROPAGATED_TYPES and s.end - s.start >= MIN_CHARS:
                value = text[s.start : s.end]
            elif s.type in PROPAGATED_ID_TYPES and s.end - s.start >= MIN_ID_CHARS:
                value = text[s.start : s.end]
                id_spans[value] = id_spans.get(value, 0) + 1
            else:
                continue
            if value.strip() and (value not in values or s.score > values[value].score):
                values[value] = s
    if not values:
        return spans, [{} for _ in texts]
    # Most candidate parts ("王女士", "Dr Smith" …) occur nowhere: one substring test on the
    # joined record drops them before any per-text search.
    joined = "\n".join(texts)
    # A number found wherever it stands (most phones, each in its own turn) has no copy to mark:
    # dropped before the per-text loop, which cost a record with a phone ~5 µs for nothing.
    for value, n in id_spans.items():
        if values[value].type in PROPAGATED_ID_TYPES and joined.count(value) <= n:
            del values[value]
    if not values:
        return spans, [{} for _ in texts]
    parts: dict[str, tuple[NamePart, Span]] = {}
    # A part a detector also found on its own ("Bob" beside "Robert Jones") is still that person:
    # it takes the full name's surrogate part, not a surrogate of its own.
    detected_parts: dict[str, tuple[str, str]] = {}
    for value, src in sorted(values.items(), key=lambda kv: -len(kv[0])):
        if src.type == "PERSON":
            for part in name_parts(value):
                if part.needle not in joined or part.needle == value:
                    continue
                if part.needle not in values:
                    parts.setdefault(part.needle, (part, src))
                elif part.alias is not None and values[part.needle].type == "PERSON":
                    detected_parts.setdefault(part.needle, part.alias)
    if "@" in joined:
        for needle, src in _names_from_emails(texts, spans, values):
            if needle in joined and needle not in values:
                parts.setdefault(needle, (NamePart(needle, "surname"), src))
    out: list[list[Span]] = []
    aliases: list[dict[int, tuple[str, str]]] = []
    needles = [*values, *parts]
    shortest = min(map(len, needles))
    persons = _person_names(values) if "@" in joined else []
    for text, found in zip(texts, spans):
        # A text holding no value and no part (a role, an id, most side values) gets nothing:
        # the same result as the loops below, without their per-text set-up. (A text shorter
        # than every needle, "user" or "en", holds none of them.)
        if not detected_parts and not (persons and "@" in text):
            holds = False
            if len(text) >= shortest:
                for needle in needles:
                    if needle in text:
                        holds = True
                        break
            if not holds:
                out.append(found)
                aliases.append({})
                continue
        extra: list[Span] = []
        occupied = None
        for value, src in values.items():
            if value not in text:  # the common case, without _occurrences' call and checks
                continue
            occupied = occupied or _Occupied(found)
            for i in _occurrences(text, value):
                j = i + len(value)
                if not occupied.hits(i, j):
                    extra.append(Span(i, j, src.type, src.score, "propagated:" + src.detector))
        extra = resolve_overlaps(extra)
        # Partial mentions come second: a full copy ("王小明") beats its part ("小明") inside it.
        taken = found + extra
        part_spans: list[Span] = []
        alias_at: dict[int, tuple[str, str]] = {}
        alias_by_span: dict[tuple[int, int], tuple[str, str]] = {}
        occupied = None
        for needle, (part, src) in parts.items():
            if needle not in text:
                continue
            occupied = occupied or _Occupied(taken)
            for i in _occurrences(text, needle):
                j = i + len(needle)
                if not occupied.hits(i, j):
                    part_spans.append(Span(i, j, "PERSON", src.score, "propagated:" + part.kind))
                    if part.alias is not None:
                        alias_by_span[(i, j)] = part.alias
        if persons and "@" in text:
            part_spans += _name_handles(text, persons, _Occupied(taken))
        if part_spans:
            part_spans = resolve_overlaps(part_spans)
            alias_at = {s.start: alias_by_span[(s.start, s.end)] for s in part_spans if (s.start, s.end) in alias_by_span}
            extra = extra + part_spans
        if detected_parts:
            for k in taken:
                alias = detected_parts.get(text[k.start:k.end]) if k.type == "PERSON" else None
                if alias is not None:
                    alias_at.setdefault(k.start, alias)
        aliases.append(alias_at)
        # Two copies may overlap ("王小明" and "王小"): the higher score, then the longer, wins.
        out.append(found if not extra else sorted(found + extra, key=lambda s: s.start))
    return out, aliases
