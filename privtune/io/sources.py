"""Opening an input file: transparent .gz/.zst decompression and a text-encoding sniff.

Exports from CRMs and ticket systems arrive compressed, with a byte-order mark, in GB18030 or
in UTF-16; a reader that assumes plain UTF-8 turns each of those into a pile of rejected lines.
The sniff looks at the start of the (decompressed) file only, so it costs one small read.
"""

from __future__ import annotations

import codecs
import hashlib
import importlib.util
import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from privtune.errors import InputError

COMPRESSED_SUFFIXES = (".gz", ".zst")
SNIFF_BYTES = 1 << 16


def file_sha256(path: str | os.PathLike[str]) -> str:
    """``sha256:<hex>`` of a file's bytes, read in 1 MiB blocks (inputs, outputs and reports alike)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


_RAW_BYTES = re.compile("[\udc80-\udcff]+")


def undo_surrogates(text: str, whole: bool = False) -> str:
    """``text`` holding lone surrogates (the bytes of a file or folder name that is not UTF-8, as
    Python hands them over: GBK names from a zip made on a Chinese Windows) decoded as GB18030 as
    a whole when ``whole`` (one name) and it is that, else run by run, else shown as U+FFFD. No
    JSON report or console can write the surrogates."""
    if _RAW_BYTES.search(text) is None:
        return text
    if whole:
        # The whole as GB18030: some GBK byte pairs are valid UTF-8 ("\xce\xb0" is "ΰ") and came
        # through as characters, so a name decodes right only in one piece.
        try:
            return text.encode("utf-8", "surrogateescape").decode("gb18030")
        except UnicodeDecodeError:
            pass

    def decode(m: re.Match[str]) -> str:
        raw = m.group().encode("utf-8", "surrogateescape")
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", errors="replace")

    return _RAW_BYTES.sub(decode, text)


def strip_compression(name: str) -> str:
    """``data.jsonl.gz`` -> ``data.jsonl`` (lower-cased)."""
    name = name.lower()
    for suffix in COMPRESSED_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


_GZIP_MAGIC, _ZSTD_MAGIC = b"\x1f\x8b", b"\x28\xb5\x2f\xfd"


def open_binary(path: str | os.PathLike[str]) -> BinaryIO:
    """The file's bytes, decompressed when its name ends in .gz or .zst, or when its first
    bytes say so (exports are often compressed under a plain .jsonl/.csv name, which used to
    be read as text in an unknown encoding)."""
    p = Path(path)
    name = p.name.lower()
    if not name.endswith((".gz", ".zst")) and p.is_file():
        with open(p, "rb") as fh:
            head = fh.read(4)
        name += ".gz" if head[:2] == _GZIP_MAGIC else ".zst" if head == _ZSTD_MAGIC else ""
    # Both raise InputError for a file cut short or damaged (`privtune.io.compressed`).
    if name.endswith(".gz"):
        from privtune.io.compressed import CheckedGzipFile

        return CheckedGzipFile(p)  # type: ignore[return-value]
    if name.endswith(".zst"):
        if importlib.util.find_spec("zstandard") is None:  # pragma: no cover - a declared dependency
            raise InputError("reading .zst needs the zstandard package (pip install zstandard)", path=str(p))
        from privtune.io.compressed import open_zstd

        return open_zstd(p)
    return open(p, "rb")


@dataclass(frozen=True)
class EncodingGuess:
    """The codec to read with and how it was chosen ("given", "BOM", "sniffed", "default")."""

    encoding: str
    source: str
    note: str = ""


def _valid(sample: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        return True
    except UnicodeDecodeError:
        return False


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _single_byte_accents(sample: bytes) -> bool:
    """Do the sample's non-ASCII bytes stand alone, as Windows-1252's accented letters do
    ("m\\xf6chte", "R\\xfcckruf")? GB18030 writes a Chinese character as two high bytes (the
    common ones both in 0xA1-0xFE), so its high bytes come in runs of two or more. A
    Western-European Excel export is most often valid GB18030 too, and read so it became
    mojibake ("m鯿hte") in which no name is found."""
    runs = [len(m.group()) for m in _HIGH_RUN.finditer(sample)]
    return bool(runs) and sum(1 for n in runs if n == 1) * 3 >= len(runs) * 2  # two runs in three alone


# Characters Chinese text is made of: ASCII, CJK punctuation, ideographs, full-width forms,
# quotes, the ellipsis and the middle dot. Anything else in a decoding is a sign of the wrong one.
_ODD = re.compile(r"[^\x00-\x7f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u2018-\u201d\u2026\u00b7]")


def _reads_better_as_big5(sample: bytes) -> bool:
    """Is a sample valid as GB18030 really Big5 (a Taiwan or Hong Kong Excel export)? Nearly
    every Big5 byte pair is a valid GBK pair too, so it decodes, into kana, private-use and
    rare characters ("陳大文" reads "朝\ue610ゅ"), and no name or cue in it was found. The
    decoding with fewer characters outside what Chinese text is made of wins; on a tie GB18030."""
    odd_gb = len(_ODD.findall(sample.decode("gb18030", errors="replace")))
    if odd_gb == 0:
        return False
    try:
        as_big5 = codecs.getincrementaldecoder("cp950")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return len(_ODD.findall(as_big5)) < odd_gb


def file_encoding(path: str | os.PathLike[str], given: str | None = None) -> str:
    """The encoding to read ``path`` with: ``given``, else sniffed (`sniff_encoding`), so that
    train and audit read what scan reads (a GB18030 CSV export, UTF-16 from Excel).

    A missing path or a folder is the `InputError` `iter_records` gives (this runs first: it
    was a bare FileNotFoundError / IsADirectoryError traceback)."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", path=str(p))
    if p.is_dir():
        raise InputError("is a directory, expected a data file", path=str(p),
                         hint="train and audit read one file: pass the file (`privtune scan DIR --out FILE` "
                              "writes a folder's records into one)")
    return sniff_encoding(path, given).encoding


def sniff_encoding(path: str | os.PathLike[str], given: str | None = None) -> EncodingGuess:
    """``given`` when set (a UTF-8 BOM is still skipped); otherwise from a BOM, the UTF-16 NUL
    pattern, UTF-8 validity, then Windows-1252 (lone accented bytes) or GB18030 validity of the
    first 64 KiB."""
    with open_binary(path) as fh:
        sample = fh.read(SNIFF_BYTES)
    if given is not None:
        if codecs.lookup(given).name == "utf-8" and sample.startswith(codecs.BOM_UTF8):
            return EncodingGuess("utf-8-sig", "given")
        return EncodingGuess(given, "given")
    if sample.startswith(codecs.BOM_UTF8):
        return EncodingGuess("utf-8-sig", "BOM", "UTF-8 with a byte-order mark")
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return EncodingGuess("utf-16", "BOM", "UTF-16 (byte-order mark)")
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > len(odd) * 0.3 and even.count(0) < len(even) * 0.05:
            return EncodingGuess("utf-16-le", "sniffed", "UTF-16 LE without a byte-order mark")
        if even.count(0) > len(even) * 0.3 and odd.count(0) < len(odd) * 0.05:
            return EncodingGuess("utf-16-be", "sniffed", "UTF-16 BE without a byte-order mark")
    if _valid(sample, "utf-8"):
        return EncodingGuess("utf-8", "default")
    if _single_byte_accents(sample) and _valid(sample, "cp1252"):
        return EncodingGuess("cp1252", "sniffed", "not valid UTF-8; lone accented bytes: Windows-1252 (Western European)")
    if _valid(sample, "gb18030"):
        if _reads_better_as_big5(sample):
            return EncodingGuess("cp950", "sniffed", "not valid UTF-8; decodes as Big5 (Traditional Chinese)")
        return EncodingGuess("gb18030", "sniffed", "not valid UTF-8; decodes as GB18030 (GBK)")
    return EncodingGuess("utf-8", "default", "neither UTF-8 nor GB18030; undecodable lines are rejected")


@contextlib.contextmanager
def spooled_stdin(fmt: str | None = None, stream: BinaryIO | None = None) -> Iterator[tuple[Path, str | None]]:
    """Standard input copied to a private temporary file (0600 in a 0700 directory, removed on
    exit), for readers that pass over their input more than once (`privtune scan -`). The file
    is named for ``fmt``; without it, JSON (lines or an array) is recognised by its first
    character and anything else needs ``fmt`` (`InputError`)."""
    stream = stream if stream is not None else sys.stdin.buffer
    head = stream.read(SNIFF_BYTES)
    if fmt is None:
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if first not in (b"{", b"["):
            raise InputError("cannot tell the format of standard input", path="-",
                             hint="pass --format jsonl, json, csv or text")
    suffix = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet", "text": ".txt"}.get(fmt or "", ".json")
    folder = tempfile.mkdtemp(prefix="privtune-stdin-")  # 0700
    path = Path(folder) / f"stdin{suffix}"
    try:
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
            fh.write(head)
            shutil.copyfileobj(stream, fh, 1 << 20)
        yield path, fmt
    finally:
        shutil.rmtree(folder, ignore_errors=True)
