"""The audit log: one content-free record per request, hash chain, verify-log, retention, client address modes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from serve_helpers import bearer, role_keys
from privtune.serve.auditlog import AuditLog, client_address, verify_log


def _log(tmp_path, n=5, start=None):
    log = AuditLog(tmp_path / "audit.jsonl")
    start = start or dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for i in range(n):
        log.append({"time": (start + dt.timedelta(days=i)).isoformat(), "request_id": f"r{i}", "status": 200})
    log.close()
    return tmp_path / "audit.jsonl"


def _rewrite(path, lines):
    path.write_text("".join(line + "\n" for line in lines))


def test_chain_verifies_and_survives_reopening(tmp_path):
    path = _log(tmp_path)
    log = AuditLog(path)
    log.append({"time": "2026-02-01T00:00:00+00:00", "request_id": "late", "status": 200})
    log.close()
    res = verify_log(path)
    assert res.ok and res.records == 6


@pytest.mark.parametrize("damage", ["edit", "delete_middle", "delete_first", "delete_last", "reorder"])
def test_verify_detects_edits_and_deletions(tmp_path, damage):
    path = _log(tmp_path)
    lines = path.read_text().splitlines()
    if damage == "edit":
        rec = json.loads(lines[2])
        rec["status"] = 500
        lines[2] = json.dumps(rec, sort_keys=True, separators=(",", ":"))
    elif damage == "delete_middle":
        del lines[2]
    elif damage == "delete_first":
        del lines[0]
    elif damage == "delete_last":
        del lines[-1]
    else:
        lines[1], lines[2] = lines[2], lines[1]
    _rewrite(path, lines)
    res = verify_log(path)
    assert not res.ok and res.problem


def test_verify_log_cli_exit_codes(tmp_path):
    from privtune.cli import app

    path = _log(tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["serve", "verify-log", str(path)]).exit_code == 0
    lines = path.read_text().splitlines()
    _rewrite(path, lines[:1] + lines[2:])
    r = runner.invoke(app, ["serve", "verify-log", str(path)])
    # main() turns the PrivtuneError into its exit code (5) and one message
    assert r.exception.exit_code == 5 and "line 2" in str(r.exception)
    r = runner.invoke(app, ["serve", "verify-log", str(tmp_path / "missing.jsonl")])
    assert r.exception.exit_code == 2


def test_retention_purges_old_records_and_the_rest_still_verifies(tmp_path):
    path = _log(tmp_path, n=10)
    log = AuditLog(path)
    removed = log.purge_older_than(3, now=dt.datetime(2026, 1, 10, 12, tzinfo=dt.timezone.utc))
    assert removed == 7  # Jan 1-7 are older than Jan 7 12:00
    log.append({"time": "2026-01-11T00:00:00+00:00", "request_id": "after", "status": 200})
    log.close()
    res = verify_log(path)
    assert res.ok and res.records == 4
    # deleting the oldest remaining record is still caught after a purge
    _rewrite(path, path.read_text().splitlines()[1:])
    assert not verify_log(path).ok


def test_client_address_modes():
    assert client_address("203.0.113.77", "full") == "203.0.113.77"
    assert client_address("203.0.113.77", "truncated") == "203.0.113.0/24"
    assert client_address("2001:db8:1234:5678::1", "truncated") == "2001:db8:1234::/48"
    assert client_address("203.0.113.77", "off") is None


def test_one_record_per_request_with_metadata_only(make_gateway, tmp_path):
    gw = make_gateway(audit_log={"path": str(tmp_path / "a.jsonl"), "client_address": "full"})
    keys = role_keys(gw)
    with TestClient(gw.app) as c:
        c.post("/v1/chat/completions", headers=bearer(keys["user"]),
               json={"model": "tiny", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 4})
        c.get("/v1/models")
        c.get("/metrics", headers=bearer(keys["user"]))
        tail = c.get("/v1/audit/log?n=3", headers=bearer(keys["auditor"])).json()["records"]
    records = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert len(records) == 4 and records[:3] == tail
    gen, anon, forbidden, _ = records
    assert gen["route"] == "/v1/chat/completions" and gen["status"] == 200 and gen["model"] == "tiny"
    assert gen["role"] == "user" and gen["auth"] == "api_key" and gen["prompt_tokens"] > 0
    assert gen["completion_tokens"] > 0 and gen["latency_ms"] > 0 and gen["client"] == "testclient"
    assert anon["status"] == 401 and anon["key_id"] is None and anon["error"] == "invalid_api_key"
    assert forbidden["status"] == 403
    assert set(gen) == {"time", "request_id", "key_id", "auth", "role", "method", "route", "status", "error", "model",
                        "stream", "prompt_tokens", "completion_tokens", "latency_ms", "client", "guards", "prev", "hash"}
    assert gen["guards"] == {"watermarked": False}  # PII guard off in these fixtures; counts only when on
    assert verify_log(tmp_path / "a.jsonl").ok


def test_metrics_for_auditors_count_requests_and_tokens_without_key_ids(make_gateway):
    gw = make_gateway()
    keys = role_keys(gw)
    with TestClient(gw.app) as c:
        c.post("/v1/completions", headers=bearer(keys["user"]), json={"model": "tiny", "prompt": "x", "max_tokens": 3,
                                                                       "ignore_eos": True})
        c.get("/v1/models")
        text = c.get("/metrics", headers=bearer(keys["auditor"])).text
    assert 'privtune_requests_total{route="/v1/completions",status="200"} 1.0' in text
    assert 'privtune_requests_total{route="/v1/models",status="401"} 1.0' in text
    assert 'privtune_tokens_total{kind="completion"} 3.0' in text
    assert all(k.split("_")[1] not in text for k in keys.values())


def test_errors_a_route_answers_are_named_in_the_record(make_gateway, tmp_path):
    """Round 7: only the middleware's own refusals (401, 403, 429...) had an ``error``; a 400, 404
    or 503 a route answered was logged with ``"error": null``."""
    log = tmp_path / "err.jsonl"
    gw = make_gateway(audit_log={"path": str(log)})
    keys = role_keys(gw)
    chat = {"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
    with TestClient(gw.app) as c:
        c.post("/v1/chat/completions", headers=bearer(keys["user"]), json={**chat, "model": "gpt-4o"})
        c.post("/v1/chat/completions", headers=bearer(keys["user"]), json={**chat, "messages": [{"role": "x"}]})
        c.post("/v1/completions", headers=bearer(keys["user"]),
               json={"model": "tiny", "prompt": "hello world " * 600, "max_tokens": 2})
        c.post("/admin/keys/nope/revoke", headers=bearer(keys["admin"]))
        c.post("/v1/chat/completions", headers=bearer(keys["user"]), json=chat)
    records = [json.loads(x) for x in log.read_text().splitlines()][-5:]
    assert [(r["status"], r["error"]) for r in records] == [
        (404, "model_not_found"), (400, "invalid_request"), (400, "context_length_exceeded"), (404, "key_not_found"),
        (200, None)]


@pytest.mark.parametrize(("damage", "problem"), [
    ("head_array", "head file audit.jsonl.head is not a JSON object"),
    ("head_keys", "has no 64-hex-digit 'first_prev'"),
    ("head_bytes", "head file audit.jsonl.head unreadable"),
    ("line_bytes", "line 3: not UTF-8 JSON"),
    ("line_array", "line 1: not a JSON object"),
    ("directory", "is a directory"),
])
def test_verify_log_names_any_damage_instead_of_crashing(tmp_path, damage, problem):
    # verify-log runs on logs that may have been tampered with: these were TypeError, KeyError,
    # UnicodeDecodeError, AttributeError or IsADirectoryError tracebacks (exit 1), not exit 5.
    from privtune.cli import app

    path = _log(tmp_path)
    head = tmp_path / "audit.jsonl.head"
    if damage == "head_array":
        head.write_text("[1]")
    elif damage == "head_keys":
        head.write_text("{}")
    elif damage == "head_bytes":
        head.write_bytes(b"\xff\xfe")
    elif damage == "line_bytes":
        lines = path.read_bytes().split(b"\n")
        lines[2] = b"\xff" + lines[2]
        path.write_bytes(b"\n".join(lines))
    elif damage == "line_array":
        path.write_bytes(b"[1]\n" + path.read_bytes())
    else:
        path = tmp_path / "logs"
        path.mkdir()
    r = CliRunner().invoke(app, ["serve", "verify-log", str(path)])
    assert getattr(r.exception, "exit_code", None) == 5, r.exception
    assert problem in str(r.exception)


def test_a_record_holding_a_unicode_line_separator_stays_one_record(make_gateway, tmp_path):
    # A JWT's sub goes into key_id, and JSON leaves U+2028 / U+0085 unescaped; str.splitlines took
    # them for line ends: /v1/audit/log parsed half records (500) and the purge split the record in two.
    from privtune.serve.auth.jwt import issue_token, write_secret

    secret_file = tmp_path / "jwt.secret"
    write_secret(secret_file)
    path = tmp_path / "a.jsonl"
    gw = make_gateway(audit_log={"path": str(path)},
                      auth={"key_store": str(tmp_path / "keys.sqlite3"), "jwt_secret_file": str(secret_file)})
    auditor = role_keys(gw)["auditor"]
    token = issue_token(secret_file.read_bytes().strip(), "ci\u2028bot\x85x", "user")[0]
    with TestClient(gw.app, raise_server_exceptions=False) as c:
        assert c.get("/v1/models", headers=bearer(token)).status_code == 200
        r = c.get("/v1/audit/log?n=5", headers=bearer(auditor))
        assert r.status_code == 200, r.text
        assert [x.get("key_id") for x in r.json()["records"]] == ["jwt:ci\u2028bot\x85x"]
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    log = AuditLog(path)  # the gateway closed its own at shutdown
    log.append({"time": later.isoformat(), "request_id": "later", "status": 200})
    assert log.purge_older_than(0, now=later) == 2  # the two requests above, not three halves
    log.close()
    assert verify_log(path).ok and verify_log(path).records == 1


def test_the_gateway_refuses_a_damaged_head_and_purges_up_to_a_damaged_line(tmp_path):
    # A head of the wrong shape was a TypeError at start-up; a line that is not a record made the
    # daily purge raise (its task died: retention stopped for good), or rewrote the line's bytes.
    from privtune.errors import IntegrityError

    path = _log(tmp_path, n=6)
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b'"status":200', b'"status":\xff200')
    path.write_bytes(b"\n".join(lines))
    head = tmp_path / "audit.jsonl.head"
    good_head = head.read_bytes()
    head.write_text('{"first_prev": 1}')
    with pytest.raises(IntegrityError, match="unreadable audit-log head"):
        AuditLog(path)
    head.write_bytes(good_head)
    log = AuditLog(path)
    assert log.purge_older_than(1, now=dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)) == 3  # up to the bad line
    assert log.tail(10)[0] == {"unreadable": True} and len(log.tail(10)) == 3
    log.close()
    assert path.read_bytes() == b"\n".join(lines[3:])  # kept bytes unchanged
    res = verify_log(path)
    assert not res.ok and res.line == 1 and res.problem == "not UTF-8 JSON"


def test_an_audit_log_path_that_is_a_directory_or_under_a_file_is_a_config_error(tmp_path):
    # a directory was "audit log without its head file; run verify-log"; under a file, a traceback
    from privtune.errors import ConfigError

    (tmp_path / "file").write_text("x")
    for path, words in ((tmp_path, "is a directory"), (tmp_path / "file" / "a.jsonl", "folder path is a file")):
        with pytest.raises(ConfigError, match=words):
            AuditLog(path)
