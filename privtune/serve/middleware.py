"""The gateway's per-request pipeline, as one ASGI middleware around the routes.

Order: request id -> route lookup -> authentication -> role check (deny by default: the
matched endpoint must list the caller's role; unmatched paths need a credential too) ->
rate limit -> body size limit -> the route -> audit record, metrics, token charge. The
inference routes are run by `direct.DirectRoutes` from here; every other route goes through
FastAPI.

The audit record is built from counters the route leaves in ``scope["privtune"]`` (model,
token counts, guard fields); this module never reads a response body or logs a request body,
and an unexpected exception is logged by type name only (its message may quote the prompt).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import time
from typing import Any

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from privtune.serve.auditlog import client_address
from privtune.serve.auth.principal import AuthFailed, Principal
from privtune.serve.direct import DirectRoutes
from privtune.serve.ratelimit import failure_source
from privtune.serve.roles import is_public, permits
from privtune.serve.schemas import error_body

log = logging.getLogger("privtune.serve")


def _NO_POLICY() -> None:  # noqa: N802 - a stand-in endpoint that declares no roles
    """Endpoint stand-in for matched routes that have none: declares no roles, so denies everyone."""


async def _send_error(send: Send, status: int, message: str, code: str, headers: dict[str, str] | None = None,
                      request_id: str = "") -> None:
    body = json.dumps(error_body(status, message, code)).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
           (b"x-request-id", request_id.encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class GatewayMiddleware:
    def __init__(self, app: ASGIApp, gateway: Any, direct: DirectRoutes | None = None) -> None:
        self.app, self.gw = app, gateway
        self.direct = direct or DirectRoutes({})
        self._routes: list[Any] | None = None

    def _match(self, scope: Scope) -> tuple[Any, str, bool]:
        """(endpoint or None, route template, some route matched the path with another method)."""
        partial = False
        if self._routes is None:
            # Frozen at the first request. A route added later is not in this list: it answers 404
            # to everyone (still denied), never open.
            self._routes = list(self.gw.routes())
        for route in self._routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                # A route without an endpoint (a mount, a sub-router) has no policy: nobody may call it.
                return getattr(route, "endpoint", _NO_POLICY), getattr(route, "path", "mounted"), False
            partial = partial or match == Match.PARTIAL
        return None, "unmatched", partial

    def _authenticate(self, scope: Scope) -> Principal:
        header = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        if header is None:
            raise AuthFailed("missing credential")
        scheme, _, cred = header.decode("latin-1").partition(" ")
        cred = cred.strip()
        if scheme.lower() != "bearer" or not cred:
            raise AuthFailed("expected 'Authorization: Bearer <key or token>'")
        return self.gw.authenticate(cred)

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or ``None`` past the size limit (counted as it arrives, not from Content-Length)."""
        chunks, size = [], 0
        while True:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return b"".join(chunks)
            size += len(msg.get("body", b""))
            if size > self.gw.cfg.limits.max_body_bytes:
                return None
            chunks.append(msg.get("body", b""))
            if not msg.get("more_body"):
                return b"".join(chunks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        request_id = "req_" + secrets.token_hex(8)
        ctx: dict[str, Any] = {"request_id": request_id, "model": None, "prompt_tokens": 0, "completion_tokens": 0,
                               "stream": False, "extra": {}, "principal": None}
        scope["privtune"] = ctx
        endpoint, route, partial = self._match(scope)
        status = {"code": 500}
        principal: Principal | None = None
        error_code: str | None = None

        rate_headers: list[tuple[bytes, bytes]] = []

        async def send_wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", request_id.encode())] + rate_headers
            await send(message)

        async def refuse(code: int, message: str, err: str, headers: dict[str, str] | None = None) -> None:
            nonlocal error_code
            error_code = err
            status["code"] = code
            # a refusal after admission (413) counted against the limits: it says where they stand too
            headers = {**(headers or {}), **{k.decode(): v.decode() for k, v in rate_headers}}
            await _send_error(send, code, message, err, headers, request_id)

        self.gw.metrics.in_flight += 1
        try:
            if endpoint is not None and is_public(endpoint):
                await self.app(scope, receive, send_wrapped)
                return
            peer = failure_source((scope.get("client") or ("unknown",))[0])
            retry = await self.gw.limiter.failures_blocked(peer)
            if retry is not None:
                await refuse(429, "too many failed authentications from this address", "auth_rate_limited",
                             {"Retry-After": str(retry)})
                return
            try:
                principal = self._authenticate(scope)
            except AuthFailed as exc:
                await self.gw.limiter.note_failure(peer)
                await refuse(401, exc.reason, "invalid_api_key", {"WWW-Authenticate": "Bearer"})
                return
            ctx["principal"] = principal
            if endpoint is None:
                await (refuse(405, "method not allowed", "method_not_allowed") if partial
                       else refuse(404, "no such route", "not_found"))
                return
            if not permits(endpoint, principal.role):
                await refuse(403, f"role {principal.role.value!r} may not call {route}", "forbidden")
                return
            admission = await self.gw.limiter.admit(principal.key_id)
            if admission.retry_after is not None:
                await refuse(429, "rate limit reached for this key", "rate_limit_exceeded",
                             {"Retry-After": str(admission.retry_after), **admission.headers})
                return
            rate_headers += [(k.encode(), v.encode()) for k, v in admission.headers.items()]
            if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
                body = await self._read_body(receive)
                if body is None:
                    await refuse(413, f"request body exceeds {self.gw.cfg.limits.max_body_bytes} bytes",
                                 "body_too_large")
                    return
                if endpoint in self.direct:  # inference: validated and run here, past FastAPI's wrappers
                    await self.direct(endpoint, scope, receive, send_wrapped, body)
                    return
                replayed = False

                async def receive_body() -> Message:
                    nonlocal replayed
                    if not replayed:
                        replayed = True
                        return {"type": "http.request", "body": body, "more_body": False}
                    return await receive()

                await self.app(scope, receive_body, send_wrapped)
            else:
                await self.app(scope, receive, send_wrapped)
        except Exception as exc:  # never log the message: it may quote the prompt or the output
            log.error("request %s failed: %s", request_id, type(exc).__name__)
            error_code = "internal_error"
            if status["code"] == 500:
                try:
                    await _send_error(send, 500, "internal error", "internal_error", request_id=request_id)
                except Exception:  # noqa: BLE001 - the response had already started
                    pass
        finally:
            self.gw.metrics.in_flight -= 1
            await self._finish(scope, ctx, route, status["code"], principal, error_code, t0)

    async def _finish(self, scope: Scope, ctx: dict[str, Any], route: str, status: int, principal: Principal | None,
                      error_code: str | None, t0: float) -> None:
        latency = time.perf_counter() - t0
        # What the response's usage said (`openai_routes.Usage`); a request cut short has none, and is
        # charged what was generated.
        tokens = ctx.get("billed_tokens", ctx["prompt_tokens"] + ctx["completion_tokens"])
        if principal is not None and tokens:
            await self.gw.limiter.charge_tokens(principal.key_id, tokens)
        client = scope.get("client")
        record = {
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "request_id": ctx["request_id"],
            "key_id": principal.key_id if principal else None,
            "auth": principal.method if principal else None,
            "role": principal.role.value if principal else None,
            "method": scope["method"],
            "route": route,
            "status": status,
            "error": error_code or ctx.get("error"),  # a refusal here, else the route's (`ErrorResponse`)
            "model": ctx["model"],
            "stream": ctx["stream"],
            "prompt_tokens": ctx["prompt_tokens"],
            "completion_tokens": ctx["completion_tokens"],
            "latency_ms": round(latency * 1000, 2),
            "client": client_address(client[0] if client else None, self.gw.cfg.audit_log.client_address),
            **({"guards": ctx["extra"]} if ctx["extra"] else {}),
        }
        self.gw.audit.append(record)
        self.gw.metrics.observe(route, status, latency, ctx["prompt_tokens"], ctx["completion_tokens"])
        log.debug("request %s %s %s -> %s in %.1f ms", ctx["request_id"], scope["method"], route, status,
                  latency * 1000)
