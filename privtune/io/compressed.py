"""Compressed inputs that are cut short or damaged: a named error, not a crash or silent loss.

A download that stopped early or a copy that broke leaves a .gz or .zst file whose end is
missing. Python's gzip raises EOFError there, which the command-line layer (click) takes for
Ctrl-D and answers with a bare "Aborted."; a damaged member raised a bare ``BadGzipFile``
traceback; and zstandard's stream reader stops without a word at the end of a cut frame, so a
cut file read as "no records" (or as the records before the cut). These readers raise
`InputError` naming the file; a zstd file's frames are all read (``cat a.zst b.zst``).
"""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path
from typing import BinaryIO

from privtune.errors import InputError

_HINT = "the file is cut short or damaged: download or export it again (gzip -t / zstd -t FILE tests it)"


class CheckedGzipFile(gzip.GzipFile):
    """`gzip.GzipFile` whose read errors are `InputError`\\ s naming the file."""

    def __init__(self, path: Path) -> None:
        super().__init__(filename=str(path), mode="rb")
        self._path = str(path)

    def _failed(self, exc: Exception) -> InputError:
        what = "ends before its end marker" if isinstance(exc, EOFError) else f"is damaged ({exc})"
        return InputError(f"the gzip file {what}", path=self._path, hint=_HINT)

    def read(self, size: int | None = -1) -> bytes:
        try:
            return super().read(size)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise self._failed(exc) from None

    def read1(self, size: int = -1) -> bytes:
        try:
            return super().read1(size)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise self._failed(exc) from None

    def readline(self, size: int | None = -1) -> bytes:
        try:
            return super().readline(size)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise self._failed(exc) from None

    def peek(self, n: int) -> bytes:
        try:
            return super().peek(n)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise self._failed(exc) from None


class ZstdReader(io.RawIOBase):
    """The decompressed bytes of every frame of a zstd file; `InputError` if the last frame is
    cut short or a frame is damaged."""

    def __init__(self, path: Path) -> None:
        import zstandard

        self._zstd = zstandard
        self._raw = open(path, "rb")
        self._path = str(path)
        self._frame = zstandard.ZstdDecompressor().decompressobj()
        self._pending = b""
        self._started = False  # any input fed to the current frame

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            chunk = self._raw.read(1 << 16)
            if not chunk:
                if self._started and not self._frame.eof:
                    raise InputError("the zstd file ends inside a frame", path=self._path, hint=_HINT)
                return 0
            self._feed(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _feed(self, chunk: bytes) -> None:
        while chunk:
            if self._frame.eof:  # the next frame of a concatenated file
                self._frame = self._zstd.ZstdDecompressor().decompressobj()
            self._started = True
            try:
                self._pending += self._frame.decompress(chunk)
            except self._zstd.ZstdError as exc:
                raise InputError(f"the zstd file is damaged ({exc})", path=self._path, hint=_HINT) from None
            chunk = self._frame.unused_data if self._frame.eof else b""

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_zstd(path: Path) -> BinaryIO:
    return io.BufferedReader(ZstdReader(path))  # type: ignore[return-value]
