"""Per-key rate limits: requests per minute and tokens per minute, in fixed one-minute windows.

Counters are per key id, so one key at its limit leaves every other key untouched. In-process
counters serve a single gateway; with several instances behind a load balancer the counters must
be shared (Redis: ``INCR``/``INCRBY`` with a 2-minute expiry, atomic on the server), or each
instance would grant the full limit.

Tokens are charged after a response (from its usage), so the request that crosses the token
limit completes and the next one is refused until the window ends. ``Retry-After`` is the
seconds left in the current window.

Every admitted or refused request carries OpenAI's ``x-ratelimit-*`` headers for each limit that
is on (`Admission.headers`): clients such as LiteLLM and the openai SDK's users pace themselves
from them rather than waiting for a 429.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

WINDOW_S = 60


class Counters(Protocol):
    async def incr(self, name: str, amount: int, window: int) -> int: ...
    async def get(self, name: str, window: int) -> int: ...
    async def close(self) -> None: ...


class LocalCounters:
    """Counters in this process (one gateway instance)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}

    async def incr(self, name: str, amount: int, window: int) -> int:
        if len(self._counts) > 10_000:  # drop finished windows now and then
            self._counts = {k: v for k, v in self._counts.items() if k[1] >= window - 1}
        value = self._counts.get((name, window), 0) + amount
        self._counts[(name, window)] = value
        return value

    async def get(self, name: str, window: int) -> int:
        return self._counts.get((name, window), 0)

    async def close(self) -> None:
        pass


class RedisCounters:
    """Counters shared by every gateway instance that points at the same Redis."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        self._redis: Any = aioredis.from_url(url)

    @staticmethod
    def _key(name: str, window: int) -> str:
        return f"privtune:rl:{name}:{window}"

    async def incr(self, name: str, amount: int, window: int) -> int:
        key = self._key(name, window)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(key, amount)
            pipe.expire(key, 2 * WINDOW_S)
            value, _ = await pipe.execute()
        return int(value)

    async def get(self, name: str, window: int) -> int:
        value = await self._redis.get(self._key(name, window))
        return int(value or 0)

    async def close(self) -> None:
        await self._redis.aclose()


@functools.lru_cache(maxsize=4096)
def failure_source(host: str) -> str:
    """Whom failed authentications are counted against: an IPv4 address, or an IPv6 address's /64.
    One IPv6 host usually holds a whole /64 (SLAAC, privacy addresses): counted per address, a
    client rotating through it had a fresh limit for every guess."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else host


def reset_duration(seconds: int) -> str:
    """OpenAI's ``x-ratelimit-reset-*`` format: ``"17s"``, ``"1m0s"``."""
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}m{rest}s" if minutes else f"{rest}s"


@dataclass
class Admission:
    """``retry_after`` is None when the request may go on; ``headers`` are sent either way."""

    retry_after: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class RateLimiter:
    """Admission per key; ``clock`` is injectable for tests."""

    def __init__(self, counters: Counters, requests_per_min: int, tokens_per_min: int,
                 clock: Callable[[], float] = time.time, auth_failures_per_min: int = 0) -> None:
        self.counters, self.rpm, self.tpm, self.clock = counters, requests_per_min, tokens_per_min, clock
        self.failures_per_min = auth_failures_per_min

    def _window(self) -> tuple[int, float]:
        now = self.clock()
        window = int(now // WINDOW_S)
        return window, (window + 1) * WINDOW_S - now

    async def admit(self, key_id: str) -> Admission:
        """Counts the request against ``key_id``'s limits; a refusal carries the Retry-After seconds."""
        window, left = self._window()
        retry = max(1, math.ceil(left))
        reset = reset_duration(retry)
        out = Admission()
        if self.tpm:
            used = await self.counters.get(f"t:{key_id}", window)
            out.headers.update({"x-ratelimit-limit-tokens": str(self.tpm),
                                "x-ratelimit-remaining-tokens": str(max(0, self.tpm - used)),
                                "x-ratelimit-reset-tokens": reset})
            if used >= self.tpm:
                out.retry_after = retry
        if self.rpm:
            # A request refused for tokens is not counted: it used nothing.
            count = (await self.counters.get(f"r:{key_id}", window) if out.retry_after is not None
                     else await self.counters.incr(f"r:{key_id}", 1, window))
            out.headers.update({"x-ratelimit-limit-requests": str(self.rpm),
                                "x-ratelimit-remaining-requests": str(max(0, self.rpm - count)),
                                "x-ratelimit-reset-requests": reset})
            if count > self.rpm:
                out.retry_after = retry
        return out

    async def failures_blocked(self, client: str) -> int | None:
        """Retry-After seconds when ``client`` (an address) failed to authenticate too often this minute."""
        if not self.failures_per_min:
            return None
        window, left = self._window()
        if await self.counters.get(f"f:{client}", window) >= self.failures_per_min:
            return max(1, math.ceil(left))
        return None

    async def note_failure(self, client: str) -> None:
        if self.failures_per_min:
            window, _ = self._window()
            await self.counters.incr(f"f:{client}", 1, window)

    async def charge_tokens(self, key_id: str, tokens: int) -> None:
        if self.tpm and tokens > 0:
            window, _ = self._window()
            await self.counters.incr(f"t:{key_id}", tokens, window)

    async def close(self) -> None:
        await self.counters.close()


def make_limiter(requests_per_min: int, tokens_per_min: int, redis_url: str | None,
                 auth_failures_per_min: int = 0) -> RateLimiter:
    counters: Counters = RedisCounters(redis_url) if redis_url else LocalCounters()
    return RateLimiter(counters, requests_per_min, tokens_per_min, auth_failures_per_min=auth_failures_per_min)
