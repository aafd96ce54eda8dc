"""E-mail addresses spelled out to get past filters: "john dot smith at gmail dot com",
"jane (at) example (dot) org", "lina AT 163 DOT com", "john[at]gmail.com", "li.na 艾特 qq 点 com".

The plain e-mail pattern (contact.py) needs "@" and dots. People writing to a support desk or a
forum spell them out so that scrapers miss them, and a scan that misses them leaves the mailbox
in the training data. Taken only when the address is complete: a local part, a spelled or
bracketed "at", and a domain whose last label is a known top-level domain after a spelled or
real dot ("look at google dot com" is a phrase: its local part is a common word; with a bare
"at" and real dots only, "available at amazon.com" is a website, so the local part must then hold
a dot, a digit or another mailbox character).
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import halfwidth
from privtune.scan.registry import Recognizer, register

_TLDS = ("com|net|org|edu|gov|mil|int|info|biz|io|co|me|ai|app|dev|cn|hk|tw|sg|jp|kr|uk|de|fr|es|it|nl|be|ch|at|se"
         "|no|dk|fi|pl|pt|br|mx|ar|ca|us|au|nz|in|ru|ua|za|ie|tr|gr|cz|hu|ro|vn|th|my|id|ph")
_AT = r"(?:[ \t]*(?:\(at\)|\[at\]|\{at\}|<at>)[ \t]*|[ \t]+(?:at|AT|At)[ \t]+|[ \t]*(?:艾特|圈a|＠)[ \t]*|[ \t]*@[ \t]+|[ \t]+@[ \t]*)"
_DOT = r"(?:[ \t]*(?:\(dot\)|\[dot\]|\{dot\}|<dot>)[ \t]*|[ \t]+(?:dot|DOT|Dot)[ \t]+|[ \t]*[点點][ \t]*|\.)"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
SPELLED_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+-])(?P<local>{_LOCAL}(?:{_DOT}{_LOCAL}){{0,3}}){_AT}"
    rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{0,3}}{_DOT}(?i:{_TLDS}))(?![A-Za-z0-9-])"
)
# Words before a spelled "at" that make a phrase, not a mailbox.
_NOT_LOCAL = frozenset(
    "look looking looked me us him her them it this that home work here there site sites go went visit "
    "stay staying arrive arrived arriving be is are was were i you we they he she am".split()
)
_BARE_AT = re.compile(r"[ \t](?:at|AT|At)[ \t]")
_SPELLED_DOT = re.compile(r"(?i:[ \t]dot[ \t]|\(dot\)|\[dot\]|\{dot\}|<dot>)|[点點]")
_MAILBOX_CHARS = re.compile(r"[._0-9%+-]")
TRIGGER = re.compile(r"(?i:\bat\b|\(at\)|\[at\]|\{at\}|<at>| @|@ )|艾特|圈a|＠")
SCORE = 0.85


def spelled_emails(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each spelled-out address (a plain ``x@y.z`` is the e-mail pattern's)."""
    t = halfwidth(text)
    out = []
    for m in SPELLED_EMAIL.finditer(t):
        local = m.group("local")
        if local.lower() in _NOT_LOCAL:
            continue
        if "@" in m.group() and re.fullmatch(r"\S+@\S+", m.group()):
            continue  # written plainly: contact.EmailRecognizer's
        if _BARE_AT.search(m.group()) and not _SPELLED_DOT.search(m.group()) and not _MAILBOX_CHARS.search(local):
            continue  # "available at amazon.com", "met at noon.com": a website, not a mailbox
        out.append(m.span())
    return out


@register
class SpelledEmailRecognizer(Recognizer):
    """E-mail addresses with "at" / "dot" spelled out or bracketed."""

    name = "email_spelled"
    entity_types = ("EMAIL",)
    trigger = TRIGGER

    def analyze(self, text: str) -> list[Span]:
        return [Span(s, e, "EMAIL", SCORE, self.name) for s, e in spelled_emails(text)]
