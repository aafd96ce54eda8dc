"""The ledger's tables, and the in-place upgrade of ledgers written by older privtune versions."""

from __future__ import annotations

import json

from privtune.privacy.errors import LedgerError
from privtune.privacy.ledger_db import Database

SCHEMA_VERSION = 2


def _schema(db: Database) -> list[str]:
    return [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS datasets (
            fingerprint TEXT PRIMARY KEY,
            name TEXT,
            budget_epsilon DOUBLE PRECISION,
            delta DOUBLE PRECISION,
            created TEXT NOT NULL,
            updated TEXT NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS runs (
            {db.id_column},
            fingerprint TEXT NOT NULL REFERENCES datasets(fingerprint),
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL,
            accountant TEXT NOT NULL,
            noise_multiplier DOUBLE PRECISION NOT NULL,
            sample_rate DOUBLE PRECISION NOT NULL,
            planned_steps BIGINT NOT NULL,
            committed_steps BIGINT NOT NULL DEFAULT 0,
            delta DOUBLE PRECISION,
            config TEXT NOT NULL DEFAULT '{{}}')""",
        "CREATE INDEX IF NOT EXISTS runs_by_dataset ON runs (fingerprint)",
        # v2: every budget set or change, with who, when and why (never edited, only appended).
        f"""CREATE TABLE IF NOT EXISTS budget_changes (
            {db.id_column},
            fingerprint TEXT NOT NULL REFERENCES datasets(fingerprint),
            changed TEXT NOT NULL,
            changed_by TEXT NOT NULL,
            old_epsilon DOUBLE PRECISION,
            new_epsilon DOUBLE PRECISION NOT NULL,
            old_delta DOUBLE PRECISION,
            new_delta DOUBLE PRECISION NOT NULL,
            reason TEXT NOT NULL)""",
    ]


# Columns added after schema v1. New and old ledgers alike get them by ALTER TABLE on open, so
# there is one upgrade path and it runs in every test.
_ADDED_COLUMNS: dict[str, dict[str, str]] = {
    "runs": {
        "dp": "INTEGER NOT NULL DEFAULT 1",  # 0: a non-private run (unbounded epsilon)
        "privacy_unit": "TEXT NOT NULL DEFAULT 'record'",  # record | user
        "user_id_field": "TEXT",
    },
    "datasets": {"privacy_unit": "TEXT", "user_id_field": "TEXT",  # the one unit this dataset is accounted in
                 "privacy_units": "BIGINT"},  # N of that unit, recorded by the first run that gives it
}


def _backfill_units(db: Database) -> None:
    """v1 ledgers kept the unit only in each run's config summary: copy it into the new columns."""
    for run_id, config in db.execute("SELECT id, config FROM runs").fetchall():
        summary = json.loads(config or "{}")
        if summary.get("privacy_unit") == "user" and summary.get("user_id_field"):
            db.execute("UPDATE runs SET privacy_unit = 'user', user_id_field = ? WHERE id = ?",
                       (str(summary["user_id_field"]), run_id))
    first = "FROM runs r WHERE r.fingerprint = datasets.fingerprint AND r.dp = 1 ORDER BY r.id LIMIT 1"
    db.execute(f"UPDATE datasets SET privacy_unit = (SELECT r.privacy_unit {first}), "
               f"user_id_field = (SELECT r.user_id_field {first}) WHERE privacy_unit IS NULL")


def check_is_ledger(db: Database, location: str, create: bool) -> None:
    """`LedgerError` unless ``db`` is a ledger (meta holds a schema version, as since v1) or may become
    one. A reading command (``create`` false) on another database, e.g. ``--ledger`` pointing at the
    key store, wrote the ledger tables into it and reported an empty ledger: nothing spent."""
    if "key" in db.columns("meta") and db.execute(
            "SELECT value FROM meta WHERE key = ?", ("schema_version",)).fetchone() is not None:
        return
    if not create:
        raise LedgerError(f"{location} is not a privtune ledger (no ledger tables in it): check --ledger or "
                          "$PRIVTUNE_LEDGER; reading commands never create one")
    if db.kind == "sqlite":  # a PostgreSQL database may be shared with other schemas' tables; a file is one thing
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
        if tables:
            raise LedgerError(f"{location} is a SQLite database of something else (tables {', '.join(tables[:3])}"
                              f"{', ...' if len(tables) > 3 else ''}), not a privtune ledger: give another path")


def create_or_upgrade(db: Database, location: str) -> None:
    """Create missing tables and columns and record the schema version; call inside a transaction."""
    db.schema_lock()
    for stmt in _schema(db):
        db.execute(stmt)
    row = db.execute("SELECT value FROM meta WHERE key = ?", ("schema_version",)).fetchone()
    if row is not None and int(row[0]) > SCHEMA_VERSION:
        raise LedgerError(f"ledger {location} has schema v{row[0]}; this privtune reads up to v{SCHEMA_VERSION}")
    new_columns = set()
    for table, added in _ADDED_COLUMNS.items():
        have = db.columns(table)
        for column, ddl in added.items():
            if column not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")
                new_columns.add(f"{table}.{column}")
    if "runs.privacy_unit" in new_columns:
        _backfill_units(db)
    if row is None:
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("schema_version", str(SCHEMA_VERSION)))
    elif int(row[0]) < SCHEMA_VERSION:
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (str(SCHEMA_VERSION), "schema_version"))
