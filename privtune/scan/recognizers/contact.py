"""Contact details: e-mail, URL, IP address, phone numbers (CN mobile/landline/400, US, intl,
national formats after a cue)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

import phonenumbers

from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import (
    NEGATIVE_CONTEXT, NOT_DIGIT, halfwidth, has_continuation, left_edge, number_runs, scored, strip_tail,
)  # fmt: skip
from privtune.scan.recognizers.phone_national import national_numbers
from privtune.scan.registry import Recognizer, register

# --- e-mail and URL ----------------------------------------------------------------------

_FILE_TLDS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "pdf"})


# ASCII and Latin-1/Extended-A/B letters (× and ÷ left out).
_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"


@register
class EmailRecognizer(Recognizer):
    """RFC-5322-ish address with a dotted domain and alphabetic TLD."""

    name = "email"
    entity_types = ("EMAIL",)
    trigger = re.compile("[@\uff20]")
    # Latin letters outside ASCII too ("Müller@beispiel.de", "jürgen.groß@münchen.de": SMTPUTF8
    # mailboxes and IDN domains); only "ller@beispiel.de" was taken, or nothing. Not Han: "邮箱是
    # zw@qq.com" writes the address right after the words.
    _re = re.compile(
        rf"[{_LETTER}0-9](?<![{_LETTER}0-9._%+-].)(?:[{_LETTER}0-9._%+-]{{0,62}}[{_LETTER}0-9_%+-])?"
        rf"@(?:[{_LETTER}0-9](?:[{_LETTER}0-9-]{{0,61}}[{_LETTER}0-9])?\.)+([A-Za-z]{{2,24}})(?![{_LETTER}0-9-])"
    )

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        spans = []
        for m in email_matches(self._re, t):
            # "icon@2x.png" is a retina image file name, not a mailbox.
            score = 0.3 if m.group(1).lower() in _FILE_TLDS else 0.9
            spans.append(Span(m.start(), m.end(), "EMAIL", score, self.name))
        return spans


# The characters of a local part; a match starts where a run of them does (the look-behind).
_LOCAL_RUN = re.compile(rf"[{_LETTER}0-9._%+-]+$")


def email_matches(pattern: re.Pattern[str], t: str) -> Iterator[re.Match[str]]:
    """``EmailRecognizer._re.finditer(t)`` with ``match`` tried once per "@": a match holds an
    "@" right after its local part (<= 64 chars, no "@"), and its look-behind lets it start
    only where the run of local-part characters before that "@" starts. A run starting before
    the previous match's end cannot start a match either (the look-behind sees the run)."""
    done = 0
    at = t.find("@")
    while at >= 0:
        lo = max(done, at - 65)
        run = _LOCAL_RUN.search(t, lo, at)
        if run is not None and (run.start() > lo or lo == 0 or t[lo - 1] not in _LOCAL_CHARS):
            m = pattern.match(t, run.start())
            if m is not None:
                done = m.end()
                yield m
        at = t.find("@", max(at + 1, done))


_LOCAL_CHARS = frozenset("0123456789._%+-").union(
    chr(c) for lo, hi in ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x24F)) for c in range(lo, hi + 1)
)


@register
class UrlRecognizer(Recognizer):
    """http(s):// or www. URLs; ASCII only so trailing CJK text/punctuation is never swallowed."""

    name = "url"
    entity_types = ("URL",)
    trigger = re.compile(r"://|www\.|WWW\.")
    # (?<!…​.) after the first character: a pattern that starts with a character class lets
    # the regex engine skip ahead, one that starts with a look-behind is tried everywhere.
    _re = re.compile(
        r"(?:[Hh](?<![A-Za-z0-9].)[Tt][Tt][Pp][Ss]?://|[Ww](?<![A-Za-z0-9].)[Ww][Ww]\.)"
        r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
    )
    _host = re.compile(r"(?i)(?:https?://)?(?:[^/?#@]*@)?([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|localhost)")

    def analyze(self, text: str) -> list[Span]:
        spans = []
        for m in self._re.finditer(text):
            start, end = m.start(), m.end()
            end = start + len(strip_tail(text[start:end], ".,;:!?'\"*"))
            if self._host.match(text, start, end) is None:
                continue
            spans.append(Span(start, end, "URL", 0.8, self.name))
        return spans


# --- IP addresses ------------------------------------------------------------------------

IP_CONTEXT = ("ip", "地址", "服务器", "server", "host", "登录", "login", "访问", "连接", "网关", "gateway")
VERSION_CONTEXT = ("version", "版本", "ver.", "firmware", "固件", "build", "release", "升级到", "更新到",
                   "upgrade to", "update to", "ios", "android", "sdk")  # fmt: skip


@register
class IpRecognizer(Recognizer):
    """IPv4 with octet range check; IPv6 (incl. compressed / v4-mapped) validated by ipaddress."""

    name = "ip_address"
    entity_types = ("IP_ADDRESS",)
    trigger = re.compile(r"\.\d|:[0-9A-Fa-f]")
    _v4 = re.compile(r"[0-9](?<![0-9A-Za-z.].)[0-9]{0,2}(?:\.[0-9]{1,3}){3}(?![0-9A-Za-z]|\.[0-9])")
    # IPv6 candidates grow out of a colon followed by another colon or a hex group and colon.
    _v6_hint = re.compile(r":(?=:|[0-9A-Fa-f]{1,4}:)")
    _hex_before = re.compile(r"(?s:.*)[^0-9A-Fa-f:.]")
    _hex_after = re.compile(r"[0-9A-Fa-f:.]*")

    def analyze(self, text: str) -> list[Span]:
        spans = []
        t = halfwidth(text)  # shares the number-run index with the other recognizers
        dotted = [r for r in number_runs(t) if r[2] >= 4 and t.count(".", r[0], r[1]) >= 3]
        for m in (m for start, end, _ in dotted for m in self._v4.finditer(t, start, end + 1)):
            start, end = m.span()
            # "version 2.0.1.5", "系统版本18.11.18.10": the commonest dotted-quad false positive.
            if any(w in t[left_edge(t, start, 16, True) : start].lower() for w in VERSION_CONTEXT):
                continue
            octets = [int(p) for p in m.group().split(".")]
            if any(o > 255 for o in octets):
                continue
            # 1.2.3.4-style numbers are far more often section or version numbers.
            base = 0.4 if octets[0] == 0 or all(o < 10 for o in octets) else 0.6
            if t[max(0, start - 3) : start].endswith(("//", "@")):
                score = 0.55  # inside a URL: the URL span is the finding, so this one must lose
            else:
                score = scored(t, start, end, base, IP_CONTEXT)
            spans.append(Span(start, end, "IP_ADDRESS", score, self.name))
        done = -1
        for hint in self._v6_hint.finditer(t):
            if hint.start() >= done:
                start, done = self._v6_at(t, hint.start())
                if start >= 0:
                    spans.append(Span(start, done, "IP_ADDRESS", scored(t, start, done, 0.8, IP_CONTEXT), self.name))
        return spans

    def _v6_at(self, text: str, colon: int) -> tuple[int, int]:
        """(start, end) of the valid IPv6 address around ``colon``, or (-1, end of the hex run)."""
        lo = max(0, colon - 40)
        b = self._hex_before.match(text, lo, colon)
        start = lo if b is None else b.end()
        end = self._hex_after.match(text, colon).end()
        if end < len(text) and text[end].isascii() and text[end].isalnum():
            return -1, end  # part of a longer word, e.g. "std::vector"
        if start and text[start - 1].isascii() and text[start - 1].isalnum():
            start = text.index(":", start)  # "IPv6:2001:db8::1": skip the label's "6"
        cand = text[start:end].rstrip(".")
        if cand.startswith(":") and not cand.startswith("::"):
            start, cand = start + 1, cand[1:]  # "提醒:2409:8000::1": the label's colon
        if cand.endswith(":") and not cand.endswith("::"):
            cand = cand[:-1]
        if sum(1 for g in cand.replace(".", ":").split(":") if g) < 2:
            return -1, end
        try:
            ipaddress.IPv6Address(cand)
        except ValueError:
            return -1, end
        return start, start + len(cand)


# --- phone numbers -----------------------------------------------------------------------

PHONE_CONTEXT = (
    "手机", "电话", "联系", "致电", "拨打", "来电", "回电", "热线", "客服", "座机", "微信",
    "传真", "打给", "短信", "收货", "收件", "電話", "手機", "聯繫", "聯絡", "致電", "撥打", "來電", "座機", "傳真",
    "phone", "tel", "mobile", "cell", "call", "contact", "whatsapp",
    "fax", "text me", "reach",
)  # fmt: skip
# The shared negative words, less those that name a parcel rather than label a number: a waybill
# line is "快递：张伟 158…" or "快递面单：收件人…手机…", and its own number is labelled 单号/运单号,
# which still count ("单号" is among them).
PHONE_NEGATIVE = tuple(w for w in NEGATIVE_CONTEXT if w not in ("快递", "物流", "运单"))

# Allocated CN mobile prefixes (MIIT), second+third digit after the leading 1.
_CN_MOBILE_PREFIXES = frozenset(
    [f"3{d}" for d in range(10)] + ["45", "46", "47", "48", "49"]
    + [f"5{d}" for d in "012356789"] + ["62", "65", "66", "67"]
    + [f"7{d}" for d in "012345678"] + [f"8{d}" for d in range(10)]
    + [f"9{d}" for d in "012356789"]
)  # fmt: skip


@register
class PhoneRecognizer(Recognizer):
    """CN mobile (+86/0086, 3-4-4 grouping), CN landline, 400/800, NANP and +CC numbers."""

    name = "phone"
    entity_types = ("PHONE",)
    min_run_digits = 7  # `analyze` returns at once without a run of 7 digits
    # No trigger: the cached number-run index (shared with the card, ID and SSN recognizers)
    # is the pre-filter, and one scan for all of them is cheaper than a trigger each.
    trigger = None
    _cn_mobile = re.compile(
        r"(?<![0-9A-Za-z+])(?:(?:\+|00)86[ -]?|[(（]\+?86[)）] ?|86-)?"
        r"1([3-9][0-9])[ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9A-Za-z])"
    )
    _cn_land = re.compile(
        r"(?<![0-9A-Za-z+])(?:(?P<cc>(?:\+|00)86[ -]?[(（]?0?)(?P<ac1>10|2[0-9]|[3-9][0-9]{2})[)）]?[ -]?"
        r"|[(（](?P<ac2>0(?:10|2[0-9]|[3-9][0-9]{2}))[)）] ?"
        r"|(?P<ac3>0(?:10|2[0-9]|[3-9][0-9]{2}))(?P<sep>[ -]?))"
        r"(?P<sub>[0-9]{3,4}[ -]?[0-9]{4})(?![0-9A-Za-z])"
    )
    _cn_service = re.compile(
        r"(?<![0-9A-Za-z+])[48]00(?:([ -]?)[0-9]{3}\1[0-9]{4}|[0-9]([ -])[0-9]{3}\2[0-9]{3})"
        r"(?![0-9A-Za-z])"
    )
    _nanp = re.compile(
        r"(?<![0-9A-Za-z+])(?:\+?1[ .-]?)?"
        r"(?:[(（](?P<a1>[2-9][0-9]{2})[)）] ?|(?P<a2>[2-9][0-9]{2})(?P<sep>[ .-]))"
        r"(?P<ex>[0-9]{3})[ .-][0-9]{4}(?![0-9A-Za-z])"
    )
    # UK mobiles as people write them, grouped "07700 900123" / "0770 090 0123", need no cue
    # as NANP numbers need none: 071-075 and 077-079 are mobile ranges only (076 is pagers).
    # Ungrouped, 11 digits from 07 are as likely an order or account number.
    _uk_mobile = re.compile(
        r"(?<![0-9A-Za-z+])07[1-57-9](?:[0-9]{2} (?:[0-9]{6}|[0-9]{3} [0-9]{3})|[0-9] [0-9]{3} [0-9]{4})"
        r"(?![0-9A-Za-z]|[ .\-/][0-9])"
    )
    # (a letter may stand right before the "+": OCR and hurried typing drop the blank, "call us on+66 …")
    _intl = re.compile(
        r"(?<![0-9+])\+(?!86)[1-9][0-9]{0,2}[ .-]?(?:\(0?[0-9]{1,4}\)[ .-]?)?"
        r"[0-9]{1,4}(?:[ .-]?[0-9]{2,4}){1,4}(?![0-9A-Za-z])"
    )

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        # The shared number-run index is the pre-filter: each pattern runs only over the runs
        # whose digit count fits it (as `finditer_runs` does, written out: this is hot).
        all_runs = number_runs(t)
        runs = [r for r in all_runs if r[2] >= 7]
        if not runs:
            return []
        found: dict[tuple[int, int], float] = {}

        def add(start: int, end: int, base: float) -> None:
            # One group of a longer grouped number (card, tracking id); "-801" after a
            # landline is an extension, so only a space-separated tail counts there.
            if t[start] not in "+(（" and has_continuation(t, start, end, after=" " in t[start:end]):
                return
            score = scored(t, start, end, base, PHONE_CONTEXT, PHONE_NEGATIVE)
            found[(start, end)] = max(score, found.get((start, end), 0.0))

        # A run whose digits all come first ("13812345678", "2024… ") can only match at its
        # first digit: every pattern refuses a digit before it and needs more digits than the
        # rest of the window holds. So that digit rules patterns out: mobile numbers start
        # with 1 (0086…, 86…), landlines with 0, service numbers with 4 or 8; NANP numbers need
        # a separator or brackets between digits and international ones a "+".
        runs = [(start, end, n, t[start] if t[start : start + n].isdigit() else "") for start, end, n in runs]
        for start, end, n, bare in runs:
            if n >= 11 and (n <= 11 or n != end - start) and (not bare or bare in "108"):
                for m in self._cn_mobile.finditer(t, start, end + 3):
                    base = 0.65 if m.group(1) in _CN_MOBILE_PREFIXES else 0.35
                    add(m.start(), m.end(), base + 0.15 if t[m.start()] in "+0(（8" else base)
        for start, end, n, bare in runs:
            if n >= 10 and (n <= 12 or n != end - start) and (not bare or bare == "0"):
                for m in self._cn_land.finditer(t, start, end + 3):
                    sub = m.group("sub").translate(NOT_DIGIT)
                    area = m.group("ac1") or (m.group("ac2") or m.group("ac3"))[1:]
                    if len(area) == 2 and len(sub) != 8:  # 010 / 02x cities use 8-digit numbers
                        continue
                    separated = m.group("ac3") is None or bool(m.group("sep"))
                    # Compact 010/02x + 8 digits is distinctive; 0xxx + 7-8 digits could be anything.
                    base = (0.7 if m.group("cc") else 0.6) if separated else (0.5 if len(area) == 2 else 0.35)
                    # Subscriber numbers never start with 0/1; such numbers are usually made up.
                    add(m.start(), m.end(), base if sub[0] in "23456789" else base - 0.1)
        for start, end, n, bare in runs:
            if n >= 10 and (n == 10 or n != end - start) and (not bare or bare in "48"):
                for m in self._cn_service.finditer(t, start, end + 3):
                    add(m.start(), m.end(), 0.55 if m.group().isdigit() else 0.65)
        for start, end, n, bare in runs:
            if n >= 10 and (n <= 11 or n != end - start) and not bare:
                for m in self._nanp.finditer(t, start, end + 3):
                    if m.group("sep") and t[m.end() - 5] != m.group("sep"):
                        continue  # 212-736.5000: mixed separators are not how numbers are written
                    area = m.group("a1") or m.group("a2")
                    plausible = m.group("ex")[0] not in "01" and area[1:] != "11"
                    base = 0.6 if m.group("a1") else (0.55 if plausible else 0.4)
                    add(m.start(), m.end(), base)
        for start, end, n, bare in runs:
            if n >= 11 and not bare and t.startswith("07", start + (t[start] in "(（")):  # "(07984 112233)"
                for m in self._uk_mobile.finditer(t, start, end + 1):
                    add(m.start(), m.end(), 0.6)
        for start, end, n, bare in runs:
            if (n <= 15 or n != end - start) and not bare:
                for m in self._intl.finditer(t, start, end + 3):
                    add(m.start(), m.end(), _intl_base(m.group()))
        # National formats after a cue, "00CC" / "(+CC)" numbers: a longer one replaces the
        # pieces of it found above ("001-909-737-8657" holds a NANP number).
        for start, end, score in national_numbers(t, all_runs, found.keys()):
            for key in [k for k in found if start <= k[0] and k[1] <= end]:
                score = max(score, found.pop(key)) if key == (start, end) else score
            found[(start, end)] = score
        return [Span(s, _with_extension(t, e), "PHONE", sc, self.name) for (s, e), sc in found.items()]


# A Chinese extension right after the number ("0571-85253589转837", "… 分机 12"): part of the
# number. After a blank, "转2" is a hotline's menu choice ("热线4008123456 转2"), not a line.
_ZH_EXTENSION = re.compile(r"(?:转|轉|[ \t]?(?:分机|分機))[ \t]?[0-9]{1,6}(?![0-9])")


def _with_extension(t: str, end: int) -> int:
    """``end`` moved past a Chinese extension right after it (a test by index first: cheap)."""
    if t[end : end + 1] not in ("转", "轉", "分", " ") or (m := _ZH_EXTENSION.match(t, end)) is None:
        return end
    return m.end()


def _intl_base(candidate: str) -> float:
    """Score a +CC number by phonenumbers' metadata (only called on candidates)."""
    try:
        num = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException:
        return 0.0
    if phonenumbers.is_valid_number(num):
        return 0.85
    return 0.55 if phonenumbers.is_possible_number(num) else 0.2
