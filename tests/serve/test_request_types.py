"""Request fields are read with JSON's own types, as OpenAI reads them: a string, boolean or
fractional number where another type belongs is a 400 naming the field (pydantic's lax mode
accepted them as the value they resemble), and ``content: null`` is a tool-call turn's only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from serve_helpers import bearer, role_keys

CHAT = {"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2, "temperature": 0}
PROMPT = {"model": "tiny", "prompt": "hi", "max_tokens": 2, "temperature": 0}
TOOL_CALL = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]


@pytest.mark.parametrize(("path", "extra", "param"), [
    ("/v1/chat/completions", {"max_tokens": "12"}, "max_tokens"),
    ("/v1/chat/completions", {"max_tokens": 12.0}, "max_tokens"),
    ("/v1/chat/completions", {"max_completion_tokens": True}, "max_completion_tokens"),
    ("/v1/chat/completions", {"temperature": True}, "temperature"),
    ("/v1/chat/completions", {"temperature": "0.5"}, "temperature"),
    ("/v1/chat/completions", {"stream": "false"}, "stream"),
    ("/v1/chat/completions", {"stream": 1}, "stream"),
    ("/v1/chat/completions", {"n": 1.5}, "n"),
    ("/v1/chat/completions", {"n": "1"}, "n"),
    ("/v1/chat/completions", {"n": True}, "n"),
    ("/v1/chat/completions", {"seed": "5"}, "seed"),
    ("/v1/chat/completions", {"top_k": 2.0}, "top_k"),
    ("/v1/chat/completions", {"ignore_eos": "yes"}, "ignore_eos"),
    ("/v1/chat/completions", {"stream": True, "stream_options": {"include_usage": "true"}},
     "stream_options.include_usage"),
    ("/v1/completions", {"echo": "false"}, "echo"),
    ("/v1/completions", {"presence_penalty": "0"}, "presence_penalty"),
])
def test_a_field_of_the_wrong_json_type_is_a_400_naming_it(make_gateway, path, extra, param):
    gw = make_gateway()
    key = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        r = c.post(path, headers=bearer(key), json={**(CHAT if "chat" in path else PROMPT), **extra})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert (err["type"], err["code"], err["param"]) == ("invalid_request_error", "invalid_request", param), err
    assert str(list(extra.values())[-1]) not in err["message"].replace(param, "")  # the value is never echoed


@pytest.mark.parametrize(("path", "extra"), [
    ("/v1/chat/completions", {"stream": False, "stream_options": {"include_usage": True}}),
    ("/v1/chat/completions", {"stream_options": {}}),  # stream left out: false
    ("/v1/completions", {"stream": False, "stream_options": {"include_usage": False}}),
])
def test_stream_options_without_stream_is_a_400_naming_it(make_gateway, path, extra):
    # OpenAI and vLLM refuse it; it was ignored, so a client expecting a usage chunk got a whole answer
    gw = make_gateway()
    key = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        r = c.post(path, headers=bearer(key), json={**(CHAT if "chat" in path else PROMPT), **extra})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["param"] == "stream_options" and "stream is true" in err["message"], err


def test_json_numbers_still_pass_where_numbers_belong(make_gateway):
    # an integer for a float field is a JSON number (openai-python sends temperature=1 as 1)
    gw = make_gateway()
    key = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        r = c.post("/v1/chat/completions", headers=bearer(key),
                   json={**CHAT, "temperature": 1, "top_p": 1, "presence_penalty": 0, "seed": 3, "n": 1,
                         "stream": False, "stream_options": None})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("message", [
    {"role": "user", "content": None},
    {"role": "user"},
    {"role": "system", "content": None},
    {"role": "tool", "content": None, "tool_call_id": "c1"},
    {"role": "assistant", "content": None},  # no tool call: nothing the turn could stand for
    {"role": "assistant", "tool_calls": []},
])
def test_null_content_outside_a_tool_call_turn_is_a_400_naming_the_message(make_gateway, message):
    # It was read as empty text: a client that lost the user's message got an answer to a blank turn.
    gw = make_gateway()
    key = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        r = c.post("/v1/chat/completions", headers=bearer(key),
                   json={**CHAT, "messages": [{"role": "user", "content": "hi"}, message]})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["param"] == "messages.1.content" and "tool_calls" in err["message"], err


def test_an_assistant_tool_call_turn_may_leave_content_null_or_out(make_gateway):
    # OpenAI's format: {"role": "assistant", "tool_calls": [...]} with content null or absent, then the tool's answer
    gw = make_gateway()
    key = role_keys(gw)["user"]
    turns = [{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": TOOL_CALL},
             {"role": "tool", "content": "42", "tool_call_id": "c1"}]
    with TestClient(gw.app) as c:
        absent = c.post("/v1/chat/completions", headers=bearer(key), json={**CHAT, "messages": turns})
        null = c.post("/v1/chat/completions", headers=bearer(key),
                      json={**CHAT, "messages": [turns[0], {**turns[1], "content": None}, turns[2]]})
        legacy = c.post("/v1/chat/completions", headers=bearer(key), json={**CHAT, "messages": [
            turns[0], {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}},
            {"role": "function", "name": "f", "content": "42"}]})
    assert absent.status_code == null.status_code == legacy.status_code == 200, (absent.text, null.text, legacy.text)
    assert absent.json()["choices"] == null.json()["choices"] == legacy.json()["choices"]


def test_an_assistant_refusal_turn_reads_as_what_it_said(make_gateway):
    # OpenAI returns a refusal with content null; a client sending the history back got a 400
    gw = make_gateway()
    key = role_keys(gw)["user"]
    said = "I can't help with that."
    turns = [{"role": "user", "content": "hi"}, None, {"role": "user", "content": "why not?"}]
    with TestClient(gw.app) as c:
        answers = [c.post("/v1/chat/completions", headers=bearer(key), json={**CHAT, "messages": [
            turns[0], turn, turns[2]]}) for turn in ({"role": "assistant", "content": None, "refusal": said},
                                                       {"role": "assistant", "content": said})]
    assert [a.status_code for a in answers] == [200, 200], answers[0].text
    assert answers[0].json()["usage"] == answers[1].json()["usage"]  # the same prompt


@pytest.mark.parametrize("depth", [300, 5000])
@pytest.mark.parametrize(("path", "role"), [("/v1/chat/completions", "user"), ("/v1/completions", "user"),
                                            ("/admin/keys", "admin"), ("/admin/tokens/revoke", "admin")])
def test_a_deeply_nested_body_is_a_400_not_a_500(make_gateway, path, role, depth):
    # `[[[[...` a few kB deep: pydantic's parser stops at 200 levels, and the gateway's second parse
    # (for the error's character offset) raised RecursionError: "internal error", 500.
    gw = make_gateway()
    key = role_keys(gw)[role]
    body = b'{"model": "tiny", "prompt": "hi", "x": ' + b"[" * depth + b"]" * depth + b"}"
    with TestClient(gw.app, raise_server_exceptions=False) as c:
        r = c.post(path, headers={**bearer(key), "Content-Type": "application/json"}, content=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("escaped", [b"\\ud83d", b"\\ud83d tail", b"\\ude00", b"\\ud83d\\u0041"])
def test_a_lone_surrogate_escape_is_named(make_gateway, escaped):
    # JavaScript clients send "\ud83d" for a string cut inside an emoji; the answer was "the body is not
    # valid JSON", with no position (Python's json reads it), so nothing pointed at the cause.
    gw = make_gateway()
    key = role_keys(gw)["user"]
    body = b'{"model": "tiny", "max_tokens": 2, "prompt": "Hi ' + escaped + b'"}'
    with TestClient(gw.app) as c:
        r = c.post("/v1/completions", headers={**bearer(key), "Content-Type": "application/json"}, content=body)
        whole = c.post("/v1/completions", headers={**bearer(key), "Content-Type": "application/json"},
                       content=b'{"model": "tiny", "max_tokens": 2, "prompt": "Hi \\ud83d\\ude00"}')
    assert r.status_code == 400 and "surrogate" in r.json()["error"]["message"], r.text
    assert whole.status_code == 200, whole.text  # a whole pair is an emoji


@pytest.mark.parametrize(("part", "says"), [({"type": "text", "text": 5}, "content part 0 of type 'text' has no string"),
                                            ({"type": "text"}, "content part 0 of type 'text' has no string"),
                                            ({"type": "image_url", "image_url": {"url": "x"}}, "'image_url' is not text")])
def test_a_content_part_that_is_not_readable_text_says_why(make_gateway, part, says):
    # a text part whose "text" was not a string read "content part of type 'text' is not text"
    gw = make_gateway()
    with TestClient(gw.app) as c:
        r = c.post("/v1/chat/completions", headers=bearer(role_keys(gw)["user"]),
                   json={**CHAT, "messages": [{"role": "user", "content": [part]}]})
    assert r.status_code == 400 and says in r.json()["error"]["message"], r.text
    assert r.json()["error"]["param"] == "messages.0.content"
