"""PERSON: the sender named in the header lines of chat and e-mail exports.

A WhatsApp export opens every message with "[12/03/2024, 14:22] 王伟: " (Android: "12/03/2024,
14:22 - Wang Wei: "); a WeChat or QQ export puts the sender on a line with the time, "王伟
2024-03-12 14:22" (or the time first); a mail thread quotes "在 2024年3月4日 10:12，朱琳
<zhu.lin@…> 写道" and "发件人：高峰 <gao.feng@…>". The sender is the person whose messages follow,
whatever their name looks like: "高峰" is also a word ("peak"), and the taggers read it so. The
shape of the header says it is a name. Taken:

* after a chat export's timestamp (WhatsApp, Android or iOS) and before its colon, a sender of
  1-4 words without digits (a phone number there is the phone detector's);
* on a line of its own beside a date and time ("王伟 2024-03-12 14:22", "2024-03-12 14:22:05 王伟");
* in a QQ group export's header, the QQ number in brackets after the nickname, and the name in
  a nickname of a label and a name ("7栋-王伟(846271935)");
* right before an e-mail address in angle brackets, a Chinese name (a surname and 1-3 Han
  characters) or 1-4 capitalised words ("Anna Kowalczyk <anna.k@firma.pl>"; not a desk's
  "Acme Support <help@acme.com>").
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES, ZH_SURNAMES
from privtune.scan.registry import Recognizer, register

SCORE = 0.8
_DATE = r"[0-9]{1,4}[/.\-][0-9]{1,2}[/.\-][0-9]{1,4}"
_TIME = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:[ \u202f]?[AaPp]\.?[Mm]\.?)?"


def _sender(group: str) -> str:
    """A sender: 1-4 words of letters (any script), no digits, no colon."""
    return rf"(?P<{group}>[^\W\d_][^\W\d_'’.\-]*(?:[ '’.\-][^\W\d_]+){{0,3}})"


_WHATSAPP = re.compile(rf"(?m)^[ \t]*(?:\[{_DATE},? {_TIME}\]|{_DATE},? {_TIME} -) {_sender('name')}:[ \t]")
_TIME_LINE = re.compile(rf"(?m)^[ \t]*(?:{_sender('name')}[ \t]+{_DATE}[ \t]+{_TIME}"
                        rf"|{_DATE}[ \t]+{_TIME}[ \t]+{_sender('after')})[ \t]*$")
_HAN_NAME = r"[\u4e00-\u9fff]{2,4}"
# A WeChat phone export's header with the time alone, a group role in brackets before the name
# ("【群主】王伟 20:21"); and a call transcript's speaker line, the role after the name
# ("00:01:12 Anna Kowalczyk (agent): …", "[00:00:04] 王伟（客服）："). Names only: a Han name
# with a known surname, or 1-4 capitalised words.
_TIME_ONLY_LINE = re.compile(rf"(?m)^[ \t]*(?:【[^】\n]{{1,6}}】|\[[^\]\n]{{1,6}}\][ \t]?)?(?P<name>{_HAN_NAME})[ \t]+{_TIME}[ \t]*$")
_ROLES = r"(?i:agent|customer|caller|client|rep|operator|advisor|adviser|客服|客户|客戶|坐席|顾客|顧客)"
_SPEAKER_ROLE = re.compile(rf"(?m)^[ \t]*\[?{_TIME}\]?[ \t]+(?P<name>[A-Z][a-z\u00e0-\u024f'’\-]+(?: [A-Z][a-z\u00e0-\u024f'’\-]+){{0,3}}"
                           rf"|{_HAN_NAME})[ \t]*[(（]{_ROLES}[)）][ \t]*[:：]")
_LATIN_NAME = r"[A-Z][a-z\u00e0-\u024f'’\-]+(?: [A-Z][a-z\u00e0-\u024f'’\-]+){0,3}"
_MAIL_SENDER = re.compile(
    rf"(?:^|(?<=[\s:：，,;；\"]))(?P<name>{_HAN_NAME}|{_LATIN_NAME})\"?[ \t]?<[^<>@\s]+@[^<>\s]+>")
# A QQ (or WeChat PC) group export's header: the time, the sender's group nickname and, in
# brackets, the QQ number ("2024-03-12 20:15:03 7栋-王伟(846271935)", "小雨🌸(846271935)"). The
# number is the account (USERNAME); a nickname of a label and a name ("7栋-王伟", "物业-张丽"),
# as residents' and staff groups ask members to set it, gives the name after the label.
_QQ_LINE = re.compile(rf"(?m)^[ \t]*{_DATE}[ \t]+{_TIME}[ \t]+(?P<nick>[^\n()（）]{{1,30}}?)"
                      r"[(（](?P<qq>[1-9][0-9]{4,10})[)）][ \t]*$")
_LABELLED_NICK = re.compile(r"(?:[^\s\-—_·]{1,8}[\-—_·])?(?P<name>[\u4e00-\u9fff]{2,4})")
# Words a header's sender slot holds that name no person.
_NOT_SENDER = frozenset({"me", "you", "system", "System", "Messages", "客服", "系统", "我", "你", "群主"})
# Words of a mailbox's display name that make it a desk or a company's, not a person's.
_DESK_WORDS = frozenset(
    "Support Team Service Services Customer Customers Info Sales Admin Help Helpdesk Desk Billing No Reply Noreply "
    "Notifications Notification Newsletter Accounts Orders Shop Store Inc Ltd Limited GmbH LLC Corp Company "
    "Group Office Department Dept Hr Marketing Security".split())


def _han_name(value: str) -> bool:
    return value[0] in ZH_SURNAMES or value[:2] in ZH_COMPOUND_SURNAMES


def export_senders(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sender named in a chat-export or mail header in ``text``."""
    out = []
    for pattern in (_WHATSAPP, _TIME_LINE):
        for m in pattern.finditer(text):
            group = "name" if m.group("name") is not None else "after"
            name = m.group(group)
            if name not in _NOT_SENDER and len(name) <= 40:
                out.append((m.start(group), m.end(group)))
    for m in (() if text.isascii() else _TIME_ONLY_LINE.finditer(text)):  # a Han name: O(1) skip for ASCII text
        if _han_name(m.group("name")):
            out.append(m.span("name"))
    if "(" in text or "（" in text:
        for m in _SPEAKER_ROLE.finditer(text):
            if m.group("name").isascii() or _han_name(m.group("name")):
                out.append(m.span("name"))
        for m in _QQ_LINE.finditer(text):
            nick = _LABELLED_NICK.fullmatch(m.group("nick"))
            if nick is not None and _han_name(nick.group("name")):
                start = m.start("nick") + nick.start("name")
                out.append((start, start + len(nick.group("name"))))
    if "<" in text:
        for m in _MAIL_SENDER.finditer(text):
            name = m.group("name")
            if (_han_name(name) if not name.isascii() else _DESK_WORDS.isdisjoint(name.split())):
                out.append((m.start("name"), m.end("name")))
    return out


@register
class ExportHeaderRecognizer(Recognizer):
    """Senders in chat-export and mail headers ("[12/03/2024, 14:22] 王伟:", "朱琳 <zl@…>")."""

    name = "export_header"
    entity_types = ("PERSON", "USERNAME")
    # A time ("14:22") or an address in brackets: a text with neither has no header.
    trigger = re.compile(r":[0-5][0-9]|@")

    def analyze(self, text: str) -> list[Span]:
        spans = [Span(s, e, "PERSON", SCORE, self.name) for s, e in export_senders(text)]
        if "(" in text or "（" in text:
            spans += [Span(m.start("qq"), m.end("qq"), "USERNAME", SCORE, self.name) for m in _QQ_LINE.finditer(text)]
        return spans
