"""Any type: values of the named fields of log lines — ``key=value`` pairs and JSON written into text.

Application logs pasted into tickets or kept as training text name what they print:
``uid=88213 nickname=王伟 mobile=… order_no=…``, ``customer_name="Ahmed Hassan" ssn=…``, or a
JSON log line ``{"user":{"real_name":"王伟","qq":"846271935"}}`` held as a string. The values
have no words around them; the field name is the cue, read the way a side column's is
(`side_fields.key_type`), and a value is taken whole only when it has that type's shape
(`side_fields.key_span`). URL query strings and form bodies are `query_params`' (a pair after
``?``, ``&`` or at a line's start); this takes the pairs after a blank, a comma or a brace.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register
from privtune.scan.side_fields import key_span, key_type

DETECTOR = "log_field"
SCORE = 0.85
# key=value after a blank, "," or "{": a quoted value to its closing quote, a bare one to the
# next blank, comma, semicolon or quote.
_PAIR = re.compile(r"(?<=[ \t,{(])([A-Za-z_][\w.\-]{0,40})=(?:\"([^\"\n]{1,200})\"|([^\s,;\"'&<>]{1,200}))")
# "key": "value" of JSON (escaped quotes in the value end it early: they are rare in PII).
_JSON_PAIR = re.compile(r"\"([A-Za-z_][\w.\-]{0,40})\"[ \t]*:[ \t]*\"([^\"\n\\]{1,200})\"")
_FREE_TEXT_PERSON_KEYS = frozenset({"name"})  # a bare "name" often names a file or a setting
# FHIR-style name parts ({"given":"Jennifer","family":"Fiedler"}): alone each key is a common word
# ("family": "sans-serif" of a font), so a value is a name part only when the other key is in the
# same text.
_NAME_PART_KEYS = ("given", "family")


def log_field_spans(text: str) -> list[Span]:
    """Spans of ``key=value`` and ``"key": "value"`` values whose key names an entity type."""
    out: list[Span] = []
    if "=" in text:
        for m in _PAIR.finditer(text):
            value, start = (m.group(2), m.start(2)) if m.group(2) is not None else (m.group(3), m.start(3))
            _add(out, m.group(1), value, start)
    if "\":" in text or "\" :" in text:
        name_parts = '"given"' in text and '"family"' in text
        for m in _JSON_PAIR.finditer(text):
            if name_parts and m.group(1) in _NAME_PART_KEYS:
                value = m.group(2)
                span = key_span("PERSON", value) if value[:1].isupper() else None
                if span is not None:
                    out.append(Span(m.start(2) + span.start, m.start(2) + span.end, "PERSON", SCORE, DETECTOR))
                continue
            _add(out, m.group(1), m.group(2), m.start(2))
    return out


def _add(out: list[Span], key: str, value: str, start: int) -> None:
    etype = key_type(key)
    if etype is None:
        return
    if etype == "PERSON" and key.lower() in _FREE_TEXT_PERSON_KEYS and not (value[:1].isupper() or not value.isascii()):
        return  # name=report.pdf, "name": "settings"
    span = key_span(etype, value)
    if span is not None:
        out.append(Span(start + span.start, start + span.end, span.type, SCORE, DETECTOR))


@register
class LogFieldRecognizer(Recognizer):
    """Values of ``mobile=…``, ``customer_name="…"``, ``"real_name":"…"`` in log lines."""

    name = "log_field"
    entity_types = ("PERSON", "PHONE", "EMAIL", "ADDRESS", "ORGANIZATION", "ID_CARD", "US_SSN", "PASSPORT",
                    "DATE_OF_BIRTH", "RECORD_ID", "USERNAME")
    trigger = re.compile("=|\":|\" :")

    def analyze(self, text: str) -> list[Span]:
        return log_field_spans(text)
