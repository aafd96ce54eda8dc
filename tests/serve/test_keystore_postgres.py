"""The key store on a real PostgreSQL server (started here), shared by two gateway instances.

Skipped, with the reason, where the PostgreSQL server binaries or psycopg are missing (a failure
under PRIVTUNE_REQUIRE_POSTGRES=1, as in CI).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pg_server import create_database

from serve_helpers import bearer
from privtune.serve.auth.keys import open_store
from privtune.serve.roles import Role


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    """A database of its own on the suite's PostgreSQL server (tests/pg_server.py)."""
    return create_database(postgres_url, "keystore_test")


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


def test_nul_characters_and_blank_names_are_refused_not_500s(make_gateway, pg_url, tmp_path):
    # PostgreSQL cannot store or compare a NUL: a key name, a jti to revoke, a key id in the path or a
    # signed token's jti/kid holding one made the request a 500; a blank name (the store's InputError) too.
    import time

    import jwt

    from privtune.serve.auth.jwt import write_secret

    secret_file = tmp_path / "jwt.secret"
    write_secret(secret_file)
    gw = make_gateway(auth={"key_store": pg_url, "jwt_secret_file": str(secret_file)})
    admin = gw.store.create("pg-admin", Role.admin)[1]
    now = int(time.time())
    tokens = [jwt.encode({"sub": "a", "iat": now, "exp": now + 60, "jti": "j", **claim}, secret_file.read_bytes().strip(),
                         algorithm="HS256") for claim in ({"jti": "j\x00x"}, {"kid": "k\x00"})]
    with TestClient(gw.app, raise_server_exceptions=False) as c:
        for route, body, param in (("/admin/keys", {"name": "x\x00y"}, "name"), ("/admin/keys", {"name": "  "}, "name"),
                                   ("/admin/tokens/revoke", {"jti": "x\x00"}, "jti")):
            r = c.post(route, headers=bearer(admin), json=body)
            assert r.status_code == 400 and r.json()["error"]["param"] == param, (body, r.text)
        assert c.post("/admin/keys/ab%00c/revoke", headers=bearer(admin)).status_code == 404
        for token in tokens:
            assert c.get("/v1/models", headers=bearer(token)).status_code == 401
        assert c.get("/v1/models", headers=bearer(admin)).status_code == 403  # the store still answers
