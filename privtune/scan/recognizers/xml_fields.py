"""Any type: XML element and attribute values whose name says what they hold.

Integration exports and message queues carry records as XML: a SOAP call
``<ns2:FullName>Anna Nowak</ns2:FullName><ns2:BirthDate>12.03.1965</ns2:BirthDate>``, an order
``<收货人>王伟</收货人><手机>…</手机>``, an element with attributes ``<customer name="…"
email="…">``. The values have no words around them; the element's local name (namespace prefix
dropped) or the attribute's name is the cue, read the way a side column's field name is
(`side_fields.key_type`; an attribute's element is its parent, so ``name`` in ``<customer>`` is a
person and in ``<product>`` is not), and a value is taken whole only when it has that type's shape
(`side_fields.key_span`). HTML's own tags are read as blanks before this runs (`views`), so a
``<td>`` never gets here.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register
from privtune.scan.side_fields import key_span, key_type

DETECTOR = "xml_field"
SCORE = 0.92  # a whole value under its element's name: above the address patterns' part of one
# <prefix:Name attrs>text</prefix:Name>, text on one line without markup.
_ELEMENT = re.compile(r"<((?:[\w.\-]+:)?([^\W\d][\w.\-]{0,40}))(\s[^<>]{0,400})?>([^<>\n]{1,200})</\1>")
_OPEN_TAG = re.compile(r"<(?:[\w.\-]+:)?([^\W\d][\w.\-]{0,40})(\s[^<>]{1,400}?)/?>")
_ATTRIBUTE = re.compile(r"\s([A-Za-z_][\w.\-]{0,40})=\"([^\"<>\n]{1,200})\"")
_ORG_END = ("公司", "集团", "银行", "Ltd", "GmbH", "Inc.", "LLC")  # "<BuyerName>…有限公司" names a firm


def xml_field_spans(text: str) -> list[Span]:
    """Spans of XML element texts and attribute values named as an entity type."""
    out: list[Span] = []
    for m in _ELEMENT.finditer(text):
        _add(out, key_type(m.group(2)), m.group(4), m.start(4))
    if "=\"" in text:
        for m in _OPEN_TAG.finditer(text):
            parent = m.group(1)
            for a in _ATTRIBUTE.finditer(m.group(2)):
                _add(out, key_type(a.group(1), parent), a.group(2), m.start(2) + a.start(2))
    return out


def _add(out: list[Span], etype: str | None, value: str, start: int) -> None:
    if etype == "PERSON" and value.rstrip().endswith(_ORG_END):
        etype = "ORGANIZATION"
    span = key_span(etype, value)
    if span is not None:
        out.append(Span(start + span.start, start + span.end, span.type, SCORE, DETECTOR))


@register
class XmlFieldRecognizer(Recognizer):
    """``<ns:FullName>…</ns:FullName>``, ``<手机>…</手机>``, ``<customer name="…">`` values."""

    name = "xml_field"
    entity_types = ("PERSON", "PHONE", "EMAIL", "ADDRESS", "ORGANIZATION", "ID_CARD", "US_SSN", "PASSPORT",
                    "DATE_OF_BIRTH", "RECORD_ID", "USERNAME")
    trigger = re.compile("</")

    def analyze(self, text: str) -> list[Span]:
        return xml_field_spans(text)
