"""Disk-backed storage for cross-record curation state, so RAM stays flat however long the input.

Two kinds of store, both anonymous (nothing to clean up after a crash):

- `temp_db`: a private temporary SQLite database (keyed lookups, sorting, small tables). SQLite
  keeps at most ``cache_kib`` of pages in memory and spills the rest to an unlinked temporary
  file in ``$SQLITE_TMPDIR``/``$TMPDIR``; the file is removed when the connection closes.
- `Spill`: an append-only array of fixed-size rows (a numpy dtype) in an unlinked temporary file
  (``tempfile.TemporaryFile`` in ``$TMPDIR``), written sequentially through a small buffer and
  read back in chunks. Cheaper than SQLite for per-record columns that are only scanned.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator

import numpy as np
from numpy.typing import DTypeLike

__all__ = ["Spill", "temp_db"]


def temp_db(cache_kib: int) -> sqlite3.Connection:
    """A private on-disk temporary SQLite database with at most ``cache_kib`` KiB of page cache,
    no journal, and an open transaction (callers COMMIT/BEGIN periodically to bound it)."""
    # "" = private temporary database, deleted automatically when the connection closes.
    db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
    for pragma in (f"cache_size=-{int(cache_kib)}", "journal_mode=OFF", "synchronous=OFF",
                   "temp_store=FILE", "locking_mode=EXCLUSIVE"):
        db.execute(f"PRAGMA {pragma}")
    db.execute("BEGIN")
    return db


class Spill:
    """Append-only rows of one numpy ``dtype`` in an anonymous temporary file.

    `append` takes an array of rows or the raw bytes of ``rows`` rows; once appending is done,
    everything is readable in order with `chunks`, sequentially with `rewind` + `take`, or by
    row number with `rows_at`. At most ``buffer_bytes`` are held in memory. `close`
    (idempotent) frees the file.
    """

    def __init__(self, dtype: DTypeLike, *, buffer_bytes: int = 1 << 18) -> None:
        self.dtype = np.dtype(dtype)
        self.rows = 0
        self._fh = tempfile.TemporaryFile(prefix="privtune-spill-")
        self._buf = bytearray()
        self._limit = buffer_bytes

    def append(self, data: np.ndarray | bytes, rows: int = 1) -> None:
        """Append an array of rows (any leading length) or ``rows`` rows of raw bytes."""
        if isinstance(data, np.ndarray):
            rows = len(data)
            data = np.ascontiguousarray(data, dtype=self.dtype).tobytes()
        self._buf += data
        self.rows += rows
        if len(self._buf) >= self._limit:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows to the file and release the buffer."""
        if self._buf:
            self._fh.seek(0, os.SEEK_END)
            self._fh.write(self._buf)
            self._buf = bytearray()

    def chunks(self, rows: int) -> Iterator[np.ndarray]:
        """All rows in order, ``rows`` at a time (read-only arrays)."""
        self.rewind()
        while len(chunk := self.take(rows)):
            yield chunk

    def rewind(self) -> None:
        """Flush and move the `take` cursor back to the first row."""
        self.flush()
        self._fh.flush()
        self._fh.seek(0)

    def take(self, rows: int) -> np.ndarray:
        """The next ``rows`` rows after the cursor (fewer at the end; an empty array when done)."""
        data = self._fh.read(rows * self.dtype.itemsize)
        return np.frombuffer(data, dtype=self.dtype)

    def rows_at(self, index: np.ndarray) -> np.ndarray:
        """The rows with the given row numbers, in the order given (one read each); the `take`
        cursor is left where it was."""
        self.flush()
        size, fh = self.dtype.itemsize, self._fh
        cursor = fh.tell()
        parts = []
        for i in index:
            fh.seek(int(i) * size)
            parts.append(fh.read(size))
        fh.seek(cursor)
        return np.frombuffer(b"".join(parts), dtype=self.dtype)

    def close(self) -> None:
        """Free the temporary file. Idempotent."""
        self._buf = bytearray()
        self._fh.close()
