"""Who is calling: the outcome of authentication, the input of authorisation and of the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from privtune.serve.roles import Role


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``key_id`` is the API key id or ``jwt:<sub>``; it keys rate limits."""

    key_id: str
    role: Role
    method: str  # "api_key" | "jwt"
    jti: str | None = None


class AuthFailed(Exception):
    """No, or no valid, credential. ``reason`` goes to the client and the audit log (no secret in it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
