"""CSV files as privtune reads them: the delimiter from the header line, whether the first row
is a header at all, and the header's own checks. The row reader is `csv_rows.iter_csv_rows`."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Callable
from pathlib import Path

from privtune.errors import InputError
from privtune.io.sources import open_binary


# The csv module refuses a cell over 128 KiB ("field larger than field limit"), which ended the
# scan of an export holding one long call transcript or ticket thread. A cell is held in memory
# as its record is anyway; 2**31 - 1 is the largest limit every platform's C long takes.
csv.field_size_limit(2**31 - 1)

CSV_DELIMITERS = (",", ";", "\t", "|")
# Excel's delimiter line: "sep=;" as the first line names the delimiter (Excel writes it, and reads
# a CSV in any locale by it); the header is the line after it.
_SEP_LINE = re.compile(r"\ufeff?sep=(.)\r?\n?")


def first_csv_line(stream: io.TextIOBase) -> tuple[str, str | None]:
    """The header line of a CSV text stream and the delimiter a "sep=X" line above it names
    (None when there is none; the stream is then left after the header line)."""
    line = stream.readline()
    m = _SEP_LINE.fullmatch(line)
    if m is None:
        return line, None
    return stream.readline(), m.group(1)


def csv_file_delimiter(path: str | os.PathLike[str], encoding: str) -> str:
    """The delimiter of the CSV file at ``path``: its "sep=" line's, else `csv_delimiter` of its header line."""
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    with io.TextIOWrapper(open_binary(Path(path)), encoding=codec, errors="replace", newline="") as stream:
        line, sep = first_csv_line(stream)
        return sep or csv_delimiter(line)


def column_names(cells: list[str]) -> list[str]:
    """A header row's column names: as written, except that empty names, when there are two or
    more of them (Excel's trailing empty columns: "name,phone,,"), are called ``column_N`` by
    position, as a headerless file's are; one empty name (pandas' index column) stays "". """
    if sum(1 for c in cells if not c) < 2:
        return cells
    return [c or headerless_column(i) for i, c in enumerate(cells, start=1)]


def csv_delimiter(header: str) -> str:
    """The delimiter a CSV header line uses: whichever of ``, ; TAB |`` occurs most outside
    quotes (comma on a tie or when none does). Spreadsheet exports in much of Europe use ";"
    and reading them with "," would turn every row into one column and split quoted line
    breaks into separate records."""
    counts = dict.fromkeys(CSV_DELIMITERS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(CSV_DELIMITERS, key=lambda d: counts[d])  # first wins ties: the comma
    return best if counts[best] > 0 else ","


_DATA_CELL = re.compile(r"(?<![A-Za-z0-9])[0-9][0-9 ()+./:-]*[0-9]")
_EMAIL_CELL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
MAX_HEADER_CELL = 64


def header_is_data(cells: list[str]) -> bool:
    """Does a CSV's first row hold data rather than column names? Yes when a cell carries a
    number of five or more digits (a phone, an ID, a date), an e-mail address, or more than
    64 characters: column names do not ("13812345678", "jane@example.com"). (Cheap: the scan
    asks it of every JSON key, `side_fields`; a table's first row gets `first_row_is_data`.)"""
    for cell in cells:
        cell = cell.strip()
        if len(cell) > MAX_HEADER_CELL or _EMAIL_CELL.search(cell):
            return True
        for m in _DATA_CELL.finditer(cell):
            if sum(c.isdigit() for c in m.group()) >= 5:
                return True
    return False


# An e-mail address with its "@" spaced, bracketed or spelled ("anna at gmx.de", "jo (at) x.org").
_SPELLED_EMAIL_CELL = re.compile(r"[A-Za-z0-9._%+-]+(?:[ \t]+(?:at|AT|@)[ \t]+|[ \t]*@[ \t]+"
                                 r"|[ \t]*(?:\[at\]|\(at\))[ \t]*)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A person's name as a cell: two or three capitalised words ("Maria Garcia", "Li Na"), none of
# them a word column names are made of.
_NAME_CELL = re.compile(r"[A-ZÀ-Þ][a-zß-ÿ]+(?:[-'’][A-Za-zß-ÿ]+)?(?: [A-ZÀ-Þ]\.?)?(?: [A-ZÀ-Þ][a-zß-ÿ]+(?:[-'’][A-Za-zß-ÿ]+)?){1,2}")
_HEADER_WORDS = frozenset(
    "name names first last full middle given family surname nickname customer client user account contact person "
    "email mail phone mobile cell tel telephone fax address street city town state province country region zip "
    "postal postcode code id number date time day month year created updated modified type status note notes comment "
    "comments description title company organization organisation department team role gender sex age birth amount "
    "price total cost qty quantity order item product category source target text content message label score value "
    "key field ticket subject body reply agent channel language url link website ip username login password card bank "
    "home work office billing shipping delivery payment method balance unit group class student employee staff manager "
    "owner patient doctor ward bed room rep sales service support priority assignee reporter summary details detail "
    "start end due open closed rating review feedback result level grade reference ref serial model version size color "
    "colour weight height location site branch store shop vendor supplier invoice tax discount currency rate fee".split()
)
_GENDER_CELLS = frozenset(("M", "F", "Male", "Female", "male", "female", "男", "女"))
_SMALL_NUMBER = re.compile(r"[0-9]{1,4}(?:\.[0-9]+)?")
_HAN_NAME_CELL = re.compile(r"[\u4e00-\u9fff]{2,3}")  # counted as a name only beside a gender


def is_name_cell(cell: str) -> bool:
    """Two or three capitalised words, none a column-name word ("Maria Garcia", not "Last Name")."""
    return _NAME_CELL.fullmatch(cell) is not None and not any(
        w.strip(".-'’").lower() in _HEADER_WORDS for w in cell.split())


def names_row_is_data(cells: list[str]) -> bool:
    """Does a first row read as a person's record rather than column names? Yes when a cell is
    an e-mail address with its "@" spelled or spaced ("anna at gmx.de"); when two cells are
    people's names ("Wang Wei,Li Na": capitalised words, none a column-name word) and no cell
    is a column-name word; or when a name stands beside a gender ("F", "男": one, as a person
    has) or a small number (an age), or a gender beside an age."""
    names = han_names = genders = numbers = header_words = 0
    for cell in cells:
        cell = cell.strip()
        if _SPELLED_EMAIL_CELL.search(cell):
            return True
        if is_name_cell(cell):
            names += 1
        elif cell in _GENDER_CELLS:
            genders += 1
        elif _SMALL_NUMBER.fullmatch(cell):
            numbers += 1
        elif _HAN_NAME_CELL.fullmatch(cell):
            han_names += 1
        elif cell.lower() in _HEADER_WORDS:
            header_words += 1
    if names >= 2 and not header_words:
        return True  # "Wang Wei,Li Na,Zhang San"; "Net Promoter,Churn Risk,Region" stays a header
    # "Maria Garcia,F,Madrid", "张伟,男,北京", "李娜,女,35,上海" ("年龄段,男,女" has two genders).
    one_gender = genders == 1
    return bool((names and (one_gender or numbers)) or (han_names and one_gender) or (one_gender and numbers))


# Checks a caller adds to `first_row_is_data` (the scan adds one that runs its recognizers on
# the cells: a column name holding a phone or a person's name is data, never a name to print).
_DATA_ROW_CHECKS: list[Callable[[tuple[str, ...]], bool]] = []


def add_data_row_check(check: Callable[[tuple[str, ...]], bool]) -> None:
    """Have `first_row_is_data` also call ``check(cells)`` (once per check, whatever the calls)."""
    if check not in _DATA_ROW_CHECKS:
        _DATA_ROW_CHECKS.append(check)


def first_row_is_data(cells: list[str]) -> bool:
    """Does a table's first row hold data (`header_is_data`, `names_row_is_data`, or a check
    `add_data_row_check` added)? Every reader of CSV and XLSX headers asks this, so they all
    agree on a file."""
    if header_is_data(cells) or names_row_is_data(cells):
        return True
    row = tuple(cells)
    return any(check(row) for check in _DATA_ROW_CHECKS)


def headerless_column(i: int) -> str:
    """The name of the ``i``-th (1-based) column of a CSV without a header row."""
    return f"column_{i}"


def csv_file_has_header(path: str | os.PathLike[str], encoding: str) -> bool:
    """Whether the CSV file at ``path`` starts with a header row (`first_row_is_data`)."""
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    with io.TextIOWrapper(open_binary(Path(path)), encoding=codec, errors="replace", newline="") as stream:
        line, sep = first_csv_line(stream)
    return not first_row_is_data(next(csv.reader([line], delimiter=sep or csv_delimiter(line)), []))


def check_header(names: list[str], path: Path) -> None:
    """Refuse a header naming a column twice: DictReader keeps only the last of two same-named
    columns, and the other one's cells would be lost without a word."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if name in seen:
            raise InputError(f"the header names column {name!r} twice (columns {seen[name]} and {i})",
                             path=str(path), line=1, hint="rename one of them; no cell may be dropped")
        seen[name] = i
