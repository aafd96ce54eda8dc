"""Per-key rate limits: requests/min and tokens/min, 429 + Retry-After, other keys untouched, Redis-shared counters."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest
from fastapi.testclient import TestClient

from serve_helpers import bearer, free_port
from privtune.serve.ratelimit import LocalCounters, RateLimiter, reset_duration
from privtune.serve.roles import Role

MID_WINDOW = 1_800_000_030.0  # 30 s into a one-minute window


def test_requests_per_minute_per_key(make_gateway):
    gw = make_gateway(rate_limit={"requests_per_min": 2, "tokens_per_min": 0})
    gw.limiter.clock = lambda: MID_WINDOW  # no minute boundary inside the test
    a, b = (gw.store.create(n, Role.user)[1] for n in ("a", "b"))
    with TestClient(gw.app) as c:
        codes = [c.get("/v1/models", headers=bearer(a)).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = c.get("/v1/models", headers=bearer(a))
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
        assert r.json()["error"]["type"] == "rate_limit_exceeded"
        assert c.get("/v1/models", headers=bearer(b)).status_code == 200


def test_tokens_per_minute_charged_from_usage(make_gateway):
    gw = make_gateway(rate_limit={"requests_per_min": 0, "tokens_per_min": 30})
    gw.limiter.clock = lambda: MID_WINDOW
    a, b = (gw.store.create(n, Role.user)[1] for n in ("a", "b"))
    body = {"model": "tiny", "prompt": "x", "max_tokens": 20, "ignore_eos": True}
    with TestClient(gw.app) as c:
        first = c.post("/v1/completions", headers=bearer(a), json=body)
        assert first.status_code == 200 and first.json()["usage"]["total_tokens"] == 21
        assert c.post("/v1/completions", headers=bearer(a), json=body).status_code == 200  # 21 < 30: admitted
        r = c.post("/v1/completions", headers=bearer(a), json=body)  # 42 >= 30
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert c.post("/v1/completions", headers=bearer(b), json=body).status_code == 200


def test_ratelimit_headers_on_success_and_on_429(make_gateway):
    """OpenAI's x-ratelimit-* headers on every limited response, for both limits that are on."""
    gw = make_gateway(rate_limit={"requests_per_min": 2, "tokens_per_min": 30})
    gw.limiter.clock = lambda: MID_WINDOW  # 30 s left in the window
    key = gw.store.create("a", Role.user)[1]
    body = {"model": "tiny", "prompt": "x", "max_tokens": 20, "ignore_eos": True}
    with TestClient(gw.app) as c:
        first = c.post("/v1/completions", headers=bearer(key), json=body)
        assert first.status_code == 200
        h = first.headers
        assert (h["x-ratelimit-limit-requests"], h["x-ratelimit-remaining-requests"]) == ("2", "1")
        assert (h["x-ratelimit-limit-tokens"], h["x-ratelimit-remaining-tokens"]) == ("30", "30")  # charged after
        assert h["x-ratelimit-reset-requests"] == h["x-ratelimit-reset-tokens"] == "30s"
        second = c.get("/v1/models", headers=bearer(key))
        assert second.headers["x-ratelimit-remaining-requests"] == "0"
        assert second.headers["x-ratelimit-remaining-tokens"] == "9"  # 30 - 21 from the first's usage
        refused = c.get("/v1/models", headers=bearer(key))
        assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
        assert refused.headers["x-ratelimit-remaining-requests"] == "0"
        assert refused.headers["x-ratelimit-reset-requests"] == "30s"


def test_ratelimit_headers_on_a_413_after_admission(make_gateway):
    # the request counted against the limit; its 413 carried no x-ratelimit-* headers
    gw = make_gateway(rate_limit={"requests_per_min": 5, "tokens_per_min": 0}, limits={"max_body_bytes": 1024})
    gw.limiter.clock = lambda: MID_WINDOW
    key = gw.store.create("a", Role.user)[1]
    with TestClient(gw.app) as c:
        r = c.post("/v1/completions", headers=bearer(key), json={"model": "tiny", "prompt": "x" * 2000})
    assert r.status_code == 413 and r.headers["x-ratelimit-remaining-requests"] == "4"


def test_ratelimit_headers_only_for_limits_that_are_on(make_gateway):
    gw = make_gateway(rate_limit={"requests_per_min": 5, "tokens_per_min": 0})
    key = gw.store.create("a", Role.user)[1]
    with TestClient(gw.app) as c:
        h = c.get("/v1/models", headers=bearer(key)).headers
        assert h["x-ratelimit-limit-requests"] == "5" and "x-ratelimit-limit-tokens" not in h
    assert reset_duration(60) == "1m0s" and reset_duration(7) == "7s"


def test_window_resets():
    now = [120.0]
    lim = RateLimiter(LocalCounters(), requests_per_min=1, tokens_per_min=0, clock=lambda: now[0])

    async def run() -> list:
        out = [(await lim.admit("k")).retry_after, (await lim.admit("k")).retry_after]
        now[0] = 150.0
        out.append((await lim.admit("k")).retry_after)
        now[0] = 180.0
        out.append((await lim.admit("k")).retry_after)
        return out

    assert asyncio.run(run()) == [None, 60, 30, None]


@pytest.fixture()
def redis_url(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    proc.terminate()
    proc.wait(timeout=10)


def test_redis_counters_are_shared_by_two_gateway_instances(make_gateway, redis_url, tmp_path):
    limits = {"requests_per_min": 3, "tokens_per_min": 0, "redis_url": redis_url}
    one = make_gateway(rate_limit=limits)
    # a second instance: its own app and audit log, the same key store and Redis
    two = make_gateway(rate_limit=limits, audit_log={"path": str(tmp_path / "two.jsonl")})
    one.limiter.clock = two.limiter.clock = lambda: MID_WINDOW
    key = one.store.create("shared", Role.user)[1]
    other = one.store.create("other", Role.user)[1]
    with TestClient(one.app) as c1, TestClient(two.app) as c2:
        codes = [c1.get("/v1/models", headers=bearer(key)).status_code,
                 c2.get("/v1/models", headers=bearer(key)).status_code,
                 c1.get("/v1/models", headers=bearer(key)).status_code,
                 c2.get("/v1/models", headers=bearer(key)).status_code]
        assert codes == [200, 200, 200, 429]  # per-instance counters would have said 200 four times
        assert c2.get("/v1/models", headers=bearer(other)).status_code == 200


def test_failed_authentications_are_limited_per_client_address(make_gateway):
    gw = make_gateway(rate_limit={"auth_failures_per_min": 3})
    gw.limiter.clock = lambda: MID_WINDOW
    good = gw.store.create("good", Role.user)[1]
    with TestClient(gw.app) as c:
        codes = [c.get("/v1/models", headers=bearer("ptk_000000000000_guess")).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        r = c.get("/v1/models", headers=bearer(good))  # same address: blocked until the window ends
        assert r.status_code == 429 and r.json()["error"]["code"] == "auth_rate_limited"
        assert c.get("/health").status_code == 200


def test_failed_authentications_from_one_ipv6_64_share_one_limit(make_gateway):
    # Counted per address, a client rotating through its /64 (2^64 addresses) had a fresh limit per guess.
    import httpx

    gw = make_gateway(rate_limit={"auth_failures_per_min": 3})
    gw.limiter.clock = lambda: MID_WINDOW

    async def guess(host: str) -> int:
        transport = httpx.ASGITransport(app=gw.app, client=(host, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
            return (await c.get("/v1/models", headers=bearer("ptk_000000000000_guess"))).status_code

    async def scenario() -> tuple[list[int], int, int]:
        rotating = [await guess(f"2001:db8:1:2::{i:x}") for i in range(1, 6)]
        return rotating, await guess("2001:db8:1:3::1"), await guess("::ffff:192.0.2.7")

    rotating, other_net, mapped = asyncio.run(scenario())
    assert rotating == [401, 401, 401, 429, 429]
    assert other_net == 401 and mapped == 401  # another /64, an IPv4 client: their own limits
