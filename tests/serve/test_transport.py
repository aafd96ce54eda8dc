"""Transport: loopback by default, no plain HTTP beyond it without --insecure-http, TLS, body size limit, timeouts."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from serve_helpers import bearer, free_port, role_keys
from privtune.errors import ConfigError
from privtune.serve.config import ServeConfig, check_transport


def _cfg(**kw) -> ServeConfig:
    return ServeConfig.model_validate({"base": "/nonexistent", **kw})


def test_default_bind_is_loopback_and_non_loopback_needs_tls_or_explicit_flag(tmp_path):
    assert ServeConfig.model_validate({"base": "x"}).host == "127.0.0.1"
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        check_transport(_cfg(host=host))
    for host in ("0.0.0.0", "192.168.1.5", "::", "example.org"):
        with pytest.raises(ConfigError, match="TLS"):
            check_transport(_cfg(host=host))
        check_transport(_cfg(host=host, insecure_http=True))
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("x")
    check_transport(_cfg(host="0.0.0.0", ssl_certfile=str(cert), ssl_keyfile=str(key)))
    with pytest.raises(ConfigError, match="not found"):
        check_transport(_cfg(host="0.0.0.0", ssl_certfile=str(tmp_path / "no.pem"), ssl_keyfile=str(key)))
    with pytest.raises(ValueError):
        _cfg(ssl_certfile=str(cert))  # a certificate without its key


def test_cli_refuses_public_plain_http_before_loading_anything(tmp_path):
    from privtune.cli import app

    r = CliRunner().invoke(app, ["serve", "--base", str(tmp_path), "--host", "0.0.0.0"])
    assert isinstance(r.exception, ConfigError) and "--insecure-http" in str(r.exception)


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_tls_serving(make_gateway, tmp_path):
    import uvicorn

    cert, key = _self_signed(tmp_path)
    gw = make_gateway()
    user = role_keys(gw)["user"]
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(gw.app, host="127.0.0.1", port=port, ssl_certfile=str(cert),
                                           ssl_keyfile=str(key), access_log=False, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        ctx = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=ctx, timeout=30) as c:
            assert c.get("/health").status_code == 200
            assert c.get("/v1/models", headers=bearer(user)).status_code == 200
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)  # plain HTTP to a TLS port fails
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_body_size_limit_counts_bytes_not_the_header(make_gateway):
    gw = make_gateway(limits={"max_body_bytes": 4096})
    user = role_keys(gw)["user"]
    big = {"model": "tiny", "prompt": "x" * 5000}
    with TestClient(gw.app) as c:
        r = c.post("/v1/completions", headers=bearer(user), json=big)
        assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"

        def chunks():  # chunked transfer: no Content-Length to trust
            yield b'{"model": "tiny", "prompt": "'
            for _ in range(10):
                yield b"y" * 1000
            yield b'"}'

        r = c.post("/v1/completions", headers={**bearer(user), "content-type": "application/json"}, content=chunks())
        assert r.status_code == 413
        ok = c.post("/v1/completions", headers=bearer(user), json={"model": "tiny", "prompt": "x", "max_tokens": 2})
        assert ok.status_code == 200


def test_generation_timeout_ends_the_request(make_gateway):
    gw = make_gateway(limits={"request_timeout_s": 0.05})
    user = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        r = c.post("/v1/completions", headers=bearer(user),
                   json={"model": "tiny", "prompt": "x", "max_tokens": 400, "ignore_eos": True})
    assert r.status_code == 200
    assert r.json()["choices"][0]["finish_reason"] == "length" and r.json()["usage"]["completion_tokens"] < 400
