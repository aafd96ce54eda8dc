"""Text nested in objects, for the text-field guess of records with no known shape.

A support-desk export keeps a conversation's words below the top level (Intercom's
``source.body``) and repeats a template at it (``"title": "Question about my billing
account"``, a web form's fixed subject). Guessed from the top level alone, the template was
the whole training text, and every conversation after the first was an exact duplicate of
it and was dropped. `nested_text_paths` finds the nested string fields that vary and are
long, so that they join the guess.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_DEPTH = 4


def constant_fields(records: list[dict[str, Any]], keys: list[str]) -> set[str]:
    """Those of ``keys`` whose value is the same in every record of a sample of two or more."""
    if len(records) < 2:
        return set()
    return {k for k in keys if len({repr(r.get(k)) for r in records}) == 1}


def nested_text_paths(records: list[dict[str, Any]], long_width: int, width: Callable[[str], int],
                      path_key: Callable[[object], str]) -> list[str]:
    """Field paths (``source.body``) below the top level, through objects only (never into a
    list), that every record has (text or null), whose values differ between records and whose
    mean ``width`` is ``long_width`` or more; in first-record order."""
    found: dict[str, list[Any]] = {}
    order: list[str] = []
    for i, record in enumerate(records):
        seen: set[str] = set()
        stack: list[tuple[str, Any, int]] = [(path_key(k), v, 1) for k, v in record.items() if isinstance(v, dict)]
        while stack:
            path, value, depth = stack.pop()
            for k, v in value.items():
                sub = f"{path}.{path_key(k)}"
                if isinstance(v, dict) and depth < MAX_DEPTH:
                    stack.append((sub, v, depth + 1))
                elif isinstance(v, str) or v is None:
                    if i == 0:
                        order.append(sub)
                    found.setdefault(sub, []).append(v)
                    seen.add(sub)
    n = len(records)
    out = []
    for path in order:
        values = found.get(path, [])
        texts = [v for v in values if isinstance(v, str)]
        if len(values) != n or not texts or len(set(texts)) < 2:
            continue
        if sum(width(t) for t in texts) / n >= long_width:
            out.append(path)
    return out


def nested_long_strings(record: dict[str, Any], long_width: int, width: Callable[[str], int],
                        path_key: Callable[[object], str]) -> list[tuple[str, str]]:
    """``(path, text)`` of the long strings below the top level of one record, through objects
    and lists (``ticket.comments[0].body``), depth first in record order: the text of a record
    whose only words are nested (a Zendesk ticket ``{"ticket": {...}}``, a Jira issue ``{"key":
    …, "fields": {...}}``), which was rejected with "no text field found"."""
    out: list[tuple[str, str]] = []
    stack: list[tuple[str, Any, int]] = [(path_key(k), v, 1) for k, v in reversed(record.items())
                                         if isinstance(v, (dict, list))]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, str):
            if width(value) >= long_width:
                out.append((path, value))
            continue
        if depth > MAX_DEPTH + 2:  # lists count as a level: comments[i].author.displayName
            continue
        if isinstance(value, dict):
            stack.extend((f"{path}.{path_key(k)}", v, depth + 1) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", value[i], depth + 1) for i in range(len(value) - 1, -1, -1))
    return out
