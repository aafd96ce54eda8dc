"""The official `openai` client against the real app (round 7): calls an application makes in its
first hour that answered wrong. The SDK talks to the app through FastAPI's TestClient (an httpx
client), so every request runs the whole gateway: auth, roles, validation, the tiny model."""

from __future__ import annotations

import openai
import pytest
from fastapi.testclient import TestClient

from serve_helpers import role_keys


def _sdk(gw, c: TestClient) -> openai.OpenAI:
    return openai.OpenAI(base_url="http://testserver/v1", api_key=role_keys(gw)["user"], http_client=c, max_retries=0)


def test_models_retrieve_answers_for_the_served_model(make_gateway):
    # was 404 "no such route": `client.models.retrieve(id)`, which apps call to check the id first
    gw = make_gateway()
    with TestClient(gw.app) as c:
        sdk = _sdk(gw, c)
        assert sdk.models.retrieve("tiny").id == "tiny"
        with pytest.raises(openai.NotFoundError) as err:
            sdk.models.retrieve("gpt-4o")
    assert err.value.code == "model_not_found"


@pytest.mark.parametrize("chat", [True, False])
def test_a_prompt_over_the_window_is_context_length_exceeded(make_gateway, chat):
    # was code "bad_prompt" (and param "messages" for a completion): clients look for
    # `context_length_exceeded` to trim the conversation and retry
    gw = make_gateway()
    long = "hello world " * 600  # > 512 tokens, the tiny model's window
    with TestClient(gw.app) as c:
        sdk = _sdk(gw, c)
        with pytest.raises(openai.BadRequestError) as err:
            if chat:
                sdk.chat.completions.create(model="tiny", messages=[{"role": "user", "content": long}], max_tokens=4)
            else:
                sdk.completions.create(model="tiny", prompt=long, max_tokens=4)
    assert err.value.code == "context_length_exceeded" and err.value.param == ("messages" if chat else "prompt")
    assert "maximum context length is 512 tokens" in err.value.message and "hello" not in err.value.message


@pytest.mark.parametrize("direct", [True, False])
def test_a_body_that_is_not_json_names_no_field(make_gateway, direct):
    # was {"message": "1: JSON decode error", "param": "1"}: a character offset presented as a field
    from privtune.serve.app import create_app

    gw = make_gateway()
    app = gw.app if direct else create_app(gw, direct_dispatch=False)
    key = role_keys(gw)["user"]
    with TestClient(app) as c:
        r = c.post("/v1/chat/completions", headers={"Authorization": f"Bearer {key}", "content-type": "application/json"},
                   content=b'{"model": "tiny", "messages": [SECRET')
    err = r.json()["error"]
    assert r.status_code == 400 and err["param"] is None and err["code"] == "invalid_json", err
    assert err["message"] == "the body is not valid JSON (at character 31)" and "SECRET" not in r.text


def test_a_cap_error_names_the_field_the_client_sent(make_gateway):
    # newer SDK code sends max_completion_tokens; the 400 said param "max_tokens", a field it never sent
    gw = make_gateway(limits={"max_tokens_cap": 16})
    with TestClient(gw.app) as c:
        sdk = _sdk(gw, c)
        with pytest.raises(openai.BadRequestError) as err:
            sdk.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "hi"}],
                                        max_completion_tokens=17)
    assert err.value.param == "max_completion_tokens" and err.value.code == "max_tokens_too_large"


@pytest.mark.parametrize("stream", [False, True])
def test_upstream_context_refusal_is_context_length_exceeded(make_gateway, tmp_path, stream):
    """A gateway in front of a real engine (a privtune gateway app over httpx's ASGI transport):
    the engine's context-length 400 reached the client as "backend_error", param null."""
    import asyncio

    import httpx

    from privtune.serve.backends.upstream import UpstreamBackend

    engine = make_gateway(auth={"key_store": str(tmp_path / "engine-keys.sqlite3")},
                          audit_log={"path": str(tmp_path / "engine.jsonl")})
    up = UpstreamBackend("http://engine/v1", "tiny", upstream_model="tiny")
    asyncio.run(up._client.aclose())
    up._client = httpx.AsyncClient(base_url="http://engine", transport=httpx.ASGITransport(app=engine.app),
                                   headers={"Authorization": f"Bearer {role_keys(engine)['user']}"})
    gw = make_gateway(backend=up)
    secret = "SECRET-7731 "
    with TestClient(gw.app) as c:
        r = c.post("/v1/completions", headers={"Authorization": f"Bearer {role_keys(gw)['user']}"},
                   json={"model": "tiny", "prompt": secret * 400, "max_tokens": 4, "stream": stream})
    err = r.json()["error"]
    assert r.status_code == 400 and err["code"] == "context_length_exceeded" and err["param"] == "prompt", err
    assert "SECRET" not in r.text
