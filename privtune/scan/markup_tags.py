"""Markup tags are no names: a tagger's span over "</Contact><Tel>" or "<Invoice><Contact>王伟".

XML and HTML exports put field names in tags; the English model read a capitalised tag name as a
company ("Tel") and the Chinese one ran a company over tags and the value between them. No name,
place or company holds a "<" or ">", so a model span is cut back to the text between tags.
"""

from __future__ import annotations

import re

_TAG = re.compile(r"</?[A-Za-z_][\w:.-]*(?:\s[^<>]*)?/?>|</?[A-Za-z_][\w:.-]*")


def is_tag_name(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` (a tagger's span) a tag's name: right after "<" or "</"?"""
    return text[max(0, start - 1) : start] == "<" or text[max(0, start - 2) : start] == "</"


def between_tags(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The longest stretch of ``text[start:end]`` outside tags (stripped), or None if none is
    left or the span is a tag's name."""
    if is_tag_name(text, start, end):
        return None
    piece = text[start:end]
    if "<" not in piece and ">" not in piece:
        return start, end
    best: tuple[int, int] | None = None
    pos = start
    for m in [*_TAG.finditer(piece), None]:
        stop = start + m.start() if m is not None else end
        s, e = pos, stop
        while s < e and text[s] in " \t\r\n<>/":
            s += 1
        while e > s and text[e - 1] in " \t\r\n<>/":
            e -= 1
        if e > s and (best is None or e - s > best[1] - best[0]):
            best = (s, e)
        if m is not None:
            pos = start + m.end()
    return best
