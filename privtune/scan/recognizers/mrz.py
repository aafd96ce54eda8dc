"""Machine-readable zones (MRZ, ICAO 9303) of passports and ID cards: the two or three lines of
capitals, digits and "<" printed under a document's photo, as OCR or a pasted scan puts them in
a ticket or a KYC export ("P<UTOERIKSSON<<ANNA<MARIA<<<…" over "L898902C36UTO7408122F…").

Every field of a zone is personal (names, document number, nationality, birth date, sex,
expiry), and the name is written with "<" for spaces, so no name or number detector sees it.
The whole zone is one span: PASSPORT for a "P" document, ID_CARD otherwise. A line is a run of
28-46 characters of A-Z, 0-9 and "<" (ICAO lengths 30, 36, 44, with room for an OCR slip);
a zone is one or more such lines separated by a line break or a space, and at least one of them
holds the "<<" filler every zone has. Runs of "<" alone (ASCII art) and runs with few letters
and digits are no zone.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

SCORE = 0.9
_LINE = r"[A-Z0-9<]{28,46}"
_ZONE = re.compile(rf"(?<![A-Za-z0-9<]){_LINE}(?:(?:\r?\n|[ \t]{{1,2}}){_LINE})*(?![A-Za-z0-9<])")
_MIN_ALNUM = 10


def mrz_spans(text: str, detector: str) -> list[Span]:
    """PASSPORT / ID_CARD spans of the machine-readable zones in ``text``."""
    spans = []
    for m in _ZONE.finditer(text):
        zone = m.group()
        if "<<" not in zone or sum(c.isalnum() for c in zone) < _MIN_ALNUM:
            continue
        if sum(c.isalpha() for c in zone) < 4:
            continue
        kind = "PASSPORT" if zone[0] == "P" else "ID_CARD"
        spans.append(Span(m.start(), m.end(), kind, SCORE, detector))
    return spans


@register
class MrzRecognizer(Recognizer):
    """Passport and ID-card machine-readable zones (lines of A-Z, 0-9 and "<" with "<<" filler)."""

    name = "mrz"
    entity_types = ("PASSPORT", "ID_CARD")
    trigger = re.compile("<<")  # a literal: tested as a substring, ~0.1 µs per record

    def analyze(self, text: str) -> list[Span]:
        return mrz_spans(text, self.name)
