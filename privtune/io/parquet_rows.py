"""Parquet and Arrow rows as JSON records: the reader behind `readers.iter_records` for .parquet
and .arrow files.

A table exported from a warehouse or written by pandas / Spark has typed columns a JSON record
cannot hold: timestamps (``created_at``: nearly every export has one), dates (a ``dob``
column), decimals, durations, and text stored as bytes (Spark writes strings as plain
``binary`` unless told otherwise). Passed through as Python objects they ended the scan at the
first record with a bare ``TypeError: Object of type datetime is not JSON serializable``, and
text in bytes was never scanned. Here each such value becomes JSON: temporal values as ISO 8601
text (so a date of birth is seen, and replaced, like any other), decimals as their exact text,
bytes as the UTF-8 text they hold. Bytes that are not UTF-8 (an image, a pickled object) cannot
be scanned, and copying them out unscanned could leak what they hold: that row is rejected,
naming the column.
"""

from __future__ import annotations

import datetime as _dt
import decimal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from privtune.errors import InputError
from privtune.io.readers import Rejected, SourceRecord
from privtune.io.sources import open_binary, strip_compression

BATCH_ROWS = 4096


class _NotText(ValueError):
    """Bytes that are not UTF-8 text, at ``path`` inside the row."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def iter_parquet_rows(path: Path) -> Iterator[SourceRecord | Rejected]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(open_binary(path) if strip_compression(path.name) != path.name.lower() else path)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise InputError(f"not a readable Parquet file: {exc}", path=str(path)) from None
    yield from _rows(pf.schema_arrow, pf.iter_batches(batch_size=BATCH_ROWS))


def iter_arrow_rows(path: Path) -> Iterator[SourceRecord | Rejected]:
    """The rows of an Arrow IPC file: what Hugging Face ``datasets`` writes with ``save_to_disk``
    (``data-00000-of-00001.arrow``, the stream format) and what ``pyarrow.feather`` writes (the
    file format). They were skipped as "not a data file", and the folder's metadata JSON files
    read as records instead."""
    import pyarrow as pa

    source = pa.memory_map(str(path)) if strip_compression(path.name) == path.name.lower() else open_binary(path)
    try:
        try:
            reader: Any = pa.ipc.open_file(source)
            batches: Iterator[Any] = (reader.get_batch(i) for i in range(reader.num_record_batches))
        except pa.ArrowInvalid:
            source.seek(0)
            reader = pa.ipc.open_stream(source)
            batches = iter(reader)
    except Exception as exc:  # pyarrow raises several types for a file of another kind
        raise InputError(f"not a readable Arrow file: {exc}", path=str(path)) from None
    yield from _rows(reader.schema, batches)


def _rows(schema: Any, batches: Iterator[Any]) -> Iterator[SourceRecord | Rejected]:
    typed = [f.name for f in schema if _needs_conversion(f.type)]
    index = 0
    for batch in batches:
        for row in batch.to_pylist():
            if typed:
                try:
                    for name in typed:
                        row[name] = json_value(row[name], name)
                except _NotText as exc:
                    yield Rejected(index, index + 1, f"field {exc.path!r} holds bytes that are not UTF-8 text "
                                   "(an image or other binary data): they cannot be scanned; drop the column, "
                                   "or store the text as a string column", f"<binary column {exc.path}>")
                    index += 1
                    continue
            yield SourceRecord(index, index + 1, row)
            index += 1


def _needs_conversion(arrow_type: Any) -> bool:
    """Does a column of this Arrow type give Python values that are not JSON?"""
    import pyarrow as pa

    t = pa.types
    if t.is_temporal(arrow_type) or t.is_decimal(arrow_type) or t.is_binary(arrow_type) \
            or t.is_large_binary(arrow_type) or t.is_fixed_size_binary(arrow_type):
        return True
    if t.is_struct(arrow_type):
        return any(_needs_conversion(arrow_type.field(i).type) for i in range(arrow_type.num_fields))
    if t.is_list(arrow_type) or t.is_large_list(arrow_type) or t.is_fixed_size_list(arrow_type):
        return _needs_conversion(arrow_type.value_type)
    if t.is_map(arrow_type):
        return _needs_conversion(arrow_type.key_type) or _needs_conversion(arrow_type.item_type)
    return t.is_dictionary(arrow_type) and _needs_conversion(arrow_type.value_type)


def json_value(value: Any, path: str) -> Any:
    """``value`` with every timestamp, date, time, duration, decimal and bytes made JSON."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise _NotText(path) from None
    if isinstance(value, dict):
        return {k: json_value(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return str(value)  # pandas / Arrow extension objects: their text, never a crash in the writer
