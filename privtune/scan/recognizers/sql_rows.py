"""Any type: the values of ``INSERT INTO people_table VALUES (…)`` rows that name no columns.

A dump written without a column list (``INSERT INTO t_member VALUES (3021, '范文静',
'xiaoyu_cheng', '1461487381', '1990-04-12', …)``) names none of its cells; `text_tables` takes
cells by their column and finds nothing here. The table's name still says whose rows these are:
a table of customers, members, users, patients, employees … holds people. In such a table a
quoted cell is taken by its shape alone, only where that shape says one thing: a Chinese name
(a listed surname and one or two more characters), one or two capitalised Latin words (a given
name, a surname), a login handle (letters with a digit, "_" or "."), a date (a date of birth in a
person's row), a run of 5-10 digits (a member or account number). Phones, e-mails, IBANs, ID
numbers in the row are the other detectors'; a column list, when there is one, is read instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from privtune.scan.entities import Span
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES, ZH_SURNAMES

RowReader = Callable[[str, int], list[list[tuple[int, str]]]]  # `text_tables._sql_tuples`
DETECTOR = "sql_row"
SCORE = 0.8
_INSERT_NO_COLUMNS = re.compile(r"INSERT\s+(?:IGNORE\s+)?INTO\s+[`\"\[]?(?P<table>[\w.]+)[`\"\]]?\s*VALUES\s*", re.I)
_PEOPLE = frozenset("customer client member user patient employee staff contact person people guest passenger "
                    "tenant student subscriber buyer account consumer".split())
_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("DATE_OF_BIRTH", re.compile(r"(?:19|20)[0-9]{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12][0-9]|3[01])")),
    ("RECORD_ID", re.compile(r"[0-9]{5,10}")),  # (11+ digits: a phone, a card: their own detectors)
    ("USERNAME", re.compile(r"(?=[^ ]*[0-9_.])[A-Za-z][A-Za-z0-9._]{3,30}")),
    # One or two capitalised words of any Latin letters ("Kamińska", "Yılmaz"), checked by `_latin_name`.
    ("PERSON", re.compile(r"[^\W\d_][^\W\d_'\-]+(?: [^\W\d_][^\W\d_'\-]+)?")),
)


def is_people_table(table: str) -> bool:
    """``t_member``, ``customers``, ``tbl_user_info``: a table whose name says it holds people."""
    words = [w for w in re.split(r"[_.\-]+", re.sub(r"(?<=[a-z])(?=[A-Z])", "_", table).lower()) if w]
    return any((w[:-1] if w.endswith("s") else w) in _PEOPLE or w in _PEOPLE for w in words)


def _zh_name(value: str) -> bool:
    if not 2 <= len(value) <= 4 or not all("\u4e00" <= c <= "\u9fff" for c in value):
        return False
    sur = 2 if value[:2] in ZH_COMPOUND_SURNAMES else 1
    return sur == 2 and len(value) > 2 or value[0] in ZH_SURNAMES


def _latin_name(value: str) -> bool:
    """Capitalised words in Latin letters ("Kamińska", not "USA" or a Cyrillic town)."""
    return all(w[0].isupper() and not w.isupper() and max(w) < "\u0250" for w in value.split())


def sql_row_spans(text: str, rows_of: RowReader) -> list[Span]:
    """Spans of the cells of column-less INSERT rows into a table of people (module doc)."""
    out: list[Span] = []
    for m in _INSERT_NO_COLUMNS.finditer(text):
        if not is_people_table(m.group("table").rsplit(".", 1)[-1]):
            continue
        for row in rows_of(text, m.end()):
            for start, value in row:
                if _zh_name(value):
                    etype: str | None = "PERSON"
                else:
                    etype = next((t for t, shape in _SHAPES if shape.fullmatch(value)), None)
                    if etype == "PERSON" and not _latin_name(value):
                        continue
                if etype is not None:
                    out.append(Span(start, start + len(value), etype, SCORE, DETECTOR))
    return out


