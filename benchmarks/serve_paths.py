"""The three ways `serve_overhead` reaches the model, each timed the same way.

Every path answers ``complete(payload)`` -> the completion text and ``first_token(payload)`` ->
seconds to the first content chunk of a streamed request, so the benchmark can interleave them
round by round. No client library sits in the ``asgi`` path: `AsgiPath` calls the app as a
server would, so what it measures beyond `InprocPath` is the gateway alone.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import time
from typing import Any

CONTENT = b'"content": "'  # a content delta in an SSE chunk (openai_routes uses json.dumps' default separators)
EMPTY = b'"content": ""'  # the role chunk


def is_content_chunk(body: bytes) -> bool:
    return body.startswith(b"data: {") and CONTENT in body and EMPTY not in body


class InprocPath:
    """The backend awaited directly: the peer every other path is compared against."""

    def __init__(self, backend: Any, loop: asyncio.AbstractEventLoop) -> None:
        from privtune.serve.backends.base import GenRequest

        self.backend, self.loop, self._req = backend, loop, GenRequest

    def request(self, payload: dict[str, Any]) -> Any:
        return self._req("chat", max_tokens=payload["max_tokens"], messages=payload["messages"],
                         temperature=payload["temperature"], ignore_eos=payload["ignore_eos"])

    async def acomplete(self, payload: dict[str, Any]) -> str:
        return (await self.backend.generate(self.request(payload))).text

    def complete(self, payload: dict[str, Any]) -> str:
        return self.loop.run_until_complete(self.acomplete(payload))

    def first_token(self, payload: dict[str, Any]) -> float:
        async def run() -> float:
            t0, first = time.perf_counter(), float("nan")
            async for item in self.backend.stream(self.request(payload)):
                if first != first and isinstance(item, str) and item:
                    first = time.perf_counter() - t0
            return first

        return self.loop.run_until_complete(run())


class AsgiPath:
    """The gateway app called in this process with a hand-built ASGI scope (what uvicorn hands it)."""

    def __init__(self, app: Any, api_key: str, loop: asyncio.AbstractEventLoop) -> None:
        self.app, self.loop = app, loop
        self.auth = f"Bearer {api_key}".encode()

    async def call(self, payload: dict[str, Any]) -> tuple[int, bytes, float]:
        """(status, body, seconds to the first content chunk or NaN)."""
        body = json.dumps(payload).encode()
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
                 "method": "POST", "scheme": "http", "path": "/v1/chat/completions",
                 "raw_path": b"/v1/chat/completions", "root_path": "", "query_string": b"",
                 "headers": [(b"host", b"gateway"), (b"authorization", self.auth),
                             (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                 "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {}}
        done = asyncio.Event()
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()  # the client stays connected until the response is complete
            return {"type": "http.disconnect"}

        status, parts, first = 0, [], float("nan")
        t0 = time.perf_counter()

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, first
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                if first != first and is_content_chunk(chunk):
                    first = time.perf_counter() - t0
                parts.append(chunk)
                if not message.get("more_body"):
                    done.set()

        await self.app(scope, receive, send)
        return status, b"".join(parts), first

    async def acomplete(self, payload: dict[str, Any]) -> str:
        status, body, _ = await self.call(payload)
        if status != 200:
            raise RuntimeError(f"gateway answered {status}")
        return json.loads(body)["choices"][0]["message"]["content"]

    def complete(self, payload: dict[str, Any]) -> str:
        return self.loop.run_until_complete(self.acomplete(payload))

    def first_token(self, payload: dict[str, Any]) -> float:
        status, body, first = self.loop.run_until_complete(self.call(payload))
        if status != 200 or not body.endswith(b"data: [DONE]\n\n"):
            raise RuntimeError(f"gateway stream answered {status}")
        return first


class HttpPath:
    """A keep-alive loopback connection to a `privtune serve` process (stdlib client: little client cost)."""

    def __init__(self, port: int, api_key: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}

    def _post(self, payload: dict[str, Any]) -> http.client.HTTPResponse:
        self.conn.request("POST", "/v1/chat/completions", json.dumps(payload).encode(), self.headers)
        return self.conn.getresponse()

    def complete(self, payload: dict[str, Any]) -> str:
        resp = self._post(payload)
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"server answered {resp.status}")
        return json.loads(body)["choices"][0]["message"]["content"]

    def first_token(self, payload: dict[str, Any]) -> float:
        t0, first = time.perf_counter(), float("nan")
        resp = self._post(payload)
        if resp.status != 200:
            resp.read()
            raise RuntimeError(f"server answered {resp.status}")
        while True:
            line = resp.readline()
            if first != first and is_content_chunk(line):
                first = time.perf_counter() - t0
            if not line or line.startswith(b"data: [DONE]"):
                break
        resp.read()  # the chunked terminator: the connection is reused
        return first

    def close(self) -> None:
        self.conn.close()


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
