"""Small corrections to how typer renders ``--help``.

typer (0.29) prints a value label for every option, flags included: ``--quiet <bool>`` reads as
if the flag took a value, which it does not (``--quiet true`` is a usage error). Flags get no
label here; options that take a value keep theirs (``<int>``, ``<path>``, ...).
"""

from __future__ import annotations

from typing import Any

_patched = False


def hide_flag_value_labels() -> None:
    """Make typer show no type label for on/off flags (idempotent)."""
    global _patched
    if _patched:
        return
    from typer.core import TyperOption

    original = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag and not self.count:
            return None
        return original(self, ctx)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
    _patched = True
