"""`Gateway`: the parts one app instance holds together (config, backend, stores, limiter, log, guards)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from privtune.serve.auditlog import AuditLog
from privtune.serve.auth.jwt import JWTVerifier
from privtune.serve.auth.keys import KEY_PREFIX, KeyStore
from privtune.serve.auth.principal import AuthFailed, Principal
from privtune.serve.backends.base import Backend
from privtune.serve.config import ServeConfig
from privtune.serve.hooks import OutputGuard
from privtune.serve.metrics import Metrics
from privtune.serve.ratelimit import RateLimiter


@dataclass
class Gateway:
    cfg: ServeConfig
    backend: Backend
    store: KeyStore
    verifier: JWTVerifier
    limiter: RateLimiter
    audit: AuditLog
    info: dict[str, Any]
    guards: list[OutputGuard] = field(default_factory=list)
    input_guard: Any = None  # `InputRedaction`: prompts redacted before the backend sees them
    metrics: Metrics = field(default_factory=Metrics)
    notes: list[str] = field(default_factory=list)  # for the start-up log (`build_info`'s)
    app: Any = None

    def routes(self) -> list[Any]:
        return self.app.router.routes

    def authenticate(self, credential: str) -> Principal:
        """An API key (``ptk_...``) or a JWT; `AuthFailed` with a reason that names no secret."""
        if credential.startswith(KEY_PREFIX):
            rec = self.store.verify(credential)
            if rec is None:
                raise AuthFailed("API key invalid, revoked or expired")
            return Principal(key_id=rec.key_id, role=rec.role, method="api_key")
        if credential.count(".") == 2 and self.verifier.enabled:
            return self.verifier.verify(credential, self.store)
        raise AuthFailed("credential not recognised")

    async def close(self) -> None:
        await self.backend.close()
        await self.limiter.close()
        self.audit.close()
        self.store.close()
