"""`/v1/models` (and `/v1/models/{id}`), `/v1/chat/completions`, `/v1/completions`: OpenAI wire format, streamed (SSE) or not.

Every completion's text passes through the output guards (`hooks`) before it is sent. Errors
that can be known before the first byte (bad prompt, full queue, unknown model) are proper
HTTP errors; an error after a stream started is sent as an SSE ``error`` event, then ``[DONE]``.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from privtune.serve.backends.base import (BackendBusy, BackendError, BadPrompt, ContextTooLong, GenRequest,
                                          GenResult, count_visible_tokens)
from privtune.serve.direct import DirectRoutes
from privtune.serve.hooks import GuardChain, GuardContext
from privtune.serve.roles import Role, allow
from privtune.serve.schemas import ChatCompletionRequest, CompletionRequest, error_body, error_response
from privtune.serve.stops import VisibleStop

def _gateway(request: Request) -> Any:
    return request.app.state.gateway


def _model_card(gw: Any) -> dict[str, Any]:
    return {"id": gw.backend.model_id, "object": "model", "created": 0, "owned_by": "privtune"}


@allow(Role.user)
async def list_models(request: Request) -> dict[str, Any]:
    return {"object": "list", "data": [_model_card(_gateway(request))]}


@allow(Role.user)
async def retrieve_model(request: Request, model_id: str) -> Any:
    """`GET /v1/models/{id}` (openai-python's ``models.retrieve``, which clients call to check a
    model id before using it); an id with a slash ("org/name") is one id."""
    gw = _gateway(request)
    if model_id != gw.backend.model_id:
        return error_response(404, f"model {model_id[:64]!r} is not served here; see /v1/models",
                               "model_not_found", "model")
    return _model_card(gw)


def _gen_request(gw: Any, body: ChatCompletionRequest | CompletionRequest) -> GenRequest | JSONResponse:
    limits = gw.cfg.limits
    if body.model != gw.backend.model_id:
        return error_response(404, f"model {body.model[:64]!r} is not served here; see /v1/models",
                              "model_not_found", "model")
    max_tokens = body.max_completion_tokens or body.max_tokens or limits.default_max_tokens
    if max_tokens > limits.max_tokens_cap:
        field = "max_completion_tokens" if body.max_completion_tokens else "max_tokens"
        return error_response(400, f"{field} {max_tokens} exceeds this server's cap of {limits.max_tokens_cap}",
                              "max_tokens_too_large", field)
    common = {"max_tokens": max_tokens, "max_tokens_explicit": bool(body.max_completion_tokens or body.max_tokens),
              "temperature": body.temperature, "top_p": body.top_p,
              "stop": body.stop_list(), "seed": body.seed, "timeout_s": limits.request_timeout_s,
              "ignore_eos": body.ignore_eos, "presence_penalty": body.presence_penalty,
              "frequency_penalty": body.frequency_penalty, "top_k": max(body.top_k, 0), "min_p": body.min_p,
              "repetition_penalty": body.repetition_penalty}
    if isinstance(body, ChatCompletionRequest):
        return GenRequest("chat", messages=[{"role": m.role, "content": m.content} for m in body.messages], **common)
    return GenRequest("completion", prompt=body.prompt, **common)


def _backend_error(exc: Exception, prompt_field: str = "messages") -> JSONResponse:
    if isinstance(exc, BackendBusy):
        return error_response(503, "server busy: the generation queue is full", "queue_full",
                              headers={"Retry-After": str(exc.retry_after_s)})
    if isinstance(exc, ContextTooLong):
        return error_response(400, str(exc), "context_length_exceeded", prompt_field)
    if isinstance(exc, BadPrompt):
        return error_response(400, str(exc), "bad_prompt", prompt_field)
    assert isinstance(exc, BackendError)
    return error_response(exc.status, str(exc), "backend_error")


class Usage:
    """A response's ``usage``. Where a guard may change the text (PII redaction, stop strings matched
    on the guarded text), ``completion_tokens`` counts the tokens of the text the client got: the
    model's own count would tell how long a withheld value was (``[PHONE]`` vs 11 digits, a
    3-token name vs a 9-token address). The tokens the model generated stay in the audit record
    only (``completion_tokens``; ``guards.usage_completion_tokens`` is what the client was told
    and charged). Without such a guard the text is the model's and its count is exact."""

    def __init__(self, backend: Any, chain: GuardChain, max_tokens: int) -> None:
        self.backend, self.visible, self.max_tokens = backend, chain.transforms(), max_tokens

    def completion_tokens(self, result: GenResult, sent: str) -> int:
        if not self.visible:
            return result.completion_tokens
        # Never above the client's max_tokens (a placeholder can re-encode longer than the value it
        # replaced); capped by the request, not by the model's count, which would leak again.
        return min(count_visible_tokens(self.backend, sent), self.max_tokens)

    def body(self, result: GenResult, sent: str, ctx: dict[str, Any]) -> dict[str, int]:
        completion = self.completion_tokens(result, sent)
        ctx["billed_tokens"] = result.prompt_tokens + completion  # the rate limit charges what usage says
        if self.visible:
            ctx["extra"]["usage_completion_tokens"] = completion
        return {"prompt_tokens": result.prompt_tokens, "completion_tokens": completion,
                "total_tokens": result.prompt_tokens + completion}


def _record(ctx: dict[str, Any], result: GenResult, chain: GuardChain) -> None:
    ctx["prompt_tokens"], ctx["completion_tokens"] = result.prompt_tokens, result.completion_tokens
    ctx["extra"].update(chain.audit_fields())


async def _complete(request: Request, body: ChatCompletionRequest | CompletionRequest) -> Any:
    gw = _gateway(request)
    ctx = request.scope["privtune"]
    req = _gen_request(gw, body)
    if isinstance(req, JSONResponse):
        return req
    ctx["model"], ctx["stream"] = gw.backend.model_id, body.stream
    principal = ctx["principal"]
    gctx = GuardContext(ctx["request_id"], principal.key_id, principal.role.value, request.scope["path"], body.stream)
    chain = GuardChain([g.start(gctx) for g in gw.guards])
    vstop = None
    if req.stop and chain.transforms():  # stop strings match what the client sees (`stops`)
        vstop = VisibleStop(req.stop)
        req.stop, req.halt = [], threading.Event()
    ctx["extra"]["watermarked"] = getattr(gw.backend, "watermark", None) is not None
    if gw.input_guard is not None:
        ctx["extra"].update(gw.input_guard.apply(req))
    chat = req.kind == "chat"
    rid = ("chatcmpl-" if chat else "cmpl-") + secrets.token_hex(12)
    created = int(time.time())
    if not body.stream:
        try:
            if vstop is None:
                result = await gw.backend.generate(req)
                text = chain.feed(result.text) + chain.finish(truncated=result.finish_reason == "length")
            else:
                result, text = await _whole_with_visible_stop(gw.backend, req, chain, vstop)
        except (BackendBusy, BadPrompt, BackendError) as exc:
            return _backend_error(exc, "messages" if chat else "prompt")
        _record(ctx, result, chain)
        usage = Usage(gw.backend, chain, req.max_tokens).body(result, text, ctx)
        finish = "stop" if vstop is not None and vstop.hit else result.finish_reason
        choice: dict[str, Any] = {"index": 0, "finish_reason": finish, "logprobs": None}
        if chat:
            choice["message"] = {"role": "assistant", "content": text}
        else:
            choice["text"] = text
        # A JSONResponse, not a dict: FastAPI would walk a dict through jsonable_encoder first.
        return JSONResponse({"id": rid, "object": "chat.completion" if chat else "text_completion",
                             "created": created, "model": gw.backend.model_id, "choices": [choice],
                             "usage": usage})
    events = gw.backend.stream(req)
    try:
        first = await events.__anext__()  # errors before the first byte are still proper HTTP errors
    except (BackendBusy, BadPrompt, BackendError) as exc:
        await events.aclose()
        return _backend_error(exc, "messages" if chat else "prompt")
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    sse = _sse(gw.backend.model_id, rid, created, chat, include_usage, first, events, chain, ctx, req, vstop,
               Usage(gw.backend, chain, req.max_tokens))
    return StreamingResponse(sse, media_type="text/event-stream", headers={"Cache-Control": "no-store"})


def _chunk(rid: str, created: int, model: str, chat: bool, text: str | None, finish: str | None,
           role: bool = False) -> str:
    if chat:
        delta: dict[str, Any] = ({"role": "assistant", "content": ""} if role else
                                 {"content": text} if text is not None else {})
        choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        obj = "chat.completion.chunk"
    else:
        choice, obj = {"index": 0, "text": text or "", "finish_reason": finish, "logprobs": None}, "text_completion"
    return "data: " + json.dumps({"id": rid, "object": obj, "created": created, "model": model,
                                  "choices": [choice]}) + "\n\n"


def _visible(chain: GuardChain, vstop: VisibleStop | None, req: GenRequest, delta: str) -> str:
    """``delta`` through the guards, then cut at a stop string (which halts the generation)."""
    safe = chain.feed(delta)
    if vstop is None:
        return safe
    safe = vstop.feed(safe)
    if vstop.hit and req.halt is not None:
        req.halt.set()
    return safe


def _visible_tail(chain: GuardChain, vstop: VisibleStop | None, result: GenResult | None) -> str:
    """The guards' held-back rest (a possible value withheld when the output was cut short), cut at a stop."""
    tail = chain.finish(truncated=result is not None and result.finish_reason == "length")
    return tail if vstop is None else vstop.feed(tail) + vstop.finish()


async def _whole_with_visible_stop(backend: Any, req: GenRequest, chain: GuardChain,
                                   vstop: VisibleStop) -> tuple[GenResult, str]:
    """A non-streamed answer whose stop strings match the guarded text: generated as a stream, so
    that generation halts once one appears (else it would run to ``max_tokens`` every time)."""
    events = backend.stream(req)
    parts: list[str] = []
    result: GenResult | None = None
    try:
        async for item in events:
            if isinstance(item, GenResult):
                result = item
                break
            parts.append(_visible(chain, vstop, req, item))
    finally:
        await events.aclose()
    assert result is not None
    parts.append(_visible_tail(chain, vstop, result))
    return result, "".join(parts)


async def _sse(model: str, rid: str, created: int, chat: bool, include_usage: bool, first: str | GenResult,
               events: AsyncIterator[str | GenResult], chain: GuardChain, ctx: dict[str, Any], req: GenRequest,
               vstop: VisibleStop | None, usage: Usage) -> AsyncIterator[str]:
    result: GenResult | None = None
    sent: list[str] = []  # the text the client got, for `usage`
    try:
        if chat:
            yield _chunk(rid, created, model, chat, None, None, role=True)
        item: str | GenResult | None = first
        while item is not None:
            if isinstance(item, GenResult):
                result = item
                break
            safe = _visible(chain, vstop, req, item)
            if safe:
                sent.append(safe)
                yield _chunk(rid, created, model, chat, safe, None)
            item = await events.__anext__()
        tail = _visible_tail(chain, vstop, result)
        if tail:
            sent.append(tail)
            yield _chunk(rid, created, model, chat, tail, None)
        assert result is not None
        usage_body = usage.body(result, "".join(sent), ctx)
        finish = "stop" if vstop is not None and vstop.hit else result.finish_reason
        yield _chunk(rid, created, model, chat, None if chat else "", finish)
        if include_usage:
            yield "data: " + json.dumps({"id": rid, "object": "chat.completion.chunk" if chat else "text_completion",
                                         "created": created, "model": model, "choices": [],
                                         "usage": usage_body}) + "\n\n"
        yield "data: [DONE]\n\n"
    except (BackendBusy, BadPrompt, BackendError) as exc:
        chain.finish()  # flushed but not sent: the stream failed
        ctx["error"] = "stream_error"  # the status was 200, sent before the failure
        status = 503 if isinstance(exc, BackendBusy) else 400 if isinstance(exc, BadPrompt) else exc.status
        yield "data: " + json.dumps(error_body(status, str(exc), "stream_error")) + "\n\n"
        yield "data: [DONE]\n\n"
    finally:
        if chain.pending():  # client gone mid-stream: the held text is flushed through the guards (counted), never sent
            chain.finish()
        await events.aclose()
        if result is not None:
            _record(ctx, result, chain)
        else:  # cut short (client gone, stream failed): what was generated is still charged and logged
            ctx["prompt_tokens"], ctx["completion_tokens"] = req.progress.prompt_tokens, req.progress.completion_tokens
            ctx["extra"].update(chain.audit_fields())


@allow(Role.user)
async def chat_completions(request: Request, body: ChatCompletionRequest) -> Any:
    return await _complete(request, body)


@allow(Role.user)
async def completions(request: Request, body: CompletionRequest) -> Any:
    return await _complete(request, body)


def add_openai_routes(app: FastAPI) -> DirectRoutes:
    """Register the routes; returns the inference ones for the middleware to dispatch directly."""
    app.add_api_route("/v1/models", list_models, methods=["GET"])
    app.add_api_route("/v1/models/{model_id:path}", retrieve_model, methods=["GET"])
    app.add_api_route("/v1/chat/completions", chat_completions, methods=["POST"])
    app.add_api_route("/v1/completions", completions, methods=["POST"])
    return DirectRoutes({chat_completions: ChatCompletionRequest, completions: CompletionRequest})
