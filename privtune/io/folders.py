"""A folder of data files read as one dataset: dataset shards (``train-00000-of-00004.parquet``,
``part-*.jsonl.gz``) and export folders (a Slack export's per-day JSON files).

The folder's data files are found recursively and read in the order of their relative paths
(POSIX, sorted), so the same folder always gives the same records in the same order. Hidden
entries (any path part starting with ".") and files whose name tells no data format are
skipped, and listed so the caller can say so. All files taken must be of one format family
(JSON arrays and JSON lines are one family: both hold objects); a folder mixing, say, Parquet
shards and CSV files is refused, naming one file of each.

A Slack export's workspace files at its top (``users.json``, ``channels.json`` …: profiles and
channel lists, not messages) are skipped and listed on their own; the per-day message files
under the channel folders are the records.

Record indices run on across the files; each file keeps its own line numbers, and
`DataFolder.file_of` maps a record index back to the file it came from.

The folder's digest (``DataFolder.digest``) is SHA-256 over the lines
``"<file sha256 hex>  <relative path>\\n"`` of the files read, in their order: the
``sha256sum`` format, so ``(cd DIR && sha256sum FILE...) | sha256sum`` over the listed files
recomputes it. It changes when any file's content, name, or the set of files changes.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import hashlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from privtune.errors import InputError, PrivtuneError
from privtune.io.csv_format import column_names, csv_delimiter, first_csv_line, first_row_is_data, headerless_column
from privtune.io.email_format import looks_like_mail
from privtune.io.formats import BINARY_FORMATS
from privtune.io.readers import Rejected, SourceRecord, detect_format, iter_records
from privtune.io.sources import file_sha256, open_binary, sniff_encoding, undo_surrogates

MAX_SKIPPED_LISTED = 100  # the report stays small whatever else the folder holds
SHA256_METHOD = "sha256 of the sha256sum listing ('<file sha256 hex>  <relative path>\\n' per file, in order)"

# Formats that can share a folder: their records are JSON objects either way.
_FAMILY = {"jsonl": "json", "json": "json", "csv": "csv", "parquet": "parquet", "arrow": "parquet", "xlsx": "xlsx",
           "text": "text", "email": "email"}


@dataclass
class FolderFile:
    """One data file of a folder: where it is, how it is read, and (once read) where its records start."""

    path: Path
    rel: str  # as shown (`shown_name`)
    fmt: str
    encoding: str | None = None  # settled by the caller (sniffed per file); None: sniff when read
    first_record: int = 0
    records: int = 0
    _sha256: str | None = field(default=None, repr=False)
    raw_rel: str = ""  # as the file system holds it, when that is not UTF-8 (for `DataFolder.digest`)

    @property
    def sha256(self) -> str:
        """``sha256:`` + the file's SHA-256 (computed once)."""
        if self._sha256 is None:
            self._sha256 = file_sha256(self.path)
        return self._sha256


@dataclass
class DataFolder:
    """The data files of folder ``root`` in reading order, the format they share and what was skipped."""

    root: Path
    files: list[FolderFile]
    fmt: str
    skipped: list[str] = field(default_factory=list)
    slack_metadata: list[str] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list, repr=False)

    def iter_records(self) -> Iterator[SourceRecord | Rejected]:
        """Every file's items in order, re-indexed so indices run on across files (lines stay per file)."""
        offset = 0
        for i, f in enumerate(self.files):
            f.first_record = offset
            if len(self._starts) == i:  # a second read (excerpts) finds them in place
                self._starts.append(offset)
            n = 0
            for item in iter_records(f.path, f.fmt, f.encoding):
                n += 1
                if isinstance(item, SourceRecord):
                    yield SourceRecord(offset + item.index, item.line, item.data)
                else:
                    yield Rejected(offset + item.index, item.line, item.reason, item.raw)
            f.records = n
            offset += n

    def settle_encodings(self, given: str | None, notices: list[str]) -> dict[str, str]:
        """Each text file's encoding (``given``, else sniffed on its own: shards from different
        exporters differ), a notice naming each file read in an assumed one; returns the scan
        report's ``input`` encoding fields for the whole."""
        for f in self.files:
            if f.fmt in BINARY_FORMATS or f.fmt == "email":  # binary, or each message names its own charset
                continue
            guess = sniff_encoding(f.path, given)
            f.encoding = guess.encoding
            if guess.note:
                notices.append(f"encoding: {f.rel}: assumed {guess.encoding} ({guess.note}); override with --encoding")
        found = list(dict.fromkeys(f.encoding for f in self.files if f.encoding is not None))
        if not found:
            return {"encoding": "binary", "encoding_source": "format"}
        # One encoding for the whole (the CSV output's byte-order mark follows it): the files'
        # own if they agree, else the first that is not UTF-8; each file's is in ``input.files``.
        shared = found[0] if len(found) == 1 else next(e for e in found if e != "utf-8")
        return {"encoding": shared, "encoding_source": "given" if given else "per file"}

    def notices(self, fmt: str | None, listed: int = 20) -> list[str]:
        """What the scan says about the folder: the files it skipped, the first ``listed`` by name."""
        out = []
        if self.slack_metadata:
            out.append(f"input folder: a Slack export; its workspace files are not messages and were not read: "
                       f"{', '.join(self.slack_metadata)}")
        if not self.skipped:
            return out
        why = f"hidden or not {fmt} data" if fmt else "hidden or not a data file"
        more = f", ... ({len(self.skipped) - listed} more)" if len(self.skipped) > listed else ""
        return out + [f"input folder: read {len(self.files)} data file(s); skipped {len(self.skipped)} ({why}): "
                      f"{', '.join(self.skipped[:listed])}{more}"]

    def require_one_csv_header(self) -> None:
        """A CSV output has one header row: refuse, before any work, CSV files whose columns differ
        (naming the first two), as a JSONL output could hold their rows."""
        first = self.files[0]
        columns = csv_columns(first.path, first.encoding or "utf-8")
        for f in self.files[1:]:
            other = csv_columns(f.path, f.encoding or "utf-8")
            if other != columns:
                raise InputError(f"the folder's CSV files have different columns: {first.rel} has {columns}, "
                                 f"{f.rel} has {other}", path=str(self.root),
                                 hint="a CSV output has one header: name the output .jsonl, or scan the files "
                                      "separately")

    def file_of(self, index: int) -> str:
        """The relative path of the file record ``index`` came from (files read so far)."""
        pos = bisect.bisect_right(self._starts, index) - 1
        return self.files[max(pos, 0)].rel

    def digest(self) -> str:
        """``sha256:`` + SHA-256 of the ``sha256sum`` listing of the files (see the module docstring)."""
        listing = "".join(f"{f.sha256.removeprefix('sha256:')}  {f.raw_rel or f.rel}\n" for f in self.files)
        # A name that is not UTF-8 (GBK, from a Windows zip) is hashed as its bytes, as sha256sum lists it.
        return "sha256:" + hashlib.sha256(listing.encode("utf-8", "surrogateescape")).hexdigest()

    def report_input(self) -> dict[str, object]:
        """What a scan report's ``input`` section adds for a folder: ``kind``, the total ``bytes``,
        ``files`` (each file's relative path, format, encoding, sha256, bytes, and its records:
        ``first_record`` is the index of its first, so a record index maps to its file), the
        ``skipped`` files, and how ``sha256`` (`digest`) is computed."""
        files = [{"path": f.rel, "format": f.fmt, "encoding": f.encoding or "binary", "sha256": f.sha256,
                  "bytes": f.path.stat().st_size, "first_record": f.first_record, "records": f.records}
                 for f in self.files]
        return {"kind": "folder", "bytes": sum(int(f["bytes"]) for f in files),  # type: ignore[call-overload]
                "sha256_method": SHA256_METHOD, "files": files,
                "skipped": self.skipped[:MAX_SKIPPED_LISTED], "skipped_count": len(self.skipped),
                "slack_metadata_skipped": self.slack_metadata}




def csv_columns(path: Path, encoding: str) -> list[str]:
    """The column names of a CSV file as the reader gives them (``column_1``, ... without a header row)."""
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    with io.TextIOWrapper(open_binary(path), encoding=codec, errors="replace", newline="") as stream:
        line, sep = first_csv_line(stream)
    cells = next(csv.reader([line], delimiter=sep or csv_delimiter(line)), [])
    return [headerless_column(i) for i in range(1, len(cells) + 1)] if first_row_is_data(cells) else column_names(cells)


# The workspace files at the top of a Slack export (Slack's "Export your workspace data" guide):
# member profiles, channel and conversation lists, app logs. Messages are in CHANNEL/YYYY-MM-DD.json.
SLACK_METADATA = frozenset({"users.json", "channels.json", "groups.json", "dms.json", "mpims.json",
                            "integration_logs.json", "canvases.json", "org_users.json", "file_conversations.json"})
_DAY_FILE = re.compile(r"[^/]+/[0-9]{4}-[0-9]{2}-[0-9]{2}\.json")


def _slack_metadata(paths: list[Path], root: Path) -> set[Path]:
    """The workspace files of a Slack export at ``root`` (none unless it holds per-day message files)."""
    rels = [p.relative_to(root).as_posix() for p in paths]
    if not any(_DAY_FILE.fullmatch(r) for r in rels):
        return set()
    return {p for p, r in zip(paths, rels) if r in SLACK_METADATA}


# What Hugging Face `datasets.save_to_disk` writes beside its .arrow shards: no records.
HF_METADATA = frozenset({"dataset_info.json", "state.json", "dataset_dict.json", "dataset_infos.json"})


def _hf_metadata(paths: list[Path]) -> set[Path]:
    """The metadata files of a `save_to_disk` folder (none unless it holds .arrow files)."""
    if not any(p.name.lower().endswith(".arrow") for p in paths):
        return set()
    return {p for p in paths if p.name in HF_METADATA}


def shown_name(name: str) -> str:
    """A file name as reports and messages show it: one that is not UTF-8 (a zip made on a
    Chinese Windows holds GBK names) comes from the file system with lone surrogates for its
    bytes, which no JSON report can hold (the folder digest ended in a bare UnicodeEncodeError);
    shown decoded (`sources.undo_surrogates`)."""
    return undo_surrogates(name, whole=True)


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def _walk(root: Path) -> list[Path]:
    """Regular files under ``root`` and its hidden folders (not descended into), sorted by relative path."""
    found: list[Path] = []
    for top, dirs, names in os.walk(root, followlinks=False):
        here = Path(top)
        found.extend(here / d for d in dirs if d.startswith("."))
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(here / n for n in names if (here / n).is_file())
    return sorted(found, key=lambda q: q.relative_to(root).as_posix())


def open_folder(root: Path, fmt: str | None = None) -> DataFolder:
    """The data files under ``root``. With ``fmt`` (``--format``) only the files of its family are
    taken, the others skipped and listed; without it, files of two families are an error."""
    if fmt is not None and fmt not in _FAMILY:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(_FAMILY)}", path=str(root))
    files: list[FolderFile] = []
    skipped: list[str] = []
    walked = _walk(root)
    slack = _slack_metadata(walked, root)
    hf_metadata = _hf_metadata(walked)
    for p in walked:
        rel = p.relative_to(root)
        if p in slack:
            continue
        if p in hf_metadata:
            skipped.append(shown_name(rel.as_posix()))
            continue
        if _hidden(rel):  # a hidden file, or a hidden folder (not entered: .git, .cache)
            skipped.append(shown_name(rel.as_posix()) + ("/" if p.is_dir() else ""))
            continue
        try:
            file_fmt = detect_format(p)
        except PrivtuneError:  # no data suffix: a README.pdf, an archive, a file with no suffix
            if fmt != "email" or not looks_like_mail(p):
                skipped.append(shown_name(rel.as_posix()))
                continue
            file_fmt = "email"  # a Maildir's messages have no suffix ("cur/1710252322.M1P2.host:2,S")
        if fmt is not None and _FAMILY[file_fmt] != _FAMILY[fmt]:
            skipped.append(shown_name(rel.as_posix()))
            continue
        name = rel.as_posix()
        files.append(FolderFile(p, shown_name(name), file_fmt, raw_rel=name if shown_name(name) != name else ""))
    if not files:
        what = f"no {fmt} files" if fmt else "no data files"
        raise InputError(f"the folder holds {what} (.jsonl, .json, .csv, .parquet, .arrow, .xlsx, .txt, .eml/.mbox, optionally "
                         ".gz/.zst)",
                         path=str(root), hint=f"skipped: {', '.join(skipped[:5])}" if skipped else None)
    first = files[0]
    for f in files[1:]:
        if _FAMILY[f.fmt] != _FAMILY[first.fmt]:
            raise InputError(
                f"the folder mixes data formats: {first.rel} is {first.fmt}, {f.rel} is {f.fmt}",
                path=str(root),
                hint=f"pass --format {first.fmt} (or {f.fmt}) to scan only those files (the others are skipped "
                     "and listed), or move the others out")
    formats = {f.fmt for f in files}
    return DataFolder(root, files, formats.pop() if len(formats) == 1 else "jsonl", skipped,
                      sorted(shown_name(p.relative_to(root).as_posix()) for p in slack))
