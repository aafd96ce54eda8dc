"""RECORD_ID: a hospital bed named with its ward ("心内科3床", "ICU 12床", "病区：内科二病区 床号：12",
"Ward 7, Bed 12").

A bed number alone ("3床", "床号：12") is one of a few dozen beds in some hospital, and nurses'
and patients' chats are full of them; with its ward beside it, it points at the one patient
lying there on the day of the note, which is how a ward's staff (or a visitor) re-identifies a
record whose name was removed: a quasi-identifier, taken as a RECORD_ID (its surrogate keeps
the digits' shape). So a bed is taken only with a ward or department word within a few
characters either side on its line (`_NEAR`). "3床" with no ward, "床单", "双人床" stay.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

SCORE = 0.75
# "3床", "12 床", "+2床" (an extra bed); "床号：12", "床位 12", "12号床".
_ZH_BED = re.compile(
    r"(?<![0-9A-Za-z])(?P<a>[+加]?[0-9]{1,3}[A-Za-z]?)[ \t]*(?:号|號)?[ \t]*床(?![单單垫墊位费費头頭边邊罩品])"
    r"|(?:床号|床號|床位号|床位號|床位)[ \t]*[:：]?[ \t]*(?P<b>[0-9]{1,3}[A-Za-z]?)(?![0-9])"
)
# "Bed 12", "bed no. 4", "Bed #7B" (with a ward near: "Ward 7, Bed 12", "bed 12 on ward 4B").
_EN_BED = re.compile(r"(?<![A-Za-z])(?:Bed|bed|BED)[ \t]*(?:no\.?|No\.?|#)?[ \t]*(?P<c>[0-9]{1,3}[A-Za-z]?)(?![0-9A-Za-z])")
# A ward or department: a word ending in 科/病区/病房/监护室, an intensive-care unit, or "ward".
_WARD = re.compile(r"科|病区|病區|病房|监护室|監護室|ICU|CCU|NICU|PICU|急诊|急診|(?i:ward)(?![a-z])")
_NEAR = 16  # characters either side of the bed that the ward word must be within
TRIGGER = re.compile("床|Ward|ward|WARD")


def ward_bed_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each bed number that has a ward word near it on its line."""
    out: list[tuple[int, int]] = []
    beds = list(_ZH_BED.finditer(text)) if "床" in text else []
    if "ed" in text or "ED" in text:
        beds += _EN_BED.finditer(text)
    for m in beds:
        group = m.lastgroup or "a"
        lo = max(0, m.start() - _NEAR, text.rfind("\n", 0, m.start()) + 1)
        nl = text.find("\n", m.end())
        hi = min(len(text), m.end() + _NEAR, nl if nl >= 0 else len(text))
        if _WARD.search(text, lo, hi) is not None:
            out.append(m.span(group))
    return sorted(out)


@register
class WardBedRecognizer(Recognizer):
    """Hospital bed numbers next to their ward or department."""

    name = "ward_bed"
    entity_types = ("RECORD_ID",)
    trigger = TRIGGER  # literal words: answered by the analyzer's shared word scan

    def analyze(self, text: str) -> list[Span]:
        return [Span(s, e, "RECORD_ID", SCORE, self.name) for s, e in ward_bed_spans(text)]
