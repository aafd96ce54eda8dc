"""Which reader a file needs: its format from its name, and from its first bytes where the
name says too little (a .json of lines, a .jsonl holding one array, a .txt that is a TAB table).
Documents, archives, mail stores and web pages are refused with a hint."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from privtune.errors import InputError
from privtune.io.sources import SNIFF_BYTES, open_binary, sniff_encoding, strip_compression

Format = Literal["jsonl", "json", "csv", "parquet", "arrow", "xlsx", "text", "email"]
FORMATS: tuple[str, ...] = ("jsonl", "json", "csv", "parquet", "arrow", "xlsx", "text", "email")
# Formats read as bytes, not text: no encoding to sniff or to name.
BINARY_FORMATS = frozenset({"parquet", "arrow", "xlsx"})


def detect_format(path: str | os.PathLike[str]) -> Format:
    """Format from the file suffix (after any .gz/.zst); for ``.json`` the content decides
    array vs lines."""
    if Path(path).is_dir():
        raise InputError("is a directory, expected a data file", path=str(path),
                         hint="pass one data file; `privtune scan DIR --out FILE` reads a folder of data files into one")
    name = strip_compression(str(path))
    if name.endswith((".jsonl", ".ndjson")):
        return _sniff_jsonl(Path(path))
    if name.endswith(".txt") and _is_tab_table(Path(path)):
        return "csv"
    for suffix, fmt in ((".parquet", "parquet"), (".arrow", "arrow"), (".feather", "arrow"), (".csv", "csv"),
                        (".tsv", "csv"), (".txt", "text"), (".md", "text"), (".log", "text"), (".text", "text"),
                        (".eml", "email"), (".mbox", "email")):
        if name.endswith(suffix):
            return fmt  # type: ignore[return-value]
    if name.endswith(".json"):
        return _sniff_json(Path(path))
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".xls", ".ods", ".numbers")):
        raise InputError("old Excel (.xls), OpenDocument and Numbers workbooks are not read", path=str(path),
                         hint="save it as .xlsx, or save each sheet as 'CSV UTF-8', and scan that")
    # Binary documents and archives: --format text would read their bytes as garbage.
    if name.endswith((".msg", ".pst", ".ost")):
        raise InputError("Outlook .msg / .pst files are not read", path=str(path),
                         hint="save the messages as .eml (Outlook: File > Save As, or drag them to a folder), or "
                              "convert a .pst to mbox (readpst -o DIR FILE.pst), and scan those")
    if name.endswith((".html", ".htm")):
        raise InputError("HTML pages are not read", path=str(path),
                         hint="a Telegram export: choose 'Machine-readable JSON' in Export chat history and scan "
                              "result.json; another page: save it as text (.txt) and scan that")
    if name.endswith((".pdf", ".docx", ".doc", ".rtf", ".odt", ".pptx", ".ppt", ".pages")):
        raise InputError("documents (PDF, Word, slides) are not read", path=str(path),
                         hint="extract the text first (e.g. pdftotext FILE out.txt, or 'Save as Plain Text') "
                              "and scan that file; one record per line")
    if name.endswith((".zip", ".tar", ".tgz", ".tar.gz", ".7z", ".rar")):
        raise InputError("archives are not read", path=str(path),
                         hint="unpack it, then scan each data file (or concatenate the JSONL files)")
    raise InputError(
        "cannot tell the format from the file name",
        path=str(path),
        hint="use a .jsonl/.json/.csv/.parquet/.txt suffix (optionally .gz/.zst) or pass --format",
    )


def head_text(path: Path) -> str:
    """The file's first 64 KiB as text (in its sniffed encoding), leading blanks and BOM removed."""
    with open_binary(path) as fh:
        head = fh.read(SNIFF_BYTES)
    encoding = sniff_encoding(path).encoding
    return head.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n\x00\x1a")


TAB_TABLE_LINES = 20


def _is_tab_table(path: Path) -> bool:
    """Is a .txt file a table: Excel's "Unicode Text" or "Text (Tab delimited)", the way to get
    Chinese out of Excel unmangled? Its first lines (3 to `TAB_TABLE_LINES`) all hold the same
    number of TABs, one or more. Read line by line, a row lost its column names, and the
    numbers only a header vouches for (a landline, a record number, a date of birth) were left."""
    lines = [line for line in head_text(path).splitlines()[: TAB_TABLE_LINES + 1] if line.strip()]
    if len(lines) > TAB_TABLE_LINES:
        lines = lines[:TAB_TABLE_LINES]  # the last may be cut by the 64 KiB sample
    elif len(lines) < 3:
        return False
    tabs = {line.count("\t") for line in lines}
    return len(tabs) == 1 and tabs.pop() > 0


def _sniff_jsonl(path: Path) -> Format:
    """A ``.jsonl`` file is JSON lines, unless its first line cannot start one record: an array
    (``[``: `json.dump` of a list saved under a .jsonl name) or an object spread over lines
    (``{`` alone: pretty-printed, `json.dump(indent=2)` / `jq .`). Read line by line, each of
    those lines was a rejected record and the run failed; the JSON document reader takes both."""
    first = head_text(path).split("\n", 1)[0].strip()
    return "json" if first.startswith("[") or first == "{" else "jsonl"


def _sniff_json(path: Path) -> Format:
    """A ``.json`` file holding one object per line is JSONL; otherwise a JSON document stream."""
    text = head_text(path)
    if text.startswith("["):
        return "json"
    first = text.split("\n", 1)[0].strip()
    try:
        json.loads(first)
        return "jsonl"
    except json.JSONDecodeError:
        return "json"
