"""Hardware (MAC) addresses, "MAC 3C:22:FB:9A:01:7E", "Physical Address . . : 3C-22-FB-9A-01-7E",
and Windows' default computer names, "DESKTOP-7H2K9LQ".

A network card's address follows its owner's laptop or phone from network to network, and
helpdesk tickets, DHCP and Wi-Fi logs are full of them; GDPR guidance counts it as an online
identifier like an IP address. The shape (six hex pairs joined by one repeated ":" or "-") is
specific enough to be taken without a cue. Only the broadcast and all-zero addresses are left:
they name no device. For speed it is looked for only in text that fires the IP recognizer's
trigger (every colon-written address does) or holds a MAC cue word: a dash-written address
with neither ("Wired: 3C-22-FB-9A-01-7E" alone) is left.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import RARE_WORDS_TRIGGER
from privtune.scan.recognizers.contact import IpRecognizer
from privtune.scan.registry import Recognizer, register

SCORE = 0.8
# Searched from its first separator (sre skips ahead to a ":" or "-"; a pattern opening with a
# hex class and a look-behind is tried at every position): the address starts two characters
# before the match, and its edges are checked in `mac_spans`.
_MAC_TAIL = re.compile(r"([:\-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![0-9A-Za-z]|[:\-][0-9A-Za-z])")
_HEX = frozenset("0123456789ABCDEFabcdef")
_WORD_EDGE = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:-")
_NO_DEVICE = frozenset({"000000000000", "ffffffffffff"})
_NO_SEPARATOR = str.maketrans("", "", ":-")


def mac_spans(text: str, detector: str) -> list[Span]:
    """RECORD_ID spans of the MAC addresses in ``text``."""
    if len(text) < 17 or (text.count(":") < 5 and text.count("-") < 5):
        return []
    spans = []
    for m in _MAC_TAIL.finditer(text):
        start = m.start() - 2
        if (start < 0 or text[start] not in _HEX or text[start + 1] not in _HEX
                or (start and text[start - 1] in _WORD_EDGE)):
            continue
        if text[start : m.end()].translate(_NO_SEPARATOR).lower() not in _NO_DEVICE:
            spans.append(Span(start, m.end(), "RECORD_ID", SCORE, detector))
    return spans


@register
class MacAddressRecognizer(Recognizer):
    """EUI-48 addresses written as six hex pairs with ":" or "-", in text that fires the IP
    recognizer's trigger (":" and a hex digit: every colon-written address does)."""

    name = "mac_address"
    entity_types = ("RECORD_ID",)
    # The IP recognizer's own pattern: the analyzer tests it once for both, so this costs
    # nothing in the texts without one (~0.9 µs per demo record as a trigger-less recognizer).
    trigger = IpRecognizer.trigger

    def analyze(self, text: str) -> list[Span]:
        return mac_spans(text, self.name)


@register
class CuedMacAddressRecognizer(Recognizer):
    """The dash-written addresses ("3C-22-FB-9A-01-7E", Windows' way) in text without that
    trigger, after their names ("MAC", "Physical Address", "BSSID", "HWaddr")."""

    name = "mac_address_cued"
    entity_types = ("RECORD_ID",)
    trigger = RARE_WORDS_TRIGGER

    def analyze(self, text: str) -> list[Span]:
        return [] if IpRecognizer.trigger.search(text) else mac_spans(text, "mac_address")


# Windows names a new PC "DESKTOP-" or "LAPTOP-" plus seven random capitals and digits: a name of
# one person's machine, in every helpdesk ticket and sign-in log about it.
_WINDOWS_HOST = re.compile(r"(?<![A-Za-z0-9_-])(?:DESKTOP|LAPTOP)-[A-Z0-9]{7}(?![A-Za-z0-9_-])")


@register
class DefaultHostnameRecognizer(Recognizer):
    """Windows' default computer names ("DESKTOP-7H2K9LQ"), with at least one digit."""

    name = "default_hostname"
    entity_types = ("RECORD_ID",)
    trigger = RARE_WORDS_TRIGGER  # "DESKTOP-", "LAPTOP-" among others

    def analyze(self, text: str) -> list[Span]:
        if "DESKTOP-" not in text and "LAPTOP-" not in text:
            return []
        return [Span(m.start(), m.end(), "RECORD_ID", SCORE, self.name) for m in _WINDOWS_HOST.finditer(text)
                if any(c.isdigit() for c in m.group()[-7:])]
