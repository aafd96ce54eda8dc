"""Any type: the answer to a question that names what it asks for, in the next turn of a dialogue.

Call-centre transcripts and chats ask for a value in one turn and get it bare in the next:
"Agent: And the date of birth on the account?\\nCaller: 17 March 1955." or "客服：请问订单号？\\n
客户：#0992446，收货人…". The answer has no cue of its own; the question is the cue. Taken: the
first clause of the next line, after its speaker label and a lead-in ("yeah it's", "嗯，是"),
when it has the asked type's shape (`side_fields.key_span`). Names are not taken this way
("Yeah, it's …" opens many answers); the name detectors read those.

Speech-recognition transcripts have no question marks ("agent: can I have your mobile number
please\ncustomer: yeah it's oh seven seven …"): a labelled turn that names the type is a
question there when the next line is a labelled turn too, and the answer may be spoken
(`spoken_shapes`: digit words for a phone, "june eighth nineteen ninety four" for a date).
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.recognizers.spoken_shapes import is_spoken_date, is_spoken_phone
from privtune.scan.registry import Recognizer, register
from privtune.scan.side_fields import key_span

DETECTOR = "asked_value"
SCORE = 0.85
_ASKED: tuple[tuple[str, re.Pattern[str]], ...] = (
    # (and the words of a reply in French, Spanish, German, Italian, Portuguese)
    ("DATE_OF_BIRTH", re.compile(r"(?i:date of birth|birth ?date|birthday|\bDOB\b|date de naissance|fecha de nacimiento"
                                 r"|geburtsdatum|data di nascita|data de nascimento)|出生日期|出生年月|生日")),
    ("RECORD_ID", re.compile(r"(?i:order (?:number|no\b|id\b)|account number|policy number|member(?:ship)? number"
                             r"|reference number|case number)|订单号|訂單號|订单编号|会员号|會員號|保单号|保單號")),
    # (a chat's short "phone?", "number for the courier?", "电话多少？" too: the answer must still look like one)
    ("PHONE", re.compile(r"(?i:phone number|mobile number|contact number|best number|number for|\bphone\b|\bmobile\b|"
                         r"\bcell\b|\btel\b)|手机号|手機號|联系电话|聯繫電話|电话|電話")),
    ("ID_CARD", re.compile(r"身份证号|身份證號|证件号|證件號")),
    ("PASSPORT", re.compile(r"(?i:passport number)|护照号|護照號")),
    ("ADDRESS", re.compile(r"(?i:your address|the address|postcode|zip code)|地址|住址")),
)
# One search per question line (a chat record's turns are joined by newlines: many end in "?").
_ASKED_ANY = re.compile("|".join(f"(?P<{t}>{p.pattern})" for t, p in _ASKED))
_UNPUNCTUATED = re.compile("agent:|customer:|caller:|speaker|客服：|坐席：|用户：|客户：")
# A question mark ending its line, or a short sentence after it ("… passport number? The hotel needs it.").
_QUESTION_END = re.compile(r"[?？](?:[ \t][^\n?？]{0,40})?\n")
# A turn's speaker label: an optional time, then up to 20 characters before a colon.
# Or a quoted mail reply's markers ("> 12/01/1962, et mon adresse …" under "> … date de naissance ?").
# A LINE export's "14:26<TAB>Name<TAB>", and a phone's export "Mar 12, 14:26 - Name: ".
_SPEAKER = re.compile(r"[ \t]*(?:[0-9]{1,2}:[0-9]{2}\t[^\t\n]{1,40}\t|(?:[A-Z][a-z]{2} [0-9]{1,2}, )?[0-9]{1,2}:[0-9]{2} - "
                      r"[^:：\n>]{1,40}[:：][ \t]*|(?:\[?[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\]?[ \t]*)?[^:：\n>]{1,20}[:：][ \t]*)"
                      r"|(?:>[ \t]?)+")
_CLAUSE_END = re.compile(r"[，,。;；]|\.(?:\s|$)|\s{2}")
# What opens an answer before the value: "yeah it's", "sure, that's", "um", "嗯，是", "我的是".
_LEAD_IN = re.compile(r"(?:(?:yeah|yes|yep|sure|ok|okay|um|uh|erm|so|well|right)\b[ ,]*)*(?:(?:it's|it is|that's|that is)\b[ ,]*)?"
                      r"(?:(?:嗯|是的|好的)[，, ]*)?(?:我的是|号码是)?", re.I)
_SPOKEN = {"PHONE": is_spoken_phone, "DATE_OF_BIRTH": is_spoken_date}


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
        if m is not None:
            _take(out, m.lastgroup, answer, start_next + label.end(), label.end())
    if _UNPUNCTUATED.search(text):
        _unpunctuated_questions(text, out)
    return out


def _unpunctuated_questions(text: str, out: list[Span]) -> None:
    """A transcript's questions: labelled turns naming the type, no "?", a labelled turn next."""
    lines = text.split("\n")
    pos = 0
    labels = [_SPEAKER.match(line) for line in lines]
    for i, line in enumerate(lines[:-1]):
        nxt = labels[i + 1]
        if labels[i] is not None and nxt is not None and not line.rstrip().endswith(("?", "？")):
            m = _ASKED_ANY.search(line, labels[i].end())
            if m is not None:
                start_next = pos + len(line) + 1
                _take(out, m.lastgroup, lines[i + 1], start_next + nxt.end(), nxt.end())
        pos += len(line) + 1


def _take(out: list[Span], etype: str | None, answer: str, base: int, label_end: int) -> None:
    rest = answer[label_end:]
    lead = _LEAD_IN.match(rest)
    skip = lead.end() if lead else 0
    rest = rest[skip:]
    end = _CLAUSE_END.search(rest)
    value = rest[: end.start()] if end else rest.rstrip(" .")
    span = key_span(etype, value)
    if span is not None:
        out.append(Span(base + skip + span.start, base + skip + span.end, span.type, SCORE, DETECTOR))
        return
    spoken = _SPOKEN.get(etype or "")
    core = value.strip()
    if spoken is not None and core and spoken(core):
        start = base + skip + value.index(core)
        out.append(Span(start, start + len(core), etype, SCORE, DETECTOR))  # type: ignore[arg-type]


@register
class AskedValueRecognizer(Recognizer):
    """The bare answer after "…date of birth?", "请问订单号？" in the next turn."""

    name = "asked_value"
    entity_types = ("DATE_OF_BIRTH", "RECORD_ID", "PHONE", "ID_CARD", "PASSPORT", "ADDRESS")
    # A question mark at a line's end, or a transcript's speaker label ("agent:", "speaker 2:",
    # "客服：", "坐席：") that `_UNPUNCTUATED` looks for: literal words, the analyzer's shared scan.
    trigger = re.compile("\\?\n|？\n|\\? |？ |agent:|customer:|caller:|speaker|客服：|坐席：|用户：|客户：")

    def analyze(self, text: str) -> list[Span]:
        return asked_value_spans(text)
