"""API keys: shown once, stored hashed (0600), expiry, rotation with grace, revocation on the next request, CLI."""

from __future__ import annotations

import stat

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from serve_helpers import bearer, role_keys
from privtune.serve.auth.keys import open_sqlite, split_key
from privtune.serve.roles import Role


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def test_keys_are_stored_as_hashes_in_a_0600_file(tmp_path):
    path = tmp_path / "keys.sqlite3"
    store = open_sqlite(path)
    rec, key = store.create("alice", Role.user)
    key_id, secret = split_key(key)
    assert key_id == rec.key_id
    store.close()
    raw = path.read_bytes()
    assert secret.encode() not in raw and key.encode() not in raw and rec.key_id.encode() in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store = open_sqlite(path)
    assert store.verify(key).key_id == rec.key_id
    assert store.verify(key[:-1] + ("A" if key[-1] != "A" else "B")) is None  # one character off
    assert store.verify(f"ptk_{'0' * 12}_{secret}") is None  # right secret, unknown id
    assert store.verify("not-a-key") is None and store.verify("ptk_short_x") is None


def test_expiry_and_rotation_grace(tmp_path):
    clock = Clock()
    store = open_sqlite(tmp_path / "k.sqlite3", now=clock)
    rec, key = store.create("svc", Role.auditor, ttl_s=3600)
    clock.t += 3599
    assert store.verify(key) is not None
    clock.t += 2
    assert store.verify(key) is None
    rec, old = store.create("svc2", Role.user)
    new_rec, new = store.rotate(rec.key_id, grace_s=600)
    assert new_rec.role == Role.user and new_rec.name == "svc2" and new != old
    assert store.get(rec.key_id).replaced_by == new_rec.key_id
    clock.t += 599
    assert store.verify(old) is not None and store.verify(new) is not None
    clock.t += 2
    assert store.verify(old) is None and store.verify(new) is not None


def test_revoked_key_fails_on_the_very_next_request(make_gateway):
    gw = make_gateway()
    keys = role_keys(gw)
    with TestClient(gw.app) as c:
        assert c.get("/v1/models", headers=bearer(keys["user"])).status_code == 200
        key_id = split_key(keys["user"])[0]
        r = c.post(f"/admin/keys/{key_id}/revoke", headers=bearer(keys["admin"]))
        assert r.status_code == 200 and r.json()["revoked"]
        assert c.get("/v1/models", headers=bearer(keys["user"])).status_code == 401


def test_admin_routes_create_list_rotate(make_gateway):
    gw = make_gateway()
    admin = role_keys(gw)["admin"]
    with TestClient(gw.app) as c:
        r = c.post("/admin/keys", headers=bearer(admin), json={"name": "bob", "role": "user", "ttl_days": 1})
        assert r.status_code == 201
        created = r.json()
        assert created["api_key"].startswith("ptk_") and created["expires"]
        listed = c.get("/admin/keys", headers=bearer(admin)).text
        assert created["key_id"] in listed and created["api_key"] not in listed and "secret_hash" not in listed
        r = c.post(f"/admin/keys/{created['key_id']}/rotate", headers=bearer(admin), json={"grace_hours": 0})
        assert r.status_code == 201
        assert c.get("/v1/models", headers=bearer(r.json()["api_key"])).status_code == 200
        assert c.get("/v1/models", headers=bearer(created["api_key"])).status_code == 401  # grace 0


def test_keys_cli(tmp_path):
    from privtune.cli import app

    store = str(tmp_path / "cli.sqlite3")
    runner = CliRunner()
    r = runner.invoke(app, ["keys", "create", "--name", "ops", "--role", "admin", "--key-store", store])
    assert r.exit_code == 0, r.output
    key = r.stdout.strip().splitlines()[-1]
    key_id = split_key(key)[0]
    r = runner.invoke(app, ["keys", "list", "--key-store", store, "--json"])
    assert key_id in r.stdout and key not in r.stdout and '"role": "admin"' in r.stdout
    r = runner.invoke(app, ["keys", "rotate", key_id, "--grace-hours", "1", "--key-store", store])
    assert r.exit_code == 0 and r.stdout.strip().startswith("ptk_")
    r = runner.invoke(app, ["keys", "revoke", key_id, "--key-store", store])
    assert r.exit_code == 0
    assert open_sqlite(tmp_path / "cli.sqlite3").verify(key) is None
    r = runner.invoke(app, ["keys", "create", "--name", "x", "--role", "root", "--key-store", store])
    assert r.exit_code != 0


def test_keys_cli_refuses_lifetimes_that_never_or_already_expire_or_overflow(tmp_path):
    # --ttl-days 0 made a key that never expires, -1 one already expired, and 1e300 was stored and
    # then broke `keys list` for every key (OverflowError traceback).
    from privtune.cli import app
    from privtune.errors import InputError

    store = str(tmp_path / "ttl.sqlite3")
    runner = CliRunner()
    for ttl in ("0", "-1", "nan", "inf", "1e300"):
        r = runner.invoke(app, ["keys", "create", "--name", "ops", "--ttl-days", ttl, "--key-store", store])
        assert isinstance(r.exception, InputError) and "--ttl-days" in str(r.exception), (ttl, r.output)
    r = runner.invoke(app, ["keys", "create", "--name", " ", "--key-store", store])
    assert isinstance(r.exception, InputError) and "needs a name" in str(r.exception)
    assert open_sqlite(tmp_path / "ttl.sqlite3").list() == []
    # A store written before these checks still lists.
    legacy = open_sqlite(tmp_path / "ttl.sqlite3")
    legacy._exec("INSERT INTO api_keys (key_id, name, role, secret_hash, created, expires) VALUES (?, ?, ?, ?, ?, ?)",
                  ("abc123abc123", "old", "user", "0" * 64, 1.0, 1e300 * 86400))
    r = runner.invoke(app, ["keys", "list", "--key-store", store])
    assert r.exit_code == 0 and "abc123abc123" in r.output and "range" in r.output


def test_a_key_store_path_that_is_missing_a_directory_or_not_sqlite_is_a_clear_error(tmp_path):
    # A directory given as --key-store was chmod-ed 0600 (its files unreachable after), then an
    # sqlite3 traceback; so was any other file; a mistyped path made a new empty store, and
    # `keys list` showed no keys instead of saying there is no store there.
    from privtune.cli import app
    from privtune.errors import ConfigError

    folder = tmp_path / "keys"
    folder.mkdir(mode=0o755)
    (folder / "inside.txt").write_text("x")
    other = tmp_path / "serve.yaml"
    other.write_text("model: x\n")
    other.chmod(0o644)
    runner = CliRunner()
    for store, words in ((folder, "is a directory"), (other, "not a key store"),
                         (tmp_path / "typo.sqlite3", "no key store at")):
        for args in (["keys", "list"], ["keys", "revoke", "abc"], ["token", "revoke", "j"]):
            r = runner.invoke(app, [*args, "--key-store", str(store)])
            assert isinstance(r.exception, ConfigError) and words in str(r.exception), (args, store, r.exception)
    assert folder.stat().st_mode & 0o777 == 0o755 and other.stat().st_mode & 0o777 == 0o644
    assert other.read_text() == "model: x\n" and not (tmp_path / "typo.sqlite3").exists()
    r = runner.invoke(app, ["keys", "create", "--name", "ops", "--key-store", str(tmp_path / "new" / "k.sqlite3")])
    assert r.exit_code == 0 and (tmp_path / "new" / "k.sqlite3").stat().st_mode & 0o777 == 0o600


def test_keys_list_prints_names_as_written(tmp_path):
    # "[/x]" in a key's name (the admin API takes any text) made `keys list` a MarkupError traceback
    from privtune.cli import app

    store = tmp_path / "k.sqlite3"
    open_sqlite(store).create("[/ops] [bold]ci", Role.user)
    r = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["keys", "list", "--key-store", str(store)])
    assert r.exit_code == 0 and "[/ops] [bold]ci" in r.output, r.exception


def test_admin_key_names_the_store_refuses_are_400s(make_gateway):
    # the store's InputError (a blank name) reached no handler: 500 "internal error"
    gw = make_gateway()
    admin = role_keys(gw)["admin"]
    with TestClient(gw.app, raise_server_exceptions=False) as c:
        for name in ("  ", "ci\tbot", "x\x00"):
            r = c.post("/admin/keys", headers=bearer(admin), json={"name": name})
            assert r.status_code == 400 and r.json()["error"]["param"] == "name", (name, r.text)
        assert c.post("/admin/keys", headers=bearer(admin), json={"name": "ci bot ☃"}).status_code == 201


def test_keys_list_into_a_pipe_shows_whole_names(tmp_path, monkeypatch):
    # Not a terminal (a CI log, `| grep`): rich assumed 80 columns and printed "support-app…".
    monkeypatch.delenv("COLUMNS", raising=False)
    store = str(tmp_path / "keys.sqlite3")
    from privtune.cli import app

    created = CliRunner().invoke(app, ["keys", "create", "--name", "support-app-production", "--role", "auditor",
                                       "--key-store", store])
    assert created.exit_code == 0, created.output
    r = CliRunner(env={"NO_COLOR": "1"}).invoke(app, ["keys", "list", "--key-store", store])
    assert r.exit_code == 0 and "support-app-production" in r.stdout, r.stdout
