"""Prefix-stable segmentation: where a streamed output may be cut without splitting an entity.

The PII guard redacts an output segment by segment, streamed or not, so a stream equals the
whole text by construction: ``first_cut(pending)`` returns the length of the first complete
segment of ``pending`` (0: none yet), and once it returns k > 0 it returns the same k for every
continuation of ``pending`` (it looks at most one character past the cut). Whole-text redaction
applies the same function to the same text, so both see the same segments.

A segment ends where no detector's entity continues (checked against privtune scan's
recognizers: none spans these):
- after a line break or a CJK sentence/clause mark (。！？；，、: no zh name, address, phone or
  ID contains one);
- after ASCII ``.``, ``!``, ``?`` or ``;`` followed by whitespace (the whitespace stays with the
  segment): inside an email, URL, IP or decimal a dot is never followed by a space.
Text with no such mark is held back up to ``max_holdback`` characters, then cut at the last
"quiet" gap in that window: whitespace between two lower-case ASCII words, or after a CJK
particle (的了是在和也都就还); failing that at the last whitespace; failing that at the limit
itself. A forced cut can split an entity (a 200-character run of digits or one unbroken name
list); ``max_holdback`` bounds the added time to first token instead, and the default (256
characters, about 60-120 tokens) is longer than any entity the detectors know.
"""

from __future__ import annotations

import re

DEFAULT_MAX_HOLDBACK = 256
_HARD_MARKS = frozenset("\n\r。！？；，、\u2028\u2029")
_SOFT_MARKS = frozenset(".!?;")
_QUIET_GAP = re.compile(r"(?<=[a-z])\s+(?=[a-z])|(?<=[的了是在和也都就还])")
_WHITESPACE = re.compile(r"\s+")


def first_cut(pending: str, max_holdback: int = DEFAULT_MAX_HOLDBACK, scanned: int = 0) -> int:
    """Length of the first complete segment at the start of ``pending``; 0 if it may still grow.

    ``scanned``: a length of ``pending`` already known to hold no cut (a stream passes what it
    had before the last delta, so each character is looked at about once).
    """
    window = pending[: max_holdback + 1]
    for i in range(max(scanned - 1, 0), len(window)):  # -1: a soft mark's look-ahead may just have arrived
        ch = window[i]
        if ch in _HARD_MARKS:
            return i + 1
        # i < max_holdback: the look-ahead character is then known before a forced cut is made.
        if ch in _SOFT_MARKS and i < max_holdback and i + 1 < len(pending) and pending[i + 1].isspace():
            return i + 2
    if len(pending) <= max_holdback:
        return 0
    limit = pending[:max_holdback]
    quiet = [m.end() for m in _QUIET_GAP.finditer(limit) if 0 < m.end() < max_holdback]
    if quiet:
        return quiet[-1]
    spaces = [m.end() for m in _WHITESPACE.finditer(limit) if 0 < m.end() < max_holdback]
    if spaces:
        return spaces[-1]
    return max_holdback


def segments(text: str, max_holdback: int = DEFAULT_MAX_HOLDBACK) -> list[str]:
    """``text`` cut the way a stream of it is cut, whatever its chunking."""
    out: list[str] = []
    while text:
        k = first_cut(text, max_holdback)
        if k == 0:
            break
        out.append(text[:k])
        text = text[k:]
    if text:
        out.append(text)
    return out
