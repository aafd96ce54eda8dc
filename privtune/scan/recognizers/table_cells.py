"""Any type: the cells of a Markdown table whose column header names what they hold.

Chats, tickets and notes paste tables ("| Name | Phone |\\n|---|---|\\n| Aiko Tanaka |
090-1234-5678 |"). A cell has no words around it, so the detectors that need a cue miss a
national-format number or a name of an unfamiliar nationality; the header is the cue. It is read
the way a side column's field name is (`side_fields.key_type`, same vocabulary in English and
Chinese), and a cell is taken whole only when it has that type's shape (`side_fields.key_span`).
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register
from privtune.scan.side_fields import key_span, key_type

# The separator row under a header: cells of dashes with optional alignment colons.
# A centred or aligned column may have one dash (":-:", "-:"): GFM asks for one, not three.
_DASHES = r"(?::-+:?|-+:|-{3,})"
_ROW = rf"[ \t]*\|?(?:[ \t]*{_DASHES}[ \t]*\|)+[ \t]*(?:{_DASHES}[ \t]*)?"
_SEPARATOR = re.compile(rf"(?m)^{_ROW}$")
SEPARATOR_ROW = re.compile(_ROW)  # one line, whole (``fullmatch``)
DETECTOR = "table_column"
SCORE = 0.85


def _cells(line: str, offset: int) -> list[tuple[int, str]]:
    """``(start offset, raw cell text)`` of a table row, without the outer pipes."""
    out, pos = [], 0
    body_start = len(line) - len(line.lstrip(" \t"))
    if line[body_start : body_start + 1] == "|":
        pos = body_start + 1
    end = len(line.rstrip(" \t"))
    if end > pos and line[end - 1] == "|":
        end -= 1
    for piece in line[pos:end].split("|"):
        out.append((offset + pos, piece))
        pos += len(piece) + 1
    return out


def table_cell_spans(text: str) -> list[Span]:
    """Spans of the cells under a header that names an entity type, in every Markdown table."""
    out: list[Span] = []
    for sep in _SEPARATOR.finditer(text):
        header_end = sep.start() - 1  # the newline before the separator row
        if header_end <= 0:
            continue
        header_start = text.rfind("\n", 0, header_end) + 1
        header = text[header_start:header_end]
        if "|" not in header:
            continue
        types = [key_type(cell.strip()) if cell.strip() else None for _, cell in _cells(header, header_start)]
        if not any(types):
            continue
        pos = sep.end() + 1
        while pos < len(text):
            line_end = text.find("\n", pos)
            line_end = len(text) if line_end < 0 else line_end
            line = text[pos:line_end]
            if "|" not in line:
                break
            for etype, (start, cell) in zip(types, _cells(line, pos)):
                span = key_span(etype, cell)
                if span is not None:
                    out.append(Span(start + span.start, start + span.end, span.type, SCORE, DETECTOR))
            pos = line_end + 1
    return out


@register
class TableColumnRecognizer(Recognizer):
    """Cells of a Markdown table under a header such as "Name", "Phone", "电话", "地址"."""

    name = "table_column"
    entity_types = ("PERSON", "PHONE", "EMAIL", "ADDRESS", "ORGANIZATION", "ID_CARD", "US_SSN", "PASSPORT")
    trigger = re.compile(r"\|[ \t]*(?::-|-:|--)")

    def analyze(self, text: str) -> list[Span]:
        return table_cell_spans(text)
