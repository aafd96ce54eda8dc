"""E-mail addresses spelled out to get past filters: "john dot smith at gmail dot com",
"jane (at) example (dot) org", "lina AT 163 DOT com", "john[at]gmail.com", "li.na 艾特 qq 点 com".

The plain e-mail pattern (contact.py) needs "@" and dots. People writing to a support desk or a
forum spell them out so that scrapers miss them, and a scan that misses them leaves the mailbox
in the training data. Taken only when the address is complete: a local part, a spelled or
bracketed "at", and a domain whose last label is a known top-level domain after a spelled or
real dot ("look at google dot com" is a phrase: its local part is a common word; with a bare
"at" and real dots only, "available at amazon.com" is a website, so the local part must then hold
a dot, a digit or another mailbox character, or the domain be a webmail provider's, or an e-mail
cue stand before it: "jdoe99 at yahoo.com", "anna at gmx.de", "mail me: anna.k @ gmx.de").
"""

from __future__ import annotations

import functools
import re

from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import halfwidth
from privtune.scan.registry import Recognizer, register

_TLDS = ("com|net|org|edu|gov|mil|int|info|biz|io|co|me|ai|app|dev|cn|hk|tw|sg|jp|kr|uk|de|fr|es|it|nl|be|ch|at|se"
         "|no|dk|fi|pl|pt|br|mx|ar|ca|us|au|nz|in|ru|ua|za|ie|tr|gr|cz|hu|ro|vn|th|my|id|ph")
_AT = r"(?:[ \t]*(?:\(at\)|\[at\]|\{at\}|<at>)[ \t]*|[ \t]+(?:at|AT|At)[ \t]+|[ \t]*(?:艾特|圈a|＠)[ \t]*|[ \t]*@[ \t]+|[ \t]+@[ \t]*)"
_DOT = r"(?:[ \t]*(?:\(dot\)|\[dot\]|\{dot\}|<dot>)[ \t]*|[ \t]+(?:dot|DOT|Dot)[ \t]+|[ \t]*[点點][ \t]*|\.)"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+_-]{0,62}[A-Za-z0-9_%+-])?"
SPELLED_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+'’-])(?P<local>{_LOCAL}(?:{_DOT}{_LOCAL}){{0,3}}){_AT}"
    rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{0,3}}{_DOT}(?i:{_TLDS}))(?![A-Za-z0-9-])"
)
# Words before a spelled "at" that make a phrase, not a mailbox.
_NOT_LOCAL = frozenset(
    "look looking looked me us him her them it this that home work here there site sites go went visit "
    "stay staying arrive arrived arriving be is are was were i you we they he she am".split()
)
_BARE_AT = re.compile(r"[ \t](?:at|AT|At)[ \t]")
_SPELLED_DOT = re.compile(r"(?i:[ \t]dot[ \t]|\(dot\)|\[dot\]|\{dot\}|<dot>)|[点點]")
_MAILBOX_CHARS = re.compile(r"[._0-9_%+-]")
# With a bare "at" and real dots, a plain-word local part ("anna at gmx.de") is a mailbox when
# the domain is a webmail provider's or an e-mail cue stands just before it; "available at
# amazon.com" has neither.
_WEBMAIL = frozenset(
    "gmail googlemail yahoo ymail hotmail outlook live msn aol icloud me mac gmx web t-online freenet "
    "proton protonmail yandex mail qq 163 126 yeah sina sohu foxmail aliyun 139 naver hanmail".split()
)
_MAIL_CUE = re.compile(r"(?i:e-?mail|mail|contact|write|reach|kontakt|schreib|[ée]cri|courriel|napisz|pisz|adres)"
                       r"[^\n]{0,12}\Z|(?:邮箱|郵箱|邮件|郵件|联系)[^\n]{0,6}\Z")
# The trigger: a spelled "at" or "dot", an "@" (spaced: "anna.k @ gmx.de"; a plain one is the
# e-mail pattern's too), or, for a bare "at" before real dots ("jdoe99 at yahoo.com"), a generic
# top-level domain, a country one whose two letters seldom meet in words, or a webmail name: as
# literal words, which the analyzer answers with its shared word scan. (".de", ".fr", ".pl" ...
# would be "de", "fr", "pl": in most texts. A bare "at" before them is looked for only when
# another word fires; "anna.k @ gmx.de" and "anna[at]firma.de" always.) The analysis they start
# looks for a real dot and a top-level domain first, ~1 µs a text.
_TRIGGER_WORDS = ("dot", "DOT", "Dot", "(at)", "[at]", "{at}", "<at>", "(AT)", "[AT]", "艾特", "圈a", "点", "點",
                  "@", "＠", "com", "COM", "net", "org", "edu", "gov", "info", "biz", "cn", "hk", "uk", "jp", "sg",
                  "kr", "nz", "gmx", "yahoo", "gmail", "hotmail", "outlook", "icloud", "qq")
TRIGGER = re.compile("|".join(map(re.escape, _TRIGGER_WORDS)))
SCORE = 0.85


# Every address ends in a top-level domain after a real or a spelled dot: those ends are found
# first (a real dot is a literal, which sre skips to), then the whole pattern is searched on the
# few characters before each (it opens with a look-behind, so sre tries it at every position).
# A branch-led search for the "at"s themselves took ~14 µs per 250 characters of English.
_DOT_WORD = re.compile(r"\.([A-Za-z]{2,4})(?![A-Za-z0-9-])")
_TLD_SET = frozenset(_TLDS.split("|"))
_SPELLED_DOT_TLD = re.compile(rf"(?:[ \t]*(?:\(dot\)|\[dot\]|\{{dot\}}|<dot>)[ \t]*|[ \t]+(?:dot|DOT|Dot)[ \t]+"
                              rf"|[ \t]*[点點][ \t]*)(?i:{_TLDS})(?![A-Za-z0-9-])")
_SPELLED_DOT_WORDS = ("dot", "DOT", "Dot", "点", "點")
_MORE_LABELS = re.compile(r"[A-Za-z0-9.-]*")
_LOOKBACK = 200  # a local part and a domain of up to four labels each, with spelled dots between


def _matches(t: str) -> list[re.Match[str]]:
    ends = [m.end() for m in _DOT_WORD.finditer(t) if m.group(1).lower() in _TLD_SET]
    if any(w in t for w in _SPELLED_DOT_WORDS):
        ends = sorted({*ends, *(m.end() for m in _SPELLED_DOT_TLD.finditer(t))})
    out: list[re.Match[str]] = []
    done = 0
    for i, end in enumerate(ends):
        if end <= done or (i + 1 < len(ends) and _MORE_LABELS.fullmatch(t, end, ends[i + 1])):
            continue  # "company.co" of "company.co.uk": the domain goes on to a later end
        word = max(t.rfind(" ", 0, end), t.rfind("\n", 0, end), t.rfind("\t", 0, end)) + 1
        if t.find("@", word + 1, end) > 0:
            continue  # "jane@example.com" (the e-mail pattern's): its search would cost ~10 µs here
        m = SPELLED_EMAIL.search(t, max(done, end - _LOOKBACK), end)
        while m is not None and m.end() != end:
            m = SPELLED_EMAIL.search(t, m.start() + 1, end)
        if m is not None:
            out.append(m)
            done = m.end()
    return out


def _plain_word_mailbox(t: str, m: re.Match[str]) -> bool:
    """A bare "at" after a local part with no mailbox character: a webmail domain or an e-mail cue."""
    local, domain = m.group("local"), m.group("domain")
    if len(local) < 2:
        return False
    return (domain.split(".")[0].lower() in _WEBMAIL or local.title() in _first_names()
            or _MAIL_CUE.search(t, max(0, m.start() - 24), m.start()) is not None)


@functools.lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """Given names (the English lexicon's): a mailbox is often one ("anna at firma.de"), a
    website's "available at amazon.de" is not."""
    from privtune.scan.ner.lexicon import en_lexicon

    return en_lexicon().first_names


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
        if (_BARE_AT.search(m.group()) and not _SPELLED_DOT.search(m.group()) and not _MAILBOX_CHARS.search(local)
                and not _plain_word_mailbox(t, m)):
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


# A bare "at" before a country domain the literal trigger leaves out (".de", ".fr", ".pl": as
# words, "de", "fr", "pl" are in most texts): "anna at firma.de", "jan.nowak at firma.pl". The
# literal "at " opens it (sre skips to it; a branch of "at"/"AT"/"At" cost 3.2 µs per 150
# characters of English, this ~0.75), and every match opens with a Latin letter: the analyzer
# searches it from the text's first one. "AT"/"At" before such a domain needs another word.
_CC_TLDS = "|".join(t for t in _TLDS.split("|") if len(t) == 2 and t not in _TRIGGER_WORDS)
BARE_AT_CC_TRIGGER = re.compile(rf"at [A-Za-z0-9][A-Za-z0-9.-]{{0,60}}\.(?:{_CC_TLDS})(?![A-Za-z0-9-])")


@register
class BareAtCountryEmailRecognizer(SpelledEmailRecognizer):
    """`SpelledEmailRecognizer` for texts whose only sign is a bare "at" before a country domain."""

    name = "email_spelled_cc"
    trigger = BARE_AT_CC_TRIGGER
