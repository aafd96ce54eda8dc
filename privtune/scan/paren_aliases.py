"""What people put in brackets right after a name: the same person's handle or other spelling.

"我朋友张丽 (zhangli88)", "Anna Kowalczyk (akowal88)", "Ms. Yuki Tanaka (田中由紀)", "王伟（Wang
Wei）": a contact list, a CRM note or a chat names someone and adds their account or their name
in another script. The bracket says whose it is; no cue word stands before it, so no detector
takes it, and the mask of the name alone leaves the person in the text. After a detected PERSON
(the analyzer's final spans), a bracketed value right after it is taken when it has the shape
of one:

* an account: ASCII, 3-30 characters, a letter first, with a digit, "_" or "." in it (not
  "(Mum)", "(CEO)", "(she/her)");
* another spelling of the name, in the other script: after a Latin name a Chinese surname and
  1-3 Han characters ("(田中由紀)", not "(经理)"), after a Chinese name two or three capitalised
  Latin words ("(Wang Wei)"). Same-script words in brackets after a name are as often a band,
  a title or a role ("Chris Barron (Blues Traveler)").
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES, ZH_SURNAMES

SCORE = 0.8
DETECTOR = "name_bracket"
_BRACKETED = re.compile(r"[ \t]?[(（]([^()（）\n]{2,32})[)）]")
_HANDLE = re.compile(r"@?[A-Za-z][A-Za-z0-9._]{2,29}")
_HANDLE_MARK = re.compile(r"[0-9_.]")
_LATIN_NAME = re.compile(r"[A-Z][a-z\u00e0-\u024f'’-]+(?: [A-Z][a-z\u00e0-\u024f'’-]+){1,2}")
_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


def _kind(value: str, name: str) -> str | None:
    """USERNAME, PERSON or None for a bracketed value after the PERSON ``name``."""
    if _HANDLE.fullmatch(value) and _HANDLE_MARK.search(value.lstrip("@")):
        return "USERNAME"
    if _LATIN_NAME.fullmatch(value) and not name.isascii():
        return "PERSON"
    if (_HAN_NAME.fullmatch(value) and name.isascii()
            and (value[0] in ZH_SURNAMES or value[:2] in ZH_COMPOUND_SURNAMES)):
        return "PERSON"
    return None


def add_bracketed_aliases(spans: list[Span], text: str) -> list[Span]:
    """``spans`` (sorted, non-overlapping) plus a span on each bracketed handle or other
    spelling right after a PERSON span, where no span stands yet."""
    out: list[Span] | None = None
    for i, s in enumerate(spans):
        if s.type != "PERSON":
            continue
        m = _BRACKETED.match(text, s.end)
        if m is None:
            continue
        nxt = spans[i + 1].start if i + 1 < len(spans) else len(text)
        if nxt < m.end():
            continue  # a detector took (part of) the bracket already
        kind = _kind(m.group(1).strip(), text[s.start:s.end])
        if kind is None:
            continue
        core = m.group(1).strip()
        start = text.index(core, m.start(1))
        if out is None:
            out = list(spans)
        out.append(Span(start, start + len(core), kind, SCORE, DETECTOR))
    if out is None:
        return spans
    out.sort(key=lambda x: x.start)
    return out
