"""The gateway's audit log: one JSON line per request, hash-chained, never any content.

A record holds metadata only (time, request id, key id, role, route, status, model, token
counts, latency, client address as configured, and an ``extra`` mapping that output guards
fill with counts and flags). Prompt and completion text never reach this module: the
middleware builds records from counters, not from bodies.

Chain: every record carries ``prev`` (the previous record's hash) and ``hash`` =
SHA-256(prev + canonical JSON of the record without ``hash``). A sidecar ``<log>.head`` holds
the first ``prev``, the last hash and the record count, so deleting the first or last lines is
caught too, not only edits and deletions inside. `verify_log` checks all of it. Retention
rewrites the file without the old records and moves the head's ``first_prev`` forward.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from privtune.errors import ConfigError, IntegrityError

log = logging.getLogger("privtune.serve")
GENESIS = "0" * 64
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _chain_hash(prev: str, record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(prev.encode("ascii") + _canonical(body)).hexdigest()


def client_address(host: str | None, mode: str) -> str | None:
    """The client address as the log keeps it: full, truncated (IPv4 /24, IPv6 /48) or not at all."""
    if mode == "off" or not host:
        return None
    if mode == "full":
        return host
    return _truncated(host)


@functools.lru_cache(maxsize=4096)  # clients repeat; parsing an address costs more than the rest of a record
def _truncated(host: str) -> str:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "unknown"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _head_path(path: Path) -> Path:
    return path.with_name(path.name + ".head")


HEAD_BYTES = 256  # the head is rewritten in place at a fixed size: one pwrite per record, no rename


def _head_bytes(first_prev: str, last_hash: str, records: int) -> bytes:
    # Formatted by hand (the hashes are hex, so nothing needs escaping): written once per request.
    raw = f'{{"first_prev": "{first_prev}", "last_hash": "{last_hash}", "records": {int(records)}}}'.encode("ascii")
    return raw.ljust(HEAD_BYTES - 1) + b"\n"


class AuditLog:
    """Appends chained records to ``path`` (0600). Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # a directory read as "audit log without its head file"; a file in the folder path was a traceback
        if self.path.is_dir():
            raise ConfigError(f"{self.path}: is a directory; audit_log.path takes the log's file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise ConfigError(f"{self.path}: a part of its folder path is a file") from None
        self._lock = threading.Lock()
        head = self._read_head()
        self._last, self._count, self._first_prev = head["last_hash"], head["records"], head["first_prev"]
        fd = os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
        self._fh = os.fdopen(fd, "a", encoding="utf-8")
        # Rewritten in place on every append (a rename per request cost ~2 ms on overlay file systems).
        self._head_fd = os.open(_head_path(self.path), os.O_CREAT | os.O_RDWR, 0o600)
        self._write_head()

    def _write_head(self) -> None:
        os.pwrite(self._head_fd, _head_bytes(self._first_prev, self._last, self._count), 0)

    def _read_head(self) -> dict[str, Any]:
        try:
            text = _head_path(self.path).read_bytes().strip()
        except FileNotFoundError:
            text = b""
        if not text:
            if self.path.exists() and self.path.stat().st_size:
                raise IntegrityError(f"{self.path}: audit log without its head file; run verify-log")
            return {"first_prev": GENESIS, "last_hash": GENESIS, "records": 0}
        try:
            head = json.loads(text.decode("utf-8"))
        except ValueError:
            head = None
        if _head_problem(head) is not None:  # a damaged head was a TypeError/KeyError at start-up
            raise IntegrityError(f"{_head_path(self.path)}: unreadable audit-log head; run verify-log")
        return head  # type: ignore[no-any-return]

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            rec = dict(record, prev=self._last)
            rec.pop("hash", None)
            body = _canonical(rec)
            rec["hash"] = hashlib.sha256(self._last.encode("ascii") + body).hexdigest()
            # The line is the hashed canonical JSON with the hash appended as its last key: one
            # serialisation per record. Readers parse it as JSON; verify_log re-canonicalises.
            self._fh.write(body[:-1].decode("utf-8") + f',"hash":"{rec["hash"]}"}}\n')
            self._fh.flush()
            self._last, self._count = rec["hash"], self._count + 1
            self._write_head()
            return rec

    def _lines(self) -> list[bytes]:
        """The log's lines, split at ``\n`` only: a record may hold U+2028 or U+0085 (a JWT's ``sub``
        in ``key_id``; JSON does not escape them), which ``str.splitlines`` took for line ends, so
        /v1/audit/log parsed half records (a 500) and the purge rewrote one record as two."""
        lines = self.path.read_bytes().split(b"\n")
        return lines[:-1] if lines and not lines[-1] else lines

    def purge_older_than(self, days: int, now: dt.datetime | None = None) -> int:
        """Drop records older than ``days``; returns how many. The remaining chain still verifies.
        The bytes kept are written back unchanged; a line that is not a record stops the purge
        there (kept, for verify-log to name)."""
        now = now or dt.datetime.now(dt.timezone.utc)
        cutoff = now - dt.timedelta(days=days)
        with self._lock:
            lines = self._lines()
            drop = 0
            for line in lines:  # records are in time order: drop the old prefix only
                when = _record_time(line)
                if when is None or when >= cutoff:
                    if when is None:
                        log.warning("audit log retention: line %d is not a record; it and the records after it "
                                    "are kept (run `privtune serve verify-log`)", drop + 1)
                    break
                drop += 1
            if not drop:
                return 0
            kept = lines[drop:]
            # the last dropped record's hash is what the first kept one names as prev (if intact)
            first_prev = json.loads(lines[drop - 1])["hash"] if kept else self._last
            tmp = self.path.with_name(self.path.name + ".purge")
            fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(b"".join(line + b"\n" for line in kept))
            self._fh.close()
            os.replace(tmp, self.path)
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for appends
            self._first_prev, self._count = first_prev, len(kept)
            self._write_head()
            return drop

    def tail(self, n: int) -> list[dict[str, Any]]:
        with self._lock:
            lines = self._lines()
        return [_tail_record(line) for line in lines[-n:]] if n > 0 else []

    def close(self) -> None:
        with self._lock:
            self._fh.close()
            os.close(self._head_fd)


def _record_time(line: bytes) -> dt.datetime | None:
    """A record's time; None for a line that is not a record (a damaged or edited log)."""
    try:
        when = dt.datetime.fromisoformat(json.loads(line.decode("utf-8"))["time"])
    except (ValueError, KeyError, TypeError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    return when if when.tzinfo is not None else None


def _tail_record(line: bytes) -> dict[str, Any]:
    # A line that is not a record made /v1/audit/log a 500 and the daily purge task die (retention
    # then silently stopped); shown as such, `privtune serve verify-log` names it.
    try:
        rec = json.loads(line.decode("utf-8"))
    except ValueError:
        rec = None
    return rec if isinstance(rec, dict) else {"unreadable": True}


@dataclass
class VerifyResult:
    ok: bool
    records: int
    problem: str | None = None
    line: int | None = None


def _head_problem(head: Any) -> str | None:
    """Why a parsed head file cannot be used (None: it can)."""
    if not isinstance(head, dict):
        return "is not a JSON object"
    for key in ("first_prev", "last_hash"):
        if not (isinstance(head.get(key), str) and _HEX64.fullmatch(head[key])):
            return f"has no 64-hex-digit {key!r}"
    if type(head.get("records")) is not int or head["records"] < 0:
        return "has no record count"
    return None


def verify_log(path: Path) -> VerifyResult:
    """Check every link and hash, and the head's first/last hash and count.

    Run on a log that may have been tampered with, so any content is a finding, never a crash: a
    head or line that is not UTF-8 JSON of the right shape was a TypeError / UnicodeDecodeError
    traceback (exit 1) instead of exit 5 naming the first bad line."""
    path = Path(path)
    head_file = _head_path(path)
    if path.is_dir():
        return VerifyResult(False, 0, "is a directory, not an audit log")
    if not head_file.exists():
        return VerifyResult(False, 0, f"head file {head_file.name} missing")
    try:
        head = json.loads(head_file.read_bytes().decode("utf-8"))
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        return VerifyResult(False, 0, f"head file {head_file.name} unreadable")
    if (problem := _head_problem(head)) is not None:
        return VerifyResult(False, 0, f"head file {head_file.name} {problem}")
    prev, n = head["first_prev"], 0
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                rec = json.loads(raw.decode("utf-8"))
            except ValueError:
                return VerifyResult(False, n - 1, "not UTF-8 JSON", n)
            if not isinstance(rec, dict):
                return VerifyResult(False, n - 1, "not a JSON object", n)
            if rec.get("prev") != prev:
                return VerifyResult(False, n - 1, "chain broken: a record before this one was removed or edited", n)
            if _chain_hash(prev, rec) != rec.get("hash"):
                return VerifyResult(False, n - 1, "record edited (hash mismatch)", n)
            prev = rec["hash"]
    if prev != head["last_hash"] or n != head["records"]:
        return VerifyResult(False, n, f"log ends at record {n} but the head expects {head['records']}: "
                                      "records at the end were removed")
    return VerifyResult(True, n)
