"""US Medicare Beneficiary Identifiers (MBI) near their name: "Medicare 1EG4-TE5-MK73",
"MBI: 1EG4TE5MK73".

HIPAA's Safe Harbor list names health-plan beneficiary numbers; since 2020 every Medicare card
carries an MBI instead of the holder's SSN, so US claims and clinical notes are full of them. Its
shape is fixed by CMS (11 characters: digit 1-9, letter, letter or digit, digit, letter, letter
or digit, digit, letter, letter, digit, digit; letters never S, L, O, I, B or Z; written with
dashes after the 4th and 7th), but only strict enough to be taken after a cue: "Medicare",
"MBI" or "beneficiary" in the 40 characters before it.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

SCORE = 0.85
_A = "[AC-HJKMNP-RT-Y]"  # CMS letters: no S, L, O, I, B, Z
_AN = "[AC-HJKMNP-RT-Y0-9]"
_MBI = re.compile(
    rf"(?<![A-Za-z0-9])[1-9]{_A}{_AN}[0-9]([- ]?){_A}{_AN}[0-9]\1{_A}{_A}[0-9]{{2}}(?![A-Za-z0-9])", re.IGNORECASE
)
_CUE = re.compile(r"(?i:medicare|\bmbi\b|beneficiary)")
_LOOKBACK = 40


@register
class MedicareMbiRecognizer(Recognizer):
    """Medicare Beneficiary Identifiers (CMS shape) within 40 characters after "Medicare"/"MBI"."""

    name = "medicare_mbi"
    entity_types = ("RECORD_ID",)
    # Literal words (the analyzer's shared word scan): texts without them cost nothing.
    trigger = re.compile("Medicare|medicare|MEDICARE|MBI|beneficiary|Beneficiary")

    def analyze(self, text: str) -> list[Span]:
        spans = []
        for m in _MBI.finditer(text):
            if _CUE.search(text, max(0, m.start() - _LOOKBACK), m.start()) is not None:
                spans.append(Span(m.start(), m.end(), "RECORD_ID", SCORE, self.name))
        return spans
