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


# A facility named only by its function ("在转运中心滞留", "到营业厅办理") locates nobody: the
# tagger, trained on news, calls these places; with no proper name in front they are not PII.
_GENERIC_FACILITY = re.compile(
    r"(?:转运|分拣|配送|物流|快递|客服|服务|营业|售后|维修|数据|呼叫)?(?:中心|厅|站|仓库?|网点|门店|驿站|柜台|窗口)")


@register
class ZhAddressRecognizer(Recognizer):
    """Chinese places and postal addresses (省/市/区/路/号/小区/室 ...); bare generic facilities are not."""

    name = "zh_address_model"
    entity_types = ("ADDRESS",)
    trigger = CJK_TRIGGER

    def analyze(self, text: str) -> list[Span]:
        return [s for s in tag_zh(text)
                if s.type == "ADDRESS" and not _GENERIC_FACILITY.fullmatch(text, s.start, s.end)]


@register
class EnAddressRecognizer(Recognizer):
    """Street number + street name + suffix, optional unit, city, state and ZIP; PO boxes."""

    name = "en_address_pattern"
    entity_types = ("ADDRESS",)
    trigger = re.compile(r"\d[ \t]+[A-Z0-9]|Box[ \t]+\d")

    def analyze(self, text: str) -> list[Span]:
        return [Span(s, e, "ADDRESS", score, det) for s, e, score, det in find_addresses(text)]
