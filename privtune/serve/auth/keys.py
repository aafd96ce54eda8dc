"""API keys: shown once, stored as SHA-256 hashes under a public key id, compared in constant time.

Key format: ``ptk_<key_id>_<secret>``; ``key_id`` (12 hex) is public and names the key in logs
and admin calls; ``secret`` (32 random bytes, URL-safe base64) never leaves the response that
created it. A plain SHA-256 suffices for the stored hash: the secret is 256 random bits, so
there is nothing for a slow password hash to protect against.

The store sits behind `KeyStore` (SQLite file by default, PostgreSQL by URL for several
gateway instances); every request reads it, so a revocation holds from the very next request.
Revoked JWT ids live in the same store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import math
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from privtune.errors import ConfigError, InputError
from privtune.serve.roles import Role

KEY_PREFIX = "ptk_"
# Longest key lifetime and rotation grace: a century. `--ttl-days 1e300` was stored and then broke
# `keys list` for every key (timestamp out of range); 0 meant "never expires", -1 "already expired".
MAX_SPAN_S = 36500 * 86400.0
_UNIT_S = {"days": 86400.0, "hours": 3600.0, "seconds": 1.0}


def span_seconds(value: float | None, what: str, unit: str, *, zero_ok: bool = False) -> float | None:
    """``value`` (in ``unit``: days, hours or seconds) as seconds, after checking it is finite,
    > 0 (>= 0 with ``zero_ok``) and at most a century; None (no expiry) stays None."""
    if value is None:
        return None
    limit = MAX_SPAN_S / _UNIT_S[unit]
    if not (math.isfinite(value) and (value >= 0 if zero_ok else value > 0) and value <= limit):
        raise InputError(f"must be a finite number {'>= 0' if zero_ok else '> 0'} and at most {limit:g} {unit}, "
                         f"got {value!r}", field=what)
    return float(value) * _UNIT_S[unit]


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS api_keys (key_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, "
    "secret_hash TEXT NOT NULL, created DOUBLE PRECISION NOT NULL, expires DOUBLE PRECISION, "
    "revoked DOUBLE PRECISION, replaced_by TEXT)",
    "CREATE TABLE IF NOT EXISTS revoked_jti (jti TEXT PRIMARY KEY, exp DOUBLE PRECISION NOT NULL)",
)


@dataclass(frozen=True)
class KeyRecord:
    """A stored key, without its secret."""

    key_id: str
    name: str
    role: Role
    created: float
    expires: float | None
    revoked: float | None
    replaced_by: str | None

    def active(self, now: float) -> bool:
        return self.revoked is None and (self.expires is None or now < self.expires)

    def public(self) -> dict[str, Any]:
        return {"key_id": self.key_id, "name": self.name, "role": self.role.value, "created": self.created,
                "expires": self.expires, "revoked": self.revoked, "replaced_by": self.replaced_by}


class KeyStore(Protocol):
    """What the gateway and the CLI need from a key store."""

    def create(self, name: str, role: Role, ttl_s: float | None = None) -> tuple[KeyRecord, str]: ...
    def get(self, key_id: str) -> KeyRecord | None: ...
    def list(self) -> list[KeyRecord]: ...
    def revoke(self, key_id: str) -> KeyRecord: ...
    def rotate(self, key_id: str, grace_s: float, ttl_s: float | None = None) -> tuple[KeyRecord, str]: ...
    def verify(self, api_key: str) -> KeyRecord | None: ...
    def revoke_jti(self, jti: str, exp: float) -> None: ...
    def jti_revoked(self, jti: str) -> bool: ...
    def close(self) -> None: ...


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def split_key(api_key: str) -> tuple[str, str] | None:
    """``(key_id, secret)`` of a well-formed key, else ``None``."""
    if not api_key.startswith(KEY_PREFIX):
        return None
    key_id, sep, secret = api_key[len(KEY_PREFIX):].partition("_")
    if not sep or len(key_id) != 12 or not secret:
        return None
    return key_id, secret


class SQLKeyStore:
    """`KeyStore` over a DB-API connection; ``placeholder`` adapts SQLite's ``?`` to psycopg's ``%s``."""

    def __init__(self, conn: Any, placeholder: str = "?", now: Callable[[], float] = time.time) -> None:
        self._conn, self._ph, self._now = conn, placeholder, now
        self._lock = threading.Lock()  # one connection, used from the event loop and CLI threads
        for stmt in _SCHEMA:
            self._exec(stmt)

    def _exec(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        sql = sql.replace("?", self._ph)
        with self._lock:
            cur = self._conn.cursor()
            try:
                cur.execute(sql, tuple(args))
                rows = cur.fetchall() if cur.description else []
                self._conn.commit()
                return rows
            finally:
                cur.close()

    @staticmethod
    def _record(row: tuple[Any, ...]) -> KeyRecord:
        key_id, name, role, created, expires, revoked, replaced_by = row
        return KeyRecord(key_id, name, Role(role), created, expires, revoked, replaced_by)

    _COLS = "key_id, name, role, created, expires, revoked, replaced_by"

    def create(self, name: str, role: Role, ttl_s: float | None = None) -> tuple[KeyRecord, str]:
        if not name.strip():
            raise InputError("a key needs a name (who or what it is for)", field="name")
        if CONTROL_CHARS.search(name):  # PostgreSQL cannot store a NUL (a 500); none belongs in a label
            raise InputError("a key's name may not hold control characters", field="name")
        ttl_s = span_seconds(ttl_s, "ttl_s", "seconds")
        key_id = secrets.token_hex(6)
        secret = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        now = self._now()
        expires = now + ttl_s if ttl_s is not None else None
        self._exec("INSERT INTO api_keys (key_id, name, role, secret_hash, created, expires) VALUES (?, ?, ?, ?, ?, ?)",
                   (key_id, name, Role(role).value, _hash(secret), now, expires))
        return KeyRecord(key_id, name, Role(role), now, expires, None, None), f"{KEY_PREFIX}{key_id}_{secret}"

    def get(self, key_id: str) -> KeyRecord | None:
        if "\x00" in key_id:  # no id holds one, and PostgreSQL refuses to compare it (a 500)
            return None
        rows = self._exec(f"SELECT {self._COLS} FROM api_keys WHERE key_id = ?", (key_id,))
        return self._record(rows[0]) if rows else None

    def _must_get(self, key_id: str) -> KeyRecord:
        rec = self.get(key_id)
        if rec is None:
            raise InputError(f"no API key with id {key_id!r}", field="key_id")
        return rec

    def list(self) -> list[KeyRecord]:
        return [self._record(r) for r in self._exec(f"SELECT {self._COLS} FROM api_keys ORDER BY created")]

    def revoke(self, key_id: str) -> KeyRecord:
        self._must_get(key_id)
        self._exec("UPDATE api_keys SET revoked = ? WHERE key_id = ? AND revoked IS NULL", (self._now(), key_id))
        return self._must_get(key_id)

    def rotate(self, key_id: str, grace_s: float, ttl_s: float | None = None) -> tuple[KeyRecord, str]:
        """A new key with the same name and role; the old one stays valid ``grace_s`` seconds more."""
        old = self._must_get(key_id)
        if not old.active(self._now()):
            raise InputError(f"key {key_id!r} is revoked or expired; create a new one instead", field="key_id")
        new, plaintext = self.create(old.name, old.role, ttl_s)
        until = self._now() + grace_s
        expires = until if old.expires is None else min(old.expires, until)
        self._exec("UPDATE api_keys SET expires = ?, replaced_by = ? WHERE key_id = ?", (expires, new.key_id, key_id))
        return new, plaintext

    def verify(self, api_key: str) -> KeyRecord | None:
        """The active key this string is, or ``None`` (malformed, unknown, wrong secret, revoked, expired)."""
        parts = split_key(api_key)
        if parts is None:
            return None
        key_id, secret = parts
        rows = self._exec(f"SELECT {self._COLS}, secret_hash FROM api_keys WHERE key_id = ?", (key_id,))
        # Unknown ids still pay for one hash and compare, so timing does not tell ids apart.
        stored = rows[0][-1] if rows else "0" * 64
        ok = hmac.compare_digest(_hash(secret), stored)
        if not rows or not ok:
            return None
        rec = self._record(rows[0][:-1])
        return rec if rec.active(self._now()) else None

    def revoke_jti(self, jti: str, exp: float) -> None:
        if "\x00" in jti:  # PostgreSQL cannot store it; `jti_revoked` refuses such tokens outright
            raise InputError("a jti may not hold a NUL character", field="jti")
        now = self._now()
        self._exec("DELETE FROM revoked_jti WHERE exp < ?", (now,))  # expired tokens fail anyway
        if not self._exec("SELECT 1 FROM revoked_jti WHERE jti = ?", (jti,)):
            self._exec("INSERT INTO revoked_jti (jti, exp) VALUES (?, ?)", (jti, exp))

    def jti_revoked(self, jti: str) -> bool:
        if "\x00" in jti:  # cannot be in the store, so it cannot be checked against it: treated as revoked
            return True
        return bool(self._exec("SELECT 1 FROM revoked_jti WHERE jti = ?", (jti,)))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def open_sqlite(path: Path, now: Callable[[], float] = time.time, create: bool = True) -> SQLKeyStore:
    """The SQLite store at ``path``, created 0600 (the hashes are not secrets, the key ids and roles are private).

    ``create=False`` (`privtune keys list/revoke/rotate`, `token revoke`): a missing file is an
    error, so a mistyped path never answers from a new, empty store. A path that is a directory or
    a file that is not SQLite is a `ConfigError`; it was chmod-ed 0600 first (a directory lost its
    x bit, so its files could no longer be reached) and then an sqlite3 traceback."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory; --key-store takes the key store's file")
    if not path.exists():
        if not create:
            raise ConfigError(f"no key store at {path}: check --key-store (`privtune keys create` creates one)")
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 5000")
        store = SQLKeyStore(conn, "?", now)
    except sqlite3.DatabaseError as exc:  # "file is not a database", "unable to open database file"
        raise ConfigError(f"{path}: not a key store ({exc})") from None
    os.chmod(path, 0o600)  # once it proved to be one
    return store


def open_store(location: str, now: Callable[[], float] = time.time, create: bool = True) -> KeyStore:
    """SQLite for a path, PostgreSQL (psycopg, the `postgres` extra) for a ``postgresql://`` URL."""
    if location.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg
        except ImportError:
            raise ConfigError("a PostgreSQL key store needs psycopg: pip install 'privtune[postgres]'") from None
        try:
            conn = psycopg.connect(location, autocommit=True)
        except psycopg.Error as exc:
            raise ConfigError(f"cannot connect to the key store database: {type(exc).__name__}") from None
        return SQLKeyStore(conn, "%s", now)
    return open_sqlite(Path(location), now, create)
