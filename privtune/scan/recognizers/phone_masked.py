"""PHONE: numbers with some digits masked, as shops, couriers and banks print them and customers
paste them back: "138****5678", "+44 7700 9**123", "07700 9***56", "186 **** 0099".

The mask hides half the number, but the digits left (the operator prefix and the last four of a
Chinese mobile: seven of eleven) narrow it to ten thousand lines, and beside a name or an order
they point at one customer. The whole masked number is one PHONE span; the anonymiser replaces
its visible digits and keeps the mask characters where they are (`anonymize.numbers.phone`).

Taken when the number has a phone's length (10-15 digit places, masked ones counted) and shows
at least four digits, and either has a Chinese mobile's shape (1[3-9]x + mask + last four), a
"+" country code, a trunk 0, or a phone cue before it ("call", "电话" ...). A masked bank card
("6222 **** **** 1234": 16 places or more) or account ("6222****1234" without a cue) is not.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import halfwidth
from privtune.scan.recognizers.phone_national import cued_number
from privtune.scan.registry import Recognizer, register

SCORE = 0.95  # above a plain pattern's 0.9: "+44 7700 9" alone would leave "**123" in the text
_MASK = "*•●"
_MASKED = re.compile(
    r"(?<![0-9A-Za-z+*•●])(?P<cc>\+[1-9][0-9]{0,2}[ .-]?)?"
    r"(?P<left>[0-9]{1,5}(?:[ .-][0-9]{1,5}){0,3})[ .-]?"
    r"(?P<mask>[*•●]{2,}(?:[ .-]?[*•●]{2,}){0,2}|[xX]{3,})"
    r"(?P<right>(?:[ .-]?[0-9]{1,5}){1,3})(?![0-9A-Za-z*•●])"
)
_DIGIT_PLACES = re.compile(r"[0-9*•●xX]")
_CN_MOBILE = re.compile(r"1[3-9][0-9]")
MIN_PLACES, MAX_PLACES = 10, 15
MIN_VISIBLE = 4
_LOOKBACK = 24  # a country code and the groups before the mask


def masked_phones(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each masked phone number in ``text``."""
    t = halfwidth(text)
    out: list[tuple[int, int]] = []
    done = 0
    for run in re.finditer(r"[*•●]{2,}|[xX]{3,}", t):
        if run.start() < done:
            continue
        m = _MASKED.search(t, max(done, run.start() - _LOOKBACK), run.end() + _LOOKBACK)
        while m is not None and m.start("mask") < run.start():
            m = _MASKED.search(t, m.start() + 1, run.end() + _LOOKBACK)
        if m is None or m.start("mask") != run.start():
            continue
        if _acceptable(t, m):
            out.append(m.span())
            done = m.end()
    return out


def _acceptable(t: str, m: re.Match[str]) -> bool:
    number = m.group()
    places = len(_DIGIT_PLACES.findall(number))
    visible = sum(c.isdigit() for c in number)
    if not MIN_PLACES <= places <= MAX_PLACES or visible < MIN_VISIBLE:
        return False
    left = m.group("left").replace(" ", "").replace("-", "").replace(".", "")
    if m.group("cc"):
        return True
    if places == 11 and len(left) == 3 and _CN_MOBILE.fullmatch(left):
        return True  # 138****5678: the shape Chinese shops and couriers print
    return left.startswith("0") or cued_number(t, m.start())


@register
class MaskedPhoneRecognizer(Recognizer):
    """Phone numbers with a run of masked digits ("138****5678", "+44 7700 9**123")."""

    name = "phone_masked"
    entity_types = ("PHONE",)
    # Literal words (the analyzer's shared word scan): a text without a mask run costs nothing.
    trigger = re.compile(r"\*\*|••|●●|xxx|XXX")

    def analyze(self, text: str) -> list[Span]:
        return [Span(s, e, "PHONE", SCORE, self.name) for s, e in masked_phones(text)]
