"""Any type: the patient fields of HL7 v2 messages (hospital feeds pasted into tickets or logs).

An HL7 v2 message is segments of ``|``-separated fields, one segment per line (``\\r`` or
``\\n``): ``PID|1||5107724^^^HOSP^MR||Fernandez^Martina||19630720|F|||Calle Morelos
54^Col. Centro^…||+52 …``. Nothing but the field's position says what a value is: PID-3 the
patient's record number, PID-5 the name (family^given^…), PID-7 the date of birth, PID-11 the
address, PID-13/14 the phones, PID-19 the social security number; next of kin (NK1) and
guarantor (GT1) segments carry a name, an address and a phone. Positions are HL7 v2.x's (stable
since 2.3); a field's components (``^``) are one span, its repetitions (``~``) one each, and a
trailing run of empty components is left out.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

DETECTOR = "hl7_field"
SCORE = 0.92
# Segment -> {field number: type}. PID-3 and PID-18 keep only their first component (the ID;
# the rest name the issuing authority: "^^^HOSP^MR").
_FIELDS: dict[str, dict[int, str]] = {
    "PID": {2: "RECORD_ID", 3: "RECORD_ID", 5: "PERSON", 6: "PERSON", 7: "DATE_OF_BIRTH", 9: "PERSON",
            11: "ADDRESS", 13: "PHONE", 14: "PHONE", 18: "RECORD_ID", 19: "US_SSN", 20: "ID_CARD"},
    "NK1": {2: "PERSON", 4: "ADDRESS", 5: "PHONE", 6: "PHONE"},
    "GT1": {3: "PERSON", 5: "ADDRESS", 6: "PHONE", 7: "PHONE", 8: "DATE_OF_BIRTH", 12: "US_SSN"},
}
_FIRST_COMPONENT_ONLY = frozenset({("PID", 2), ("PID", 3), ("PID", 18), ("PID", 13), ("PID", 14), ("NK1", 5),
                                   ("NK1", 6), ("GT1", 6), ("GT1", 7)})
_SEGMENT = re.compile(r"(?:^|(?<=[\r\n]))(PID|NK1|GT1)\|([^\r\n]*)")
_DIGITS = re.compile(r"\d")
_SSN = re.compile(r"\d{3}-?\d{2}-?\d{4}")


def hl7_spans(text: str) -> list[Span]:
    """Spans of the typed fields of PID, NK1 and GT1 segments."""
    out: list[Span] = []
    for m in _SEGMENT.finditer(text):
        seg, wanted = m.group(1), _FIELDS[m.group(1)]
        pos = m.start(2)
        for number, field in enumerate(m.group(2).split("|"), start=1):
            etype = wanted.get(number)
            if etype is not None and field:
                rep_pos = pos
                for rep in field.split("~"):
                    value = rep.split("^", 1)[0] if (seg, number) in _FIRST_COMPONENT_ONLY else rep.rstrip("^")
                    value = value.rstrip()
                    lead = len(value) - len(value.lstrip("^ "))
                    core = value[lead:]
                    kind = "ID_CARD" if etype == "US_SSN" and not _SSN.fullmatch(core) else etype  # a national ID there
                    if _plausible(kind, core):
                        out.append(Span(rep_pos + lead, rep_pos + len(value), kind, SCORE, DETECTOR))
                    rep_pos += len(rep) + 1
            pos += len(field) + 1
    return out


def _plausible(etype: str, value: str) -> bool:
    if len(value) < 2:
        return False
    if etype in ("PERSON", "ADDRESS"):
        return any(c.isalpha() for c in value)
    # numbers and dates: a few digits at least ("F", "M" in a misplaced field are not)
    return len(_DIGITS.findall(value)) >= 4


@register
class Hl7FieldRecognizer(Recognizer):
    """PID-3/5/7/11/13/19, NK1 and GT1 names, addresses and phones of HL7 v2 segments."""

    name = "hl7_field"
    entity_types = ("PERSON", "PHONE", "ADDRESS", "ID_CARD", "US_SSN", "DATE_OF_BIRTH", "RECORD_ID")
    trigger = re.compile(r"PID\||NK1\||GT1\|")

    def analyze(self, text: str) -> list[Span]:
        return hl7_spans(text)
