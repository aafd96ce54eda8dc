"""Streaming readers. Memory stays flat: JSONL, CSV and plain text are read line by line, JSON
arrays (or concatenated JSON objects) in 1 MiB chunks, Parquet and Arrow in row batches, mail
one message at a time. A plain-text file (``.txt``; chat and log exports) is one record
``{"text": line}`` per non-blank line, or per message in a chat export (`chat_text`). Which
reader a file needs is `formats.detect_format`'s; CSV rows are `csv_rows`', Parquet and Arrow
rows `parquet_rows`', e-mail `email_format`'s.

Every item of the input gets a 0-based ``index`` in input order (blank lines skipped), whether
it parses or not, so ``records in = records out + dropped + rejected`` can always be checked.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from privtune.errors import InputError
from privtune.io.jsonl_repair import LENIENT, join_cut_records
from privtune.io.mojibake import SIGNS as MOJIBAKE
from privtune.io.mojibake import repaired
from privtune.io.formats import BINARY_FORMATS, FORMATS, detect_format, head_text  # detect_format: also imported from here
from privtune.io.sources import open_binary, sniff_encoding

_CHUNK = 1 << 20
ENCODING_HINT = "the file is not valid {enc}; pass --encoding (e.g. --encoding gb18030 or utf-16)"


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One parsed input record. ``line`` is 1-based (row number for CSV/Parquet)."""

    index: int
    line: int
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input item that could not be parsed; ``raw`` keeps it so nothing is lost."""

    index: int
    line: int
    reason: str
    raw: str


def iter_records(
    path: str | os.PathLike[str], fmt: str | None = None, encoding: str | None = "utf-8"
) -> Iterator[SourceRecord | Rejected]:
    """Yield every input item as a `SourceRecord` or a `Rejected`, in input order.

    ``encoding=None`` sniffs it (`sniff_encoding`); .gz and .zst files are decompressed."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", path=str(p))
    if p.is_dir():
        raise InputError("is a directory, expected a data file", path=str(p))
    fmt = fmt or detect_format(p)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", path=str(p))
    if encoding is None:
        encoding = sniff_encoding(p).encoding if fmt not in BINARY_FORMATS and fmt != "email" else "utf-8"
    if fmt in ("jsonl", "json") and MOJIBAKE.search(head_text(p)) is not None:
        # Meta's exports (`io.mojibake`): UTF-8 escaped byte by byte, repaired record by record.
        yield from (_iter_jsonl(p, encoding, repair=True) if fmt == "jsonl" else _iter_json(p, encoding, repair=True))
        return
    reader = {"jsonl": _iter_jsonl, "json": _iter_json, "csv": _iter_csv, "parquet": _iter_parquet,
              "arrow": _iter_arrow, "xlsx": _iter_xlsx, "text": _iter_text, "email": _iter_email}[fmt]
    yield from reader(p, encoding)


def _json_reason(exc: json.JSONDecodeError) -> str:
    # Some messages end in "at" ("Unterminated string starting at"): no "at at column".
    msg = exc.msg[:-3] if exc.msg.endswith(" at") else exc.msg
    return f"invalid JSON: {msg} at column {exc.colno}"


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _surrogate_reason(source: str, obj: Any) -> str | None:
    """Why a parsed record cannot be kept as it is: a string holding half of a UTF-16 pair
    (JSON may escape one, "\\ud83d", e.g. where an exporter cut an emoji in two). No UTF-8 text
    can hold it, so every later step would fail on it. None if there is none (the escape test
    keeps this off the common path)."""
    if _SURROGATE_ESCAPE.search(source) is None:
        return None
    found = _find_surrogate(obj, "")
    if found is None:
        return None
    path, pos, char = found
    return (f"field {path!r} holds an unpaired UTF-16 surrogate \\u{ord(char):04x} at character {pos} "
            "(half of an emoji or other character cut in two by the exporter)")


def _find_surrogate(value: Any, path: str) -> tuple[str, int, str] | None:
    if isinstance(value, str):
        for pos, char in enumerate(value):
            if "\ud800" <= char <= "\udfff":
                return path or "(record)", pos, char
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        sub = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and _find_surrogate(key, "") is not None:
            return sub + " (its name)", 0, next(c for c in key if "\ud800" <= c <= "\udfff")
        found = _find_surrogate(item, sub)
        if found is not None:
            return found
    return None


TOO_DEEP = "JSON nested too deeply to read (objects inside objects, about 1,000 levels or more)"


def _parse_line(index: int, line_no: int, text: str) -> SourceRecord | Rejected:
    # Without its line end: a string cut off at the end of the line is "unterminated", not an
    # "invalid control character" (the newline).
    text = text.rstrip("\r\n")
    try:
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            if not exc.msg.startswith("Invalid control character"):
                raise
            obj = LENIENT.decode(text)  # a raw TAB, NUL or line break in a string (`jsonl_repair`)
    except json.JSONDecodeError as exc:
        return Rejected(index, line_no, _json_reason(exc), text)
    except RecursionError:  # was a bare traceback that ended the scan
        return Rejected(index, line_no, TOO_DEEP, text)
    if isinstance(obj, dict):
        bad = _surrogate_reason(text, obj)
        return SourceRecord(index, line_no, obj) if bad is None else Rejected(index, line_no, bad, text)
    return Rejected(index, line_no, f"expected a JSON object, got {type(obj).__name__}", text)


def _parse_repairing(index: int, line_no: int, text: str) -> SourceRecord | Rejected:
    """`_parse_line`, and a record showing mojibake repaired (`io.mojibake`)."""
    item = _parse_line(index, line_no, text)
    if isinstance(item, SourceRecord) and MOJIBAKE.search(text) is not None:
        return SourceRecord(item.index, item.line, repaired(item.data))
    return item


def _text_line(index: int, line_no: int, text: str) -> SourceRecord:
    return SourceRecord(index, line_no, {"text": text.rstrip("\r\n")})


def _iter_text(path: Path, encoding: str) -> Iterator[SourceRecord | Rejected]:
    """One record ``{"text": line}`` per non-blank line (line end removed, nothing else); in a
    chat or log export, one per message (`chat_text.group_messages`)."""
    from privtune.io.chat_text import group_messages

    yield from group_messages(_iter_jsonl(path, encoding, parse=_text_line))


def _iter_email(path: Path, encoding: str) -> Iterator[SourceRecord | Rejected]:
    """One record per e-mail message (`privtune.io.email_format`)."""
    from privtune.io.email_format import iter_email_records

    return iter_email_records(path, SourceRecord, Rejected, _BLANK_BYTES)


# A line of these alone is blank: whitespace, and the DOS end-of-file mark (Ctrl-Z) and NULs that
# old exporters leave at the end of a file.
_BLANK_BYTES = b" \t\r\n\x0b\x0c\x1a\x00"


def _iter_jsonl(path: Path, encoding: str, parse: Any = None, repair: bool = False) -> Iterator[SourceRecord | Rejected]:
    if parse is None:  # JSON lines: records cut by raw line breaks are read whole (`jsonl_repair`)
        parse = _parse_repairing if repair else _parse_line
        yield from join_cut_records(_iter_jsonl(path, encoding, parse), parse)
        return
    if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
        yield from _iter_jsonl_wide(path, encoding, parse)
        return
    index = 0
    offset = 0
    with open_binary(path) as fh:
        for line_no, raw in enumerate(fh, start=1):
            start, offset = offset, offset + len(raw)
            if raw.startswith(codecs.BOM_UTF8):  # any line: files concatenated with `cat` keep theirs
                raw, start = raw[3:], start + 3
            if not raw.strip(_BLANK_BYTES):
                continue
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                reason = f"not valid {encoding} at byte offset {start + exc.start}; " + ENCODING_HINT.format(enc=encoding)
                yield Rejected(index, line_no, reason, raw.decode(encoding, errors="replace").rstrip("\r\n"))
                index += 1
                continue
            yield parse(index, line_no, text)
            index += 1


def _iter_jsonl_wide(path: Path, encoding: str, parse: Any) -> Iterator[SourceRecord | Rejected]:
    """JSONL in UTF-16/32, where a newline is not one byte: decoded as a text stream."""
    stream = io.TextIOWrapper(open_binary(path), encoding=encoding, newline="")
    index = 0
    try:
        for line_no, text in enumerate(stream, start=1):
            text = text.lstrip("\ufeff") if line_no == 1 else text
            if text.strip():
                yield parse(index, line_no, text)
                index += 1
    except UnicodeDecodeError:
        raise InputError(f"not valid {encoding}", path=str(path), line=index + 1,
                         hint=ENCODING_HINT.format(enc=encoding)) from None
    finally:
        stream.close()


def _decoded_chunks(path: Path, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed = 0
    with open_binary(path) as fh:
        while True:
            block = fh.read(_CHUNK)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"not valid {encoding}",
                    path=str(path),
                    byte_offset=consumed + exc.start,
                    hint=ENCODING_HINT.format(enc=encoding),
                ) from None
            consumed += len(block)
            if consumed == len(block) and text.startswith("\ufeff"):
                text = text[1:]
            if text:
                yield text
            if not block:
                return


def _iter_json(path: Path, encoding: str, repair: bool = False) -> Iterator[SourceRecord | Rejected]:
    """A top-level array of objects, a single object, or concatenated objects, streamed."""
    decoder = json.JSONDecoder()
    buf, pos, line, index = "", 0, 1, 0
    in_array: bool | None = None
    chunks = _decoded_chunks(path, encoding)
    exhausted = False

    def refill() -> bool:
        nonlocal buf, pos, exhausted
        if exhausted:
            return False
        nxt = next(chunks, None)
        if nxt is None:
            exhausted = True
            return False
        buf = buf[pos:] + nxt
        pos = 0
        return True

    while True:
        # Skip whitespace and separators, counting lines.
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                if buf[pos] == "\n":
                    line += 1
                if buf[pos] == "," and not in_array:
                    raise InputError("unexpected ',' between top-level JSON values", path=str(path), line=line)
                pos += 1
            if pos < len(buf) or not refill():
                break
        if pos >= len(buf):
            if in_array:
                raise InputError("JSON array is not closed (missing ']')", path=str(path), line=line)
            return
        ch = buf[pos]
        if in_array is None:
            in_array = ch == "["
            if in_array:
                pos += 1
                continue
        if ch == "]" and in_array:
            pos += 1
            in_array = False
            continue
        while True:
            try:
                obj, end = decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if refill():
                    continue
                raise InputError(f"invalid JSON: {exc.msg}", path=str(path), line=line + buf.count("\n", pos, exc.pos)) from None
            except RecursionError:
                # Its end cannot be found without parsing it, so nothing after it can be read.
                raise InputError(TOO_DEEP, path=str(path), line=line,
                                 hint="flatten the record, or convert the file to JSONL so one bad line is a reject") from None
        start_line = line
        line += buf.count("\n", pos, end)
        raw = buf[pos:end]
        pos = end
        bad = _surrogate_reason(raw, obj) if isinstance(obj, dict) else None
        if bad is not None:
            yield Rejected(index, start_line, bad, raw[:10000])
        elif isinstance(obj, dict):
            yield SourceRecord(index, start_line, repaired(obj) if repair and MOJIBAKE.search(raw) else obj)
        else:
            yield Rejected(index, start_line, f"expected a JSON object, got {type(obj).__name__}", raw[:10000])
        index += 1


def _iter_csv(path: Path, encoding: str) -> Iterator[SourceRecord | Rejected]:
    from privtune.io.csv_rows import iter_csv_rows

    return iter_csv_rows(path, encoding)


def _iter_parquet(path: Path, encoding: str) -> Iterator[SourceRecord | Rejected]:
    from privtune.io.parquet_rows import iter_parquet_rows

    return iter_parquet_rows(path)


def _iter_arrow(path: Path, encoding: str) -> Iterator[SourceRecord | Rejected]:
    from privtune.io.parquet_rows import iter_arrow_rows

    return iter_arrow_rows(path)


def _iter_xlsx(path: Path, encoding: str) -> Iterator[SourceRecord | Rejected]:
    from privtune.io.xlsx_rows import iter_xlsx_rows

    return iter_xlsx_rows(path)
