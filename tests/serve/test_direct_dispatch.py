"""The inference routes run past FastAPI's request machinery (`privtune.serve.direct`); they must
answer exactly as FastAPI's own dispatch does, for good and for malformed requests."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from serve_helpers import bearer, role_keys
from privtune.serve.app import create_app

CANARY = "CANARY-direct-5b1e"
CHAT = {"model": "tiny", "messages": [{"role": "user", "content": "where is my parcel?"}], "max_tokens": 6,
        "temperature": 0, "ignore_eos": True}
JSON = {"content-type": "application/json"}

CASES: list[tuple[str, dict[str, str], str | bytes]] = [  # (route, headers, raw body)
    ("/v1/chat/completions", JSON, json.dumps(CHAT)),
    ("/v1/chat/completions", {"content-type": "application/vnd.api+json; charset=utf-8"}, json.dumps(CHAT)),
    ("/v1/completions", JSON, json.dumps({"model": "tiny", "prompt": "Hello", "max_tokens": 4, "temperature": 0})),
    ("/v1/chat/completions", {"content-type": "text/plain"}, json.dumps(CHAT)),
    ("/v1/chat/completions", {}, json.dumps(CHAT)),
    ("/v1/chat/completions", JSON, ""),
    ("/v1/chat/completions", JSON, "{nope " + CANARY),
    ("/v1/chat/completions", JSON, '{"model": "tiny", "messages": [}'),
    ("/v1/chat/completions", JSON, b'{"model": "tiny", "messages": [{"role": "user", "content": "\xff\xfe"}]}'),
    ("/v1/chat/completions", JSON, json.dumps([CHAT])),
    ("/v1/chat/completions", JSON, json.dumps(CHAT).replace('"temperature": 0', '"temperature": NaN')),
    ("/v1/chat/completions", JSON, json.dumps(CHAT).replace('"max_tokens": 6', '"max_tokens": 6.0')),
    ("/v1/chat/completions", JSON, json.dumps(CHAT).replace('"max_tokens": 6', '"max_tokens": "6"')),
    ("/v1/chat/completions", JSON, json.dumps({**CHAT, "stream": "maybe"})),
    ("/v1/chat/completions", JSON, json.dumps({**CHAT, "messages": [{"role": "wizard", "content": CANARY}]})),
    ("/v1/chat/completions", JSON, json.dumps({**CHAT, "messages": [{"role": "user", "content": 7}]})),
    ("/v1/chat/completions", JSON, json.dumps({**CHAT, "temperature": "hot", "user": CANARY})),
    ("/v1/chat/completions", JSON, json.dumps({**CHAT, "messages": []})),
    ("/v1/completions", JSON, json.dumps({"model": "tiny"})),
    ("/v1/completions", JSON, json.dumps({"model": "gpt-4", "prompt": CANARY})),
    ("/v1/completions", JSON, json.dumps({"model": "tiny", "prompt": "x", "max_tokens": 100000})),
]


@pytest.fixture()
def two_apps(make_gateway):
    direct = make_gateway()
    fastapi_only = make_gateway()
    create_app(fastapi_only, direct_dispatch=False)
    return direct, fastapi_only, role_keys(direct)["user"]


def _shape(r) -> tuple:  # type: ignore[no-untyped-def]
    body = r.json()
    if r.status_code != 200:
        err = body["error"]
        return r.status_code, err["type"], err["code"], err["param"]
    return r.status_code, body["object"], body["choices"][0].get("message", body["choices"][0].get("text")), body["usage"]


def test_direct_dispatch_answers_as_fastapi_does(two_apps):
    direct, fastapi_only, key = two_apps
    with TestClient(direct.app) as a, TestClient(fastapi_only.app) as b:
        for route, headers, text in CASES:
            raw = text if isinstance(text, bytes) else text.encode()
            ra = a.post(route, headers={**bearer(key), **headers}, content=raw)
            rb = b.post(route, headers={**bearer(key), **headers}, content=raw)
            assert _shape(ra) == _shape(rb), (route, headers, raw[:60], ra.text, rb.text)
            assert CANARY not in ra.text and CANARY not in rb.text
            assert ra.headers["x-request-id"].startswith("req_")


def test_direct_dispatch_streams_as_fastapi_does(two_apps):
    direct, fastapi_only, key = two_apps
    body = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}

    def events(client: TestClient) -> list[dict]:
        with client.stream("POST", "/v1/chat/completions", headers=bearer(key), json=body) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            lines = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
        assert lines[-1] == "[DONE]"
        return [{k: v for k, v in json.loads(x).items() if k not in ("id", "created")} for x in lines[:-1]]

    with TestClient(direct.app) as a, TestClient(fastapi_only.app) as b:
        assert events(a) == events(b)


def test_direct_dispatch_keeps_the_audit_record_and_the_token_charge(make_gateway):
    gw = make_gateway(rate_limit={"tokens_per_min": 10})
    key = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        assert c.post("/v1/chat/completions", headers=bearer(key), json=CHAT).status_code == 200
        r = c.post("/v1/chat/completions", headers=bearer(key), json=CHAT)
    assert r.status_code == 429  # the first request's usage was charged
    rec = gw.audit.tail(2)[0]
    assert rec["route"] == "/v1/chat/completions" and rec["status"] == 200 and rec["completion_tokens"] == 6
    assert rec["prompt_tokens"] > 0 and rec["model"] == "tiny"
