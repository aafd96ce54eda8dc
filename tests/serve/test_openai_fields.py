"""OpenAI request fields beyond the basics: honoured (penalties, vLLM sampling extensions) or
refused by name (logprobs, tools, structured output, logit_bias, echo/suffix/best_of), never
silently ignored — a client asking for JSON mode or tool calls must not get plain text back."""

from __future__ import annotations

import asyncio

import pytest
import torch
from fastapi.testclient import TestClient

from privtune.serve.backends.base import GenRequest
from privtune.serve.backends.penalties import OpenAIPenalties
from privtune.serve.backends.upstream import UpstreamBackend
from serve_helpers import bearer, role_keys

CHAT = {"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 6, "temperature": 0}
PROMPT = {"model": "tiny", "prompt": "Order 12", "max_tokens": 6, "temperature": 0}


@pytest.mark.parametrize(("path", "extra", "word"), [
    ("/v1/chat/completions", {"logprobs": True}, "log-probabilities"),
    ("/v1/chat/completions", {"logprobs": False, "top_logprobs": 3}, "log-probabilities"),
    ("/v1/completions", {"logprobs": 2}, "log-probabilities"),
    ("/v1/chat/completions", {"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]},
     "tool-call arguments would bypass"),
    ("/v1/chat/completions", {"functions": [{"name": "f", "parameters": {}}]}, "function calling"),
    ("/v1/chat/completions", {"tool_choice": "required"}, "function calling"),
    ("/v1/chat/completions", {"tool_choice": {"type": "function", "function": {"name": "f"}}}, "function calling"),
    ("/v1/chat/completions", {"response_format": {"type": "json_object"}}, "structured output"),
    ("/v1/chat/completions", {"response_format": {"type": "json_schema", "json_schema": {"name": "x"}}},
     "structured output"),
    ("/v1/chat/completions", {"logit_bias": {"50": 10}}, "logit_bias"),
    ("/v1/completions", {"echo": True}, "echo"),
    ("/v1/completions", {"suffix": "tail"}, "suffix"),
    ("/v1/completions", {"best_of": 3}, "best_of"),
    ("/v1/chat/completions", {"n": 2}, "one choice per request"),
])
def test_unserved_fields_are_refused_by_name(make_gateway, path, extra, word):
    gw = make_gateway()
    key = role_keys(gw)["user"]
    base = CHAT if "chat" in path else PROMPT
    with TestClient(gw.app) as c:
        r = c.post(path, headers=bearer(key), json={**base, **extra})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert word in err["message"] and err["param"] in extra, err


def test_neutral_values_clients_send_by_default_pass(make_gateway):
    # openai-python / LangChain defaults: these ask for nothing and must not be refused.
    neutral = {"logprobs": False, "top_logprobs": None, "logit_bias": {}, "tools": [], "tool_choice": "none",
               "response_format": {"type": "text"}, "presence_penalty": 0, "frequency_penalty": 0,
               "function_call": "auto", "user": "u-1", "parallel_tool_calls": True}
    gw = make_gateway()
    key = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        a = c.post("/v1/chat/completions", headers=bearer(key), json=CHAT)
        b = c.post("/v1/chat/completions", headers=bearer(key), json={**CHAT, **neutral})
        p = c.post("/v1/completions", headers=bearer(key), json={**PROMPT, "echo": False, "best_of": 1, "logprobs": None})
        # (a legacy "logprobs": 0 asks for the sampled tokens' log-probabilities: test_openai_extensions)
    assert a.status_code == b.status_code == p.status_code == 200, (b.text, p.text)
    assert a.json()["choices"] == b.json()["choices"]


def test_frequency_penalty_changes_a_repetitive_greedy_output(make_gateway):
    gw = make_gateway()
    key = role_keys(gw)["user"]
    body = {**PROMPT, "max_tokens": 24, "ignore_eos": True}
    with TestClient(gw.app) as c:
        plain = c.post("/v1/completions", headers=bearer(key), json=body).json()
        penal = c.post("/v1/completions", headers=bearer(key), json={**body, "frequency_penalty": 2.0,
                                                                      "presence_penalty": 2.0}).json()
        r = c.post("/v1/completions", headers=bearer(key), json={**body, "presence_penalty": 2.5})
    assert r.status_code == 400 and r.json()["error"]["param"] == "presence_penalty"
    tok = gw.backend.tok
    ids_plain = tok.encode(plain["choices"][0]["text"], add_special_tokens=False)
    ids_penal = tok.encode(penal["choices"][0]["text"], add_special_tokens=False)
    # the tiny random model repeats itself greedily; the penalties push it to new tokens
    assert len(set(ids_penal)) > len(set(ids_plain)), (plain, penal)


def test_vllm_sampling_extensions_reach_generate(make_gateway):
    gw = make_gateway()
    key = role_keys(gw)["user"]
    body = {**PROMPT, "temperature": 1.0, "seed": 3, "max_tokens": 16, "ignore_eos": True}
    with TestClient(gw.app) as c:
        free = c.post("/v1/completions", headers=bearer(key), json=body).json()["choices"][0]["text"]
        top1 = c.post("/v1/completions", headers=bearer(key), json={**body, "top_k": 1}).json()["choices"][0]["text"]
        greedy = c.post("/v1/completions", headers=bearer(key),
                        json={**body, "temperature": 0}).json()["choices"][0]["text"]
        rep = c.post("/v1/completions", headers=bearer(key), json={**body, "repetition_penalty": 1.3})
        minp = c.post("/v1/completions", headers=bearer(key), json={**body, "min_p": 0.5})
    assert top1 == greedy != free  # top_k 1 sampling is greedy decoding
    assert rep.status_code == minp.status_code == 200


def test_penalty_processor_follows_openai_definition():
    scores = torch.zeros(1, 6)
    ids = torch.tensor([[5, 5, 1, 2, 2, 2]])  # prompt 5 5, generated 1 2 2 2
    out = OpenAIPenalties(prompt_len=2, presence=0.5, frequency=0.25)(ids, scores.clone())
    assert out.tolist() == [[0.0, -0.75, -1.25, 0.0, 0.0, 0.0]]  # prompt token 5 not penalised
    assert torch.equal(OpenAIPenalties(6, 1.0, 1.0)(ids, scores.clone()), scores)  # nothing generated yet


def test_upstream_forwards_only_what_was_asked():
    up = UpstreamBackend("http://127.0.0.1:9", "m", upstream_model="engine")
    try:
        _, plain = asyncio.run(up._body(GenRequest("completion", max_tokens=4, prompt="x"), stream=False))
        _, asked = asyncio.run(up._body(GenRequest("completion", max_tokens=4, prompt="x", presence_penalty=0.3,
                                                   top_k=5, repetition_penalty=1.1), stream=False))
    finally:
        asyncio.run(up.close())
    assert not {"presence_penalty", "frequency_penalty", "top_k", "min_p", "repetition_penalty"} & set(plain)
    assert asked["presence_penalty"] == 0.3 and asked["top_k"] == 5 and asked["repetition_penalty"] == 1.1
    assert "frequency_penalty" not in asked


def test_explicit_nulls_mean_the_defaults_and_function_turns_are_tool_turns(make_gateway):
    # LiteLLM / the Vercel AI SDK send "temperature": null, "n": null ...: each was a 400.
    gw = make_gateway()
    key = role_keys(gw)["user"]
    nulls = {k: None for k in ("temperature", "top_p", "n", "stream", "stop", "seed", "presence_penalty",
                               "frequency_penalty", "max_tokens", "stream_options", "top_k", "logprobs",
                               "response_format", "tools", "tool_choice")}
    turn = [{"role": "user", "content": "hi"}, {"role": "function", "name": "f", "content": "42"}]
    with TestClient(gw.app) as c:
        r = c.post("/v1/chat/completions", headers=bearer(key), json={**CHAT, **nulls, "max_tokens": 3})
        p = c.post("/v1/completions", headers=bearer(key), json={**PROMPT, **nulls, "echo": None, "suffix": None})
        f = c.post("/v1/chat/completions", headers=bearer(key), json={**CHAT, "messages": turn})
        m = c.post("/v1/chat/completions", headers=bearer(key), json={**CHAT, "model": None})
    assert r.status_code == p.status_code == f.status_code == 200, (r.text, p.text, f.text)
    assert m.status_code == 400 and m.json()["error"]["param"] == "model"


def test_startup_says_the_guards_and_warns_when_no_key_can_get_in(make_gateway):
    from privtune.serve.cli import startup_notes

    gw = make_gateway(pii={"output": "redact", "output_by_role": {"auditor": "mask"}})
    cfg = gw.cfg.model_copy(update={"auth": gw.cfg.auth.model_copy(
        update={"key_store": "postgresql://svc:hunter2@db.internal/keys"})})
    notes = startup_notes(cfg, gw)
    assert notes[0] == "guards: output PII redact, auditor mask; input PII off; watermark off"
    assert "no active API key in postgresql://db.internal/keys" in notes[1] and "hunter2" not in "".join(notes)
    role_keys(gw)
    assert len(startup_notes(cfg, gw)) == 1
