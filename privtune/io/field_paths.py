"""Field paths: how a record's field is named and reached (``messages[2].content``).

A path is keys joined by ".", list indices in brackets; `privtune.io.records` re-exports these
names, where callers import them.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# A path names a field: keys joined by ".", list indices in brackets. A key holding ".", "[",
# "]" or "\\" itself (a map keyed by e-mail addresses or file names) has them escaped with "\\"
# (`path_key`), so "contacts.jane\\.doe@example\\.com" is one key under "contacts"; an empty
# key is an empty component ("a..b", and "" for the record's own "" key).
_PATH_SPECIAL = re.compile(r"([.\[\]\\])")
_INDEX = re.compile(r"\[(\d+)\]")


def path_key(key: object) -> str:
    """``key`` as a component of a field path (escaped where it holds path characters)."""
    k = f"{key}"
    if "." in k or "[" in k or "]" in k or "\\" in k:
        return _PATH_SPECIAL.sub(r"\\\1", k)
    return k



def parse_path(path: str) -> list[str | int]:
    return list(_path_parts(path))


@functools.lru_cache(maxsize=4096)  # the same few paths recur in every record
def _path_parts(path: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    i, n = 0, len(path)
    while True:
        name: list[str] = []  # a key: up to an unescaped "." or "["
        while i < n and path[i] not in ".[":
            if path[i] == "\\" and i + 1 < n:
                i += 1
            name.append(path[i])
            i += 1
        parts.append("".join(name))
        while i < n and path[i] == "[":
            m = _INDEX.match(path, i)
            if m is None:
                raise ValueError(f"malformed field path {path!r}")
            parts.append(int(m.group(1)))
            i = m.end()
        if i >= n:
            return tuple(parts)
        if path[i] != ".":
            raise ValueError(f"malformed field path {path!r}")
        i += 1


def path_parts(path: str) -> tuple[str | int, ...]:
    """The keys and list indices a field path names, in order (parsed once per path)."""
    return _path_parts(path)


def get_field(record: dict[str, Any], path: str) -> Any:
    cur: Any = record
    for part in _path_parts(path):
        if isinstance(part, int):
            if not isinstance(cur, list) or part >= len(cur):
                raise KeyError(path)
            cur = cur[part]
        else:
            if not isinstance(cur, dict) or part not in cur:
                raise KeyError(path)
            cur = cur[part]
    return cur


def set_field(record: dict[str, Any], path: str, value: Any) -> None:
    parts = _path_parts(path)
    cur: Any = record
    for part in parts[:-1]:
        cur = cur[part]
    cur[parts[-1]] = value
