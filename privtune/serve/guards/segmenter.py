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

Some detectors need the words before an entity as much as the entity ("Tel. 0471 22 93 15",
"MRN. 00482913", "联系电话，62345678", "住院号，20230415": a national number or a record number
is taken only after its label). So no cut is made where a label would be cut from its value:
after the full stop of an abbreviation that labels what follows (`LABEL_ABBREVIATIONS`: Tel.,
Mob., No., Dr. ...) nor after a "，" that follows a label's last character (号 码 话 机 证 ...).
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
# Abbreviations whose full stop is no sentence end: they label or title what follows.
LABEL_ABBREVIATIONS = frozenset(
    "tel mob ph no nr fax tlf cell dr mr mrs ms mx prof st apt ste mrn ref acct dob id attn".split()
)
# Last characters of Chinese labels ("电话", "工号", "号码", "身份证", "手机", "微信", "地址", "邮箱"):
# a "，" right after one separates the label from its value, not two clauses.
_ZH_LABEL_ENDS = frozenset("号號码碼话話机機证證信址箱")
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
            if ch == "，" and i and window[i - 1] in _ZH_LABEL_ENDS:
                continue  # "联系电话，62345678": the label stays with its value
            return i + 1
        # i < max_holdback: the look-ahead character is then known before a forced cut is made.
        if ch in _SOFT_MARKS and i < max_holdback and i + 1 < len(pending) and pending[i + 1].isspace():
            if ch == "." and _label_abbreviation_before(window, i):
                continue  # "Tel. 0471 22 93 15"
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


def _label_abbreviation_before(text: str, dot: int) -> bool:
    """Is the word that ends at ``text[dot]`` (a full stop) one of `LABEL_ABBREVIATIONS`?"""
    start = dot
    while start and text[start - 1].isascii() and text[start - 1].isalpha() and dot - start < 5:
        start -= 1
    if start and text[start - 1].isascii() and text[start - 1].isalpha():
        return False  # a longer word
    return text[start:dot].lower() in LABEL_ABBREVIATIONS


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
