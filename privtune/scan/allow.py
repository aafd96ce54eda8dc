"""Values the operator says are not personal data: never replaced, never reported.

A system prompt's "Acme Corp." is usually the operator's own company; pseudonymising it into
"Todd Corp." makes the fine-tuned model introduce itself wrongly. ``--allow`` / a policy's
``allow:`` list names such values; ``keep_system_orgs`` leaves every organisation in a chat's
system turns alone.
"""

from __future__ import annotations

from typing import Any

from privtune.io.records import get_field
from privtune.scan.entities import Span

MIN_INSIDE = 2  # a detection this short inside an allowed value is too weak a match


class AllowList:
    """Case-insensitive allowed values; a span is allowed when its text equals one or lies
    inside one ("Acme" of "Acme Corp.")."""

    def __init__(self, values: list[str] | tuple[str, ...]) -> None:
        self.values = tuple(sorted({v.strip().casefold() for v in values if v.strip()}))

    def __bool__(self) -> bool:
        return bool(self.values)

    def allows(self, value: str) -> bool:
        v = value.strip().casefold()
        if not v:
            return False
        return any(v == a or (len(v) >= MIN_INSIDE and v in a) for a in self.values)

    def filter(self, text: str, spans: list[Span]) -> tuple[list[Span], int]:
        """``spans`` without the allowed ones, and how many were dropped."""
        kept = [s for s in spans if not self.allows(text[s.start : s.end])]
        return kept, len(spans) - len(kept)


def is_system_turn(record: dict[str, Any], path: str) -> bool:
    """``messages[0].content`` (or a ShareGPT ``value``) of a turn whose role is system."""
    for leaf, role_key in ((".content", "role"), (".value", "from")):
        if path.endswith(leaf):
            try:
                role = get_field(record, path[: -len(leaf)] + "." + role_key)
            except KeyError:
                return False
            return isinstance(role, str) and role.strip().lower() == "system"
    return False
