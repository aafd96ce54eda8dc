"""Hardware (MAC) addresses: "MAC 3C:22:FB:9A:01:7E", "Physical Address . . : 3C-22-FB-9A-01-7E".

A network card's address follows its owner's laptop or phone from network to network, and
helpdesk tickets, DHCP and Wi-Fi logs are full of them; GDPR guidance counts it as an online
identifier like an IP address. The shape (six hex pairs joined by one repeated ":" or "-") is
specific enough to be taken without a cue. Only the broadcast and all-zero addresses are left:
they name no device.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

SCORE = 0.8
_MAC = re.compile(
    r"(?<![0-9A-Za-z:\-])[0-9A-Fa-f]{2}([:\-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![0-9A-Za-z]|[:\-][0-9A-Za-z])"
)
_NO_DEVICE = frozenset({"000000000000", "ffffffffffff"})


@register
class MacAddressRecognizer(Recognizer):
    """EUI-48 addresses written as six hex pairs with ":" or "-"."""

    name = "mac_address"
    entity_types = ("RECORD_ID",)
    # No trigger: five separators of one kind are counted in C first (~0.1 µs a text), which
    # almost every text fails; a regex trigger would start a match at every hex digit.
    trigger = None

    def analyze(self, text: str) -> list[Span]:
        if text.count(":") < 5 and text.count("-") < 5:
            return []
        return [Span(m.start(), m.end(), "RECORD_ID", SCORE, self.name) for m in _MAC.finditer(text)
                if re.sub("[:-]", "", m.group()).lower() not in _NO_DEVICE]
