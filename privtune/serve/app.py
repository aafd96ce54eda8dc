"""The FastAPI app: routes, the gateway middleware, OpenAI-shaped errors, and `build_gateway` from a config.

Route policy (deny by default, see `roles`): /health is public; inference and /v1/models are
`user`; /info is `user` and `auditor`; /metrics and /v1/audit/log are `auditor`; /admin/* is
`admin`; /openapi.json needs any valid credential. Interactive docs pages are not served.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from privtune import __version__
from privtune.errors import InputError
from privtune.serve.auditlog import AuditLog
from privtune.serve.auth.jwt import JWTVerifier, revocation_horizon
from privtune.serve.auth.keys import KeyStore, open_store
from privtune.serve.config import ServeConfig
from privtune.serve.direct import validation_error_response
from privtune.serve.gateway import Gateway
from privtune.serve.middleware import GatewayMiddleware
from privtune.serve.openai_routes import add_openai_routes
from privtune.serve.ratelimit import make_limiter
from privtune.serve.roles import PUBLIC, Role, allow
from privtune.serve.schemas import JTIRevoke, KeyCreate, KeyRotate, WatermarkDetectRequest, error_response

log = logging.getLogger("privtune.serve")
PURGE_EVERY_S = 24 * 3600
NO_FASTAPI_TELEMETRY: dict[str, Any] = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False,
                                        "auto_configure": False}


def _telemetry_off() -> dict[str, Any]:
    """FastAPI's ``telemetry`` argument turning it all off, where this FastAPI has native telemetry."""
    return {"telemetry": NO_FASTAPI_TELEMETRY} if "telemetry" in inspect.signature(FastAPI.__init__).parameters else {}


def _gw(request: Request) -> Gateway:
    return request.app.state.gateway


def create_app(gw: Gateway, *, direct_dispatch: bool = True) -> FastAPI:
    """The app around ``gw``. ``direct_dispatch=False`` sends the inference routes through FastAPI
    too (the two must answer alike; tests compare them)."""
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async def purge_daily() -> None:
            while True:
                try:
                    removed = gw.audit.purge_older_than(gw.cfg.audit_log.retention_days)
                except Exception as exc:  # noqa: BLE001 - one failed purge must not end retention for good
                    log.error("audit log retention: purge failed (%s); retried in a day", type(exc).__name__)
                else:
                    if removed:
                        log.info("audit log retention: purged %d record(s)", removed)
                await asyncio.sleep(PURGE_EVERY_S)

        task = asyncio.create_task(purge_daily())
        try:
            yield
        finally:
            task.cancel()
            await gw.close()

    # FastAPI's native OpenTelemetry is off whatever the environment configures: it would record
    # a failed request's body (the prompt) and exception messages, which may quote content, and
    # costs every request a context lookup. /metrics and the audit log are the gateway's telemetry.
    app = FastAPI(title="privtune serve", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None, **_telemetry_off())
    app.state.gateway = gw
    gw.app = app
    direct = add_openai_routes(app)
    app.add_middleware(GatewayMiddleware, gateway=gw, direct=direct if direct_dispatch else None)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # loc and msg only: pydantic's "input" would echo the prompt back (and into any log of responses).
        return validation_error_response(list(exc.errors()))

    @app.exception_handler(InputError)
    async def _refused(request: Request, exc: InputError) -> JSONResponse:
        # the key store's refusals (a blank or control-character name, a NUL in a jti) were 500s
        return error_response(400, exc.message, "invalid_request", exc.field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), "http_error")

    # HEAD too: a load balancer's HEAD probe matched no route, went on to authentication and was
    # refused 401, so the instance was taken out of service.
    @app.get("/health")
    @allow(PUBLIC)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.head("/health", include_in_schema=False)(health)

    @app.get("/openapi.json", include_in_schema=False)
    @allow(Role.user, Role.auditor, Role.admin)
    async def openapi() -> dict[str, Any]:
        return app.openapi()

    @app.get("/info")
    @allow(Role.user, Role.auditor)
    async def info(request: Request) -> dict[str, Any]:
        return _gw(request).info

    @app.get("/metrics")
    @allow(Role.auditor)
    async def metrics(request: Request) -> Response:
        return Response(_gw(request).metrics.render(), media_type="text/plain; version=0.0.4")

    @app.post("/v1/watermark/detect")
    @allow(Role.auditor)
    async def watermark_detect(request: Request, body: WatermarkDetectRequest) -> Any:
        gw_ = _gw(request)
        scheme = getattr(gw_.backend, "watermark_scheme", None)
        if scheme is None:
            return error_response(409, "this server does not watermark (see /info watermark.reason)", "no_watermark")
        wcfg = gw_.cfg.watermark
        if body.key_only and body.detector not in (None, "weighted"):
            return error_response(400, f"key_only asks for key-only weighted detection; detector {body.detector!r} "
                                       "needs the model: send one of the two", "invalid_request", "detector")
        detector = "weighted" if body.key_only else (body.detector or wcfg.detector)
        threshold = None if body.key_only else (
            body.entropy_threshold if body.entropy_threshold is not None else wcfg.entropy_threshold)
        power = None if body.key_only else (
            body.entropy_weight_power if body.entropy_weight_power is not None else wcfg.entropy_weight_power)
        det = await gw_.backend.detect_watermark(body.text, threshold, power, wcfg.entropy_distribution,
                                                 detector=detector, top_k=wcfg.lr_top_k)
        return det.as_dict(wcfg.z_threshold)

    @app.get("/v1/audit/log")
    @allow(Role.auditor)
    async def audit_log(request: Request, n: int = Query(100, ge=1, le=10_000)) -> dict[str, Any]:
        return {"records": _gw(request).audit.tail(n)}

    @app.get("/admin/keys")
    @allow(Role.admin)
    async def list_keys(request: Request) -> dict[str, Any]:
        return {"keys": [k.public() for k in _gw(request).store.list()]}

    @app.post("/admin/keys", status_code=201)
    @allow(Role.admin)
    async def create_key(request: Request, body: KeyCreate) -> dict[str, Any]:
        rec, secret = _gw(request).store.create(body.name, Role(body.role),
                                                body.ttl_days * 86400 if body.ttl_days else None)
        return {**rec.public(), "api_key": secret, "note": "shown once; only its hash is stored"}

    @app.post("/admin/keys/{key_id}/revoke")
    @allow(Role.admin)
    async def revoke_key(request: Request, key_id: str) -> Any:
        store = _gw(request).store
        if store.get(key_id) is None:
            return error_response(404, "no such key", "key_not_found", "key_id")
        return store.revoke(key_id).public()

    @app.post("/admin/keys/{key_id}/rotate", status_code=201)
    @allow(Role.admin)
    async def rotate_key(request: Request, key_id: str, body: KeyRotate) -> Any:
        store = _gw(request).store
        old = store.get(key_id)
        if old is None or not old.active(time.time()):
            return error_response(404, "no active key with this id", "key_not_found", "key_id")
        rec, secret = store.rotate(key_id, body.grace_hours * 3600, body.ttl_days * 86400 if body.ttl_days else None)
        return {**rec.public(), "api_key": secret, "replaces": key_id, "note": "shown once; only its hash is stored"}

    @app.post("/admin/tokens/revoke")
    @allow(Role.admin)
    async def revoke_token(request: Request, body: JTIRevoke) -> dict[str, Any]:
        gw_ = _gw(request)
        gw_.store.revoke_jti(body.jti, revocation_horizon(gw_.cfg.auth.jwt_max_lifetime_s, body.exp))
        return {"jti": body.jti, "revoked": True}

    return app


def build_gateway(cfg: ServeConfig, *, store: KeyStore | None = None, backend: Any = None,
                  guards: list[Any] | None = None) -> Gateway:
    """Everything the config names: backend (loaded here), key store, JWT verifier, limiter, audit log."""
    from privtune.serve.info import build_info

    if backend is None:
        backend = load_backend(cfg)
    verifier = JWTVerifier.from_files(cfg.auth.jwt_secret_file, cfg.auth.jwt_public_keys, issuer=cfg.auth.jwt_issuer,
                                      audience=cfg.auth.jwt_audience, max_lifetime_s=cfg.auth.jwt_max_lifetime_s)
    input_guard = None
    if guards is None:  # the config's guards; a caller passing its own list replaces them
        from privtune.serve.guards.pii import guards_from_config

        guards, input_guard = guards_from_config(cfg.pii)
    from privtune.serve.guards.watermark import setup_watermark

    watermark = setup_watermark(cfg.watermark, backend)
    notes: list[str] = []
    info = build_info(model_id=backend.model_id, base=cfg.base, adapter=cfg.adapter, privacy=cfg.privacy,
                      audit_report=cfg.audit_report, backend=backend.describe(),
                      guards=[g.describe() for g in guards],
                      input_guards=[input_guard.describe()] if input_guard is not None else [],
                      watermark=watermark, notes=notes)
    return Gateway(cfg=cfg, backend=backend, store=store or open_store(cfg.auth.key_store),
                   verifier=verifier,
                   limiter=make_limiter(cfg.rate_limit.requests_per_min, cfg.rate_limit.tokens_per_min,
                                        cfg.rate_limit.redis_url, cfg.rate_limit.auth_failures_per_min),
                   audit=AuditLog(cfg.audit_log.path), info=info, guards=guards, input_guard=input_guard,
                   notes=notes)


def default_model_id(cfg: ServeConfig) -> str:
    if cfg.model_name:
        return cfg.model_name
    if cfg.adapter is not None:
        a = Path(cfg.adapter)
        return a.parent.name if a.name == "adapter" else a.name
    if cfg.base is not None:
        return Path(cfg.base).name
    return cfg.upstream_model or "upstream"


def upstream_api_key(cfg: ServeConfig) -> str | None:
    """The upstream engine's API key from ``upstream_api_key_file``, if one is given."""
    return cfg.upstream_api_key_file.read_text(encoding="utf-8").strip() if cfg.upstream_api_key_file else None


def _base_tokenizer(base: Path | None) -> Any:
    """The base model's tokenizer in upstream mode (for the usage of guarded answers), if ``base`` has one."""
    if base is None or not (Path(base) / "tokenizer_config.json").exists():
        return None
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(base), local_files_only=True)


def load_backend(cfg: ServeConfig) -> Any:
    if cfg.upstream:
        from privtune.serve.backends.upstream import UpstreamBackend

        key = upstream_api_key(cfg)
        return UpstreamBackend(cfg.upstream, default_model_id(cfg), cfg.upstream_model, key,
                               queue_size=max(cfg.limits.queue_size, 1), timeout_s=cfg.limits.request_timeout_s,
                               tokenizer=_base_tokenizer(cfg.base))
    from privtune.serve.backends.embedded import EmbeddedBackend, load_model

    assert cfg.base is not None
    model, tok, dev = load_model(cfg.base, cfg.adapter, cfg.device, cfg.adapter_key_file)
    return EmbeddedBackend(model, tok, dev, default_model_id(cfg), cfg.limits.queue_size)
