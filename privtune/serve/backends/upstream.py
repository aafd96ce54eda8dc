"""The upstream backend: forward to an OpenAI-compatible engine (vLLM, llama.cpp, TGI, another gateway).

The gateway stays in front, so keys, roles, rate limits, limits and the audit log apply to
upstream traffic exactly as to the embedded model. Only generation fields the gateway
validated are forwarded (never the client's credential); the upstream's own key comes from a
file. Errors from the upstream become a 502 with its status code, never its body (it may echo
the prompt).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from privtune.serve.backends.base import (BackendBusy, BackendError, ContextTooLong, GenRequest, GenResult,
                                          estimate_tokens)


def _refusal(status: int) -> BackendError:
    """An upstream error status as the gateway reports it: the client's fault (400) or the upstream's (502)."""
    if 400 <= status < 500 and status not in (401, 403, 404, 429):
        return BackendError(f"upstream refused the request ({status})", status=400)
    # 401/403/404: the gateway's own upstream key or model name is wrong; 429/5xx: the engine's trouble.
    return BackendError(f"upstream answered {status}")


# How engines say "the prompt is over the context window": OpenAI's and privtune's code, llama.cpp's
# type, vLLM's message (its code is the number 400).
_CONTEXT_CODES = {"context_length_exceeded", "exceed_context_size_error"}
_CONTEXT_WORDS = ("maximum context length", "exceeds the available context size")


def _engine_refusal(status: int, body: bytes) -> BackendError | ContextTooLong:
    """`_refusal`, or `ContextTooLong` when the engine's 400 says the prompt is over the window.
    The engine's message is searched for a few fixed words and never passed on (it may quote the prompt)."""
    if status == 400:
        try:
            data = json.loads(body)
            err = data.get("error", data) if isinstance(data, dict) else {}
            err = err if isinstance(err, dict) else {"message": err}
        except ValueError:
            err = {}
        kinds = {str(err.get("code")), str(err.get("type"))}
        message = str(err.get("message") or "").lower()
        if kinds & _CONTEXT_CODES or any(w in message for w in _CONTEXT_WORDS):
            return ContextTooLong()
    return _refusal(status)


def engine_root(url: str) -> str:
    """The engine's root URL: OpenAI clients and vLLM's docs write the base URL with ``/v1``
    ("http://host:8000/v1"), and the gateway asked ``.../v1/v1/models`` (404) for it."""
    url = url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def probe(url: str, api_key: str | None, timeout_s: float = 3.0) -> str:
    """One line for the operator at start-up: does the engine answer ``GET /v1/models``? (The
    client only ever sees "upstream answered 401"; the cause belongs on the server's console.)"""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        resp = httpx.get(engine_root(url) + "/v1/models", headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        return f"upstream: not reachable yet ({type(exc).__name__}); requests fail with 502 until it is"
    if resp.status_code in (401, 403):
        return (f"upstream: answered {resp.status_code} to GET /v1/models: "
                + ("its API key was refused" if api_key else "it wants an API key: set upstream_api_key_file"))
    if resp.status_code != 200:
        return f"upstream: answered {resp.status_code} to GET /v1/models (is the URL the engine's?)"
    try:
        models = [m["id"] for m in resp.json()["data"]]
    except (KeyError, TypeError, ValueError):
        return "upstream: GET /v1/models did not return an OpenAI model list"
    return f"upstream: reachable, model(s) {', '.join(models[:5]) or 'none'}"


class UpstreamBackend:
    def __init__(self, url: str, model_id: str, upstream_model: str | None = None, api_key: str | None = None,
                 queue_size: int = 64, timeout_s: float = 120.0, tokenizer: Any = None) -> None:
        self.url, self.model_id, self.upstream_model = engine_root(url), model_id, upstream_model
        self.tokenizer = tokenizer  # the base model's (``base`` given): exact counts of guarded answers
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(base_url=self.url, headers=headers,
                                         timeout=httpx.Timeout(timeout_s, connect=10.0))
        self.queue_size, self._pending = queue_size, 0

    def count_tokens(self, text: str) -> int:
        """Tokens of a guarded answer's text: the base model's tokenizer when ``base`` was given,
        else `estimate_tokens` (the engine's count would tell how long a withheld value was)."""
        if self.tokenizer is None:
            return estimate_tokens(text)
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"]) if text else 0

    def describe(self) -> dict[str, Any]:
        # The upstream URL may carry credentials or internal host names: /info does not show it.
        return {"backend": "upstream", "upstream_model": self.upstream_model}

    async def _model(self) -> str:
        if self.upstream_model is None:
            try:
                resp = await self._client.get("/v1/models")
                resp.raise_for_status()
                self.upstream_model = resp.json()["data"][0]["id"]
            except httpx.HTTPStatusError as exc:
                raise _refusal(exc.response.status_code) from None
            except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
                raise BackendError(f"upstream model list unavailable ({type(exc).__name__})") from None
        return self.upstream_model

    async def _body(self, req: GenRequest, stream: bool) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {"model": await self._model(), "max_tokens": req.max_tokens,
                                "temperature": req.temperature, "top_p": req.top_p}
        if req.stop:
            body["stop"] = req.stop
        if req.seed is not None:
            body["seed"] = req.seed
        if req.ignore_eos:
            body["ignore_eos"] = True
        # Sent only when asked for: an engine that does not know the vLLM extensions then never sees them.
        for name, off in (("presence_penalty", 0.0), ("frequency_penalty", 0.0), ("top_k", 0), ("min_p", 0.0),
                          ("repetition_penalty", 1.0)):
            if getattr(req, name) != off:
                body[name] = getattr(req, name)
        if stream:
            body.update(stream=True, stream_options={"include_usage": True})
        if req.kind == "chat":
            return "/v1/chat/completions", {**body, "messages": req.messages}
        return "/v1/completions", {**body, "prompt": req.prompt}

    def _admit(self) -> None:
        if self._pending >= self.queue_size:
            raise BackendBusy(1)
        self._pending += 1

    @staticmethod
    def _text(choice: dict[str, Any], chat: bool, stream: bool) -> str:
        if chat:
            part = choice.get("delta" if stream else "message") or {}
            return part.get("content") or ""
        return choice.get("text") or ""

    async def generate(self, req: GenRequest) -> GenResult:
        path, body = await self._body(req, stream=False)
        self._admit()
        try:
            resp = await self._client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise BackendError(f"upstream unreachable ({type(exc).__name__})") from None
        finally:
            self._pending -= 1
        if resp.status_code == 503:
            raise BackendBusy(int(resp.headers.get("retry-after", "1") or 1))
        if resp.status_code != 200:
            raise _engine_refusal(resp.status_code, resp.content)
        try:
            data = resp.json()
            choice, usage = data["choices"][0], data.get("usage") or {}
            return GenResult(self._text(choice, req.kind == "chat", False), int(usage.get("prompt_tokens", 0)),
                             int(usage.get("completion_tokens", 0)), choice.get("finish_reason") or "stop")
        except (ValueError, KeyError, IndexError, TypeError):
            raise BackendError("upstream answer is not an OpenAI completion") from None

    async def stream(self, req: GenRequest) -> AsyncIterator[str | GenResult]:
        path, body = await self._body(req, stream=True)
        self._admit()
        parts: list[str] = []
        usage: dict[str, Any] = {}
        finish = "stop"
        try:
            async with self._client.stream("POST", path, json=body) as resp:
                if resp.status_code == 503:
                    raise BackendBusy(int(resp.headers.get("retry-after", "1") or 1))
                if resp.status_code != 200:
                    raise _engine_refusal(resp.status_code, await resp.aread() if resp.status_code == 400 else b"")
                async for line in resp.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        break
                    try:
                        chunk = json.loads(payload)
                    except ValueError:
                        raise BackendError("upstream sent a malformed stream chunk") from None
                    usage = chunk.get("usage") or usage
                    for choice in chunk.get("choices") or []:
                        finish = choice.get("finish_reason") or finish
                        delta = self._text(choice, req.kind == "chat", True)
                        if delta:
                            parts.append(delta)
                            yield delta
        except httpx.HTTPError as exc:
            raise BackendError(f"upstream stream failed ({type(exc).__name__})") from None
        except asyncio.CancelledError:
            raise
        finally:
            self._pending -= 1
        yield GenResult("".join(parts), int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)),
                        finish)

    async def close(self) -> None:
        await self._client.aclose()
