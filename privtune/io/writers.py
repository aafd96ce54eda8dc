"""Atomic output files: write to a temp file beside the target, fsync, then rename.

A Ctrl-C or crash therefore leaves either the old file or the complete new one, never half.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from privtune.errors import ConfigError
from privtune.io.sources import undo_surrogates

# Suffixes a JSONL output may carry: what `privtune.io.readers.detect_format` reads back as JSON
# lines (a ``.json`` file of one object per line is sniffed as JSONL).
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


class AtomicWriter:
    """Context manager yielding a text handle; the target appears only on clean exit."""

    def __init__(self, path: str | os.PathLike[str], mode: str = "w", encoding: str = "utf-8") -> None:
        self.path = Path(path)
        self.mode = mode
        self.encoding = None if "b" in mode else encoding
        self._tmp: str | None = None
        self._fh: IO[Any] | None = None

    def __enter__(self) -> IO[Any]:
        # An output path given by the user (`--out`) that names a directory, or lies under a file,
        # was an IsADirectoryError / FileExistsError traceback, the first only after the whole
        # output had been computed and written to the temp file.
        if self.path.is_dir():
            raise ConfigError(f"{self.path}: is a directory; give the path of a file to write")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        except (FileExistsError, NotADirectoryError):
            raise ConfigError(f"{self.path}: cannot be written: a part of its folder path is a file") from None
        except PermissionError:
            raise ConfigError(f"{self.path}: cannot be written: permission denied in {self.path.parent}") from None
        self._fh = os.fdopen(fd, self.mode, encoding=self.encoding)
        return self._fh

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._fh is not None and self._tmp is not None
        try:
            if exc_type is None:
                self._fh.flush()
                os.fsync(self._fh.fileno())
            self._fh.close()
            if exc_type is None:
                os.replace(self._tmp, self.path)
                return
        finally:
            if os.path.exists(self._tmp):
                os.unlink(self._tmp)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a path that is not UTF-8 (a GBK folder name) in a report
        text = undo_surrogates(text)
    with AtomicWriter(path) as fh:
        fh.write(text)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with AtomicWriter(path, "wb") as fh:
        fh.write(data)


def atomic_write_json(path: str | os.PathLike[str], obj: Any, indent: int | None = 2) -> None:
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=indent) + "\n")


# What ``json.dumps(obj, ensure_ascii=False, separators=(",", ":"))`` builds on every call (it
# constructs an encoder per call when given options): one shared, stateless instance gives the
# same text ~1 µs sooner per line.
_JSONL_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def jsonl_line(obj: Any) -> str:
    """One JSONL line (with its newline) as `JsonlWriter.write` writes ``obj``."""
    return _JSONL_ENCODER.encode(obj) + "\n"


def _plain_name(path: str | os.PathLike[str]) -> str:
    name = Path(path).name.lower()
    for suffix in (".gz", ".zst"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_csv_output(path: str | os.PathLike[str]) -> bool:
    """A ``.csv`` / ``.tsv`` name (optionally .gz/.zst): the cleaned records are written as CSV."""
    return _plain_name(path).endswith((".csv", ".tsv"))


def jsonl_output_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot name a JSONL output, or None.

    The readers choose the format from the suffix, so a JSONL file named ``.csv``, ``.parquet``
    or with no suffix would be misread by the next stage (or by the dataset fingerprint).
    """
    if _plain_name(path).endswith(JSONL_SUFFIXES):
        return None
    return (f"'{Path(path).name}' does not end in .jsonl: this output is JSON lines, and the next stage "
            "reads a file by its suffix (use .jsonl, .ndjson or .json, optionally with .gz or .zst)")


class JsonlWriter:
    """Streaming JSONL writer on top of `AtomicWriter`; counts lines written.

    A name ending in ``.gz`` or ``.zst`` is written compressed (gzip with no timestamp, so the
    bytes depend on the content only), as the readers expect.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        name = Path(path).name.lower()
        self._compression = ".gz" if name.endswith(".gz") else ".zst" if name.endswith(".zst") else None
        self._atomic = AtomicWriter(path, "wb" if self._compression else "w")
        self._fh: IO[str] | None = None
        self._layers: list[IO[Any]] = []
        self.count = 0

    def __enter__(self) -> "JsonlWriter":
        raw = self._atomic.__enter__()
        if self._compression is None:
            self._fh = raw
            return self
        if self._compression == ".gz":
            packed: IO[Any] = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)
        else:
            import zstandard

            packed = zstandard.ZstdCompressor().stream_writer(raw, closefd=False)  # type: ignore[assignment]
        self._fh = io.TextIOWrapper(packed, encoding="utf-8", newline="\n")
        self._layers = [self._fh, packed]
        return self

    def write(self, obj: Any) -> None:
        assert self._fh is not None
        self._fh.write(_JSONL_ENCODER.encode(obj) + "\n")
        self.count += 1

    def write_lines(self, text: str, count: int) -> None:
        """Write ``count`` JSONL lines already encoded (each as `jsonl_line` gives it), in one call."""
        assert self._fh is not None
        self._fh.write(text)
        self.count += count

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._layers and exc_type is None:
            # Flush the text layer and write the compressed stream's trailer; the raw file stays
            # open for `AtomicWriter` to fsync and rename.
            self._layers[0].flush()
            self._layers[0].detach()  # type: ignore[attr-defined]
            # Closing writes the gzip trailer / ends the zstd frame; neither layer closes the raw
            # file (GzipFile never closes a fileobj it was given; the zstd writer has closefd=False).
            self._layers[1].close()
        self._atomic.__exit__(exc_type, exc, tb)


def is_text_output(path: str | os.PathLike[str]) -> bool:
    """A ``.txt`` name (optionally .gz/.zst): a plain-text input's lines, written back as lines."""
    return _plain_name(path).endswith(".txt")


class TextLineWriter(JsonlWriter):
    """A plain-text input's records (``{"text": line}``) as one line each, compressed like
    `JsonlWriter` by the name."""

    def write(self, obj: Any) -> None:
        assert self._fh is not None
        line = obj["text"]
        # A chat export's message over several lines is one record (`io.chat_text`), written
        # back as those lines; a replacement never adds a line break, nor a carriage return.
        if "\r" in line:
            raise ValueError(f"record {self.count + 1}: a carriage return in a text record")
        self._fh.write(line + "\n")
        self.count += 1

    def write_lines(self, text: str, count: int) -> None:
        raise NotImplementedError("TextLineWriter writes records one by one")


def is_json_array_output(path: str | os.PathLike[str]) -> bool:
    """A ``.json`` name (optionally .gz/.zst): written as one JSON array when the input was one."""
    return _plain_name(path).endswith(".json")


class JsonArrayWriter(JsonlWriter):
    """Records as one JSON array, one record per line (``[``, ``{...},``, ..., ``]``), compressed
    like `JsonlWriter` by the name. For a ``.json`` input that held an array: ``json.load``,
    pandas and the readers all take it, where JSON lines under a ``.json`` name fail the first two."""

    def write(self, obj: Any) -> None:
        assert self._fh is not None
        self._fh.write(("[\n" if self.count == 0 else ",\n") + _JSONL_ENCODER.encode(obj))
        self.count += 1

    def write_lines(self, text: str, count: int) -> None:
        raise NotImplementedError("JsonArrayWriter writes records one by one")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None and self._fh is not None:
            self._fh.write("[]\n" if self.count == 0 else "\n]\n")
        super().__exit__(exc_type, exc, tb)


class CsvRecordWriter(JsonlWriter):
    """Flat records (a CSV input's rows) as CSV, the header from the first record, values as
    written (``None`` empty); compressed like `JsonlWriter` by the name. ``bom`` starts the file
    with a UTF-8 byte-order mark, as the input had one (Excel reads UTF-8 by it). ``header``
    False writes no header row (the input had none)."""

    def __init__(self, path: str | os.PathLike[str], delimiter: str = ",", bom: bool = False,
                 header: bool = True) -> None:
        super().__init__(path)
        self.delimiter, self.bom, self.header = delimiter, bom, header
        self._csv: Any = None
        self._columns: list[str] | None = None

    def write(self, obj: Any) -> None:
        assert self._fh is not None
        if self._csv is None:
            if self.bom:
                self._fh.write("\ufeff")
            self._columns = list(obj)
            self._csv = csv.writer(self._fh, delimiter=self.delimiter, lineterminator="\n")
            if self.header:
                self._csv.writerow(self._columns)
        if list(obj) != self._columns:  # a CSV input's rows share its header: a bug, not user data
            raise ValueError(f"record {self.count + 1} has other columns than the first; CSV needs one header")
        self._csv.writerow(["" if v is None else v for v in obj.values()])
        self.count += 1
