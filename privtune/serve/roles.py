"""Roles and the route policy, deny by default.

Every route declares who may call it with `allow(...)`; the middleware looks the policy up on
the matched route's endpoint, so a route added without a declaration is refused for everyone
(not open to everyone). `/health` alone is `PUBLIC`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Role(str, Enum):
    user = "user"        # inference, /v1/models, /info
    auditor = "auditor"  # audit log, metrics, /info
    admin = "admin"      # keys and revocation

    @classmethod
    def parse(cls, value: str) -> "Role":
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown role {value!r}; choose one of {', '.join(r.value for r in cls)}") from None


PUBLIC = "public"
POLICY_ATTR = "__privtune_roles__"


def allow(*roles: Role | str) -> Callable[[F], F]:
    """Decorator: the roles that may call this endpoint (`PUBLIC` for no credential at all)."""
    def mark(fn: F) -> F:
        setattr(fn, POLICY_ATTR, frozenset(roles))
        return fn
    return mark


def policy_of(endpoint: Any) -> frozenset[Any]:
    """The endpoint's allowed roles; empty (nobody) when it declares none."""
    return getattr(endpoint, POLICY_ATTR, frozenset())


def is_public(endpoint: Any) -> bool:
    return PUBLIC in policy_of(endpoint)


def permits(endpoint: Any, role: Role) -> bool:
    return role in policy_of(endpoint)
