"""PERSON: Chinese names with a two-character surname (慕容雪, 端木蓉, 皇甫俊, 诸葛明亮).

The tagger learnt names from news and CVs, where 欧阳 and 上官 are rare and 慕容, 端木, 皇甫 almost
absent: "-----\\n慕容雪\\n采购部" or "你好我是端木蓉我想改一下地址" pass it by. These surnames are
seldom anything else, so one of them with one or two more characters is a name when a boundary
follows: no Han character, or a word that ends a name in speech (我, 的, 说, 在 …). Surnames that
are also ordinary words or places (东方, 南宫, 西门, 百里, 第五) are not used.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

DETECTOR = "zh_compound_surname"
SCORE = 0.85
SURNAMES = ("欧阳", "上官", "司马", "诸葛", "慕容", "皇甫", "端木", "令狐", "夏侯", "尉迟", "长孙", "宇文", "司徒",
            "轩辕", "独孤", "钟离", "澹台", "赫连", "拓跋", "完颜", "公孙", "呼延", "申屠")
# Not inside a word ("公司马上" holds 司马), unless a verb or preposition that names a person stands
# before it ("我是端木蓉", "请欧阳娜娜"), a list's "and" ("赵军、吴建平和尉迟恭平"), or a noun for a
# person that ends in 户/员 ("客户上官婉清", "会员欧阳娜娜").
_CUE = "是叫给找问和与跟及被让请向对户员"
_NAME = re.compile(rf"(?:(?<![\u4e00-\u9fff])|(?<=[{_CUE}]))(?:{'|'.join(SURNAMES)})([\u4e00-\u9fff]{{1,2}})")
# After such a cue the name is known to start here, so a full two-character given name stands even
# when a verb follows with no break ("和上官婉清获得…"): the four characters are the name.
_LIST_CUE = frozenset("和与跟及、")
_AFTER = frozenset("我你他她的说在是也都和与跟就要了吗呢啊先女同老")  # 先生, 女士, 同学, 老师 after a name


def compound_surname_spans(text: str) -> list[Span]:
    out = []
    for m in _NAME.finditer(text):
        end = m.end()
        given = m.group(1)
        nxt = text[end : end + 1]
        if nxt and "\u4e00" <= nxt <= "\u9fff" and nxt not in _AFTER:
            if len(given) == 2 and given[1] in _AFTER:
                end -= 1  # "端木蓉我想": the second character opens the next words
            elif not (len(given) == 2 and m.start() > 0 and text[m.start() - 1] in _LIST_CUE):
                continue  # the run goes on: a word, not a name ("司马光砸缸" aside)
        elif len(given) == 2 and given[1] in _AFTER:
            end -= 1
        out.append(Span(m.start(), end, "PERSON", SCORE, DETECTOR))
    return out


@register
class CompoundSurnameRecognizer(Recognizer):
    """慕容雪, 端木蓉 … (a rare two-character surname and a given name)."""

    name = "zh_compound_surname"
    entity_types = ("PERSON",)
    trigger = re.compile("|".join(SURNAMES))  # literal words: the shared scan, skipped on ASCII text

    def analyze(self, text: str) -> list[Span]:
        return compound_surname_spans(text)
