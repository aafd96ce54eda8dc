"""JWTs: pinned algorithms, required claims, lifetime cap, alg none and HS/RS confusion refused, revocation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from serve_helpers import bearer, role_keys
from privtune.serve.auth.jwt import issue_token, write_secret


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**over):
    now = int(time.time())
    return {"sub": "alice", "role": "user", "iat": now, "exp": now + 600, "jti": uuid.uuid4().hex, **over}


@pytest.fixture()
def jwt_env(make_gateway, tmp_path):
    secret_file = tmp_path / "jwt.secret"
    write_secret(secret_file)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    pems = []
    for i, k in enumerate((rsa_key, ed_key)):
        p = tmp_path / f"idp{i}.pem"
        p.write_bytes(k.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
        pems.append(str(p))
    gw = make_gateway(auth={"key_store": str(tmp_path / "keys.sqlite3"), "jwt_secret_file": str(secret_file),
                            "jwt_public_keys": pems})
    secret = secret_file.read_bytes().strip()
    return gw, secret, rsa_key, ed_key, (tmp_path / "idp0.pem").read_bytes()


def _status(c, token):
    return c.get("/v1/models", headers=bearer(token)).status_code


def test_valid_tokens_from_both_trust_roots(jwt_env):
    gw, secret, rsa_key, ed_key, _ = jwt_env
    with TestClient(gw.app) as c:
        assert _status(c, issue_token(secret, "alice", "user")[0]) == 200
        assert _status(c, jwt.encode(_claims(), rsa_key, algorithm="RS256")) == 200
        assert _status(c, jwt.encode(_claims(), ed_key, algorithm="EdDSA")) == 200
        # role claim is honoured: an auditor token may not infer
        assert _status(c, jwt.encode(_claims(role="auditor"), secret, algorithm="HS256")) == 403
        assert _status(c, jwt.encode(_claims(role="root"), secret, algorithm="HS256")) == 401


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "jti"])
def test_required_claims(jwt_env, missing):
    gw, secret, *_ = jwt_env
    claims = _claims()
    del claims[missing]
    with TestClient(gw.app) as c:
        r = c.get("/v1/models", headers=bearer(jwt.encode(claims, secret, algorithm="HS256")))
        assert r.status_code == 401 and missing in r.json()["error"]["message"]


def test_expired_too_long_lived_and_wrongly_signed_tokens(jwt_env):
    gw, secret, rsa_key, *_ = jwt_env
    now = int(time.time())
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with TestClient(gw.app) as c:
        assert _status(c, jwt.encode(_claims(iat=now - 700, exp=now - 60), secret, algorithm="HS256")) == 401
        assert _status(c, jwt.encode(_claims(iat=now, exp=now + 3601), secret, algorithm="HS256")) == 401
        assert _status(c, jwt.encode(_claims(), b"x" * 48, algorithm="HS256")) == 401
        assert _status(c, jwt.encode(_claims(), other, algorithm="RS256")) == 401
        assert _status(c, jwt.encode(_claims(), secret, algorithm="HS512")) == 401
        assert _status(c, "a.b.c") == 401


def test_alg_none_and_hs_rs_confusion_are_refused(jwt_env):
    gw, _, _, _, rsa_pem = jwt_env
    header_none = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    body = _b64(json.dumps(_claims()).encode())
    # HS256 "signed" with the RSA public key's PEM: valid if a server used the public key as an HMAC secret.
    header_hs = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    sig = _b64(hmac.new(rsa_pem, f"{header_hs}.{body}".encode(), hashlib.sha256).digest())
    with TestClient(gw.app) as c:
        assert _status(c, f"{header_none}.{body}.") == 401
        assert _status(c, f"{header_hs}.{body}.{sig}") == 401


def test_revoked_jti_and_revoked_key_fail_on_the_next_request(jwt_env):
    gw, secret, *_ = jwt_env
    keys = role_keys(gw)
    token, claims = issue_token(secret, "bob", "user")
    from privtune.serve.auth.keys import split_key

    kid = split_key(keys["user"])[0]
    keyed, _ = issue_token(secret, "carol", "user", kid=kid)
    with TestClient(gw.app) as c:
        assert _status(c, token) == 200 and _status(c, keyed) == 200
        r = c.post("/admin/tokens/revoke", headers=bearer(keys["admin"]), json={"jti": claims["jti"]})
        assert r.status_code == 200
        assert _status(c, token) == 401
        c.post(f"/admin/keys/{kid}/revoke", headers=bearer(keys["admin"]))
        assert _status(c, keyed) == 401


def test_token_issue_cli(tmp_path):
    from privtune.cli import app

    secret = tmp_path / "s"
    r = CliRunner().invoke(app, ["token", "issue", "--sub", "ci", "--role", "auditor", "--secret-file", str(secret),
                                 "--create-secret", "--lifetime-s", "300"])
    assert r.exit_code == 0, r.output
    token = r.stdout.strip().splitlines()[-1]
    claims = jwt.decode(token, secret.read_bytes().strip(), algorithms=["HS256"])
    assert claims["role"] == "auditor" and claims["exp"] - claims["iat"] == 300 and claims["jti"]
    assert oct(secret.stat().st_mode & 0o777) == "0o600"
    store = tmp_path / "k.sqlite3"
    r = CliRunner().invoke(app, ["token", "revoke", claims["jti"], "--key-store", str(store)])
    assert "no key store at" in str(r.exception)  # a mistyped store: nothing the server reads was revoked
    assert CliRunner().invoke(app, ["keys", "create", "--name", "ops", "--key-store", str(store)]).exit_code == 0
    r = CliRunner().invoke(app, ["token", "revoke", claims["jti"], "--key-store", str(store)])
    assert r.exit_code == 0, r.output
    from privtune.serve.auth.keys import open_sqlite

    assert open_sqlite(store).jti_revoked(claims["jti"])


@pytest.mark.parametrize("sub, lifetime_s, match", [("alice", 0, "lifetime_s"), ("alice", -5, "lifetime_s"),
                                                     ("  ", 3600, "sub")])
def test_issue_refuses_an_expired_or_anonymous_token(sub: str, lifetime_s: int, match: str) -> None:
    from privtune.errors import ConfigError

    with pytest.raises(ConfigError, match=match):  # was a token printed already expired, exit 0
        issue_token(b"s" * 32, sub, "user", lifetime_s=lifetime_s)


def test_a_revocation_given_a_past_exp_is_not_purged_while_the_token_lives(jwt_env):
    # The admin's `exp` was stored as the revocation's end: a past or mistyped one was deleted by the
    # next revocation's purge, and the still-valid token was accepted again (revoked: true, said the answer).
    gw, secret, *_ = jwt_env
    keys = role_keys(gw)
    token, claims = issue_token(secret, "bob", "user")
    with TestClient(gw.app) as c:
        r = c.post("/admin/tokens/revoke", headers=bearer(keys["admin"]), json={"jti": claims["jti"], "exp": 1})
        assert r.status_code == 200 and _status(c, token) == 401
        c.post("/admin/tokens/revoke", headers=bearer(keys["admin"]), json={"jti": "another"})  # purges expired rows
        assert _status(c, token) == 401
        for bad in (b"NaN", b"1e400"):  # neither is a time (an infinite one was stored as is)
            r = c.post("/admin/tokens/revoke", content=b'{"jti": "x", "exp": ' + bad + b"}",
                       headers={**bearer(keys["admin"]), "Content-Type": "application/json"})
            assert r.status_code == 400 and r.json()["error"]["param"] == "exp", r.text


@pytest.mark.parametrize("alg", [["HS256"], {"HS256": 1}, 256])
def test_a_header_alg_that_is_not_a_string_is_a_401_and_counts_as_a_failure(jwt_env, alg):
    # No key needed: {"alg": ["HS256"]} made `alg in HS_ALGS` raise TypeError, answered 500 "internal
    # error" before any signature check, and not counted by the per-address failed-authentication limit.
    gw, secret, *_ = jwt_env
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = _b64(json.dumps(_claims()).encode())
    sig = _b64(hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest())
    with TestClient(gw.app, raise_server_exceptions=False) as c:
        r = c.get("/v1/models", headers=bearer(f"{header}.{body}.{sig}"))
    assert r.status_code == 401 and r.json()["error"]["message"] == "malformed token", r.text
    assert json.loads(Path(gw.cfg.audit_log.path).read_text().splitlines()[-1])["error"] == "invalid_api_key"


def test_token_revoke_prints_the_jti_as_written(tmp_path):
    # the jti is the user's text: "[/x]" in it was a MarkupError traceback after the revocation
    from privtune.cli import app
    from privtune.serve.auth.keys import open_sqlite

    store = tmp_path / "k.sqlite3"
    open_sqlite(store).close()
    r = CliRunner().invoke(app, ["token", "revoke", "[/x]-1", "--key-store", str(store)])
    assert r.exit_code == 0 and "[/x]-1 revoked" in r.output, r.exception
    assert open_sqlite(store).jti_revoked("[/x]-1")


def test_token_issue_refuses_a_lifetime_the_server_would_refuse(tmp_path):
    """`--lifetime-s 86400` printed a token (exit 0) that every request then got 401 for: the
    server refuses exp - iat over auth.jwt_max_lifetime_s (1 h unless --config says more)."""
    from privtune.cli import app
    from privtune.errors import ConfigError

    secret = tmp_path / "s"
    args = ["token", "issue", "--sub", "ci", "--secret-file", str(secret), "--create-secret"]
    r = CliRunner().invoke(app, [*args, "--lifetime-s", "86400"])
    assert isinstance(r.exception, ConfigError) and "jwt_max_lifetime_s" in str(r.exception), r.output
    assert "3600" in str(r.exception) and "eyJ" not in r.stdout
    (tmp_path / "serve.yaml").write_text("auth: {jwt_max_lifetime_s: 90000}\n")
    r = CliRunner().invoke(app, [*args, "--lifetime-s", "86400", "--config", str(tmp_path / "serve.yaml")])
    assert r.exit_code == 0, r.output
    token = r.stdout.strip().splitlines()[-1]
    claims = jwt.decode(token, secret.read_bytes().strip(), algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 86400


def test_token_issue_names_create_secret_when_the_secret_is_missing_and_a_bad_role_creates_nothing(tmp_path):
    from privtune.cli import app
    from privtune.errors import ConfigError

    secret = tmp_path / "s"
    r = CliRunner().invoke(app, ["token", "issue", "--sub", "ci", "--secret-file", str(secret)])
    assert isinstance(r.exception, ConfigError) and "--create-secret" in str(r.exception), r.output
    r = CliRunner().invoke(app, ["token", "issue", "--sub", "ci", "--role", "boss", "--secret-file", str(secret),
                                 "--create-secret"])
    assert isinstance(r.exception, ConfigError) and "boss" in str(r.exception)
    assert not secret.exists()  # bad input loses nothing and makes nothing
