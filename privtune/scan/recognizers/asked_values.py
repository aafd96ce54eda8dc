"""Any type: the answer to a question that names what it asks for, in the next turn of a dialogue.

Call-centre transcripts and chats ask for a value in one turn and get it bare in the next:
"Agent: And the date of birth on the account?\\nCaller: 17 March 1955." or "客服：请问订单号？\\n
客户：#0992446，收货人…". The answer has no cue of its own; the question is the cue. Taken: the
first clause of the next line, after its speaker label, when it has the asked type's shape
(`side_fields.key_span`). Names are not taken this way ("Yeah, it's …" opens many answers);
the name detectors read those.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register
from privtune.scan.side_fields import key_span

DETECTOR = "asked_value"
SCORE = 0.85
_ASKED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("DATE_OF_BIRTH", re.compile(r"(?i:date of birth|birth ?date|birthday|\bDOB\b)|出生日期|出生年月|生日")),
    ("RECORD_ID", re.compile(r"(?i:order (?:number|no\b|id\b)|account number|policy number|member(?:ship)? number"
                             r"|reference number|case number)|订单号|訂單號|订单编号|会员号|會員號|保单号|保單號")),
    ("PHONE", re.compile(r"(?i:phone number|mobile number|contact number|best number)|手机号|手機號|联系电话|聯繫電話")),
    ("ID_CARD", re.compile(r"身份证号|身份證號|证件号|證件號")),
    ("PASSPORT", re.compile(r"(?i:passport number)|护照号|護照號")),
    ("ADDRESS", re.compile(r"(?i:your address|the address|postcode|zip code)|地址|住址")),
)
# One search per question line (a chat record's turns are joined by newlines: many end in "?").
_ASKED_ANY = re.compile("|".join(f"(?P<{t}>{p.pattern})" for t, p in _ASKED))
_QUESTION_END = re.compile(r"[?？][ \t]*\n")
# A turn's speaker label: an optional time, then up to 20 characters before a colon.
_SPEAKER = re.compile(r"[ \t]*(?:\[?[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\]?[ \t]*)?[^:：\n]{1,20}[:：][ \t]*")
_CLAUSE_END = re.compile(r"[，,。;；]|\.(?:\s|$)|\s{2}")


def asked_value_spans(text: str) -> list[Span]:
    """Spans of bare answers to questions that name their type (see the module doc)."""
    out: list[Span] = []
    for q in _QUESTION_END.finditer(text):  # only the lines that end in a question mark
        start_next = q.end()
        end_next = text.find("\n", start_next)
        answer = text[start_next : len(text) if end_next < 0 else end_next]
        label = _SPEAKER.match(answer)
        if label is None:
            continue  # (first: cheaper than the question's words, and most chat turns have no label)
        m = _ASKED_ANY.search(text, text.rfind("\n", 0, q.start()) + 1, q.start())
        if m is None:
            continue
        etype = m.lastgroup
        rest = answer[label.end():]
        end = _CLAUSE_END.search(rest)
        value = rest[: end.start()] if end else rest.rstrip(" .")
        span = key_span(etype, value)
        if span is not None:
            base = start_next + label.end()
            out.append(Span(base + span.start, base + span.end, span.type, SCORE, DETECTOR))
    return out


@register
class AskedValueRecognizer(Recognizer):
    """The bare answer after "…date of birth?", "请问订单号？" in the next turn."""

    name = "asked_value"
    entity_types = ("DATE_OF_BIRTH", "RECORD_ID", "PHONE", "ID_CARD", "PASSPORT", "ADDRESS")
    trigger = re.compile("\\?\n|？\n|\\? \n|？ \n")

    def analyze(self, text: str) -> list[Span]:
        return asked_value_spans(text)
