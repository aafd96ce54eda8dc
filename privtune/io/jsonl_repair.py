"""JSON lines as hand-written exporters leave them: control characters left raw in strings.

JSON forbids a raw TAB, line break or NUL inside a string; a script that writes
``f'{{"text": "{body}"}}'`` or joins fields itself leaves them there. Python's strict parser
rejected each such record, and a record whose text held a line break became two or more
rejects, one per physical line, and the run failed. A raw control character is read as the
character it is (``strict=False``), and a record cut by raw line breaks is read whole again:
a line that ends inside a string is joined with the lines after it, as long as those are not
records of their own, until the record parses (or `MAX_JOINED_LINES` / `MAX_JOINED_CHARS`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

MAX_JOINED_LINES = 200
MAX_JOINED_CHARS = 1 << 22
_UNTERMINATED = "invalid JSON: Unterminated string"
LENIENT = json.JSONDecoder(strict=False)


def join_cut_records(items: Iterator[Any], parse: Any) -> Iterator[Any]:
    """``items`` (`SourceRecord` / `Rejected` per line, as ``parse(index, line, text)`` makes
    them: `readers._parse_line`) with each record cut by raw line breaks parsed again whole; a
    cut that never closes stays one `Rejected` for all its lines. Indices are renumbered."""
    index = 0
    held: list[Any] = []  # the rejects of one cut record: its first line ended inside a string
    for item in items:
        if held:
            # A line opening an object ('{"') starts a record of its own, not the rest of a string.
            if not hasattr(item, "data") and not item.raw.lstrip().startswith('{"') and _fits(held, item):
                whole = parse(index, held[0].line, "\n".join(h.raw for h in held + [item]))
                if hasattr(whole, "data") or not whole.reason.startswith(_UNTERMINATED):
                    yield whole  # the record, or what is wrong with it once whole
                    index, held = index + 1, []
                    continue
                held.append(item)  # still inside the string: read on
                continue
            yield _one_reject(held, index)
            index, held = index + 1, []
        if not hasattr(item, "data") and item.reason.startswith(_UNTERMINATED):
            held = [item]
            continue
        yield item if item.index == index else dataclasses.replace(item, index=index)
        index += 1
    if held:
        yield _one_reject(held, index)


def _fits(held: list[Any], item: Any) -> bool:
    return len(held) < MAX_JOINED_LINES and sum(len(h.raw) for h in held) + len(item.raw) < MAX_JOINED_CHARS


def _one_reject(held: list[Any], index: int) -> Any:
    first = held[0]
    if len(held) == 1:
        return dataclasses.replace(first, index=index)
    return dataclasses.replace(first, index=index, raw="\n".join(h.raw for h in held),
                               reason=f"{first.reason}; the {len(held) - 1} line(s) after it do not close it")
