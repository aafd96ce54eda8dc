"""CSV files as privtune reads them: the delimiter from the header line, whether the first row
is a header at all, and the header's own checks. The row reader is `csv_rows.iter_csv_rows`."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
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
    64 characters: column names do not ("13812345678", "jane@example.com")."""
    for cell in cells:
        cell = cell.strip()
        if len(cell) > MAX_HEADER_CELL or _EMAIL_CELL.search(cell):
            return True
        for m in _DATA_CELL.finditer(cell):
            if sum(c.isdigit() for c in m.group()) >= 5:
                return True
    return False


def headerless_column(i: int) -> str:
    """The name of the ``i``-th (1-based) column of a CSV without a header row."""
    return f"column_{i}"


def csv_file_has_header(path: str | os.PathLike[str], encoding: str) -> bool:
    """Whether the CSV file at ``path`` starts with a header row (`header_is_data`)."""
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    with io.TextIOWrapper(open_binary(Path(path)), encoding=codec, errors="replace", newline="") as stream:
        line, sep = first_csv_line(stream)
    return not header_is_data(next(csv.reader([line], delimiter=sep or csv_delimiter(line)), []))


def check_header(names: list[str], path: Path) -> None:
    """Refuse a header naming a column twice: DictReader keeps only the last of two same-named
    columns, and the other one's cells would be lost without a word."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if name in seen:
            raise InputError(f"the header names column {name!r} twice (columns {seen[name]} and {i})",
                             path=str(path), line=1, hint="rename one of them; no cell may be dropped")
        seen[name] = i
