"""Where a scan's files go and how the cleaned records are written: the default report and
rejects paths beside ``--out``, the writer for ``--out``'s format, and the files' hashes."""

from __future__ import annotations

import codecs

from pathlib import Path

from privtune.io.csv_format import csv_file_delimiter, csv_file_has_header
from privtune.io.sources import file_sha256, strip_compression
from privtune.io.writers import (
    CsvRecordWriter,
    JsonArrayWriter,
    JsonlWriter,
    TextLineWriter,
    is_csv_output,
    is_json_array_output,
    is_text_output,
)
from privtune.scan.config import ScanConfig


sha256_file = file_sha256  # the scan's name for it

def _beside(base: Path, suffix: str) -> Path:
    name = base.name[: len(strip_compression(base.name))]  # clean.jsonl.gz -> clean.<suffix>
    for ext in (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet", ".txt"):
        if name.endswith(ext):
            name = name[: -len(ext)]
            break
    return base.with_name(name + suffix)


def default_rejects_path(cfg: ScanConfig) -> Path:
    return _beside(cfg.out if cfg.out is not None else cfg.input, ".rejects.jsonl")


def default_report_path(cfg: ScanConfig) -> Path | None:
    """Where the JSON report goes without --report: beside --out (clean.jsonl -> clean.scan-report.json),
    where `privtune train` finds it and links the scan into the run's provenance. Without it the
    default flow (scan --out, then train) recorded "no scan report found" for scanned data."""
    return None if cfg.out is None else _beside(cfg.out, ".scan-report.json")


def output_writer(cfg: ScanConfig, input_info: dict[str, str], fmt: str, first_file: Path | None = None) -> JsonlWriter:
    """The writer of the cleaned records, chosen by ``--out``'s name (`ScanConfig` checked that it
    fits the input): JSONL; one JSON array for a ``.json`` name when the input was a JSON array
    (or objects); lines for a ``.txt`` name (a plain-text input); CSV for a ``.csv``/``.tsv`` name
    (a CSV input's rows): the input's delimiter for ``.csv`` (a ";" export stays ";"), a tab for
    ``.tsv``, and a byte-order mark if the input had one or was not UTF-8 (`csv_output_bom`).
    ``first_file``: the file whose CSV header decides (a folder's first), default the input."""
    assert cfg.out is not None
    if is_text_output(cfg.out):  # a plain-text input (`ScanConfig` checked it): one line per record
        return TextLineWriter(cfg.out)
    if not is_csv_output(cfg.out):
        if fmt == "json" and is_json_array_output(cfg.out):
            return JsonArrayWriter(cfg.out)
        return JsonlWriter(cfg.out)
    tsv = strip_compression(str(cfg.out)).lower().endswith(".tsv")
    sample = first_file or cfg.input
    delimiter = "\t" if tsv else csv_file_delimiter(sample, input_info["encoding"])
    header = fmt != "csv" or csv_file_has_header(sample, input_info["encoding"])
    return CsvRecordWriter(cfg.out, delimiter=delimiter, bom=csv_output_bom(input_info["encoding"]), header=header)


def csv_output_bom(input_encoding: str) -> bool:
    """Does the cleaned CSV start with a UTF-8 byte-order mark? Yes when the input had one, and
    when the input was in another encoding (a GB18030 or Windows-1252 export from Excel): the
    output is always UTF-8, and Excel reads a CSV without the mark in the machine's legacy code
    page, which turns every Chinese or accented character into mojibake."""
    name = codecs.lookup(input_encoding).name if input_encoding != "binary" else "utf-8"
    return input_encoding == "utf-8-sig" or name != "utf-8"
