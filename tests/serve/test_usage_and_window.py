"""`usage` says nothing about withheld text, and a client's max_tokens over the context window is a
400 with the numbers (round 8).

`EchoBackend` (test_pii_gateway) answers with its prompt and counts one token per character, so two
prompts whose redactions are the same text but whose values differ in length show whether the
model's own count reaches the client.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from privtune.serve.backends.base import GenRequest
from serve_helpers import bearer, role_keys
from test_pii_gateway import EchoBackend

SHORT = "Mail a@example.com now."
LONG = "Mail john.smith.the.third.of.that.name@example-long-domain.com now."


def _usage_of(c: TestClient, key: str, prompt: str, stream: bool) -> tuple[str, dict]:
    r = c.post("/v1/completions", headers=bearer(key), json={
        "model": "tiny", "prompt": prompt, "max_tokens": 50, "stream": stream,
        **({"stream_options": {"include_usage": True}} if stream else {})})
    assert r.status_code == 200, r.text
    if not stream:
        body = r.json()
        return body["choices"][0]["text"], body["usage"]
    chunks = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: {")]
    return "".join(ch["choices"][0]["text"] for ch in chunks if ch["choices"]), chunks[-1]["usage"]


@pytest.mark.parametrize("stream", [False, True])
def test_usage_of_a_redacted_answer_does_not_tell_the_value_length(make_gateway, tmp_path, stream):
    # was the model's count: 23 vs 67 "tokens" for the same visible "Mail [EMAIL] now."
    log = tmp_path / "usage.jsonl"
    gw = make_gateway(backend=EchoBackend(), audit_log={"path": str(log)}, pii={"output": "redact"})
    key = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        short_text, short_usage = _usage_of(c, key, SHORT, stream)
        long_text, long_usage = _usage_of(c, key, LONG, stream)
    assert short_text == long_text == "Mail [EMAIL] now."
    assert short_usage["completion_tokens"] == long_usage["completion_tokens"]
    assert long_usage["total_tokens"] == long_usage["prompt_tokens"] + long_usage["completion_tokens"]
    # the true count stays in the content-free audit record, beside what the client was told
    recs = [json.loads(x) for x in log.read_text().splitlines() if '"/v1/completions"' in x]
    assert [r["completion_tokens"] for r in recs] == [len(SHORT), len(LONG)]
    assert {r["guards"]["usage_completion_tokens"] for r in recs} == {long_usage["completion_tokens"]}


@pytest.mark.parametrize("stream", [False, True])
def test_usage_counts_the_returned_text_with_the_model_tokenizer(make_gateway, stream):
    gw = make_gateway(pii={"output": "redact"})
    key = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        text, usage = _usage_of(c, key, "Call me", stream)
    assert usage["completion_tokens"] == min(gw.backend.count_tokens(text), 50)  # never above max_tokens


def test_the_rate_limit_charges_what_usage_said(make_gateway):
    # the true count would let a client probe tokens_per_min for the length of what was withheld
    gw = make_gateway(backend=EchoBackend(), pii={"output": "redact"})
    key = role_keys(gw)["user"]
    charged: list[int] = []

    async def charge(key_id: str, tokens: int) -> None:
        charged.append(tokens)

    gw.limiter.charge_tokens = charge
    with TestClient(gw.app) as c:
        _, usage = _usage_of(c, key, LONG, False)
    assert charged == [usage["total_tokens"]]


def _prompt_of(gw, tokens: int) -> str:
    """A completion prompt of exactly ``tokens`` tokens for the tiny model."""
    text = "hello world " * tokens
    ids = gw.backend.tok(text, add_special_tokens=False)["input_ids"][:tokens]
    prompt = gw.backend.tok.decode(ids)
    assert len(gw.backend.encode(GenRequest("completion", max_tokens=1, prompt=prompt))) == tokens
    return prompt


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("field", ["max_tokens", "max_completion_tokens"])
def test_max_tokens_past_the_window_is_context_length_exceeded(make_gateway, stream, field):
    # was silently shortened to the 12 tokens left: the client got "length" after 12 of its 40 tokens
    gw = make_gateway()
    prompt = _prompt_of(gw, 500)
    with TestClient(gw.app) as c:
        r = c.post("/v1/completions", headers=bearer(role_keys(gw)["user"]),
                   json={"model": "tiny", "prompt": prompt, field: 40, "stream": stream})
    err = r.json()["error"]
    assert r.status_code == 400 and err["code"] == "context_length_exceeded" and err["param"] == "prompt", err
    assert err["message"] == ("This model's maximum context length is 512 tokens; this request asks for 540 "
                              "(500 in the prompt, 40 for the completion). Shorten the prompt or lower "
                              "max_tokens to at most 12")


def test_the_server_default_max_tokens_is_fitted_to_the_window(make_gateway):
    # no max_tokens from the client: the server's default (64) yields to the window, as vLLM's does
    gw = make_gateway()
    prompt = _prompt_of(gw, 500)
    with TestClient(gw.app) as c:
        r = c.post("/v1/completions", headers=bearer(role_keys(gw)["user"]),
                   json={"model": "tiny", "prompt": prompt, "ignore_eos": True, "temperature": 0})
    assert r.status_code == 200 and r.json()["usage"]["completion_tokens"] == 12, r.text
    assert r.json()["choices"][0]["finish_reason"] == "length"


def test_a_max_tokens_that_fits_exactly_is_served(make_gateway):
    gw = make_gateway()
    prompt = _prompt_of(gw, 500)
    with TestClient(gw.app) as c:
        r = c.post("/v1/completions", headers=bearer(role_keys(gw)["user"]),
                   json={"model": "tiny", "prompt": prompt, "max_tokens": 12, "ignore_eos": True})
    assert r.status_code == 200 and r.json()["usage"]["completion_tokens"] == 12, r.text


@pytest.mark.parametrize("stream", [False, True])
def test_upstream_usage_of_a_guarded_answer_is_the_returned_text_estimate(make_gateway, tmp_path, stream):
    """A gateway with a PII guard in front of an engine (a privtune gateway over httpx's ASGI
    transport): usage counted the engine's tokens; without ``base`` there is no tokenizer, so it is
    one token per 4 UTF-8 bytes of the returned text."""
    import asyncio

    import httpx

    from privtune.serve.backends.base import estimate_tokens
    from privtune.serve.backends.upstream import UpstreamBackend

    engine = make_gateway(backend=EchoBackend(), auth={"key_store": str(tmp_path / "engine-keys.sqlite3")},
                          audit_log={"path": str(tmp_path / "engine.jsonl")})
    up = UpstreamBackend("http://engine/v1", "tiny", upstream_model="tiny")
    asyncio.run(up._client.aclose())
    up._client = httpx.AsyncClient(base_url="http://engine", transport=httpx.ASGITransport(app=engine.app),
                                   headers={"Authorization": f"Bearer {role_keys(engine)['user']}"})
    gw = make_gateway(backend=up, pii={"output": "redact"})
    with TestClient(gw.app) as c:
        short_text, short_usage = _usage_of(c, role_keys(gw)["user"], SHORT, stream)
        long_text, long_usage = _usage_of(c, role_keys(gw)["user"], LONG, stream)
    assert short_text == long_text == "Mail [EMAIL] now."
    assert short_usage["completion_tokens"] == long_usage["completion_tokens"] == estimate_tokens(long_text)


def test_upstream_mode_counts_with_the_base_tokenizer_when_base_is_given(tiny_llama_dir):
    import asyncio

    from privtune.serve.app import load_backend
    from privtune.serve.config import ServeConfig

    with_base = load_backend(ServeConfig(upstream="http://127.0.0.1:9/v1", base=tiny_llama_dir))
    without = load_backend(ServeConfig(upstream="http://127.0.0.1:9/v1"))
    text = "Mail [EMAIL] now."
    try:
        assert with_base.count_tokens(text) == len(with_base.tokenizer(text, add_special_tokens=False)["input_ids"])
        assert without.tokenizer is None and without.count_tokens(text) == 5  # 17 bytes / 4, rounded up
    finally:
        asyncio.run(with_base.close())
        asyncio.run(without.close())
