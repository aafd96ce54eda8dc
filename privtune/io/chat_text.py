"""Plain-text chat and log exports: one record per message, not per line.

A WhatsApp export (``[12/03/2024, 14:05:22] Anna: …`` on iOS, ``12/03/2024, 14:05 - Anna: …``
on Android), a QQ / WeChat backup or an application log writes one message or entry per
timestamped line, and a message written over several lines continues on lines without one.
Read line by line, a label and its value fell into two records ("my number is" | "0471 22 93
15"; "MRN:" | "00482913"; "住院号：" | "20230415"), and a number that needs its label to be
told from any other number went out as it was. When a text file's first lines are such
messages, each line without a timestamp continues the message above it (joined with a line
break, as written); other text files keep one record per line.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterator
from typing import Any

_MARKS = "\u200e\u200f\ufeff"  # WhatsApp puts a left-to-right mark before some lines
_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}"
# A Chinese or Japanese locale writes the half of the day before the time ("下午2:05").
_TIME = r"(?:上午|下午|中午|晚上|凌晨|午前|午後)?\d{1,2}:\d{2}(?::\d{2})?(?:[\s\u202f]?[APap]\.?[Mm]\.?)?"
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
SNIFF_LINES = 64  # the first lines that decide whether a text file is a chat or log export


def group_messages(items: Iterator[Any]) -> Iterator[Any]:
    """``items`` (one `SourceRecord` ``{"text": line}`` or `Rejected` per line) with each line that
    does not start a message joined to the message above it, when the file is a chat or log
    export (`is_chat_export` of its first lines). Lines above the first message (a QQ export's
    title block) stay one record each. Indices are renumbered in order; a record's ``line``
    is its first line's."""
    head = list(itertools.islice(items, SNIFF_LINES))
    stream = itertools.chain(head, items)
    if not is_chat_export(head):
        yield from stream
        return
    index, seen_message = 0, False
    cur, lines, size = None, [], 0
    for item in stream:
        is_line = hasattr(item, "data")
        starts = is_line and _starts_message(item)
        if cur is not None and is_line and not starts and size + len(item.data["text"]) < MAX_MESSAGE_CHARS:
            lines.append(item.data["text"])
            size += len(item.data["text"]) + 1
            continue
        if cur is not None:
            yield dataclasses.replace(cur, index=index, data={"text": "\n".join(lines)})
            index, cur = index + 1, None
        seen_message = seen_message or starts
        if is_line and seen_message:  # a message, or the next part of one too long for a record
            cur, lines, size = item, [item.data["text"]], len(item.data["text"])
        else:  # an undecodable line (its own reject), or a line above the first message
            yield item if item.index == index else dataclasses.replace(item, index=index)
            index += 1
    if cur is not None:
        yield dataclasses.replace(cur, index=index, data={"text": "\n".join(lines)})


def is_chat_export(lines: list[Any]) -> bool:
    """A file's first lines are a chat or log export's: its first line starts a message, or at
    least two of them do and they are a tenth of the lines or more."""
    starts = sum(1 for item in lines if _starts_message(item))
    return bool(lines) and (_starts_message(lines[0]) or (starts >= 2 and starts * 10 >= len(lines)))


def _starts_message(item: Any) -> bool:
    return hasattr(item, "data") and MESSAGE_START.match(item.data["text"]) is not None
