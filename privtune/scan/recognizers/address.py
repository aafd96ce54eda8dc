"""ADDRESS: Chinese addresses by the CLUENER-trained CRF, US-style street addresses by pattern.

CLUENER's "address" covers everything from a province (浙江) to a full street address with
building and room, so Chinese scores reflect that fuzzier target (see the model card).
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.ner.english import find_addresses
from privtune.scan.ner.model import tag_zh
from privtune.scan.recognizers.person import CJK_TRIGGER
from privtune.scan.registry import Recognizer, register


@register
class ZhAddressRecognizer(Recognizer):
    """Chinese places and postal addresses (省/市/区/路/号/小区/室 ...)."""

    name = "zh_address_model"
    entity_types = ("ADDRESS",)
    trigger = CJK_TRIGGER

    def analyze(self, text: str) -> list[Span]:
        return [s for s in tag_zh(text) if s.type == "ADDRESS"]


@register
class EnAddressRecognizer(Recognizer):
    """Street number + street name + suffix, optional unit, city, state and ZIP; PO boxes."""

    name = "en_address_pattern"
    entity_types = ("ADDRESS",)
    trigger = re.compile(r"\d[ \t]+[A-Z0-9]|Box[ \t]+\d")

    def analyze(self, text: str) -> list[Span]:
        return [Span(s, e, "ADDRESS", score, det) for s, e, score, det in find_addresses(text)]
