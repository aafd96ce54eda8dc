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


_reflow_patched = False


def _reflow(paragraph: str) -> str:
    """One paragraph with its single line breaks turned into spaces, unless it is laid out on
    purpose: a click ``\\b`` block, or lines that start a list item or are indented."""
    lines = paragraph.split("\n")
    if paragraph.startswith("\b") or any(
        ln[:1] in (" ", "\t") or ln[:2] in ("- ", "* ", "• ") or ln.split(" ", 1)[0].rstrip(".)").isdigit()
        for ln in lines[1:]
    ):
        return paragraph
    return " ".join(ln.strip() for ln in lines)


def reflow_help_paragraphs() -> None:
    """Make typer rewrap the paragraphs after a command's first line (idempotent).

    typer 0.29 joins the first line of a docstring but keeps every line break of the later
    paragraphs, so a docstring wrapped at 100 columns prints as ragged half-lines in an
    80-column terminal ("... A run whose planned" / "epsilon exceeds ...").
    """
    global _reflow_patched
    if _reflow_patched:
        return
    from typer import rich_utils

    def fix_linebreaks(paragraphs: list[str], markup_mode: Any) -> str:
        return "\n\n".join(_reflow(p) for p in paragraphs)

    rich_utils._fix_linebreaks = fix_linebreaks  # type: ignore[attr-defined]
    _reflow_patched = True
