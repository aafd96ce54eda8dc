"""PERSON: Tibetan and Mongolian names written in Chinese characters (扎西顿珠, 次仁卓玛, 其其格).

The Chinese tagger learnt Han names (a surname and one or two characters); a Tibetan name is two
two-character name words with no surname (扎西 + 顿珠, 次仁 + 卓玛), and it passed the tagger by
even after a cue ("客户扎西顿珠，", "原告：扎西顿珠，"). Two such words side by side are a name:
each is a transliterated name word, seldom part of anything else. A few Mongolian names that are
no Chinese word either (其其格, 巴特尔) are taken as they stand. Common words among the
transliterations (乌云 "dark cloud", 呼和 of 呼和浩特) are left out.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

DETECTOR = "zh_minority_name"
SCORE = 0.8
TIBETAN_WORDS = (
    "扎西", "次仁", "顿珠", "卓玛", "多吉", "格桑", "央金", "旦增", "丹增", "平措", "达瓦", "拉姆", "尼玛", "索朗",
    "洛桑", "强巴", "德吉", "曲珍", "白玛", "益西", "普布", "边巴", "巴桑", "米玛", "次旦", "仁增", "桑珠", "罗布",
    "贡布", "央宗", "拉巴", "琼达", "群培", "泽仁", "才让", "多杰", "卓嘎", "拉珍", "次珍", "阿旺", "土登", "晋美",
    "旺堆", "仁青", "旺姆", "玉珍", "曲尼", "德庆", "尼玛", "措姆",
)
MONGOLIAN_NAMES = ("其其格", "巴特尔", "苏日娜", "格日勒", "巴雅尔", "额尔敦", "那日苏", "其木格", "乌日娜")
_WORD = "|".join(dict.fromkeys(TIBETAN_WORDS))
_NAME = re.compile(rf"(?:{_WORD})(?:{_WORD})|{'|'.join(MONGOLIAN_NAMES)}")


def minority_name_spans(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "PERSON", SCORE, DETECTOR) for m in _NAME.finditer(text)]


@register
class MinorityNameRecognizer(Recognizer):
    """扎西顿珠, 次仁卓玛 (two Tibetan name words), 其其格 (a Mongolian name)."""

    name = "zh_minority_names"
    entity_types = ("PERSON",)
    # Literal words, non-ASCII: the analyzer's shared scan answers it, ASCII text skips it.
    trigger = re.compile("|".join(dict.fromkeys(TIBETAN_WORDS + MONGOLIAN_NAMES)))

    def analyze(self, text: str) -> list[Span]:
        return minority_name_spans(text)
