"""Names in a list beside a name the CRF found (秦艳凤，韦玮，覃朵莹 / 方力钧、展望、张晓刚).

Lists of people are common in chat and Weibo (votes, shout-outs, who came along) and in news
(delegations, winners). The CRF tags the names it knows and skips a short or rare one between
them: a two-character name has little context of its own. When one item of a list is a name
the CRF is sure of (score >= 0.5, its calibrated F1-best point), the other items that are
shaped as a name, a surname + one or two given-name characters filling the whole item, are
taken too. An item that is a number or Latin tag with a name glued on (榕湖304欧阳鹭, as Weibo
votes write them) gives its name-shaped Han tail.

A list is items separated by one and the same separator (、 or a comma), each item a run of
characters up to punctuation or a space. Items the CRF gave another type (a place, an
organisation) keep it; a known country or city (古巴), an ethnic group (白族), laughter and an emoticon's code ([哈哈]) are no
names. On the ~32 k zh training and dev sentences this takes 4 items, all gold names (韦玮,
展望, 欧阳询, 金昆); a draft without those exclusions also took 白族 and [哈哈]
(benchmarks/RESULTS.md, round 4).
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES
from privtune.scan.ner.zh_title_names import NOT_GIVEN, PLACES, SURNAMES

LIST_DETECTOR = "zh_person_list"
LIST_SCORE = 0.6  # a candidate beside the CRF's: its surer spans win overlaps
SURE = 0.5
_SEPARATORS = "、，,"
_ITEM = re.compile(r"[^、，,；;\s\"“”'‘’《》（）()【】\[\]。！？!?：:…~～]+")
# Characters that are no given-name character in a list item: function words, numerals and
# chat particles and laughter (zh_title_names.NOT_GIVEN; 哈哈), the end of 白族 and of a
# place name (苏州市, 长安街).
_NOT_GIVEN = NOT_GIVEN | frozenset("呢吗吧啊呀啦嘛哦哟噢哈嘿呵嘻族市省县区镇乡村路街")


def name_shaped(word: str) -> bool:
    """A surname (single or compound) + one or two Han given-name characters, nothing else."""
    if word[:2] in ZH_COMPOUND_SURNAMES:
        given = word[2:]
    elif word[:1] in SURNAMES:
        given = word[1:]
    else:
        return False
    return 1 <= len(given) <= 2 and all("\u4e00" <= c <= "\u9fff" and c not in _NOT_GIVEN for c in given)


def _lists(text: str) -> list[list[tuple[int, int]]]:
    """Runs of >= 2 items joined by one and the same separator character."""
    groups: list[list[tuple[int, int]]] = []
    cur: list[tuple[int, int]] = []
    sep = ""
    for m in _ITEM.finditer(text):
        s, e = m.span()
        joined = bool(cur) and s == cur[-1][1] + 1 and text[s - 1] in _SEPARATORS
        if joined and (not sep or text[s - 1] == sep):
            sep = text[s - 1]
            cur.append((s, e))
            continue
        if len(cur) >= 2:
            groups.append(cur)
        cur, sep = [(s, e)], ""
    if len(cur) >= 2:
        groups.append(cur)
    return groups


def _listable(text: str, start: int, end: int) -> bool:
    """Could ``text[start:end]`` be an item of one of `_lists`' lists? It must be a whole item
    (a maximal `_ITEM` run) with a separator right before or right after it."""
    if _ITEM.fullmatch(text, start, end) is None:
        return False
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if (before and _ITEM.match(before)) or (after and _ITEM.match(after)):
        return False  # the item runs on past the name
    return before in _SEPARATORS_SET or after in _SEPARATORS_SET


_SEPARATORS_SET = frozenset(_SEPARATORS)
# The Han run that ends a list item after a digit or Latin letter (榕湖304欧阳鹭, vote numbers and
# tags run into the name in Weibo lists).
_GLUED_TAIL = re.compile(r"[0-9A-Za-z]([\u4e00-\u9fff]{2,4})$")


def list_names(text: str, spans: list[Span]) -> list[tuple[int, int]]:
    """(start, end) of the name-shaped list items beside an item the CRF is sure is a name."""
    if not any(c in text for c in _SEPARATORS):
        return []
    sure = {(s.start, s.end) for s in spans if s.type == "PERSON" and s.score >= SURE}
    if not any(_listable(text, s, e) for s, e in sure):
        return []  # no sure name is an item next to a separator: no list holds one (saves `_lists`)
    out = []
    for items in _lists(text):
        if not any(it in sure for it in items):
            continue
        for s, e in items:
            if (s, e) in sure:
                continue
            if not name_shaped(text[s:e]):
                tail = _GLUED_TAIL.search(text, s, e)  # 榕湖304|欧阳鹭: a name glued to a number or tag
                if tail is None or not name_shaped(tail.group(1)):
                    continue
                s = tail.start(1)
            if text[s:e] in PLACES:
                continue
            if text[s - 1 : s] == "[" and text[e : e + 1] == "]":
                continue  # [哈哈], [太开心]: an emoticon's code, not an item
            if any(k.start < e and s < k.end for k in spans if k.score >= SURE):
                continue  # the CRF read it as something else (or as a wider name)
            out.append((s, e))
    return out
