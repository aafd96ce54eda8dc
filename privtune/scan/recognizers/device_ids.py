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
_MAC = re.compile(
    r"(?<![0-9A-Za-z:\-])[0-9A-Fa-f]{2}([:\-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![0-9A-Za-z]|[:\-][0-9A-Za-z])"
)
_NO_DEVICE = frozenset({"000000000000", "ffffffffffff"})
_NO_SEPARATOR = str.maketrans("", "", ":-")


def mac_spans(text: str, detector: str) -> list[Span]:
    """RECORD_ID spans of the MAC addresses in ``text``."""
    if len(text) < 17 or (text.count(":") < 5 and text.count("-") < 5):
        return []
    return [Span(m.start(), m.end(), "RECORD_ID", SCORE, detector) for m in _MAC.finditer(text)
            if m.group().translate(_NO_SEPARATOR).lower() not in _NO_DEVICE]


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
        return [Span(m.start(), m.end(), "RECORD_ID", SCORE, self.name) for m in _WINDOWS_HOST.finditer(text)
                if any(c.isdigit() for c in m.group()[-7:])]
