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
# A spelled "at" or "dot", or a common top-level domain after a dot: one literal alternation, which
# the analyzer answers with its shared substring scan (an IGNORECASE "at" ran on most English text).
# Only spelled forms: a bare "at" or a spaced "@" before real dots ("jdoe99 at yahoo.com") is not
# looked for, since words opening with a space or a full stop slowed the shared scan for every text.
_TRIGGER_WORDS = ("dot", "DOT", "Dot", "(at)", "[at]", "{at}", "<at>", "(AT)", "[AT]", "艾特", "圈a", "点", "點")
TRIGGER = re.compile("|".join(map(re.escape, _TRIGGER_WORDS)))
SCORE = 0.85


# The "at" and the domain after it: most "at"s of a text ("at home", "at 5pm") fail here, in C,
# before the whole pattern (which opens with a look-behind, so sre tries it at every position)
# is run on the few characters before a domain.
# Spelled or spaced "at"s only: a plain "x@y.z" (most "@"s) is the e-mail pattern's; no look-behind,
# so sre skips to the tokens' first characters by itself.
_AT_TOKEN = re.compile(r"[ \t](?:at|AT|At)[ \t]|\(at\)|\[at\]|\{at\}|<at>|艾特|圈a|[ \t]@|@[ \t]")
_DOMAIN_AFTER = re.compile(rf"[ \t]*(?:{_LABEL}(?:{_DOT}{_LABEL}){{0,3}}{_DOT}(?i:{_TLDS}))(?![A-Za-z0-9-])")
_LOOKBACK = 90  # a local part of up to four labels with spelled dots between them


def _matches(t: str) -> list[re.Match[str]]:
    out: list[re.Match[str]] = []
    done = 0
    for at in _AT_TOKEN.finditer(t):
        if at.start() < done or (domain := _DOMAIN_AFTER.match(t, at.end())) is None:
            continue
        m = SPELLED_EMAIL.search(t, max(done, at.start() - _LOOKBACK), domain.end())
        while m is not None and m.end() != domain.end():
            m = SPELLED_EMAIL.search(t, m.start() + 1, domain.end())
        if m is not None:
            out.append(m)
            done = m.end()
    return out


def spelled_emails(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each spelled-out address (a plain ``x@y.z`` is the e-mail pattern's)."""
    t = halfwidth(text)
    out = []
    for m in _matches(t):
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
