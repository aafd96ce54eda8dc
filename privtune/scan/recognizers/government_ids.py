"""Government identifiers: CN resident ID, USCC, passports, CN licence plates, US SSN."""

from __future__ import annotations

import re

from privtune.scan.checksums import cn_id_birth_date, date_exists, is_valid_uscc
from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import (
    NEGATIVE_CONTEXT, RARE_WORDS_TRIGGER, finditer_runs, halfwidth, match_at_hints, match_before_digits, scored,
    valid_cn_id,
)  # fmt: skip
from privtune.scan.registry import Recognizer, register

ID_CONTEXT = (
    "身份证", "证件", "身份号", "公民身份", "sfz", "id card", "identity", "id no", "id number",
    "id#", "resident id", "national id",
)  # fmt: skip

# GB/T 2260 province-level codes (first two digits of a resident ID).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)


@register
class CnIdCardRecognizer(Recognizer):
    """18-digit resident ID (GB 11643 check char + real birth date); 15-digit only in context."""

    name = "cn_id_card"
    entity_types = ("ID_CARD",)
    min_run_digits = 15  # finditer_runs with 17, 17 and 15 digits at least
    trigger = None  # pre-filtered by the shared number-run index (see _shared.number_runs)
    _id18 = re.compile(
        r"(?<![0-9A-Za-z])([1-9][0-9]{5}) ?((?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
        r"(?:0[1-9]|[12][0-9]|3[01])) ?([0-9]{3}[0-9Xx])(?![0-9A-Za-z])"
    )
    # Written in groups to be read out: 4-4-4-4-2, 6-8-4 or 6-4-4-4 (region, year, month-day,
    # the rest: how a caller reads it and a transcript writes it), one kind of separator
    # ("1101 0519 4912 3100 2X", "110105-19491231-002X", "310104 1991 0710 7786").
    _id18_grouped = re.compile(
        r"(?<![0-9A-Za-z])(?:[1-9][0-9]{3}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{4}\1[0-9][0-9Xx]"
        r"|[1-9][0-9]{5}(-)[0-9]{8}\2[0-9]{3}[0-9Xx]"
        r"|[1-9][0-9]{5}([ -])(?:18|19|20)[0-9]{2}\3[0-9]{4}\3[0-9]{3}[0-9Xx])(?![0-9A-Za-z])"
    )
    _id15 = re.compile(
        r"(?<![0-9A-Za-z])[1-9][0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}"
        r"(?![0-9A-Za-z])"
    )

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        spans = []
        for m in finditer_runs(self._id18, t, 17, 18):
            number = "".join(m.groups())
            # Spaces only in the 6-8-4 grouping, and both or neither.
            if m.end() - m.start() == 19 or number[:2] not in _PROVINCES:
                continue
            if valid_cn_id(number):
                score = scored(t, m.start(), m.end(), 0.95, ID_CONTEXT)
            elif cn_id_birth_date(number) is not None:
                # A check character that fails, right after an ID cue: a typo (or an invented
                # number) that still holds a real region and birth date. Only with the cue.
                score = scored(t, m.start(), m.end(), MISTYPED_BASE, ID_CONTEXT, _ID15_NEGATIVE)
            else:
                continue
            spans.append(Span(m.start(), m.end(), "ID_CARD", score, self.name))
        for m in finditer_runs(self._id18_grouped, t, 17, 18):
            number = re.sub(r"[ -]", "", m.group())
            if number[:2] not in _PROVINCES or not valid_cn_id(number):
                continue
            spans.append(Span(m.start(), m.end(), "ID_CARD", scored(t, m.start(), m.end(), 0.95, ID_CONTEXT), self.name))
        for m in finditer_runs(self._id15, t, 15, 15):
            n = m.group()
            if n[:2] not in _PROVINCES or not date_exists(1900 + int(n[6:8]), int(n[8:10]), int(n[10:12])):
                continue
            score = scored(t, m.start(), m.end(), 0.25, ID_CONTEXT, _ID15_NEGATIVE)
            spans.append(Span(m.start(), m.end(), "ID_CARD", score, self.name))
        return spans


# An 18-digit resident ID whose check character fails passes the default threshold (0.5) only
# with an ID cue beside it (+0.35): "身份证110101199003076516" is masked, "订单110101199003076516" not.
MISTYPED_BASE = 0.2

# Built once: `words_pattern` finds a module-level tuple by identity; a fresh one is hashed.
_ID15_NEGATIVE = NEGATIVE_CONTEXT + ("卡号", "银行卡", "card")


_ID_WORDS = ("身份证", "证件", "id card")
_USCC_NEGATIVE = NEGATIVE_CONTEXT + _ID_WORDS  # built once (see _ID15_NEGATIVE)
USCC_CONTEXT = (
    "信用代码", "社会信用", "税号", "纳税人识别号", "营业执照", "uscc", "credit code", "tax id",
    "企业代码", "机构代码",
)  # fmt: skip


@register
class UsccRecognizer(Recognizer):
    """GB 32100 unified social credit code: 18 chars, 6-digit region, mod-31 check char."""

    name = "uscc"
    entity_types = ("USCC",)
    min_run_digits = 6  # digit strings of 6+ (inside a run of as many digits at least)
    trigger = None  # anchored on digit strings of 6+ (the region code): see analyze
    _re = re.compile(
        r"[1-9ANY](?<![0-9A-Za-z].)[0-9A-HJ-NP-RTUW-Y][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}(?![0-9A-Za-z])"
    )

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        spans = []
        for m in match_before_digits(self._re, t, 6, 18, 2):
            code = m.group()
            if not is_valid_uscc(code):
                continue
            # 1 in 31 random 18-digit strings passes the mod-31 check: all-digit codes (order ids
            # are often 18 digits) and ID-card-shaped ones (a mistyped ID) need context.
            id_like = code[:17].isdigit() and cn_id_birth_date(code) is not None
            base = 0.35 if code.isdigit() or id_like else 0.85
            score = scored(t, m.start(), m.end(), base, USCC_CONTEXT, _USCC_NEGATIVE)
            spans.append(Span(m.start(), m.end(), "USCC", score, self.name))
        return spans


PASSPORT_CONTEXT = (
    "护照", "passport", "证件", "签证", "visa", "出入境", "出境", "旅行证件", "travel document",
    # Travel permits are passports in all but name: 港澳通行证 C12345678, 回乡证, 台胞证.
    "通行证", "通行證", "回乡证", "回鄉證", "台胞证", "台胞證", "travel permit",
)  # fmt: skip


@register
class PassportRecognizer(Recognizer):
    """CN passports (E/G + 8 digits, E + letter + 7 digits, DE/SE/PE…); others only in context."""

    name = "passport"
    entity_types = ("PASSPORT",)
    min_run_digits = 7  # digit strings of 7+
    trigger = None  # anchored on digit strings of 7-9 digits: see analyze
    _cn = re.compile(
        r"(?:[EG](?<![0-9A-Za-z].)[0-9]{8}|E(?<![0-9A-Za-z].)[A-HJ-NP-Z][0-9]{7}|[DSP](?<![0-9A-Za-z].)E[0-9]{7})"
        r"(?![0-9A-Za-z])"
    )
    _other = re.compile(r"(?:[0-9](?<![0-9A-Za-z].)[0-9]{8}|[A-Z](?<![0-9A-Za-z].)[A-Z]?[0-9]{7,8})(?![0-9A-Za-z])")

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        spans = []
        seen = set()
        for m in match_before_digits(self._cn, t, 7, 8, 2):
            seen.add(m.start())
            score = scored(t, m.start(), m.end(), 0.45, PASSPORT_CONTEXT)
            spans.append(Span(m.start(), m.end(), "PASSPORT", score, self.name))
        for m in match_before_digits(self._other, t, 7, 9, 2):
            if m.start() not in seen:
                score = scored(t, m.start(), m.end(), 0.2, PASSPORT_CONTEXT)
                if score <= 0.2 and _ocr_passport_label(t, m.start()):
                    score = 0.8
                spans.append(Span(m.start(), m.end(), "PASSPORT", score, self.name))
        return spans


_OCR_LABEL_REACH = 24


def _ocr_passport_label(t: str, start: int) -> bool:
    """"P ass port No : C12345678": OCR splits the label word itself, so the context words miss
    it; the label with its blanks taken out, in the line before the value, is "passport"."""
    line = t[max(0, start - _OCR_LABEL_REACH) : start].rsplit("\n", 1)[-1]
    return "passport" in "".join(line.split()).lower()


# Other countries' passport numbers mix letters and digits their own way (NL "NXK12F345", FR
# "12AB34567", DE "C01X00T47"): taken only right after "passport" (and "no.", "number", ":").
_CUED_PASSPORT = re.compile(
    r"(?:passport|Passport|PASSPORT)(?:[ \t]*(?i:no\.?|number|num|nr\.?|#)(?![A-Za-z]))?[ \t]*(?:[:#=][ \t]*|(?:is|was)[ \t]+)?"
    r"(?P<value>[A-Z0-9]{6,9})(?![A-Za-z0-9])"
)


@register
class CuedPassportRecognizer(Recognizer):
    """Passport numbers mixing capitals and digits (two digits at least) right after
    "passport": the shapes `PassportRecognizer` does not know."""

    name = "passport_cued"
    entity_types = ("PASSPORT",)
    trigger = RARE_WORDS_TRIGGER  # "passport", "Passport", "PASSPORT" among others

    def analyze(self, text: str) -> list[Span]:
        spans = []
        if "assport" not in text and "ASSPORT" not in text:
            return spans  # the shared trigger fired on another recognizer's word
        for m in _CUED_PASSPORT.finditer(text):
            if m.start() and text[m.start() - 1].isascii() and text[m.start() - 1].isalpha():
                continue  # inside a word
            v = m.group("value")
            digits = sum(c.isdigit() for c in v)
            if 2 <= digits < len(v):  # letters and digits both: "NXK12F345"; a word has no digit
                spans.append(Span(m.start("value"), m.end("value"), "PASSPORT", 0.8, self.name))
        return spans


_PROVINCE_CHARS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_HINT = re.compile(f"[{_PROVINCE_CHARS}] ?[A-Za-z\uff21-\uff3a\uff41-\uff5a]")
PLATE_CONTEXT = ("车牌", "号牌", "车辆", "牌照", "车号", "plate", "vehicle", "停车", "车")


@register
class LicensePlateRecognizer(Recognizer):
    """CN plates: province + city letter + 5 alnum (≤2 letters), or 6 for new-energy (D/F)."""

    name = "license_plate"
    entity_types = ("LICENSE_PLATE",)
    trigger = _PLATE_HINT
    _re = re.compile(
        f"[{_PROVINCE_CHARS}] ?([A-HJ-Za-hj-z])[·•・∙. -]?([A-HJ-NP-Za-hj-np-z0-9]{{5,6}})([挂学警港澳]?)"
        r"(?![0-9A-Za-z])"
    )
    _nev = re.compile(r"[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF]")

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        spans = []
        for m in match_at_hints(self._re, t, _PLATE_HINT):
            letter, tail = m.group(1), m.group(2)
            upper = letter.isupper() and tail.upper() == tail
            tail = tail.upper()
            if len(tail) == 6:
                ok = self._nev.fullmatch(tail) is not None and not m.group(3)
            else:
                ok = sum(c.isdigit() for c in tail) >= 3 or (bool(m.group(3)) and tail[-1].isdigit())
            if not ok:
                continue
            # Lower-case plates are rare and collide with words ("新app12345"): need context.
            score = scored(t, m.start(), m.end(), 0.7 if upper else 0.4, PLATE_CONTEXT)
            spans.append(Span(m.start(), m.end(), "LICENSE_PLATE", score, self.name))
        return spans


# Taiwan ("ABC-1234", "AB-1234", "1234-AB"), Hong Kong ("AB 1234", "XY 88") and Macau
# ("MA-12-34") plates: letters and digits any order number could have, so only right after a
# plate word (車牌, 车牌号, 牌照) and a colon or spaces.
_OTHER_PLATE_CUES = ("車牌", "车牌", "牌照", "車號", "車牌號碼", "车牌号码", "車牌號", "车牌号")
OTHER_PLATE = re.compile(
    "(?:" + "|".join(sorted(_OTHER_PLATE_CUES, key=len, reverse=True)) + r")[ \t]*[:：]?[ \t]*"
    r"(?P<value>[A-Z]{2,3}-[0-9]{4}|[A-Z]{3}-[0-9]{3}|[0-9]{4}-[A-Z]{2}|[0-9]{3}-[A-Z]{3}"
    r"|M[A-Z]-[0-9]{2}-[0-9]{2}|[A-HJ-NP-Z]{2} ?[0-9]{1,4})(?![0-9A-Za-z-])"
)


@register
class OtherPlateRecognizer(Recognizer):
    """Taiwan, Hong Kong and Macau licence plates right after a plate word."""

    name = "license_plate_tw_hk"
    entity_types = ("LICENSE_PLATE",)
    trigger = re.compile("|".join(_OTHER_PLATE_CUES))  # literal words: the analyzer's shared scan

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        return [Span(m.start("value"), m.end("value"), "LICENSE_PLATE", 0.8, self.name) for m in OTHER_PLATE.finditer(t)]


SSN_CONTEXT = ("ssn", "social security", "社会安全号", "社会保障号", "ss#", "ss #", "taxpayer")
_SSN_PUBLISHED = frozenset({"078051120", "219099999"})  # widely published specimen numbers


@register
class UsSsnRecognizer(Recognizer):
    """US SSN AAA-GG-SSSS with SSA validity rules; spaced/bare forms only in context."""

    name = "us_ssn"
    entity_types = ("US_SSN",)
    min_run_digits = 9  # finditer_runs(..., 9, 9) only
    trigger = None  # pre-filtered by the shared number-run index (see _shared.number_runs)
    _re = re.compile(r"([0-9](?<![0-9A-Za-z-].)[0-9]{2})([- ]?)([0-9]{2})\2([0-9]{4})(?![0-9A-Za-z]|-[0-9])")

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        spans = []
        for m in finditer_runs(self._re, t, 9, 9):
            area, sep, group, serial = m.groups()
            digits = area + group + serial
            if (
                area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000"
                or digits in _SSN_PUBLISHED or len(set(digits)) == 1
            ):  # fmt: skip
                continue
            base = {"-": 0.6, " ": 0.4}.get(sep, 0.25)
            score = scored(t, m.start(), m.end(), base, SSN_CONTEXT)
            spans.append(Span(m.start(), m.end(), "US_SSN", score, self.name))
        return spans
