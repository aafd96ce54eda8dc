"""Dates of birth: a real calendar date reported only when a birth word is attached to it.

Plain dates (order, delivery, meeting dates) are not personal data on their own, so a date
counts only if a birth keyword labels it: the first date closely after a label (出生日期：…,
born on …, DOB …), or the date right before a bare 出生 (1990年3月15日出生的).
"""

from __future__ import annotations

import datetime as dt
import re

from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import halfwidth, keyword_pattern
from privtune.scan.registry import Recognizer, register

_MONTHS = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1) for m in names}  # fmt: skip
# French, German and Spanish month names ("née le 3 mars 1990", "geb. am 3. März 1958", "12 de mayo
# de 1985"): dates are only looked for beside a birth word, so a word such as "mars" or "mai"
# elsewhere is never a date.
for _i, _names in enumerate((
        "janvier januar enero", "février fevrier februar febrero", "mars märz marz marzo", "avril abril",
        "mai mayo", "juin juni junio", "juillet juli julio", "août aout agosto", "septembre septiembre",
        "octobre oktober octubre", "novembre noviembre", "décembre decembre dezember diciembre"), start=1):
    _MONTHS.update(dict.fromkeys(_names.split(), _i))
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))

_BIRTH = re.compile(
    r"(?i)(?P<bare>出生(?!日期|年月|时间|于|地|证))|出生|生日|诞辰|生于|(?<![A-Za-z])(?:birth|born|dob\b|d\.o\.b\.?"
    # Labels as OCR reads a letter-spaced form ("出 生 1962-10-13", "D a t e  of  B i r t h : …").
    r"|出 生(?! ?[地证])|b i r t h"
    # The customer's own language in an export: "geb. 12.03.1958", "née le 3 mars 1990" …
    r"|geb\.|geboren|geburtsdatum|geboortedatum|naissance|n[ée]e? le|nacid[oa]|nacimiento|nascita)"
)
_YMD = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})([-/.])([0-9]{1,2})\2([0-9]{1,2})(?![0-9])")
_YMD_CN = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})\s?年\s?([0-9]{1,2})\s?月\s?([0-9]{1,2})(?:\s?[日号])?(?![0-9])")
# Taiwan's Republic-of-China years (民國80年5月12日 = 1991-05-12), day optional.
_ROC = re.compile(r"民[國国]\s?([0-9]{1,3})\s?年\s?([0-9]{1,2})\s?月(?:\s?([0-9]{1,2})(?:\s?[日號号])?)?(?![0-9])")
_ROC_EPOCH = 1911
_YM_CN = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})\s?年\s?([0-9]{1,2})\s?月(?!\s?[0-9])")
# Not inside a grouped number such as the ID "610113 19520217 0168".
_COMPACT = re.compile(
    r"(?<![0-9])(?<![0-9][ -])((?:19|20)[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])(?![0-9]|[ -][0-9])"
)
_MDY_NAME = re.compile(
    rf"(?i)(?<![A-Za-z])({_MONTH_RE})\.?\s+([0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)[0-9]{{2}})(?![0-9])"
)
_DMY_NAME = re.compile(
    rf"(?i)(?<![0-9])([0-9]{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?({_MONTH_RE})\.?,?\s+(?:de\s+)?((?:19|20)[0-9]{{2}})(?![0-9])"
)
# Clinical and airline systems: "31-Dec-1980", "04/JAN/75", "12.Mar.1990".
_DMY_ABBR = re.compile(
    rf"(?i)(?<![0-9A-Za-z])([0-9]{{1,2}})([-/.])({_MONTH_RE})\2((?:19|20)?[0-9]{{2}})(?![0-9])"
)
# Chinese numerals, as forms and ID-card transcriptions write them: 一九八五年七月十二日.
_ZH_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_ZH_UNIT = "(?:[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_ZH_NUMERAL_DATE = re.compile(rf"([〇零一二三四五六七八九]{{4}})年({_ZH_UNIT})月(?:({_ZH_UNIT})[日号號])?")
# A two-digit year beside a birth word: "生日是85年7月12号".
_YY_CN = re.compile(r"(?<![0-9])([0-9]{2})\s?年\s?([0-9]{1,2})\s?月\s?([0-9]{1,2})\s?[日号號]")
_NUMERIC = re.compile(r"(?<![0-9./-])([0-9]{1,2})([-/.])([0-9]{1,2})\2((?:19|20)[0-9]{2})(?![0-9])")
# "DOB: 3/7/67": a two-digit year (looked for only beside a birth keyword, as every format here).
_NUMERIC_YY = re.compile(r"(?<![0-9./-])([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{2})(?![0-9./-])")

_LEFT_GAP, _RIGHT_GAP = 20, 3
# A sentence break between keyword and date means they are about different things; a
# keyword after the date ("1990年3月15日出生") must follow it with at most a space.
_BREAK = re.compile(r"[。；;！!？?]|\.\s")
_RIGHT_BREAK = re.compile(r"[^ \t]")
# A question that asks for it ("can you confirm your date of birth?") and the answer's line, which
# opens with the date (after a speaker's label: "Customer: 07/22/1979"); the "?" ends no topic.
_ANSWER_LINE = re.compile(r"[^\n.!;。？?]{0,30}[?？][ \t]*\r?\n[ \t]*(?:[^\W\d_][\w .'’-]{0,24}[:：][ \t]*)?(?:(?i:it['’]?s|it is|yes,?|sure,?)[ \t]+)?")


def _real(year: int, month: int, day: int) -> bool:
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year and d <= dt.date.today()


def find_dates(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Spans of real calendar dates in ``text[lo:hi]`` (any supported format), sorted."""
    hi = len(text) if hi is None else hi
    found: list[tuple[int, int]] = []
    for m in _YMD.finditer(text, lo, hi):
        if _real(int(m.group(1)), int(m.group(3)), int(m.group(4))):
            found.append((m.start(), m.end()))
    for m in _YMD_CN.finditer(text, lo, hi):
        if _real(int(m.group(1)), int(m.group(2)), int(m.group(3))):
            found.append((m.start(), m.end()))
    for m in _YM_CN.finditer(text, lo, hi):
        if _real(int(m.group(1)), int(m.group(2)), 1):
            found.append((m.start(), m.end()))
    for m in _ROC.finditer(text, lo, hi):
        if _real(_ROC_EPOCH + int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)):
            found.append((m.start(), m.end()))
    for m in _COMPACT.finditer(text, lo, hi):
        if _real(int(m.group(1)), int(m.group(2)), int(m.group(3))):
            found.append((m.start(), m.end()))
    for m in _MDY_NAME.finditer(text, lo, hi):
        if _real(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2))):
            found.append((m.start(), m.end()))
    for m in _DMY_NAME.finditer(text, lo, hi):
        if _real(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))):
            found.append((m.start(), m.end()))
    for m in _NUMERIC.finditer(text, lo, hi):
        a, _, b, y = m.groups()
        # dd/mm/yyyy or mm/dd/yyyy: either reading makes it a date.
        if _real(int(y), int(b), int(a)) or _real(int(y), int(a), int(b)):
            found.append((m.start(), m.end()))
    for m in _NUMERIC_YY.finditer(text, lo, hi):
        a, _, b, yy = m.groups()
        year = _full_year(yy)
        if _real(year, int(b), int(a)) or _real(year, int(a), int(b)):
            found.append((m.start(), m.end()))
    for m in _DMY_ABBR.finditer(text, lo, hi):
        if _real(_full_year(m.group(4)), _MONTHS[m.group(3).lower()], int(m.group(1))):
            found.append((m.start(), m.end()))
    if not text.isascii():
        for m in _ZH_NUMERAL_DATE.finditer(text, lo, hi):
            year = int("".join(str(_ZH_DIGITS[c]) for c in m.group(1)))
            if _real(year, _zh_number(m.group(2)), _zh_number(m.group(3)) if m.group(3) else 1):
                found.append((m.start(), m.end()))
        for m in _YY_CN.finditer(text, lo, hi):
            if _real(_full_year(m.group(1)), int(m.group(2)), int(m.group(3))):
                found.append((m.start(), m.end()))
    return sorted(found)


def _full_year(digits: str) -> int:
    """A written year; two digits are the latest year not after this one (85 -> 1985, 07 -> 2007)."""
    if len(digits) == 4:
        return int(digits)
    yy = int(digits)
    return 2000 + yy if 2000 + yy <= dt.date.today().year else 1900 + yy


def _zh_number(numeral: str) -> int:
    """1-39 in Chinese numerals: 七 7, 十 10, 十二 12, 二十 20, 三十一 31."""
    if "十" not in numeral:
        return _ZH_DIGITS[numeral]
    tens, _, ones = numeral.partition("十")
    return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0)


@register
class DateOfBirthRecognizer(Recognizer):
    """Dates next to 出生/生日/DOB/born/birthday; other dates are left alone."""

    name = "date_of_birth"
    entity_types = ("DATE_OF_BIRTH",)
    trigger = _HINT = keyword_pattern("出生", "生日", "诞辰", "生于", "birth", "born", "dob", "d.o.b", "geb.", "geboren",
                                      "geburtsdatum", "geboortedatum", "naissance", "né le", "née le", "nacido",
                                      "nacida", "nacimiento", "nascita", "出 生", "b i r t h")

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        keywords = [
            (m.start(), m.end(), m.group("bare") is not None)
            for hit in self._HINT.finditer(t)
            if (m := _BIRTH.match(t, hit.start())) is not None
        ]
        if not keywords:
            return []
        # Dates are looked for only in windows around the keywords (a date is < 30 chars),
        # merged where they overlap; the sentinel flushes the last window.
        dates: list[tuple[int, int]] = []
        lo, hi = 0, -1
        for ks, ke, _ in [*keywords, (len(t) + 99, 0, False)]:
            if ks - _RIGHT_GAP - 30 > hi:  # this keyword's window does not touch the open one
                if hi > lo:
                    dates += find_dates(t, lo, hi)
                lo = max(0, ks - _RIGHT_GAP - 30)
            hi = min(len(t), ke + _LEFT_GAP + 30)
        targets: set[tuple[int, int]] = set()
        for ks, ke, looks_back in keywords:
            # A label ("出生日期：", "DOB", "born on") names the next date only; a bare 出生 as in
            # "1990年3月15日出生的" the date right before it, or failing that the next one.
            nxt = next((d for d in dates if d[0] >= ke), None)
            prv = next((d for d in reversed(dates) if d[1] <= ks), None)
            after = nxt is not None and nxt[0] - ke <= _LEFT_GAP and not _BREAK.search(t, ke, nxt[0])
            before = prv is not None and ks - prv[1] <= _RIGHT_GAP and not _RIGHT_BREAK.search(t, prv[1], ks)
            if prv is not None and before and looks_back:
                targets.add(prv)
            elif nxt is not None and after:
                targets.add(nxt)
            elif nxt is not None and (m := _ANSWER_LINE.match(t, ke)) is not None and m.end() == nxt[0]:
                targets.add(nxt)
        return [Span(s, e, "DATE_OF_BIRTH", 0.85, self.name) for s, e in sorted(targets)]
