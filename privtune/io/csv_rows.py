"""CSV rows as records: the reader behind `readers.iter_records` for .csv/.tsv files (the header
line's own logic is in `csv_format`). Each row is a `SourceRecord` keyed by the header; a row with
more or fewer cells than the header, or one the file ended inside of (an unclosed quote), is a
`Rejected` naming its line."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path

from privtune.errors import InputError
from privtune.io.csv_format import (check_header, column_names, csv_delimiter, first_csv_line, first_row_is_data,
                                    headerless_column)
from privtune.io.readers import ENCODING_HINT, Rejected, SourceRecord
from privtune.io.sources import open_binary


def iter_csv_rows(path: Path, encoding: str) -> Iterator[SourceRecord | Rejected]:
    # A UTF-8 byte-order mark would otherwise become part of the first column name.
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    stream = io.TextIOWrapper(open_binary(path), encoding=codec, newline="")
    try:
        try:
            header, sep = first_csv_line(stream)
        except UnicodeDecodeError:
            raise InputError(f"not valid {encoding} in the header line", path=str(path),
                             hint=ENCODING_HINT.format(enc=encoding)) from None
        skipped = 1 if sep else 0  # Excel's "sep=;" line above the header
        delimiter = sep or csv_delimiter(header)
        first = next(csv.reader([header], delimiter=delimiter), [])
        lines = _LinesRead(itertools.chain([header], stream))
        if first_row_is_data(first):
            # No header row: the first line is a record. Its cells must not become field names
            # (they would be printed, reported and left in the output as the header).
            names = [headerless_column(i) for i in range(1, len(first) + 1)]
            reader = csv.DictReader(lines, fieldnames=names, delimiter=delimiter)
        else:
            reader = csv.DictReader(lines, fieldnames=column_names(first), delimiter=delimiter)
            next(reader.reader)  # the header row itself
        check_header(reader.fieldnames or [], path)
        index, row_start = 0, reader.line_num
        try:
            for row in reader:
                line = reader.line_num + skipped
                if lines.ended:
                    # The file ended inside a quoted cell: its quote was never closed, and the
                    # csv module read every line after it into that cell (rows, names, numbers).
                    start = row_start + 1 + skipped
                    yield Rejected(index, start, f"a quoted cell opened on line {start} is never closed: "
                                   f"the {line - start + 1} line(s) to the end of the file were read into it",
                                   ",".join(str(v) for v in row.values() if v is not None))
                elif None in row:  # more cells than header columns
                    extra = row.pop(None)
                    yield Rejected(index, line, f"{len(extra)} more cells than the header has columns",
                                   ",".join(str(v) for v in row.values()))
                elif any(v is None for v in row.values()):
                    missing = [k for k, v in row.items() if v is None]
                    yield Rejected(index, line, f"row is missing columns {missing}",
                                   ",".join(str(v) for v in row.values() if v is not None))
                else:
                    yield SourceRecord(index, line, dict(row))
                row_start = reader.line_num
                index += 1
        except UnicodeDecodeError:
            raise InputError(f"not valid {encoding} near line {reader.line_num + 1 + skipped}", path=str(path),
                             hint=ENCODING_HINT.format(enc=encoding)) from None
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", path=str(path), line=reader.line_num + skipped) from None
    finally:
        stream.close()


class _LinesRead:
    """The lines a csv reader reads, noting when they run out: a row the reader returns after
    that was still open at the end of the file (an unclosed quote)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines, self.ended = lines, False

    def __iter__(self) -> "_LinesRead":
        return self

    def __next__(self) -> str:
        try:
            return next(self._lines)
        except StopIteration:
            self.ended = True
            raise
