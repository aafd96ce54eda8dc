"""Shared I/O: streaming readers for JSONL / JSON / CSV / Parquet, record shapes, atomic writers.

Every stage reads training data through `iter_records` and addresses text through
`text_fields`, so a field path such as ``messages[2].content`` means the same thing in the
scan findings, the trainer and the audit.
"""

from privtune.io.readers import Rejected, SourceRecord, detect_format, iter_records
from privtune.io.records import RecordShape, detect_shape, get_field, set_field, text_fields
from privtune.io.writers import AtomicWriter, JsonlWriter, atomic_write_json, atomic_write_text

__all__ = [
    "AtomicWriter",
    "JsonlWriter",
    "Rejected",
    "RecordShape",
    "SourceRecord",
    "atomic_write_json",
    "atomic_write_text",
    "detect_format",
    "detect_shape",
    "get_field",
    "iter_records",
    "set_field",
    "text_fields",
]
