"""Any type: values under a column name in tables pasted as text — CSV rows and SQL INSERTs.

A spreadsheet saved as CSV and pasted into a ticket ("联系人,手机号,身份证号,收货地址\\n王伟,…"),
a European export with semicolons ("Name;Telefon;Geburtsdatum"), or a database dump
("INSERT INTO customer (name, mobile, id_card) VALUES ('王伟', '…', '…')") puts its values
in cells with no words around them: a surname alone, a date of birth, a passport number or a
handle has nothing to go by but its column. The column name is the cue, read the way a side
column's field name is (`side_fields.key_type`), and a cell is taken whole only when it has that
type's shape (`side_fields.key_span`), as Markdown tables are (`table_cells`).

* CSV: a line of 2+ cells (comma, semicolon or tab; the delimiter the next line has as often),
  two or more of which name a type, is a header; the lines after it that split into cells on the
  same delimiter are its rows (double-quoted cells may hold the delimiter). A title row or a
  merged-cell row above the header ("客户信息表,,,,") names nothing and is passed over.
* SQL: ``INSERT INTO table (col, …) VALUES (…), (…)``; the table's name is the columns' parent
  ("name" in ``customer`` is a person, in ``company`` not). Without a column list, a table of
  people's cells are taken by their shape (`sql_rows`).
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.recognizers.sql_rows import sql_row_spans
from privtune.scan.registry import Recognizer, register
from privtune.scan.side_fields import key_span, key_type

DETECTOR = "text_table"
SCORE = 0.92  # a whole cell under its column name: above the address patterns (0.9) that take part of one
# (and "|": database clients and mainframe exports write pipe-separated rows, "KUNDE|TEL_1|…")
_DELIMITERS = (",", ";", "\t", "|")
_MAX_HEADER_CELL = 40  # a column name is short; a prose line split at its commas is not
_INSERT = re.compile(
    r"INSERT\s+(?:IGNORE\s+)?INTO\s+[`\"\[]?(?P<table>[\w.]+)[`\"\]]?\s*\((?P<cols>[^()]{1,2000})\)\s*VALUES\s*",
    re.I)
_QUOTED_NAME = re.compile(r"[`\"\[\]\s]")
_SENTENCE_END = re.compile(r"[.!?。！？]\s*$")
_SENTENCE_MARKS = frozenset(".!?。！？")


def split_cells(line: str, delimiter: str) -> list[tuple[int, str]]:
    """``(offset, cell)`` of a CSV line; a double-quoted cell loses its quotes ("" is one quote
    inside it, kept as two characters so offsets stay), and may hold the delimiter."""
    out: list[tuple[int, str]] = []
    i, n = 0, len(line)
    while True:
        if i < n and line[i] == '"':
            j = i + 1
            while j < n:
                if line[j] == '"':
                    if j + 1 < n and line[j + 1] == '"':
                        j += 2
                        continue
                    break
                j += 1
            out.append((i + 1, line[i + 1 : j]))
            k = line.find(delimiter, j)
            if k < 0:
                return out
            i = k + 1
            continue
        k = line.find(delimiter, i)
        if k < 0:
            out.append((i, line[i:]))
            return out
        out.append((i, line[i:k]))
        i = k + 1


# What a column name looks like: a letter first, then letters, digits, blanks and a few marks
# ("N° passeport", "E-mail", "Date de naissance", "出生日期"), no sentence punctuation. A chat
# line split at its commas ("Hi Tom, thanks for the call.") fails it before any lookup, so the
# field-name cache (`key_type`) that side values share is not filled with prose.
# A "#" or "." of an abbreviation too ("Ph#", "Mailing Addr.", "Tél. portable"), and Chinese
# brackets ("收货地址（详细）").
_COLUMN_NAME = re.compile(r"[^\W\d_][\w °/()（）'\-#.]{0,%d}" % (_MAX_HEADER_CELL - 1))
# A blank between two Han characters of a column name, as a form spaces its labels ("姓 名").
_HAN_GAP = re.compile(r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])")


def _header_types(cells: list[tuple[int, str]], parent: str = "") -> list[str | None] | None:
    """Each column's type, when two or more column names say one; else None."""
    if len(cells) < 2:
        return None
    names = [c.strip() for _, c in cells]
    if any(n and _COLUMN_NAME.fullmatch(n) is None for n in names):
        return None
    types = [key_type(_HAN_GAP.sub("", n), parent) if n else None for n in names]
    return types if sum(t is not None for t in types) >= 2 else None


def csv_cell_spans(text: str) -> list[Span]:
    """Spans of the cells under a CSV header that names their types (see the module doc)."""
    delimiters = [d for d in _DELIMITERS if text.count(d) >= 2]  # a header and a row need one each
    if not delimiters:
        return []
    lines = text.split("\n")
    out: list[Span] = []
    offsets: list[int] = []
    i = 0
    while i < len(lines) - 1:
        line = lines[i]
        delimiter = None
        if not _SENTENCE_END.search(line):  # a chat turn ends like a sentence; a header does not
            nxt = lines[i + 1]
            for d in delimiters:
                if d in line and d in nxt:
                    delimiter = d
                    break
        if delimiter == "|" and line.lstrip().startswith("|"):
            delimiter = None  # a Markdown table: its columns are `table_cells`' (bars around every row)
        types = _header_types(split_cells(line.rstrip("\r"), delimiter)) if delimiter else None
        if types is None:
            i += 1
            continue
        if not offsets:
            pos = 0
            for x in lines:
                offsets.append(pos)
                pos += len(x) + 1
        j = i + 1
        while j < len(lines) and delimiter in lines[j]:  # type: ignore[operator]  # (set with types)
            for etype, (start, cell) in zip(types, split_cells(lines[j].rstrip("\r"), delimiter)):  # type: ignore[arg-type]
                span = key_span(etype, cell)
                if span is not None:
                    base = offsets[j] + start
                    out.append(Span(base + span.start, base + span.end, span.type, SCORE, DETECTOR))
            j += 1
        i = j
    return out


def row_label_spans(text: str) -> list[Span]:
    """Spans of the cells right of a row label: a table laid out one field per row
    ("Name,Abril Romero,Martin Kolářová" / "Date of Birth,1955-08-23,14.11.1975", "姓名\t尤淑貞\t朱明",
    an HTML key/value table as `views` reads it). Two or more consecutive lines on one delimiter
    must each open with a cell naming a type; a header line (two names) is not a labelled row."""
    out: list[Span] = []
    run: list[tuple[int, list[tuple[int, str]]]] = []
    run_delimiter, pos = "", 0
    for line in text.split("\n"):
        cells, delimiter = _labelled_row(line.rstrip("\r"))
        if cells is None or (run and delimiter != run_delimiter):
            _flush_rows(run, out)
            run = []
        if cells is not None:
            run.append((pos, cells))
            run_delimiter = delimiter
        pos += len(line) + 1
    _flush_rows(run, out)
    return out


def _labelled_row(line: str) -> tuple[list[tuple[int, str]] | None, str]:
    """A line's cells and delimiter when its first cell names a type and a value follows; the
    cheap tests first (most lines are chat turns that end like a sentence)."""
    if line.rstrip()[-1:] in _SENTENCE_MARKS:
        return None, ""
    found = [(k, d) for d in _DELIMITERS if (k := line.find(d, 0, _MAX_HEADER_CELL + 2)) > 0]
    if not found:
        return None, ""
    k, d = min(found)  # the first cell ends at the first delimiter
    label = line[:k].strip()
    if not label or _COLUMN_NAME.fullmatch(label) is None or key_type(label) is None:
        return None, ""
    cells = split_cells(line, d)
    return (cells, d) if len(cells) >= 2 and _header_types(cells) is None else (None, "")


def _flush_rows(run: list[tuple[int, list[tuple[int, str]]]], out: list[Span]) -> None:
    if len(run) < 2:
        return
    for pos, cells in run:
        etype = key_type(cells[0][1].strip())
        for start, cell in cells[1:]:
            span = key_span(etype, cell)
            if span is not None:
                out.append(Span(pos + start + span.start, pos + start + span.end, span.type, SCORE, DETECTOR))


def _sql_tuples(text: str, pos: int) -> list[list[tuple[int, str]]]:
    """The quoted values of each ``(…)`` tuple from ``pos`` on, position by position (an
    unquoted value, a number or NULL, is an empty cell)."""
    rows: list[list[tuple[int, str]]] = []
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= n or text[pos] != "(":
            return rows
        pos += 1
        row: list[tuple[int, str]] = []
        while pos < n:
            while pos < n and text[pos] in " \t\r\n":
                pos += 1
            if pos < n and text[pos] in "'\"":
                quote, start = text[pos], pos + 1
                pos += 1
                while pos < n and not (text[pos] == quote and text[pos + 1 : pos + 2] != quote):
                    pos += 2 if text[pos] in (quote, "\\") else 1
                row.append((start, text[start:pos]))
                pos += 1
            else:
                start = pos
                while pos < n and text[pos] not in ",)":
                    pos += 1
                row.append((start, ""))
            while pos < n and text[pos] in " \t\r\n":
                pos += 1
            if pos >= n or text[pos] == ")":
                pos += 1
                break
            pos += 1  # the comma
        rows.append(row)


def sql_value_spans(text: str) -> list[Span]:
    """Spans of the quoted values of ``INSERT … (columns) VALUES …`` under typed columns."""
    out: list[Span] = []
    for m in _INSERT.finditer(text):
        table = m.group("table").rsplit(".", 1)[-1]
        parent = table[:-1] if table.endswith("s") else table  # "customers" -> a customer's
        cols = [(0, _QUOTED_NAME.sub("", c)) for c in m.group("cols").split(",")]
        types = [key_type(c, parent) if c else None for _, c in cols]
        if not any(types):
            continue
        for row in _sql_tuples(text, m.end()):
            for etype, (start, value) in zip(types, row):
                span = key_span(etype, value)
                if span is not None:
                    out.append(Span(start + span.start, start + span.end, span.type, SCORE, DETECTOR))
    return out


@register
class TextTableRecognizer(Recognizer):
    """Cells of CSV text under a header such as "姓名,手机号" or "Name;Telefon", and SQL INSERT
    values under their column names."""

    name = "text_table"
    entity_types = ("PERSON", "PHONE", "EMAIL", "ADDRESS", "ORGANIZATION", "ID_CARD", "US_SSN", "PASSPORT",
                    "DATE_OF_BIRTH", "RECORD_ID", "USERNAME")
    # A literal (~0.05 µs): a table needs two lines. One-line texts, most chat turns, skip it.
    trigger = re.compile("\n|INSERT INTO|insert into")

    def analyze(self, text: str) -> list[Span]:
        spans = csv_cell_spans(text) + row_label_spans(text)
        if "INSERT" in text or "insert" in text:
            spans += sql_value_spans(text) + sql_row_spans(text, _sql_tuples)
        return spans
