"""Contact details: e-mail, URL, IP address, phone numbers (CN mobile/landline/400, US, intl).

Also holds the small helpers every structured recognizer shares (width folding, context
scoring that stops at neighbouring numbers); this module is imported first.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import lru_cache

import phonenumbers

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, context_score, register

# --- shared helpers ----------------------------------------------------------------------

# Full-width ASCII (U+FF01-FF5E) and the ideographic space map 1:1 to ASCII, so offsets in the
# folded string are offsets in the original. Chinese IMEs produce １３８…, ＡＢ, ＠, －. Folding
# costs ~10 µs per 300 chars, so it is done only when a full-width character that can be part
# of an entity is present; the patterns accept full-width ，：（）；！？ themselves, which
# are in almost every Chinese sentence.
_HALFWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20
_NEEDS_FOLDING = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff20\uff0b\uff0d\uff0e]")


@lru_cache(maxsize=16)
def halfwidth(text: str) -> str:
    """``text`` with full-width ASCII folded to ASCII if it holds full-width letters, digits or
    ＠＋－．; same length, same offsets."""
    if _NEEDS_FOLDING.search(text) is None:
        return text
    return text.translate(_HALFWIDTH)


# Words that say a nearby number is a reference, not a person's contact/ID/card. They are
# looked for on the left only: "…这张卡已挂失，运单号SF…" describes the number that follows.
NEGATIVE_CONTEXT: tuple[str, ...] = (
    "订单号", "单号", "运单", "快递", "物流", "流水号", "交易号", "编号", "批次", "序列号",
    "时间戳", "order no", "order number", "order id", "tracking", "invoice", "timestamp",
    "serial", "sku", "transaction id",
)  # fmt: skip
# Weaker cues that only count right before the number ("您的订单1520…", "Order #…").
NEAR_NEGATIVE_CONTEXT: tuple[str, ...] = ("订单", "order", "编码")

_WINDOW = 24  # characters looked at on the left
_RIGHT = 8  # and on the right: further right, words describe the next thing
_NEAR = 8


_CLAUSE_END = frozenset("。；;！!？?）)")  # ")": "…X（身份证）" labels what precedes
# On the right a new item starts at a digit, a clause end, a comma or a line break.
_RIGHT_STOP = re.compile(r"[0-9。；;！!？?）),，、\n]")


# The last digit (with an ID number's trailing X) or clause end before a position.
_LAST_DIGIT = re.compile(r"(?s:.*)[0-9][Xx]?")
_LAST_DIGIT_OR_CLAUSE = re.compile(r"(?s:.*)(?:[0-9][Xx]?|[。；;！!？?）)])")


def left_edge(text: str, start: int, window: int = _WINDOW, clause: bool = False) -> int:
    """Start of the left context of [start, …): ``window`` back, but not past another digit
    nor, if ``clause``, a clause end ("…（身份证）；营业执照号913…": 身份证 labels the number
    before; a positive label may still sit a sentence earlier: "请核对护照信息。号码：E…")."""
    lo = max(0, start - window)
    m = (_LAST_DIGIT_OR_CLAUSE if clause else _LAST_DIGIT).match(text, lo, start)
    return lo if m is None else m.end()


def scored(
    text: str,
    start: int,
    end: int,
    base: float,
    positive: tuple[str, ...] = (),
    negative: tuple[str, ...] = NEGATIVE_CONTEXT,
) -> float:
    """`context_score` with positive words on both sides and negative ones on the left only,
    in windows that stop at the nearest other digit ("订单号2023…，手机138…": 订单号 is not the
    phone's)."""
    lo = left_edge(text, start)
    stop = _RIGHT_STOP.search(text, end, end + _RIGHT)
    hi = min(len(text), end + _RIGHT) if stop is None else stop.start()
    score = context_score(text[lo:hi], start - lo, end - lo, base, positive, (), _WINDOW)
    if negative:
        lo = left_edge(text, start, clause=True)
        score = context_score(text[lo:end], start - lo, end - lo, score, (), negative, _WINDOW)
        near = text[max(lo, start - _NEAR) : start].lower()
        if any(w in near for w in NEAR_NEGATIVE_CONTEXT):
            score = max(0.0, score - 0.4)  # context_score's default penalty
    # Rounded so that e.g. 0.6 - 0.1 compares equal to the 0.5 threshold.
    return round(score, 4)


_GROUP_AFTER = re.compile(r"([ .-])\d{3,}(?![/.:\d-])")
# A digit group, or a 4-character alphanumeric one as in IBANs ("BE07 0308 9569 5688").
_GROUP_BEFORE = re.compile(r"(?<![/.:0-9A-Za-z-])(?:\d{1,6}|[0-9A-Z]{4})([ .-])$")


def has_continuation(text: str, start: int, end: int, after: bool = True) -> bool:
    """True if the grouped number at [start, end) is one part of a longer one: a digit group
    with the same separator right before it or (if ``after``) right after it. A date such as
    " 2022/3/29" next to it is not a group."""
    seps = {c for c in text[start:end] if c in " -."}
    if not seps:
        return False
    b = _GROUP_BEFORE.search(text, max(0, start - 8), start)
    if b is not None and b.group(1) in seps:
        return True
    a = _GROUP_AFTER.match(text, end) if after else None
    return a is not None and a.group(1) in seps


# Maximal runs of digits and the characters numbers are written with. Every phone, card,
# SSN, ID-card and IPv4 match lies inside one (plus a trailing X), so those recognizers scan
# only these few short windows instead of the whole text with several patterns each.
_NUMBER_RUN = re.compile(r"[0-9+(（][0-9 ()（）+.-]*")
# Deletes the separators numbers are written with (for use with str.translate).
NOT_DIGIT = str.maketrans("", "", " ()（）+.-")


@lru_cache(maxsize=16)
def number_runs(folded: str) -> tuple[tuple[int, int, int], ...]:
    """(start, end, digit count) of the number runs in an already `halfwidth`-folded text."""
    runs = []
    for m in _NUMBER_RUN.finditer(folded):
        g = m.group()
        n = len(g) if g.isdigit() else len(g.translate(NOT_DIGIT))
        if n:
            runs.append((m.start(), m.end(), n))
    return tuple(runs)


_DIGITS = re.compile(r"[0-9]+")


@lru_cache(maxsize=16)
def digit_strings(folded: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of every maximal ASCII digit string in an already folded text."""
    return tuple(
        (m.start(), m.end()) for start, end, _ in number_runs(folded) for m in _DIGITS.finditer(folded, start, end)
    )


def match_before_digits(
    pattern: re.Pattern[str], folded: str, min_len: int, max_len: int, lead: int
) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` anchored 0..``lead`` characters before a digit string of
    ``min_len``..``max_len`` digits: for codes such as "E12345678" or "91350100M000…" whose
    digits come after at most ``lead`` letters. Each anchor is one cheap ``match`` call."""
    last_end = -1
    for start, end in digit_strings(folded):
        if min_len <= end - start <= max_len:
            for k in range(min(lead, start), -1, -1):
                if start - k >= last_end and (m := pattern.match(folded, start - k)) is not None:
                    last_end = m.end()
                    yield m
                    break


def finditer_runs(
    pattern: re.Pattern[str], folded: str, min_digits: int = 1, max_digits: int = 10**6
) -> Iterator[re.Match[str]]:
    """``pattern.finditer`` restricted to the number runs of ``folded`` holding at least
    ``min_digits`` digits and, if they are one plain digit string, at most ``max_digits``.
    3 chars of slack on the right let an ID's X and the pattern's look-ahead see the text."""
    for start, end, n in number_runs(folded):
        if n >= min_digits and (n <= max_digits or n != end - start):
            yield from pattern.finditer(folded, start, end + 3)


def match_at_hints(
    pattern: re.Pattern[str], text: str, hints: re.Pattern[str], back: int = 0
) -> Iterator[re.Match[str]]:
    """Non-overlapping matches of ``pattern`` anchored 0..``back`` chars before a ``hints`` hit.

    For entities with a literal landmark ("粤B", "DE89", "ghp_", "密码"): a few anchored
    ``match`` calls at the landmarks cost far less than scanning the text with the pattern.
    """
    done = 0
    for hit in hints.finditer(text):
        for k in range(max(done, hit.start() - back), hit.start() + 1):
            m = pattern.match(text, k)
            if m is not None:
                done = m.end()
                yield m
                break


_OPENERS = {")": "(", "]": "[", "}": "{"}


def strip_tail(value: str, punct: str) -> str:
    """Drop trailing ``punct`` characters and unbalanced closing brackets from ``value``."""
    while value:
        last = value[-1]
        if last in punct or (last in _OPENERS and value.count(last) > value.count(_OPENERS[last])):
            value = value[:-1]
        else:
            break
    return value


def keyword_pattern(*words: str) -> re.Pattern[str]:
    """A literal alternation of ``words`` as written, Capitalised and UPPER-cased.

    Used for triggers: a plain literal alternation scans several times faster than the same
    words under IGNORECASE, and the recognizer's own pattern does the exact matching.
    """
    variants = dict.fromkeys(v for w in words for v in (w, w.capitalize(), w.upper()))
    return re.compile("|".join(map(re.escape, variants)))


# --- e-mail and URL ----------------------------------------------------------------------

_FILE_TLDS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "pdf"})


@register
class EmailRecognizer(Recognizer):
    """RFC-5322-ish address with a dotted domain and alphabetic TLD."""

    name = "email"
    entity_types = ("EMAIL",)
    trigger = re.compile("[@\uff20]")
    _re = re.compile(
        r"[A-Za-z0-9](?<![A-Za-z0-9._%+-].)(?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
        r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![A-Za-z0-9-])"
    )

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        spans = []
        # Local parts are at most 64 chars: no need to scan the text before the first "@".
        for m in self._re.finditer(t, max(0, t.find("@") - 64)):
            # "icon@2x.png" is a retina image file name, not a mailbox.
            score = 0.3 if m.group(1).lower() in _FILE_TLDS else 0.9
            spans.append(Span(m.start(), m.end(), "EMAIL", score, self.name))
        return spans


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
    "传真", "打给", "短信", "收货", "收件", "phone", "tel", "mobile", "cell", "call", "contact", "whatsapp",
    "fax", "text me", "reach",
)  # fmt: skip

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
    _intl = re.compile(
        r"(?<![0-9A-Za-z+])\+(?!86)[1-9][0-9]{0,2}[ .-]?(?:\(0?[0-9]{1,4}\)[ .-]?)?"
        r"[0-9]{1,4}(?:[ .-]?[0-9]{2,4}){1,4}(?![0-9A-Za-z])"
    )

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        found: dict[tuple[int, int], float] = {}

        def add(start: int, end: int, base: float) -> None:
            # One group of a longer grouped number (card, tracking id); "-801" after a
            # landline is an extension, so only a space-separated tail counts there.
            if t[start] not in "+(（" and has_continuation(t, start, end, after=" " in t[start:end]):
                return
            score = scored(t, start, end, base, PHONE_CONTEXT)
            found[(start, end)] = max(score, found.get((start, end), 0.0))

        for m in finditer_runs(self._cn_mobile, t, 11, 11):
            base = 0.65 if m.group(1) in _CN_MOBILE_PREFIXES else 0.35
            add(m.start(), m.end(), base + 0.15 if t[m.start()] in "+0(（8" else base)
        for m in finditer_runs(self._cn_land, t, 10, 12):
            sub = m.group("sub").translate(NOT_DIGIT)
            area = m.group("ac1") or (m.group("ac2") or m.group("ac3"))[1:]
            if len(area) == 2 and len(sub) != 8:  # 010 / 02x cities use 8-digit numbers
                continue
            separated = m.group("ac3") is None or bool(m.group("sep"))
            # Compact 010/02x + 8 digits is distinctive; 0xxx + 7-8 digits could be anything.
            base = (0.7 if m.group("cc") else 0.6) if separated else (0.5 if len(area) == 2 else 0.35)
            # Subscriber numbers never start with 0/1; such numbers are usually made up.
            add(m.start(), m.end(), base if sub[0] in "23456789" else base - 0.1)
        for m in finditer_runs(self._cn_service, t, 10, 10):
            add(m.start(), m.end(), 0.55 if m.group().isdigit() else 0.65)
        for m in finditer_runs(self._nanp, t, 10, 11):
            if m.group("sep") and t[m.end() - 5] != m.group("sep"):
                continue  # 212-736.5000: mixed separators are not how numbers are written
            area = m.group("a1") or m.group("a2")
            plausible = m.group("ex")[0] not in "01" and area[1:] != "11"
            base = 0.6 if m.group("a1") else (0.55 if plausible else 0.4)
            add(m.start(), m.end(), base)
        for m in finditer_runs(self._intl, t, 7, 15):
            add(m.start(), m.end(), _intl_base(m.group()))
        return [Span(s, e, "PHONE", sc, self.name) for (s, e), sc in found.items()]


def _intl_base(candidate: str) -> float:
    """Score a +CC number by phonenumbers' metadata (only called on candidates)."""
    try:
        num = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException:
        return 0.0
    if phonenumbers.is_valid_number(num):
        return 0.85
    return 0.55 if phonenumbers.is_possible_number(num) else 0.2
