"""ADDRESS: Chinese addresses by the CLUENER-trained CRF, US-style street addresses by pattern.

CLUENER's "address" covers everything from a province (浙江) to a full street address with
building and room, so Chinese scores reflect that fuzzier target (see the model card).
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.ner.english import find_addresses
from privtune.scan.ner.model import tag_zh
from privtune.scan.ner.zh_batch import prepare_chunk as prepare_zh_chunk
from privtune.scan.ner.postal import find_postal_addresses
from privtune.scan.ner.zh_postal import ROOM_LABEL_TRIGGER, find_zh_estate_flats, find_zh_postal, find_zh_rooms
from privtune.scan.recognizers.person import CJK_TRIGGER
from privtune.scan.registry import Recognizer, register


# A facility named only by its function ("在转运中心滞留", "到营业厅办理") locates nobody: the
# tagger, trained on news, calls these places; with no proper name in front they are not PII.
_GENERIC_FACILITY = re.compile(
    r"(?:转运|分拣|配送|物流|快递|客服|服务|营业|售后|维修|数据|呼叫)?(?:中心|厅|站|仓库?|网点|门店|驿站|柜台|窗口)")


ZH_POSTAL_SCORE = 0.9  # a street word, a house number and the place names before them
# A village's group (村民小组) after the village: "安庄村四组", "城关村一社", "周城村委会三组 12 号";
# the tagger stops at 村, leaving the group and the house that narrow it to a few families.
_VILLAGE_GROUP = re.compile(r"[一二三四五六七八九十0-9]{1,3}(?:组|組|社|队|隊)(?:[0-9]{1,4}[号號])?")
_VILLAGE_ENDS = ("村", "村委会", "村委會", "村民委员会", "村民委員會")
# Building parts after an estate that has no street number ("万科城 3期 12栋 1单元 502",
# "金紫山小区 A 区 5 栋 8-2"), spaces allowed: the tagger stops at the estate's name. At least
# one building word (栋, 单元, 号楼, 座, 幢) must be among them, so "3期" or "A区" alone stays out.
_PART = r"[ \t]?(?:[0-9]{1,4}|[A-Za-z])[ \t]?(?:期|区|區|栋|棟|幢|座|号楼|號樓|单元|單元|楼|樓|层|層|室)"
_BUILDING_PARTS = re.compile(rf"(?:{_PART})+(?:[ \t]?[0-9]{{1,4}}(?:-[0-9]{{1,4}})*(?:室|房|号|號)?(?![0-9A-Za-z]))?")
_BUILDING_WORD = re.compile("栋|棟|幢|座|号楼|號樓|单元|單元")
# An office tower named by a Latin letter and number, then the room ("望京SOHO T3 1802", "国贸 B2-1203"):
# the tagger stops at the estate's name.
_TOWER_ROOM = re.compile(r"[ \t]?[A-Z][0-9]{1,2}(?:[ \t]|-)?[0-9]{3,4}(?:室|房|号|號)?(?![0-9A-Za-z])")
# The flat number right after a span that already ends with its building part ("…小区3栋2单元502",
# "天通苑北一区5号楼3门201"): the tagger stops before the bare digits.
_UNIT_ENDS = ("单元", "單元", "门", "門", "号楼", "號樓", "栋", "棟", "幢", "座")
_FLAT_AFTER_UNIT = re.compile(r"[ \t]?(?:[0-9]{1,2}[门門])?[0-9]{2,4}(?:-[0-9]{1,4})?(?:室|房|号|號)?(?![0-9A-Za-z])")


@register
class ZhAddressRecognizer(Recognizer):
    """Chinese places and postal addresses (省/市/区/路/号/小区/室 ...); bare generic facilities are not."""

    name = "zh_address_model"
    entity_types = ("ADDRESS",)
    trigger = CJK_TRIGGER
    prepare_chunk = staticmethod(prepare_zh_chunk)  # the tagger's features, a chunk at a time

    def analyze(self, text: str) -> list[Span]:
        spans = [s for s in tag_zh(text)
                 if s.type == "ADDRESS" and not _GENERIC_FACILITY.fullmatch(text, s.start, s.end)]
        # A street address with a house number (find_zh_postal) absorbs the tagger's pieces of it.
        for start, end in find_zh_postal(text):
            pieces = [s for s in spans if s.start < end and start < s.end]
            if pieces:
                spans = [s for s in spans if s not in pieces]
                start, end = min(start, *(s.start for s in pieces)), max(end, *(s.end for s in pieces))
            spans.append(Span(start, end, "ADDRESS", ZH_POSTAL_SCORE, self.name))
        for i, s in enumerate(spans):
            if text.endswith(_VILLAGE_ENDS, s.start, s.end) and (m := _VILLAGE_GROUP.match(text, s.end)) is not None:
                spans[i] = Span(s.start, m.end(), "ADDRESS", s.score, s.detector)
            elif (m := _BUILDING_PARTS.match(text, s.end)) is not None and _BUILDING_WORD.search(m.group()):
                spans[i] = Span(s.start, m.end(), "ADDRESS", s.score, s.detector)
            elif (m := _TOWER_ROOM.match(text, s.end)) is not None:
                spans[i] = Span(s.start, m.end(), "ADDRESS", s.score, s.detector)
            s = spans[i]
            if text.endswith(_UNIT_ENDS, s.start, s.end) and (m := _FLAT_AFTER_UNIT.match(text, s.end)) is not None:
                spans[i] = Span(s.start, m.end(), "ADDRESS", s.score, s.detector)
        spans = [_trimmed(text, s) for s in spans]
        # A flat in a named estate with no street before it, which the tagger does not see as a place.
        for start, end in find_zh_estate_flats(text):
            if not any(s.start <= start and end <= s.end for s in spans):
                spans = [s for s in spans if not (start <= s.start and s.end <= end)]
                spans.append(Span(start, end, "ADDRESS", ZH_POSTAL_SCORE, self.name))
        return spans


# The tagger sometimes opens an address at the request before it ("请将材料寄至北京市…",
# "快递放上海市…") and closes it after the spot named at the door ("…1603室门口"): the verb
# phrase is no part of the place, and the place is whole without the spot.
_SEND_TO = re.compile(r"[\u4e00-\u9fff]{0,6}?(?:寄至|寄到|寄往|送至|送到|送往|发往|發往|运往|運往|搬到|搬至|住在|(?:快递|快遞|包裹|东西|東西|快件)放(?:到|在)?)")
_SPOT_AFTER = ("门口", "門口", "楼下", "樓下", "门外", "門外")


def _trimmed(text: str, s: Span) -> Span:
    """``s`` without a request opening it or the spot at the door closing it (see above)."""
    start, end = s.start, s.end
    m = _SEND_TO.match(text, start, end)
    if m is not None and end - m.end() >= 4:
        start = m.end()
    if text.endswith(_SPOT_AFTER, start, end) and end - start >= 6:
        end -= 2
    return s if (start, end) == (s.start, s.end) else Span(start, end, s.type, s.score, s.detector)


@register
class ZhRoomRecognizer(Recognizer):
    """A flat named after its own label with no street before it ("房号：3栋2单元1801室")."""

    name = "zh_room"
    entity_types = ("ADDRESS",)
    trigger = ROOM_LABEL_TRIGGER  # literal labels: answered by the analyzer's shared word scan

    def analyze(self, text: str) -> list[Span]:
        return [Span(s, e, "ADDRESS", ZH_POSTAL_SCORE, self.name) for s, e in find_zh_rooms(text)]


# A flat or unit written before or after a street block the patterns found ("Unit 5, 12 Queen St,
# Auckland", "Apt 4B, 350 W 42nd St …", "4417 Rua das Flores 88, Apt. 12"): left outside the
# span, it stays in the text, and with the street it names one household.
_UNIT_WORD = r"(?i:unit|apt|apartment|flat|suite|ste|room|rm|level|lvl|floor|fl|bldg|building|block|blk)"
_UNIT_NO = r"#?(?:[0-9]{1,5}[A-Za-z]?(?:/[0-9]{1,4})?|[A-Z])(?![0-9A-Za-z])"
# Australia and New Zealand also write the unit and the house number with a slash: "Unit 18/108 Smith St".
_UNIT_BEFORE = re.compile(rf"(?<![A-Za-z]){_UNIT_WORD}\.?[ \t]?{_UNIT_NO}(?:[ \t]*,?[ \t]*|/)\Z")
_UNIT_AFTER = re.compile(rf"(?:[ \t][0-9]{{1,5}}[A-Za-z]?(?![0-9A-Za-z]))?[ \t]*,?[ \t]*(?:{_UNIT_WORD}\.?[ \t]?|#){_UNIT_NO}")
_UNIT_REACH = 24  # characters before a block in which its unit may start
# An Australian state and four-digit postcode after the suburb ("…, Subiaco WA 6008"): the US
# pattern stops before them (its ZIP has five digits).
_AU_STATE_POSTCODE = re.compile(r",?[ \t]+(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT),?[ \t]+[0-9]{4}(?![0-9])")


def with_units(text: str, start: int, end: int) -> tuple[int, int]:
    """The street block ``text[start:end]`` widened over a unit written just before or after it."""
    before = _UNIT_BEFORE.search(text, max(0, start - _UNIT_REACH), start)
    if before is not None:
        start = before.start()
    after = _UNIT_AFTER.match(text, end)
    if after is not None:
        end = after.end()
    state = _AU_STATE_POSTCODE.match(text, end) if text[end : end + 1] in (" ", ",") else None
    if state is not None:
        end = state.end()
    return start, end


@register
class EnAddressRecognizer(Recognizer):
    """Street addresses: the US shape (number + street name + suffix, unit, city, state, ZIP;
    PO boxes) and the postal shapes of many countries ("Hauptstraße 12, 10115 Berlin", "709,
    rue Lambert\n71979 Charpentier", "ul. Tylna 60/31"); a US match inside a longer postal
    block gives way to the block."""

    name = "en_address_pattern"
    entity_types = ("ADDRESS",)
    trigger = re.compile("[0-9]")

    def analyze(self, text: str) -> list[Span]:
        postal = find_postal_addresses(text)
        us = [a for a in find_addresses(text) if not any(p[0] <= a[0] and a[1] <= p[1] and a[1] - a[0] < p[1] - p[0]
                                                         for p in postal)]
        return [Span(*with_units(text, s, e), "ADDRESS", score, det) for s, e, score, det in us + postal]
