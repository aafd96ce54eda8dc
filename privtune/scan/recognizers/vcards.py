"""Any type: the properties of vCard and iCalendar text (contact cards, calendar invites).

A contact exported from a phone or a meeting invite pasted into a ticket is ``BEGIN:VCARD …
FN:王伟 / N:Tanaka;Yuki;;; / BDAY:19880618 / ADR;TYPE=HOME:;;Kungsgatan 44;Stockholm;;111 35``
or ``BEGIN:VEVENT … LOCATION:… / ATTENDEE;CN=Anna Kowalczyk:mailto:…``. The property name says
what each value is, as a column name does (RFC 6350 / RFC 5545); the value is taken when it has
that type's shape (`side_fields.key_span`), each part of a name (N) on its own, an address's parts (ADR) as one.
Free-text properties (NOTE, DESCRIPTION, SUMMARY) are left to the other detectors.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register
from privtune.scan.side_fields import key_span

DETECTOR = "vcard_property"
SCORE = 0.95  # the property name says the type; above the address patterns (0.9), whose partial span would win
# Property name -> (type, the value is ";"-structured). X-… and vendor groups ("item1.TEL") too.
_PROPERTIES: dict[str, tuple[str, bool]] = {
    "FN": ("PERSON", False), "N": ("PERSON", True), "NICKNAME": ("PERSON", False),
    "BDAY": ("DATE_OF_BIRTH", False), "TEL": ("PHONE", False), "EMAIL": ("EMAIL", False),
    "ADR": ("ADDRESS", True), "LABEL": ("ADDRESS", False), "LOCATION": ("ADDRESS", False),
    "ORG": ("ORGANIZATION", True),
}
_LINE = re.compile(r"(?m)^(?:[\w\-]+\.)?([A-Z][A-Z\-]*)((?:;[^:\n]*)?):([^\n]*)$")
_CN = re.compile(r";CN=(\"[^\"\n]+\"|[^;:\n]+)")  # ATTENDEE;CN=…, ORGANIZER;CN=…


def vcard_spans(text: str) -> list[Span]:
    """Spans of vCard / iCalendar property values that name a person, a place, a number …"""
    out: list[Span] = []
    for m in _LINE.finditer(text):
        name, params, value = m.group(1), m.group(2), m.group(3).rstrip("\r")
        if params:
            for cn in _CN.finditer(params):
                raw = cn.group(1).strip('"')
                _add(out, "PERSON", raw, m.start(2) + cn.start(1) + (1 if cn.group(1).startswith('"') else 0))
        prop = _PROPERTIES.get(name)
        if prop is None:
            continue
        etype, structured = prop
        if not structured or etype == "ADDRESS":
            # An address's parts (street;city;region;postcode;country) are one place: the
            # run from its first filled part to its last, postcode included.
            core = value.strip(";") if structured else value
            _add(out, etype, core, m.start(3) + value.index(core) if core else m.start(3))
            continue
        pos = m.start(3)
        for part in value.split(";"):
            _add(out, etype, part, pos)
            pos += len(part) + 1
    return out


def _add(out: list[Span], etype: str, value: str, start: int) -> None:
    span = key_span(etype, value.replace("\\,", "  "))  # an escaped comma, two characters wide
    if span is not None:
        out.append(Span(start + span.start, start + span.end, span.type, SCORE, DETECTOR))


@register
class VCardRecognizer(Recognizer):
    """FN / N / TEL / ADR / BDAY … of a vCard, LOCATION / ATTENDEE;CN= of a calendar event."""

    name = "vcard_property"
    entity_types = ("PERSON", "PHONE", "EMAIL", "ADDRESS", "ORGANIZATION", "DATE_OF_BIRTH")
    trigger = re.compile("BEGIN:V")

    def analyze(self, text: str) -> list[Span]:
        return vcard_spans(text)
