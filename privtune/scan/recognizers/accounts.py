"""Messaging and social-media account names after a cue: 微信号 zhangsan_1990, QQ 12345678,
"my instagram is @jane_doe92", "username: k.miller".

Such an identifier reaches its owner as surely as a phone number, and Chinese support chats
are full of "加我微信…". Without a cue a bare token is not claimed: "@team" in a tweet and
"abc12345" in a log line are too often something else.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import halfwidth
from privtune.scan.registry import Recognizer, literal_alternation, register

# Cue families: what the platform's identifiers look like decides which values count.
# An ASCII cue is a word of its own: not inside a URL ("t.co/3tg7…") or another word.
_B = r"(?<![A-Za-z0-9/._@\-])"
_WECHAT = rf"微信号?|微信ID|威信|薇信|V信|v信|加微|加V|加v|{_B}(?:vx|VX|Vx|wx|WX|wechat|WeChat|Wechat|WECHAT|weixin|Weixin)(?![A-Za-z0-9])"
_QQ = rf"扣扣号?|企鹅号|{_B}(?:QQ|qq|Qq)(?![A-Za-z])(?:号码?)?"  # "QQ123456" is common
_SOCIAL = (
    # Shop accounts name the buyer as a chat handle does ("淘宝ID：tb_88123456", "旺旺号 jack_wang88").
    r"抖音号?|快手号?|微博|小红书号?|钉钉号?|飞书号?|B站|淘宝|淘寶|旺旺号?|阿里旺旺|闲鱼号?|閒魚號?|拼多多|"
    rf"(?i:{_B}(?:telegram|tg|instagram|insta|ig|twitter|tiktok|snapchat|snap|discord|skype|kik|"
    r"line\s?id|reddit|github|gitlab|threads|mastodon|bluesky|x\s+handle|steam|psn|xbox|gamertag)(?![a-z0-9]))"
)
_GENERIC = (r"用户名|账户名|帐户名|账号名|帐号名|登录名|登陆名|"
            rf"(?i:{_B}(?:user\s?name|user\s?id|login|handle|screen\s?name)(?![a-z0-9]))")

# Between the cue and the value: "号", "ID", "是", ":", "is", "@"-free filler, at most a few.
_GLUE = (r"(?:\s*(?:号码|号|ID|id|账号|帐号|名|是|为|:|：|=|\bis\b|\bwas\b|->|\(|（|"
         r"(?i:\bhandle\b|\baccount\b|\buser\s?name\b))\s*){0,3}\s*")
_END = r"(?![A-Za-z0-9_\-])(?![.@][A-Za-z0-9])(?!:/)"  # "…: http://t.co/…" is a URL

_CUED = re.compile(
    rf"(?P<cue>(?P<wechat>{_WECHAT})|(?P<qq>{_QQ})|(?P<social>{_SOCIAL})|(?P<generic>{_GENERIC})){_GLUE}"
    rf"(?P<value>@?[A-Za-z0-9][A-Za-z0-9_.\-]{{1,39}}){_END}"
)
# Where a cue can start: CJK cue words in the text, ASCII ones (whole words) in its lower-cased
# copy. Scanning for these and trying `_CUED` only there costs ~4 µs per 200-character record;
# one case-insensitive alternation over the whole text cost ~40.
_CJK_CUE_START = re.compile(r"微信|威信|薇信|[Vv]信|加[微Vv]|扣扣|企鹅|抖音|快手|微博|小红书|钉钉|飞书|B站|淘[宝寶]|旺旺|阿里旺旺|闲鱼|閒魚|拼多多|用户名|[账帐]户名|[账帐]号名|登[录陆]名")
# The characters a CJK cue starts with: sre searches a class fast, an alternation slowly.
_CJK_CUE_FIRST = re.compile("[微威薇Vv加扣企抖快小钉飞B淘旺阿闲閒拼用账帐登]")
# A word of its own: the character before an ASCII cue is none of these (checked in
# `_ascii_cue_starts`: a leading look-behind keeps sre from skipping ahead, ~40% slower).
_ASCII_WORD_INNER = frozenset("abcdefghijklmnopqrstuvwxyz0123456789/._@-")
_ASCII_CUE_WORD = re.compile(
    r"(?:"
    + literal_alternation(("vx", "wx", "wechat", "weixin", "qq", "telegram", "tg", "instagram", "insta", "ig",
                           "twitter", "tiktok", "snapchat", "snap", "discord", "skype", "kik", "line", "reddit",
                           "github", "gitlab", "threads", "mastodon", "bluesky", "x", "steam", "psn", "xbox",
                           "gamertag", "user", "username", "userid", "login", "handle", "screen", "screenname", "lineid"))
    + r")(?![a-z])"
)
_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# English words a cue is often followed by that are not names ("username and password").
_STOP = frozenset(
    "and or the is was are to for of on in at by with my your his her our their this that it not no "
    "please password field account name id number here there me you him them us reset changed "
    "forgot forgotten required invalid incorrect wrong taken available "
    # The platform's app or edition, not an account: "在抖音app上", "微博vip", "淘宝live".
    "app apk vip svip plus live lite pro ios android web mall shop store".split()
)


def _acceptable(kind: str, value: str) -> bool:
    """Whether ``value`` has the shape of an identifier on the cue's platform."""
    bare = value.lstrip("@").rstrip(".-")
    if len(bare) < 2 or bare.lower() in _STOP:
        return False
    has_alpha = any(c.isalpha() for c in bare)
    if bare.isdigit():
        # Digits: a QQ number (5-11 digits), or a WeChat ID that is a QQ number. A mobile number
        # after 微信 is left to the phone detector, which gives it a phone-shaped surrogate.
        return kind in {"qq", "wechat"} and 5 <= len(bare) <= 11 and bare[0] != "0" and not _CN_MOBILE.fullmatch(bare)
    if kind == "qq":
        return False  # QQ numbers are digits; "QQ群" or "QQ music" is not an account
    if kind == "wechat":
        return bare[0].isalpha() and 6 <= len(bare) <= 20  # WeChat's own rule for IDs
    if kind == "social":
        return has_alpha and len(bare) >= 3
    return has_alpha and len(bare) >= 3  # "username"/"用户名": see the glue rule in `analyze`


@register
class AccountRecognizer(Recognizer):
    """Account names (WeChat, QQ, Telegram, Instagram, …, or after "username") next to a cue."""

    name = "account"
    entity_types = ("USERNAME",)
    trigger = None  # its own cue scan in `analyze` is cheaper than any one regex over the text

    def analyze(self, text: str) -> list[Span]:
        t = halfwidth(text)
        spans: list[Span] = []
        done = 0
        for at in _cue_starts(t):
            if at < done:
                continue
            m = _CUED.match(t, at)
            if m is None:
                continue
            done = m.end()
            kind = next(k for k in ("wechat", "qq", "social", "generic") if m.group(k))
            value = m.group("value").rstrip(".-")
            if not _acceptable(kind, value):
                continue
            # A bare English word after an English cue needs "is"/":" between them: "snap
            # decision", "wechat payment" and "login page" are not accounts; "微信zhangsan" is.
            if value.isalpha() and m.group("cue").isascii() and not _glued(m):
                continue
            # "Twitter: John Smith" is a name, and claiming "John" as an account would leave
            # "Smith" to no detector: a capitalised plain word is a name's, not a handle's.
            if value.isalpha() and not value.islower():
                continue
            start = m.start("value")
            end = start + len(value)
            score = 0.7 if kind == "generic" else 0.85
            spans.append(Span(start, end, "USERNAME", score, self.name))
        return spans


_POSSESSIVE = re.compile(r"(?i:\b(?:my|our|his|her|their|your|the)\s+)$")


def _cue_starts(t: str) -> list[int]:
    """Sorted positions where a cue may start (a superset: `_CUED.match` decides)."""
    starts = [] if t.isascii() else _cjk_cue_starts(t)
    low = t.lower()
    if len(low) == len(t):  # a few characters lower-case to two ("İ"); then scan the text itself
        starts += _ascii_cue_starts(low)
    else:
        starts += [m.start() for m in _CUED.finditer(t)]
    return sorted(starts)


def _cjk_cue_starts(t: str) -> list[int]:
    """``[m.start() for m in _CJK_CUE_START.finditer(t)]``: a class search jumps to each
    possible first character and the alternation is tried there only (~4x faster)."""
    out = []
    pos = 0
    search, match = _CJK_CUE_FIRST.search, _CJK_CUE_START.match
    while (c := search(t, pos)) is not None:
        i = c.start()
        m = match(t, i)
        if m is None:
            pos = i + 1
        else:
            out.append(i)
            pos = m.end()
    return out


def _ascii_cue_starts(low: str) -> list[int]:
    """Starts of the ASCII cue words standing as words of their own in the lower-cased text:
    ``finditer`` of the cue words behind the look-behind ``(?<![a-z0-9/._@\\-])``, with the
    look-behind tested in Python (a match it rejects moves the search on by one character)."""
    out = []
    pos = 0
    search = _ASCII_CUE_WORD.search
    while (m := search(low, pos)) is not None:
        i = m.start()
        if i and low[i - 1] in _ASCII_WORD_INNER:
            pos = i + 1
        else:
            out.append(i)
            pos = m.end()
    return out


def _glued(m: re.Match[str]) -> bool:
    """Whether the value is said to be the account: a colon ("Skype: maria"), or "is" after a
    possessive or an account word ("my instagram is jane", "twitter handle is jane"; "Twitter
    is going…" and "Twitter account lays dormant" are not)."""
    glue = m.string[m.end("cue") : m.start("value")]
    if any(g in glue for g in (":", "：", "=", "是", "为", "->")):
        return True
    if not re.search(r"\b(?:is|was)\b", glue):
        return False  # "Twitter account lays dormant"
    return (re.search(r"(?i:handle|account|user\s?name|\bid\b)", glue) is not None
            or _POSSESSIVE.search(m.string, max(0, m.start("cue") - 12), m.start("cue")) is not None)
