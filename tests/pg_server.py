"""A real PostgreSQL server for the tests that need one (ledger, gateway key store).

The session fixture `postgres_url` runs Debian's PostgreSQL binaries (``/usr/lib/postgresql/*/bin``)
on a temporary data directory and a free port on 127.0.0.1, as an unprivileged user (PostgreSQL
refuses to run as root: under root it runs as ``nobody``), and stops it at the end. Without the
binaries (or psycopg) the PostgreSQL cases are skipped with the reason, unless
``PRIVTUNE_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) turns that into a failure.
``PRIVTUNE_TEST_POSTGRES_URL`` points the tests at an existing scratch server instead.
tests/conftest.py registers the fixture for the whole suite; `create_database` gives a test a
database of its own.
"""

from __future__ import annotations

import glob
import importlib.util
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

EXTERNAL_URL = os.environ.get("PRIVTUNE_TEST_POSTGRES_URL")
_database_numbers = itertools.count()


def _unavailable(reason: str) -> None:
    if os.environ.get("PRIVTUNE_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PRIVTUNE_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


def _server_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian layout), or None."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        return None
    return Path(max(found, key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A ``postgresql://`` URL of a server that lives as long as the test session."""
    if importlib.util.find_spec("psycopg") is None:
        _unavailable("psycopg is not installed (pip install 'privtune[postgres]')")
    if EXTERNAL_URL:
        yield EXTERNAL_URL
        return
    bindir = _server_bin()
    if bindir is None:
        _unavailable("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
        return
    root = Path(tempfile.mkdtemp(prefix="privtune-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres will not run as root
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        as_user = ["runuser", "-u", "nobody", "--"]
    data, port = root / "data", _free_port()

    def run(*cmd: str) -> None:
        proc = subprocess.run([*as_user, *cmd], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            raise RuntimeError(f"{' '.join(cmd[:2])} failed ({proc.returncode}): {proc.stderr}{proc.stdout}{log}")

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "privtune", "--auth=trust", "-E", "UTF8", "--no-sync")
        # fsync off: the tests kill clients, never the server, so server durability is not under test.
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60",
            "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        yield f"postgresql://privtune@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str, prefix: str = "test") -> str:
    """The URL of a new, empty database on the test server (an external server's URL as it is)."""
    import psycopg

    if EXTERNAL_URL:
        return server_url
    name = f"{prefix}_{next(_database_numbers)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name
