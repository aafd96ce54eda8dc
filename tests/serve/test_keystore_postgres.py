"""The key store on a real PostgreSQL server (started here), shared by two gateway instances.

Skipped, with the reason, where the PostgreSQL server binaries or psycopg are missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve_helpers import bearer, free_port
from privtune.serve.auth.keys import open_store
from privtune.serve.roles import Role


def _bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    pytest.importorskip("psycopg", reason="psycopg not installed (the postgres extra)")
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    # PostgreSQL refuses to run as root: run it as nobody in a directory nobody owns.
    prefix = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="privtune-pg-"))
    os.chmod(root, 0o755)
    data = root / "data"
    if prefix:
        shutil.chown(root, "nobody")
    port = free_port()

    def run(*cmd: str) -> None:
        res = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=120)
        if res.returncode:
            pytest.skip(f"could not start PostgreSQL: {cmd[0]}: {res.stderr.strip()[-300:]}")

    run(str(bindir / "initdb"), "-D", str(data), "-U", "gw", "--auth=trust", "--no-sync", "-E", "UTF8")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l", str(root / "log"),
        "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        yield f"postgresql://gw@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def test_key_store_on_postgresql(pg_url):
    store = open_store(pg_url)
    rec, key = store.create("pg-user", Role.user, ttl_s=3600)
    assert store.verify(key).key_id == rec.key_id and store.verify(key + "x") is None
    new, new_key = store.rotate(rec.key_id, grace_s=0)
    assert store.verify(new_key).role == Role.user and store.verify(key) is None
    store.revoke(new.key_id)
    assert store.verify(new_key) is None
    store.revoke_jti("j-1", exp=4e9)
    assert store.jti_revoked("j-1") and not store.jti_revoked("j-2")
    assert {r.key_id for r in store.list()} >= {rec.key_id, new.key_id}
    store.close()


def test_two_gateways_share_one_postgresql_store(make_gateway, pg_url, tmp_path):
    one = make_gateway(auth={"key_store": pg_url})
    two = make_gateway(auth={"key_store": pg_url}, audit_log={"path": str(tmp_path / "two.jsonl")})
    admin = one.store.create("pg-admin", Role.admin)[1]
    with TestClient(one.app) as c1, TestClient(two.app) as c2:
        created = c1.post("/admin/keys", headers=bearer(admin), json={"name": "shared", "role": "user"}).json()
        assert c2.get("/v1/models", headers=bearer(created["api_key"])).status_code == 200
        c1.post(f"/admin/keys/{created['key_id']}/revoke", headers=bearer(admin))
        assert c2.get("/v1/models", headers=bearer(created["api_key"])).status_code == 401  # the other instance, next request
