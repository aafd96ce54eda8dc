"""A streaming client that goes away stops its generation: the worker and the queue slot are freed early."""

from __future__ import annotations

import json
import threading
import time

import httpx

from serve_helpers import bearer, free_port, role_keys


def test_stream_disconnect_stops_generation(make_gateway, tmp_path):
    import uvicorn

    gw = make_gateway(audit_log={"path": str(tmp_path / "a.jsonl")})
    user = role_keys(gw)["user"]
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(gw.app, host="127.0.0.1", port=port, access_log=False, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        body = {"model": "tiny", "prompt": "Hello", "max_tokens": 480, "ignore_eos": True, "stream": True,
                "temperature": 1.0, "seed": 5}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=bearer(user), timeout=60) as c:
            with c.stream("POST", "/v1/completions", json=body) as resp:
                assert resp.status_code == 200
                for line in resp.iter_lines():
                    if line.startswith("data: {"):
                        break  # one chunk, then hang up
        deadline = time.monotonic() + 30
        while gw.backend._pending and time.monotonic() < deadline:
            time.sleep(0.02)
        assert gw.backend._pending == 0
        # the next request runs on the same single worker, so once it is answered the cut generation has ended
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=bearer(user), timeout=60) as c:
            r = c.post("/v1/completions", json={"model": "tiny", "prompt": "x", "max_tokens": 2, "ignore_eos": True})
            assert r.status_code == 200
        cut_short = gw.backend.tokens_generated - 2
        assert 0 < cut_short < 480, cut_short
        records = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text().splitlines()]
        streamed = [r for r in records if r["stream"]]
        assert len(streamed) == 1 and streamed[0]["completion_tokens"] == 0  # never finished, nothing counted
    finally:
        server.should_exit = True
        thread.join(timeout=20)
