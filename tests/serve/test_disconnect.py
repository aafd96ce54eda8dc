"""A streaming client that goes away stops its generation: the worker and the queue slot are freed
early, and the tokens generated until then are still logged and charged to its key."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

from serve_helpers import bearer, free_port, role_keys


@contextlib.contextmanager
def _serving(gw: Any) -> Iterator[str]:
    """``gw.app`` on a loopback port (a real server: TestClient cannot hang up mid-stream)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(gw.app, host="127.0.0.1", port=port, access_log=False, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def _hang_up_after(url: str, user: str, chunks: int) -> None:
    body = {"model": "tiny", "prompt": "Hello", "max_tokens": 480, "ignore_eos": True, "stream": True,
            "temperature": 1.0, "seed": 5}
    with httpx.Client(base_url=url, headers=bearer(user), timeout=60) as c:
        with c.stream("POST", "/v1/completions", json=body) as resp:
            assert resp.status_code == 200
            seen = 0
            for line in resp.iter_lines():
                seen += line.startswith("data: {")
                if seen >= chunks:
                    break  # then hang up


def _wait_idle(gw: Any) -> None:
    deadline = time.monotonic() + 30
    while gw.backend._pending and time.monotonic() < deadline:
        time.sleep(0.02)
    assert gw.backend._pending == 0


def test_stream_disconnect_stops_generation(make_gateway, tmp_path):
    gw = make_gateway(audit_log={"path": str(tmp_path / "a.jsonl")})
    user = role_keys(gw)["user"]
    with _serving(gw) as url:
        _hang_up_after(url, user, 1)
        _wait_idle(gw)
        # the next request runs on the same single worker, so once it is answered the cut generation has ended
        with httpx.Client(base_url=url, headers=bearer(user), timeout=60) as c:
            r = c.post("/v1/completions", json={"model": "tiny", "prompt": "x", "max_tokens": 2, "ignore_eos": True})
            assert r.status_code == 200
    cut_short = gw.backend.tokens_generated - 2
    assert 0 < cut_short < 480, cut_short
    records = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text().splitlines()]
    streamed = [r for r in records if r["stream"]]
    # was 0 and 0: a generation cut short was neither logged nor charged
    assert len(streamed) == 1 and streamed[0]["prompt_tokens"] > 0
    assert 0 < streamed[0]["completion_tokens"] <= cut_short


def test_hanging_up_before_the_usage_does_not_dodge_the_token_limit(make_gateway, tmp_path):
    """Tokens per minute are charged from the usage; a client that read the text and left before
    the end was charged nothing, so it could take any number of tokens."""
    gw = make_gateway(audit_log={"path": str(tmp_path / "a.jsonl")}, rate_limit={"tokens_per_min": 30})
    user = role_keys(gw)["user"]
    with _serving(gw) as url:
        _hang_up_after(url, user, 40)  # 40 chunks: well past 30 tokens
        _wait_idle(gw)
        with httpx.Client(base_url=url, headers=bearer(user), timeout=60) as c:
            r = c.post("/v1/completions", json={"model": "tiny", "prompt": "x", "max_tokens": 2})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limit_exceeded"
