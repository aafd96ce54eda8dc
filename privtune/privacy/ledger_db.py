"""A tiny DB-API adapter so the ledger runs one code path on SQLite and PostgreSQL.

The ledger writes SQL with ``?`` placeholders and portable types; the adapter translates
placeholders, supplies the two dialect-specific bits (auto-increment key, row locks) and
owns transactions. Both connections run in autocommit mode, so a lone statement (the
per-step ``UPDATE``) is its own durable transaction, and `Database.transaction` opens an
explicit one: ``BEGIN IMMEDIATE`` on SQLite (takes the write lock up front, so a
read-check-write sequence cannot interleave with another process) and ``BEGIN`` plus
``SELECT ... FOR UPDATE`` row locks on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from privtune.privacy.errors import LedgerError

_BUSY_TIMEOUT_S = 60.0


def default_ledger_location() -> str:
    """``$PRIVTUNE_LEDGER``, else ``$XDG_DATA_HOME/privtune/ledger.sqlite`` (~/.local/share)."""
    env = os.environ.get("PRIVTUNE_LEDGER")
    if env:
        return env
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "privtune" / "ledger.sqlite")


def is_postgres_url(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


def redact(location: str) -> str:
    """The location with any password in a URL replaced by ``***`` (for messages and exports)."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", location)


class Database:
    """One connection plus the dialect differences the ledger needs."""

    kind: str
    id_column: str  # DDL of an auto-increment integer primary key named id
    lock_suffix: str  # appended to a SELECT to lock the rows it reads

    def __init__(self, location: str) -> None:
        self.location = location

    @staticmethod
    def connect(location: str, create: bool = True) -> Database:
        """``create`` False: a SQLite file that does not exist is an error, not a new empty ledger."""
        return PostgresDatabase(location) if is_postgres_url(location) else SqliteDatabase(location, create)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def insert_returning_id(self, sql: str, params: Sequence[Any]) -> int:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError
        yield  # pragma: no cover

    def schema_lock(self) -> None:
        """Serialise concurrent schema creation (a no-op where the transaction already does)."""

    def columns(self, table: str) -> set[str]:
        """Names of ``table``'s columns (empty if it does not exist); used to migrate old ledgers."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def _create_private_file(path: Path) -> None:
    """An empty ledger file readable by its owner only (0600; a new parent directory 0700).

    The ledger names datasets and runs; other users have no business reading it. SQLite gives
    its -wal and -shm files the database file's mode.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:  # another process created it first: fine, it made it the same way
        pass


class SqliteDatabase(Database):
    kind = "sqlite"
    id_column = "id INTEGER PRIMARY KEY AUTOINCREMENT"
    lock_suffix = ""  # BEGIN IMMEDIATE already holds the database-wide write lock

    def __init__(self, location: str, create: bool = True) -> None:
        super().__init__(location)
        path = location[len("sqlite:///"):] if location.startswith("sqlite:///") else location
        path = os.path.expanduser(path)
        if path != ":memory:" and not create and not os.path.exists(path):
            raise LedgerError(
                f"no ledger at {path}: nothing has been recorded there. Check --ledger or $PRIVTUNE_LEDGER "
                "(`privtune train` and `privtune ledger set-budget` create a ledger; reading commands never do)")
        try:
            if path != ":memory:" and not os.path.exists(path):
                _create_private_file(Path(path))
            self._conn = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            # WAL: readers never block the trainer's per-step write. synchronous=FULL: a
            # committed step survives power loss, not just a process crash.
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
        except (sqlite3.Error, OSError) as exc:
            raise LedgerError(f"cannot open ledger {location}: {exc}") from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, tuple(params))

    def columns(self, table: str) -> set[str]:
        return {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}

    def insert_returning_id(self, sql: str, params: Sequence[Any]) -> int:
        cur = self._conn.execute(sql, tuple(params))
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()


class PostgresDatabase(Database):
    kind = "postgresql"
    id_column = "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    lock_suffix = " FOR UPDATE"

    def __init__(self, location: str) -> None:
        super().__init__(location)
        try:
            import psycopg
        except ImportError:
            raise LedgerError(
                "a PostgreSQL ledger needs psycopg: pip install 'privtune[postgres]'"
            ) from None
        self._psycopg = psycopg
        try:
            self._conn = psycopg.connect(location, autocommit=True)
        except psycopg.Error as exc:
            raise LedgerError(f"cannot open ledger {redact(location)}: {exc}") from None

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")  # the ledger's SQL has no literal question marks

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(self._sql(sql), tuple(params))

    def insert_returning_id(self, sql: str, params: Sequence[Any]) -> int:
        row = self._conn.execute(self._sql(sql) + " RETURNING id", tuple(params)).fetchone()
        return int(row[0])

    def columns(self, table: str) -> set[str]:
        rows = self._conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s", (table,)).fetchall()
        return {r[0] for r in rows}

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._conn.transaction():
            yield

    def schema_lock(self) -> None:
        # Concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog.
        self._conn.execute("SELECT pg_advisory_xact_lock(7283451)")

    def close(self) -> None:
        self._conn.close()
