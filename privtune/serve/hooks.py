"""Extension point for output guards (redaction, watermark flags...): see issue 15.

A guard sees every completion's text before the client does, streamed or not, and reports
counts for the audit log. ``OutputGuard.start`` makes one `GuardSession` per response; the
gateway calls ``feed`` with each delta (the whole text once for a non-streamed response) and
sends only what ``feed`` returns, then sends ``finish()``'s remainder (also on error or client
disconnect) and merges ``audit_fields()`` into the request's audit record (counts and flags,
never values). Guards chain in order. With no guard configured the text passes untouched.
Optional on a session: ``finish_truncated()``, used instead of ``finish()`` for an output cut
short (it may end inside a value), and ``transforms = False`` when it never changes the text
(stop strings then stay with the backend; otherwise the gateway matches them on the guarded text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class GuardContext:
    """What a guard may know about the request (no content)."""

    request_id: str
    key_id: str
    role: str
    route: str
    stream: bool


class GuardSession(Protocol):
    def feed(self, delta: str) -> str: ...
    def finish(self) -> str: ...
    def audit_fields(self) -> dict[str, Any]: ...


class OutputGuard(Protocol):
    name: str

    def start(self, ctx: GuardContext) -> GuardSession: ...

    def describe(self) -> dict[str, Any]: ...


class GuardChain:
    """Several guards' sessions composed: the output of one is the input of the next."""

    def __init__(self, sessions: list[GuardSession]) -> None:
        self.sessions = sessions
        self._open = False

    def feed(self, delta: str) -> str:
        self._open = True
        for s in self.sessions:
            delta = s.feed(delta)
        return delta

    def finish(self, truncated: bool = False) -> str:
        """The held-back rest. ``truncated``: the output was cut short (``finish_reason`` length), so
        it may end inside a value; a session with ``finish_truncated`` then finishes with that."""
        self._open = False
        tail = ""
        for s in self.sessions:
            end = getattr(s, "finish_truncated", None) if truncated else None
            # an earlier guard's remainder passes through the later ones
            tail = s.feed(tail) + (end() if end is not None else s.finish())
        return tail

    def transforms(self) -> bool:
        """Whether some session may change the text (a session says ``transforms = False`` when it
        passes text through untouched, as PII mode ``off`` does; one that does not say may)."""
        return any(getattr(s, "transforms", True) for s in self.sessions)

    def pending(self) -> bool:
        """Whether some session may still hold text back (``finish`` not called since the last feed)."""
        return self._open

    def audit_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for s in self.sessions:
            out.update(s.audit_fields())
        return out
