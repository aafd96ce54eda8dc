"""PERSON: Chinese nicknames as chat and posts write them: 小 / 老 + a surname (小王, 老张) and
阿 + a given-name character (阿强), where the words on both sides make them a person.

The tagger, trained on news, finds few (outside11_zh.dev: 6 of 60 小/老 nicknames); the cue rule
(:mod:`privtune.scan.recognizers.person_cue`) takes them only after 叫. Each of these shapes is
also the start of ordinary words (小时, 小区, 老师, 老家, 阿姨, 阿里, 小康, 老赖, 小熊), so a
nickname counts only where (1) its second character is on a short list: surnames that seldom
start a word after 小 / 老, given-name characters after 阿; (2) it opens a clause (the text's
start, punctuation, a space) or follows a word that takes a person (跟, 和, 找, 让 ...); and (3)
the next character is one that follows a person (说, 也, 和, 家, 的, 明天, punctuation ...):
"两个小时游戏" has no opener before 小, "小区停水" no surname after it, "老师布置" neither.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

SCORE = 0.7  # over the default threshold; the tagger's sure names win where both are
# Surnames after 小 / 老 (common ones; left out where 小X / 老X is mostly a word: 小康 小熊 小钱 老赖
# 老姜 老汤 小白 小孔 小米 小于 小时 小区 小车 小路 小包 小曲 小段 黎明 ...).
_NICK_SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董萧曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛"
                  "叶余潘杜戴夏钟汪田任范方姚谭廖邹陆郝崔邱秦顾侯邵孟雷尹贺龚")  # fmt: skip
# Given-name characters after 阿 (阿姨 阿里 阿根廷 阿拉伯 阿富汗 阿胶 阿门 are words or places).
_A_GIVEN = "强明华军伟芳丽红兵亮斌杰涛静燕敏珍娟辉勇龙峰飞宝彬玲英梅萍霞坤东海文生荣福贵祥鹏俊"
# Before the nickname: a clause opening (the text's start, a space, punctuation) or a word that
# takes a person after it. Checked on the character before a match (the pattern opens with its
# literal characters, which sre scans for fast; a look-behind would be tried at every position).
_OPENERS = frozenset(" \t\n\r\u3000，。！？、；：,.!?;:~～…）)]】」』“”\"'" "跟和与找给叫让问陪带等是请帮把被连听见约喊")
# After it: a character that follows a person (speech, adverbs, conjunctions, time words, verbs,
# sentence particles) or punctuation / the end.
_FOLLOW = r"(?=[说讲问答笑哭也都还又就才刚已今明昨和跟与家的他她呢吧啊呀哦吗在去来回要想会能没不让给帮把被是真很太最请买发送做找喜爱打，。！？、；：,.!?;:~～…\s\[（(]|$)"
NICKNAME = re.compile(rf"[小老][{_NICK_SURNAMES}]{_FOLLOW}|阿[{_A_GIVEN}]{_FOLLOW}")
# Words of these shapes that pass both checks and are no one's nickname (baking soda).
_WORDS = ("小苏打",)


@register
class ZhNicknameRecognizer(Recognizer):
    """小 / 老 + surname and 阿 + given-name character between a clause opening and a person's next word."""

    name = "zh_person_nickname"
    entity_types = ("PERSON",)
    trigger = re.compile("[小老阿]")

    def analyze(self, text: str) -> list[Span]:
        return [Span(m.start(), m.end(), "PERSON", SCORE, self.name) for m in NICKNAME.finditer(text)
                if (m.start() == 0 or text[m.start() - 1] in _OPENERS) and not text.startswith(_WORDS, m.start())]
