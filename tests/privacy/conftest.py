"""Ledger backends for the tests: SQLite always, and the real PostgreSQL server of
tests/pg_server.py (the `postgres_url` fixture), a fresh database per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_server import EXTERNAL_URL, create_database

from privtune.privacy.ledger import Ledger

BACKENDS = ["sqlite", "postgresql"]


def _fresh_database(server_url: str) -> str:
    """An empty database of its own for one test (on an external server: its ledger tables dropped)."""
    if EXTERNAL_URL:
        import psycopg

        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS budget_changes, runs, datasets, meta CASCADE")
        return server_url
    return create_database(server_url, "ledger_test")


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty ledger location on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    return _fresh_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def ledger(location: str) -> Iterator[Ledger]:
    with Ledger.open(location) as led:
        yield led
