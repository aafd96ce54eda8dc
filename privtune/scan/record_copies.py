"""Copies of a parsed record for the scan to rewrite: never sharing a container with the input
(`record_copy`), or sharing everything off the replaced paths (`copy_with`)."""

from __future__ import annotations

import copy
from typing import Any

from privtune.io.records import path_parts

_SCALARS = (str, int, float, bool, type(None))


def record_copy(value: Any) -> Any:
    """A copy of a record deep enough for `set_field` on the copy never to touch the original:
    dicts and lists are rebuilt, immutable scalars shared (what a parsed JSON line holds);
    anything else goes through ``copy.deepcopy``. ~5x faster than deepcopy on chat records."""
    if type(value) is dict:
        return {k: v if type(v) in _SCALARS else record_copy(v) for k, v in value.items()}
    if type(value) is list:
        return [v if type(v) in _SCALARS else record_copy(v) for v in value]
    if type(value) in _SCALARS:
        return value
    return copy.deepcopy(value)


def copy_with(record: dict[str, Any], updates: list[tuple[str, Any]]) -> dict[str, Any] | None:
    """``record`` with each (path, value) of ``updates`` set, equal to `record_copy` then
    `set_field` of each: the dicts and lists along the updated paths are copied (once per path
    prefix, as `record_copy` copies each position), every other value is shared with ``record``.
    Neither may be changed in place afterwards. None when a container on a path is not exactly a
    dict or a list (the caller copies the whole record then). A chat record's copy ~4 -> ~1.5 µs."""
    if type(record) is not dict:
        return None
    top = dict(record)
    copies: dict[tuple[str | int, ...], Any] = {(): top}
    for path, value in updates:
        parts = path_parts(path)
        old: Any = record
        new: Any = top
        for depth in range(len(parts) - 1):
            part = parts[depth]
            old = old[part]
            prefix = parts[: depth + 1]
            copied = copies.get(prefix)
            if copied is None:
                kind = type(old)
                if kind is dict:
                    copied = dict(old)
                elif kind is list:
                    copied = list(old)
                else:
                    return None
                copies[prefix] = new[part] = copied
            new = copied
        new[parts[-1]] = value
    return top
