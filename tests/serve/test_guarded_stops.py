"""Stop strings with an output PII guard on: they match the text the client sees, never the raw
output (round 7). Matched on the raw output, a stop string inside a value cut it to a prefix the
detectors do not recognise ("电话1380013" went out), and ``finish_reason: stop`` told whether a
guessed value was in the hidden text.

`RawStopEcho` answers with its prompt and honours stop strings on its raw text, as vLLM and the
embedded backend do: the gateway must not hand them a stop string when a guard rewrites the text.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.serve.backends.base import GenRequest, GenResult, apply_stop
from privtune.serve.stops import VisibleStop
from serve_helpers import bearer, role_keys

PII_TEXT = "我叫张伟，电话13800138000。 Mail john.smith@example.com now. Card 4111 1111 1111 1111 ok"
REDACTED = "我叫[PERSON]，电话[PHONE]。 Mail [EMAIL] now. Card [BANK_CARD] ok"


class RawStopEcho:
    """Echoes the prompt (the last chat turn) in 3-character deltas, cut at its stop strings."""

    model_id = "tiny"

    def __init__(self) -> None:
        self.stops_seen: list[list[str]] = []

    def _text(self, req: GenRequest) -> tuple[str, str]:
        self.stops_seen.append(list(req.stop))
        text = req.prompt if req.prompt is not None else (req.messages or [{}])[-1].get("content", "")
        cut, stopped = apply_stop(text, req.stop)
        return cut, "stop" if stopped else "length"

    async def generate(self, req: GenRequest) -> GenResult:
        text, finish = self._text(req)
        return GenResult(text, 5, len(text), finish)

    async def stream(self, req: GenRequest) -> Any:
        text, finish = self._text(req)
        sent, halt = 0, getattr(req, "halt", None)
        for i in range(0, len(text), 3):
            if halt is not None and halt.is_set():
                break
            yield text[i:i + 3]
            sent = i + 3
        yield GenResult(text[:sent], 5, min(sent, len(text)), finish)

    def describe(self) -> dict[str, Any]:
        return {"kind": "raw-stop-echo"}

    async def close(self) -> None:
        return None


def _ask(c: TestClient, key: str, stop: Any, stream: bool, chat: bool) -> tuple[str, str]:
    body: dict[str, Any] = {"model": "tiny", "max_tokens": 64, "stop": stop, "stream": stream}
    if chat:
        r = c.post("/v1/chat/completions", headers=bearer(key),
                   json={**body, "messages": [{"role": "user", "content": PII_TEXT}]})
    else:
        r = c.post("/v1/completions", headers=bearer(key), json={**body, "prompt": PII_TEXT})
    assert r.status_code == 200, r.text
    if not stream:
        choice = r.json()["choices"][0]
        return (choice["message"]["content"] if chat else choice["text"]), choice["finish_reason"]
    chunks = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: {")]
    choices = [ch["choices"][0] for ch in chunks if ch["choices"]]
    text = "".join((ch["delta"].get("content") or "") if chat else ch["text"] for ch in choices)
    return text, next(ch["finish_reason"] for ch in choices if ch["finish_reason"])


@pytest.mark.parametrize(("stream", "chat"), [(False, False), (True, False), (False, True), (True, True)])
def test_a_stop_string_inside_a_value_neither_cuts_it_nor_answers_whether_it_was_there(make_gateway, stream, chat):
    backend = RawStopEcho()
    gw = make_gateway(backend=backend, pii={"output": "redact"})
    key = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        for stop in ("8000", ["1111 1111 1111", "smith@"], "13800138000"):
            text, finish = _ask(c, key, stop, stream, chat)
            # was "我叫[PERSON]，电话1380013" / "... Card 4111 1111 " / finish "stop" for the guessed number
            assert (text, finish) == (REDACTED, "length"), (stop, text, finish)
        text, finish = _ask(c, key, ["[EMAIL]"], stream, chat)  # what the client sees is what stops
        assert (text, finish) == (REDACTED[:REDACTED.index("[EMAIL]")], "stop")
    assert all(s == [] for s in backend.stops_seen)  # the raw output is never matched


def test_without_a_rewriting_guard_the_backend_still_matches_stops(make_gateway):
    backend = RawStopEcho()
    gw = make_gateway(backend=backend, pii={"output": "off"})
    key = role_keys(gw)["user"]
    with TestClient(gw.app) as c:
        assert _ask(c, key, "8000", False, False) == (PII_TEXT[:PII_TEXT.index("8000")], "stop")
    assert backend.stops_seen == [["8000"]]


def test_the_tiny_model_halts_at_a_stop_string_found_in_the_guarded_text(make_gateway):
    """The embedded backend under a guard: the stop ends generation early, streamed or not."""
    gw = make_gateway(pii={"output": "redact", "max_holdback_chars": 16})
    key = role_keys(gw)["user"]
    req = {"model": "tiny", "prompt": "Hello", "max_tokens": 60, "temperature": 0, "ignore_eos": True}
    with TestClient(gw.app) as c:
        full = c.post("/v1/completions", headers=bearer(key), json=req).json()["choices"][0]["text"]
        at = next(k for k in range(4, len(full)) if full[k] != "\ufffd" and full.find(full[k]) == k)
        stop = full[at]
        whole = c.post("/v1/completions", headers=bearer(key), json={**req, "stop": [stop]}).json()
        r = c.post("/v1/completions", headers=bearer(key),
                   json={**req, "stop": stop, "stream": True, "stream_options": {"include_usage": True}})
    chunks = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: {")]
    streamed = "".join(ch["choices"][0]["text"] for ch in chunks if ch["choices"])
    assert whole["choices"][0]["text"] == streamed == full[:at]
    assert whole["choices"][0]["finish_reason"] == "stop"
    assert whole["usage"]["completion_tokens"] < 60 and chunks[-1]["usage"]["completion_tokens"] < 60


@pytest.mark.parametrize("pieces", [["ab", "cSTO", "Pde"], ["a", "b", "c", "S", "T", "O", "P"], ["abcSTOP"]])
def test_visible_stop_cuts_across_pieces_and_never_sends_part_of_a_stop(pieces):
    vs = VisibleStop(["STOP", "XY"])
    out = [vs.feed(p) for p in pieces]
    assert "".join(out) + vs.finish() == "abc" and vs.hit
    assert all("S" not in o for o in out)
    free = VisibleStop(["STOP"])
    # Only what may begin a stop string is held ("ST"), not a fixed window.
    assert free.feed("abST") == "ab" and free.feed("xyz") == "STxyz" and free.finish() == "" and not free.hit


def test_a_stop_found_waits_for_a_longer_one_that_starts_earlier():
    """Stops "b" and "了ba" on "了b|aaSa": "b" is found at 1, but "了ba" may start at 0; sending
    "了" (the old hold-back did) broke equality with the whole text's cut, which is empty."""
    vs = VisibleStop(["b", "了ba"])
    assert vs.feed("了b") == "" and not vs.hit
    assert vs.feed("a") == "" and vs.hit
    other = VisibleStop(["b", "了ba"])
    assert other.feed("了b") == "" and other.feed("x") == "了" and other.hit


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="abST了", max_size=40), cuts=st.lists(st.integers(0, 40), max_size=8),
       stops=st.lists(st.text(alphabet="abST了", min_size=1, max_size=4), min_size=1, max_size=4))
def test_visible_stop_equals_apply_stop_on_the_whole_for_any_chunking(text, cuts, stops):
    bounds = sorted({0, len(text), *(c for c in cuts if c <= len(text))})
    vs = VisibleStop(stops)
    out = "".join(vs.feed(text[a:b]) for a, b in zip(bounds, bounds[1:])) + vs.finish()
    assert (out, vs.hit) == apply_stop(text, stops)
