"""PERSON: a Chinese name in the slot a cue word opens (我叫X, 收货人X, 机主是X, X您好).

The CLUENER-trained tagger learned news and social-media text; in service dialogs it misses
many names that the surrounding words make certain ("收货人胡红霞，电话…"). This rule takes
a common surname plus one or two Han characters, only where a cue stands right before it (or
a greeting right after it) *and* a delimiter closes it, so a phrase such as 我是小区里唯一…
(小 starts no name here: no delimiter follows) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from privtune.scan.entities import Span
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES, ZH_CUE_EXTRA_SURNAMES, ZH_SURNAMES
from privtune.scan.registry import Recognizer, register

# Words after which a person's name follows directly in service and medical records.
_BEFORE = ("我叫", "我是", "本人", "姓名", "名字是", "收货人", "收件人", "寄件人", "联系人", "机主是", "机主",
           "持卡人", "户主", "患者", "病人", "客户", "乘客", "申请人", "您好")
# Words that close a name: punctuation, a greeting or an honorific.
_AFTER = r"(?:[，。！？、,.!?:：;；\s)）]|您好|你好|先生|女士|小姐|同学|老师|医生|$)"
_SURNAME = "(?:" + "|".join(sorted(ZH_COMPOUND_SURNAMES)) + "|[" + ZH_SURNAMES + ZH_CUE_EXTRA_SURNAMES + "])"
_NAME = _SURNAME + r"[\u4e00-\u9fff]{1,2}?"
# Han characters that do not end a Chinese name but often follow a cue (我是本地…, 客户经理).
_NOT_IN_NAME = set("的了是在有和与及或这那个们里经理服务号码电话手机地址询到")
# Honorifics are not part of the name: 王先生 is a bare surname + title, not tagged (CLUENER).
_TITLES = ("先生", "女士", "小姐", "老师", "医生", "同学")

CUE_BEFORE = re.compile("(?:" + "|".join(map(re.escape, _BEFORE)) + r")[:：]?\s?(" + _NAME + ")(?=" + _AFTER + ")")
# A greeting after the name: "张婷您好" at the start of a turn or after punctuation.
CUE_AFTER = re.compile(r"(?:^|(?<=[，。！？、,.!?\s\n]))(" + _NAME + r")(?=您好|你好|先生|女士)")
# CUE_AFTER opens with a look-behind, so sre tries it at every position; a match ends where a
# greeting starts and is 2-4 characters long, so it is tried only that far before greetings.
_GREETINGS = ("您好", "你好", "先生", "女士")  # no one's suffix is a prefix of one: no overlaps
_GREETING = re.compile("|".join(_GREETINGS))
# Shortest and longest _NAME: a one-character surname + 1, a compound surname + 2.
_NAME_WIDTH = (2, 4)


def cue_after_matches(text: str) -> Iterator[re.Match[str]]:
    """``CUE_AFTER.finditer(text)``: ``match`` at the only places a match can start, in order,
    each at or after the previous match's end (as finditer resumes)."""
    lo, hi = _NAME_WIDTH
    starts = sorted({g.start() - k for g in _GREETING.finditer(text) for k in range(lo, hi + 1) if g.start() >= k})
    done = 0
    for p in starts:
        if p >= done and (m := CUE_AFTER.match(text, p)) is not None:
            done = m.end()
            yield m


@register
class ZhPersonCueRecognizer(Recognizer):
    """Chinese names right after a self-introduction or role word, or right before a greeting."""

    name = "zh_person_cue"
    entity_types = ("PERSON",)
    trigger = re.compile("|".join(map(re.escape, _BEFORE)) + "|您好|你好|先生|女士")

    def analyze(self, text: str) -> list[Span]:
        spans: dict[tuple[int, int], Span] = {}
        for matches, score in ((CUE_BEFORE.finditer(text), 0.85), (cue_after_matches(text), 0.8)):
            for m in matches:
                start, end = m.span(1)
                given = text[start + 1 : end]
                if _NOT_IN_NAME.isdisjoint(given) and not given.startswith(_TITLES):
                    spans.setdefault((start, end), Span(start, end, "PERSON", score, self.name))
        return list(spans.values())
