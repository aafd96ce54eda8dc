"""Plain-text chat and log exports: one record per message, not per line.

A WhatsApp export (``[12/03/2024, 14:05:22] Anna: …`` on iOS, ``12/03/2024, 14:05 - Anna: …``
on Android), a QQ / WeChat backup or an application log writes one message or entry per
timestamped line, and a message written over several lines continues on lines without one.
Read line by line, a label and its value fell into two records ("my number is" | "0471 22 93
15"; "MRN:" | "00482913"), and a number that needs its label to be told from any other number
went out as it was. When a text file opens with such a timestamp, each line without one
continues the message above it (joined with a line break, as written); other text files keep
one record per line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

_MARKS = "\u200e\u200f\ufeff"  # WhatsApp puts a left-to-right mark before some lines
_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[\s\u202f]?[APap]\.?[Mm]\.?)?"
MESSAGE_START = re.compile(
    rf"[{_MARKS}]*(?:"
    rf"\[{_DATE},?[\s\u202f]{_TIME}\][\s\u202f]"  # WhatsApp iOS: [12/03/2024, 14:05:22] Name:
    rf"|{_DATE},?[\s\u202f]{_TIME}[\s\u202f][-\u2013][\s\u202f]"  # WhatsApp Android: 12/03/2024, 14:05 - Name:
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]\d{1,2}:\d{2}"  # logs, QQ / WeChat backups: 2024-03-12 14:05:22
    r"|\[\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}"  # [2024-03-12 14:05:22] or [2024-03-12T14:05:22Z]
    r")"
)
# A message longer than this is cut into records of this size: a file with one timestamp
# and a million lines after it must not become one record held in memory.
MAX_MESSAGE_CHARS = 1 << 20


def group_messages(items: Iterator[Any]) -> Iterator[Any]:
    """``items`` (one `SourceRecord` ``{"text": line}`` or `Rejected` per line) with each line that
    does not start a message joined to the message above it, when the first line starts one.
    Indices are renumbered in order; a record's ``line`` is its first line's."""
    first = next(items, None)
    if first is None:
        return
    if not _starts_message(first):
        yield first
        yield from items
        return
    index = 0
    head, lines, size = first, [first.data["text"]], len(first.data["text"])
    for item in items:
        if (head is not None and hasattr(item, "data") and not _starts_message(item)
                and size + len(item.data["text"]) < MAX_MESSAGE_CHARS):
            lines.append(item.data["text"])
            size += len(item.data["text"]) + 1
            continue
        if head is not None:
            yield dataclasses.replace(head, index=index, data={"text": "\n".join(lines)})
            index += 1
        if hasattr(item, "data"):
            head, lines, size = item, [item.data["text"]], len(item.data["text"])
        else:  # an undecodable line: its own reject; the next line starts afresh
            yield dataclasses.replace(item, index=index)
            index += 1
            head, lines, size = None, [], 0
    if head is not None:
        yield dataclasses.replace(head, index=index, data={"text": "\n".join(lines)})


def _starts_message(item: Any) -> bool:
    return hasattr(item, "data") and MESSAGE_START.match(item.data["text"]) is not None
