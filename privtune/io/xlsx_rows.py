"""Excel workbooks (.xlsx, .xlsm) as records: every sheet, its first row the column names.

CRM and help-desk tools export .xlsx, and Chinese teams keep their lists in Excel because its
CSV comes out in the machine's code page. Refusing the file sent the user to "Save as CSV",
where a workbook's other sheets are left behind without a word. Here every sheet is read, in
order, streamed (openpyxl's read-only mode): its first non-empty row names the columns (or,
when it holds data, `csv_format.first_row_is_data`, they are ``column_N``), each later row is a
record, and dates become ISO 8601 text as in Parquet. Sheets with other columns than the first
are an error naming them (one table per scan), empty sheets are passed over. A record's
``line`` is its row number; a reject names its sheet.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from privtune.errors import InputError
from privtune.io.csv_format import check_header, column_names, first_row_is_data, headerless_column
from privtune.io.parquet_rows import json_value
from privtune.io.readers import Rejected, SourceRecord


def iter_xlsx_rows(path: Path) -> Iterator[SourceRecord | Rejected]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a declared dependency
        raise InputError("reading .xlsx needs the openpyxl package (pip install openpyxl)", path=str(path)) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile / openpyxl raise several types for a damaged file
        raise InputError(f"not a readable Excel workbook ({type(exc).__name__})", path=str(path),
                         hint="open it in Excel and save it again, or save the sheets as 'CSV UTF-8'") from None
    try:
        sheets = [(sheet, *found) for sheet in book.worksheets if (found := _columns(sheet, path)) is not None]
        first = sheets[0] if sheets else None
        for sheet, names, _ in sheets[1:]:
            if first is not None and names != first[1]:
                raise InputError(f"the workbook's sheets have different columns: {first[0].title!r} has {first[1]}, "
                                 f"{sheet.title!r} has {names}", path=str(path),
                                 hint="one table per scan: save each sheet as its own .xlsx or 'CSV UTF-8' file and "
                                      "scan them one by one (no sheet is left out without a word)")
        index = 0
        for sheet, names, has_header in sheets:
            header_seen = not has_header  # a header row is skipped; without one the first row is data
            for row_no, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = ["" if v is None else v for v in row]
                if not any(c != "" for c in cells):
                    continue  # an empty row (Excel keeps formatted ones)
                if not header_seen:
                    header_seen = True
                    continue
                if len(cells) > len(names) and any(c != "" for c in cells[len(names):]):
                    yield Rejected(index, row_no, f"sheet {sheet.title!r}: {len(cells) - len(names)} more cells "
                                   "than the header has columns", "\t".join(str(c) for c in cells))
                    index += 1
                    continue
                cells += [""] * (len(names) - len(cells))
                yield SourceRecord(index, row_no, {n: _cell(c, n) for n, c in zip(names, cells)})
                index += 1
    finally:
        book.close()


def _columns(sheet: Any, path: Path) -> tuple[list[str], bool] | None:
    """A sheet's column names (from its first non-empty row; ``column_N`` when that row holds
    data) and whether that row is a header; None for an empty sheet."""
    for row in sheet.iter_rows(values_only=True):
        cells = ["" if v is None else str(json_value(v, "")) for v in row]
        if not any(cells):
            continue
        if first_row_is_data(cells):
            return [headerless_column(i) for i in range(1, len(cells) + 1)], False
        while cells and not cells[-1]:
            cells.pop()  # trailing empty header cells: the sheet's used range, not columns
        names = column_names(cells)
        check_header(names, path)
        return names, True
    return None


def _cell(value: Any, name: str) -> Any:
    """A cell as JSON: text and numbers as they are (an integral float as the int it shows),
    dates as ISO 8601 text (a date cell comes as midnight of its day: written as the day, the
    form a date of birth is recognised in), anything else as its text."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, _dt.datetime) and value.time() == _dt.time(0) and value.tzinfo is None:
        return value.date().isoformat()
    return json_value(value, name)
