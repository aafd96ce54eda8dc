"""Chinese postal addresses down to the room: "…区淮安街971号5栋4单元401室", "26018 台中市信義街4號8樓".

The CRF (trained on CLUENER, whose addresses are mostly places) tends to stop at the house
number or before it. This rule anchors on the house number itself — a street word (路 街 巷 段
…) right before "<digits>号/號" — and reads the building / unit / floor / room parts after it
and the place names before it, back to punctuation, a space or a cue verb ("住在", "寄到",
"地址："). A Taiwanese postcode written before the address joins it.
"""

from __future__ import annotations

import re

_CJK = "\u3400-\u9fff\uf900-\ufaff"
# "<street word>[N段]<number>号[之N]", then building / unit / floor / room parts.
_NUMBERED = re.compile(
    rf"(?:路|街|道|巷|弄|里|村|胡同|大道|大街|段)(?:(?:[0-9一二三四五六七八九十]+段)?[0-9]{{1,5}}[号號]"
    # Forms pad the house number with spaces ("湖滨南路 100 号", "開源道 49 號"): after a
    # street's own word only (路 街 巷 弄, a 道 that ends no other word: 知道, 频道, 通道), as
    # "第3段 12 号选手" or "村 3 号地" are no addresses. (The look-behinds come after the street
    # word: sre keeps its first-character skip only for a pattern that opens with literals;
    # one in front cost ~8 µs per demo record.)
    rf"|[ \t](?<=[路街巷弄道][ \t])(?<![知报報频頻通车車跑赛賽航渠隧轨軌味难難人]道[ \t])[0-9]{{1,5}}[ \t]?[号號])"
    rf"(?:之[0-9]{{1,3}})?"
    # A named estate or tower between the house number and its buildings ("10号深圳湾科技生态园
    # 5栋B座1203"): taken only when a building part follows it.
    rf"(?:[{_CJK}]{{1,12}}?(?:园|園|苑|庭|府|城|厦|廈|广场|廣場|中心|公寓|小区|小區|社区|社區|新村|家园|家園|大楼|大樓|商城)"
    rf"(?=[ \t]{{0,2}}(?:[0-9]{{1,4}}[ \t]?(?:栋|棟|幢|号楼|號樓|单元|單元|楼|樓|层|層|座)|[A-Za-z](?:座|栋|棟))))?"
    # Forms and copied labels put a space or a line break between the parts ("27号 5号楼 3单元
    # 1102室", "…9988号\n2栋1203室"): at most two blanks, or one line break, before each part.
    rf"(?:(?:[ \t]{{0,2}}|[ \t]*\r?\n[ \t]*)"
    rf"(?:[0-9]{{1,4}}(?:栋|棟|幢|号楼|號樓|号院|单元|單元|楼|樓|层|層|室|房|户)|[A-Za-z](?:座|栋|棟)"
    rf"|[0-9]{{1,4}}[ \t](?:栋|棟|幢|号楼|號樓|单元|單元|楼|樓|层|層|室)"
    rf"|(?<=[号號])地下(?![室车車])"  # Hong Kong's ground floor ("南昌街 138 號地下"), no basement
    rf"|(?<=[楼樓])[ \t]?之[ \t]?[0-9]{{1,3}}(?![0-9])"  # a Taiwanese floor's flat ("8 樓之 3")
    rf"|(?:(?<=[楼樓栋棟幢元座])|(?<=[楼樓栋棟幢元座][ \t])|(?<=[楼樓栋棟幢元座]\n))[0-9]{{3,4}}(?![0-9])))*"
)
# Whatever may be part of the place names before the street (no punctuation, no space).
# A space counts only inside a lane or section number ("瑞光路 513 巷 22 弄 3 號"): between a
# street word and its number, or a number and its lane word; a phone number before an address
# stays out ("電話 0912… 台北市…").
_PLACE_CHARS = re.compile(rf"(?:[{_CJK}0-9A-Za-z]|(?<=[路街道巷弄段]) (?=[0-9])|(?<=[0-9]) (?=[巷弄段])){{1,30}}$")
# Words after which the address starts ("住在北京市…", "寄到…", "地址：…" is cut by the colon).
_CUE = re.compile("(?:住在|住址|地址|家住|寄到|寄往|送到|送至|搬到|搬去|位于|来自|收货|住|在|到|去|是|于)")
_POSTCODE_BEFORE = re.compile(r"[0-9]{3,6}[ \t]?$")
_ASCII_ALNUM = re.compile("[0-9A-Za-z]")


def find_zh_postal(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of Chinese street addresses with a house number in ``text``."""
    out: list[tuple[int, int]] = []
    done = 0
    for m in _NUMBERED.finditer(text):
        if m.start() < done:
            continue
        street_end = m.start() + 1  # the street word's first character is in the match
        places = _PLACE_CHARS.search(text, max(done, street_end - 31), street_end)
        if places is None:
            continue
        start = places.start()
        cue_end = None
        for cue in _CUE.finditer(text, start, m.start()):
            cue_end = cue.end()
        if cue_end is not None and m.start() - cue_end >= 2:
            start = cue_end  # keep at least a two-character street name
        if start == places.start():
            pc = _POSTCODE_BEFORE.search(text, max(0, start - 7), start)
            if pc is not None and (pc.start() == 0 or not _ASCII_ALNUM.match(text, pc.start() - 1)):
                start = pc.start()
        out.append((start, m.end()))
        done = m.end()
    return out


# A flat named by its own label, with no street before it: "房号：3栋2单元1801室", "房間號 1203",
# "门牌号：8号楼302室" (leases, property papers, dormitory and hotel records). The label makes the
# parts an address; without a street the rule above never sees them. Building / unit / floor
# parts, then the flat's own number (2-5 digits, an optional letter and 室/房/号).
_ROOM_LABELS = ("房号", "房號", "房间号", "房間號", "门牌号", "門牌號", "宿舍号", "宿舍號", "寝室号", "寢室號")
_ROOM = re.compile(
    # Not a booking's number: 订房号 is an order.
    r"(?<![订訂])(?:" + "|".join(_ROOM_LABELS) + r")(?:码|碼)?[ \t]*[:：]?[ \t]*"
    r"(?P<value>(?:(?:[0-9]{1,4}|[A-Za-z])(?:栋|棟|幢|座|号楼|號樓|单元|單元|楼|樓|层|層)[ \t]?|[0-9]{1,4}-)*"
    r"[A-Za-z]?[0-9]{2,5}(?:室|房|号|號)?)(?![0-9A-Za-z])"
)
# The labels as a literal trigger: the analyzer answers it within its one shared word scan.
ROOM_LABEL_TRIGGER = re.compile("|".join(_ROOM_LABELS))


def find_zh_rooms(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of flats written after their own label ("房号：3栋2单元1801室")."""
    return [m.span("value") for m in _ROOM.finditer(text)]


# A flat in a named estate or tower with no city or street before it — how residents write where
# they live ("送到望京SOHO T3 1802就行", "保利香槟国际5-2-1101", "华润城润府3期2栋A座1502"): the
# estate's last word, then its building parts (with a building word: 栋 单元 座 号楼 …), a
# building-unit-flat triple "5-2-1101", or a tower letter and a room ("T3 1802"). The estate's
# name reaches back over Han and Latin letters to punctuation, a space or a verb (送到, 住在, 改成, 地址).
_ESTATE_END = ("(?:花园|花園|小区|小區|家园|家園|公寓|国际|國際|广场|廣場|大厦|大廈|中心|新村|名苑|华庭|華庭|大楼|大樓"
               "|SOHO|Soho|城|府|苑|庭|湾|灣|园|園|居|轩|軒|阁|閣)")
_ESTATE_PART = r"(?:[0-9]{1,4}|[A-Za-z])[ \t]?(?:期|区|區|栋|棟|幢|座|号楼|號樓|单元|單元|楼|樓|层|層)"
_ESTATE_FLAT = re.compile(
    _ESTATE_END + r"(?P<flat>[ \t]?(?:(?:" + _ESTATE_PART + r"[ \t]?)+[0-9]{2,5}(?:-[0-9]{1,4})?(?:室|房|号|號)?"
    r"|[0-9]{1,3}-[0-9]{1,3}-[0-9]{3,4}(?:室|房)?|[A-Z][0-9]{1,2}[ \t-]?[0-9]{3,4}(?:室|房)?)(?![0-9A-Za-z]))")
_ESTATE_BUILDING_WORD = re.compile("栋|棟|幢|座|号楼|號樓|单元|單元|-|[A-Z][0-9]")
_ESTATE_NAME_CHAR = re.compile(rf"[{_CJK}A-Za-z]")
# Characters that end the estate's name going back: a verb or label before it (送到, 住在, 改成, 住址).
_ESTATE_STOP = frozenset("到在住址是成于於往寄送放为為的")
_ESTATE_MAX = 12


# What every match holds, led by a digit or a capital (sre skips to those fast): the pattern
# above opens with a choice of words, tried at every position (~5 µs per Chinese demo text).
_ESTATE_GATE = re.compile(r"[0-9][ \t]?(?:栋|棟|幢|座|号楼|號樓|单元|單元|期|区|區|楼|樓|层|層)|[0-9]-[0-9]{1,3}-[0-9]"
                          r"|[A-Z][0-9]{1,2}[ \t-]?[0-9]{3}")


def find_zh_estate_flats(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of "<estate><building parts>" with no street before (see above)."""
    out: list[tuple[int, int]] = []
    if _ESTATE_GATE.search(text) is None:
        return out
    for m in _ESTATE_FLAT.finditer(text):
        if not _ESTATE_BUILDING_WORD.search(m.group("flat")):
            continue  # "3期 1203" alone: a phase and a number, no building
        start = m.start()
        while (start > 0 and m.start() - start < _ESTATE_MAX and text[start - 1] not in _ESTATE_STOP
               and _ESTATE_NAME_CHAR.match(text, start - 1)):
            start -= 1
        if m.start() - start >= 1 or m.group().startswith("SOHO"):
            out.append((start, m.end()))
    return out
