"""Phone numbers written in Chinese numerals: "一三九一一二二三三四四", "幺三八零零一三八零零零",
"壹叁玖…", or mixed with digits ("139一一22三344").

Chat platforms filter digit runs, so users write numbers in characters to get them past; the
digit-based phone rules never see such a number. A run is read digit by digit (幺 and 两 are
spoken forms of 1 and 2; 十, 百 are no digits, so "十三" is a number word, not digits) and taken
when it reads as a mainland mobile number (1[3-9] + 9 digits, any run), or as a landline
(an 0 + area code and 7-8 digits, or 7-8 digits) right after a phone cue. A run must hold at
least one numeral character: digit-only runs are the other phone rules' business. A QQ number
written so right after "QQ" is reported as the account it is (USERNAME).
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.recognizers.phone_national import _ZH_CUES
from privtune.scan.registry import Recognizer, register

_NUMERALS = "零〇一二三四五六七八九幺两壹贰叁肆伍陆柒捌玖貳參陸兩"
_VALUE = {c: str(d) for d, group in enumerate(("零〇", "一幺壹", "二两贰貳兩", "三叁參", "四肆", "五伍", "六陆陸",
                                               "七柒", "八捌", "九玖")) for c in group}
_DIGITS = "0-9０-９"
# Digits and numerals, single spaces or dashes between them.
_RUN = re.compile(rf"[{_DIGITS}{_NUMERALS}](?:[ \-]?[{_DIGITS}{_NUMERALS}]){{6,14}}")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[0-9]{7,8}|[1-9][0-9]{6,7}")
_CUE_BEFORE = re.compile(rf"(?:{_ZH_CUES}|微信|tel|phone|call)[^{_DIGITS}{_NUMERALS}\n]{{0,6}}$", re.IGNORECASE)
# A QQ number written in numerals to get past a chat filter ("我的QQ是一二三四五六七八九"): right
# after its cue it is an account (USERNAME), as its digit form is for `accounts`.
_QQ_CUE_BEFORE = re.compile(r"(?:QQ|qq|Qq|扣扣|企鹅|企鵝)(?:号码?|號碼?)?[是为為:：\s]{0,3}$")
_QQ = re.compile(r"[1-9][0-9]{6,10}")
# A numeral before a digit or another numeral: the only texts a run can be in ("一" alone is
# everywhere). Every match opens with a non-ASCII character, so the analyzer skips ASCII text in O(1).
TRIGGER = re.compile(f"[{_NUMERALS}][{_DIGITS}{_NUMERALS}]")


def _digits(run: str) -> str:
    out = []
    for c in run:
        if c in _VALUE:
            out.append(_VALUE[c])
        elif "0" <= c <= "9":
            out.append(c)
        elif "０" <= c <= "９":
            out.append(chr(ord(c) - 0xFEE0))
    return "".join(out)


def hanzi_phone_spans(text: str) -> list[tuple[int, int, float, str]]:
    """``(start, end, score, type)`` of each numeral-written phone number (or QQ number)."""
    out = []
    for m in _RUN.finditer(text):
        run = m.group()
        if not any(c in _VALUE for c in run):
            continue
        digits = _digits(run)
        if _MOBILE.fullmatch(digits):  # a mobile number after "QQ" is a phone (as in `accounts`)
            out.append((m.start(), m.end(), 0.9, "PHONE"))
        elif _QQ.fullmatch(digits) and _QQ_CUE_BEFORE.search(text, max(0, m.start() - 8), m.start()):
            out.append((m.start(), m.end(), 0.85, "USERNAME"))
        elif _LANDLINE.fullmatch(digits) and _CUE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            out.append((m.start(), m.end(), 0.8, "PHONE"))
    return out


@register
class HanziPhoneRecognizer(Recognizer):
    """Phone numbers written (partly) in Chinese numerals."""

    name = "phone_hanzi"
    entity_types = ("PHONE", "USERNAME")
    trigger = TRIGGER

    def analyze(self, text: str) -> list[Span]:
        return [Span(s, e, type_, score, self.name) for s, e, score, type_ in hanzi_phone_spans(text)]
