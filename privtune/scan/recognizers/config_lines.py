"""Any type: values of configuration files pasted as text — INI / TOML / .env and YAML.

A config dump in a ticket or a repository names its values the way a record's fields do:
``[database]\\nuser = "dieg0rmz"``, ``[owner]\\nname = "Lars Halvorsen"``, a YAML block
``owner:\\n  name: Lars Halvorsen\\n  phone: '+47 …'``. The key is the cue, read as a side
field's name (`side_fields.key_type`) with its section or parent key as the owner ("name" under
``[owner]`` or ``customer:`` is a person, under ``[server]`` not), and the value is taken whole
when it has the type's shape (`side_fields.key_span`). Only config-shaped text: an ``=`` line
under a ``[section]`` header, or a YAML ``key: value`` line indented under a ``parent:`` line;
a mail's ``Subject: …`` or a form's ``Name: …`` (the cue detectors' work) is neither.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register
from privtune.scan.side_fields import key_span, key_type

DETECTOR = "config_value"
SCORE = 0.85
_SECTION = re.compile(r"[ \t]*\[([A-Za-z_][\w.\- ]{0,40})\][ \t]*$")
_INI_PAIR = re.compile(r"[ \t]*([A-Za-z_][\w.\-]{0,40})[ \t]*=[ \t]*(\"[^\"\n]{1,200}\"|'[^'\n]{1,200}'|[^\s\"'#;][^\n#;]{0,199})")
_YAML_PARENT = re.compile(r"([ \t]*)([A-Za-z_][\w.\-]{0,40}):[ \t]*$")
_YAML_PAIR = re.compile(r"([ \t]+)([A-Za-z_][\w.\-]{0,40}):[ \t]+(\"[^\"\n]{1,200}\"|'[^'\n]{1,200}'|[^\s\"'#|>&*][^\n#]{0,199})")


def config_value_spans(text: str) -> list[Span]:
    out: list[Span] = []
    section: str | None = None
    parents: list[tuple[int, str]] = []  # (indent, key) of the open YAML mappings
    pos = 0
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if (s := _SECTION.match(line)) is not None:
            section = s.group(1)
        elif section is not None and (p := _INI_PAIR.fullmatch(line.rstrip())) is not None:
            _add(out, p.group(1), section, p.group(2), pos + p.start(2))
        elif (y := _YAML_PARENT.fullmatch(line)) is not None:
            indent = len(y.group(1))
            parents = [(i, k) for i, k in parents if i < indent] + [(indent, y.group(2))]
        elif parents and (y := _YAML_PAIR.match(line)) is not None:
            indent = len(y.group(1))
            parents = [(i, k) for i, k in parents if i < indent]
            if parents:
                _add(out, y.group(2), parents[-1][1], y.group(3).rstrip(), pos + y.start(3))
        pos += len(line) + 1 + (0 if pos + len(line) >= len(text) or text[pos + len(line)] != "\r" else 1)
    return out


def _add(out: list[Span], key: str, parent: str, value: str, start: int) -> None:
    if value[:1] in "\"'" and value[-1:] == value[:1]:
        value, start = value[1:-1], start + 1
    span = key_span(key_type(key, parent), value)
    if span is not None:
        out.append(Span(start + span.start, start + span.end, span.type, SCORE, DETECTOR))


@register
class ConfigValueRecognizer(Recognizer):
    """``user = "…"`` under ``[database]``, ``name: …`` under ``owner:`` in a YAML block."""

    name = "config_value"
    entity_types = ("PERSON", "PHONE", "EMAIL", "ADDRESS", "ORGANIZATION", "ID_CARD", "US_SSN", "PASSPORT",
                    "DATE_OF_BIRTH", "RECORD_ID", "USERNAME")
    trigger = re.compile("]\n|:\n|]\r\n|:\r\n")  # a section header or a YAML parent, then a line

    def analyze(self, text: str) -> list[Span]:
        return config_value_spans(text)
