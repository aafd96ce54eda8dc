"""What the gateway's per-request path leaves out: FastAPI's own telemetry, YAML's reading of ``off``,
the audit line's second serialisation. (Its cost is measured in benchmarks/serve_overhead.py.)"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace

from serve_helpers import bearer, role_keys
from privtune.config import parse_set_overrides
from privtune.serve.auditlog import AuditLog, verify_log
from privtune.serve.config import ServeConfig

CANARY = "CANARY-otel-7f3a"


class _RecordingTracerProvider(trace.TracerProvider):
    """A configured global tracer provider, as an operator's OpenTelemetry setup would install."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def get_tracer(self, instrumenting_module_name: str, *args: object, **kwargs: object) -> trace.Tracer:
        self.asked.append(instrumenting_module_name)
        return trace.NoOpTracer()


def test_fastapi_native_telemetry_stays_off_when_a_global_provider_is_configured(make_gateway, monkeypatch):
    # FastAPI >= 0.165 traces every request through a configured global provider and keeps a
    # failed request's body (the prompt) in its telemetry data: the gateway must not take part.
    provider = _RecordingTracerProvider()
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)
    gw = make_gateway()
    keys = role_keys(gw)
    with TestClient(gw.app) as c:
        ok = c.post("/v1/chat/completions", headers=bearer(keys["user"]),
                    json={"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2})
        bad = c.post("/v1/chat/completions", headers=bearer(keys["user"]),
                     json={"model": "tiny", "messages": [{"role": "robot", "content": CANARY}]})
    assert ok.status_code == 200 and bad.status_code == 400
    assert CANARY not in bad.text
    assert provider.asked == []


@pytest.mark.parametrize("override", ["pii.output=off", "pii.input=off", "pii.output_by_role.admin=off",
                                      "audit_log.client_address=off"])
def test_bare_off_means_off_in_set_and_yaml(override):
    # YAML 1.1 reads a bare `off` as false; `--set pii.output=off` used to fail validation.
    cfg = ServeConfig.model_validate({"base": "x", **parse_set_overrides([override])})
    assert "off" in (cfg.pii.output, cfg.pii.input, *cfg.pii.output_by_role.values(), cfg.audit_log.client_address)


def test_off_does_not_turn_other_falsy_values_into_modes():
    with pytest.raises(ValueError):
        ServeConfig.model_validate({"base": "x", "pii": {"output": 0}})


def test_audit_line_is_the_hashed_record_with_its_hash_appended(tmp_path):
    log = AuditLog(tmp_path / "a.jsonl")
    first = log.append({"time": "2026-01-01T00:00:00+00:00", "request_id": "r1", "status": 200, "note": "ü"})
    # a caller's stray "hash" field is replaced, never chained
    second = log.append({"time": "2026-01-01T00:00:01+00:00", "request_id": "r2", "status": 200, "hash": "x"})
    log.close()
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [first, second]
    assert second["prev"] == first["hash"] and second["hash"] != "x"
    assert lines[0].endswith(f',"hash":"{first["hash"]}"}}') and "ü" in lines[0]
    head = json.loads((tmp_path / "a.jsonl.head").read_text())
    assert head == {"first_prev": "0" * 64, "last_hash": second["hash"], "records": 2}
    assert verify_log(tmp_path / "a.jsonl").ok


def test_metrics_count_per_series_and_in_flight_reads_the_live_count(make_gateway):
    gw = make_gateway()
    keys = role_keys(gw)
    body = {"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2, "ignore_eos": True}
    with TestClient(gw.app) as c:
        for _ in range(2):
            assert c.post("/v1/chat/completions", headers=bearer(keys["user"]), json=body).status_code == 200
        assert c.post("/v1/chat/completions", headers=bearer(keys["admin"]), json=body).status_code == 403
        text = c.get("/metrics", headers=bearer(keys["auditor"])).text
    assert 'privtune_requests_total{route="/v1/chat/completions",status="200"} 2.0' in text
    assert 'privtune_requests_total{route="/v1/chat/completions",status="403"} 1.0' in text
    assert 'privtune_request_seconds_count{route="/v1/chat/completions"} 3.0' in text
    assert 'privtune_tokens_total{kind="completion"} 4.0' in text
    assert "privtune_in_flight 1.0" in text  # the scrape itself, nothing left over
    assert gw.metrics.in_flight == 0
