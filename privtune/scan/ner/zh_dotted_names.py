"""Chinese-script names written with a middle dot: Uyghur, Kazakh and Tibetan names and
transliterated foreign ones ("买买提·艾力", "阿依古丽·买买提", "扎西·次仁", "卡洛斯·阿马特").

The dot joins a given name and a father's or family name; the CLUENER-trained tagger finds the
news kind (it learned 芭芭拉·弗兰克林 from People's Daily) but misses the names of China's own
minorities in service text ("我是买买提·艾力", "患者热依拉·阿不都热合曼今天复诊"). A dot also
separates the parts of a title on Weibo ("我的故事·我的歌", "好电影·爱看电影"), so a name is
taken only where the characters on both sides of the dot all belong to transliteration
(`TRANSLITERATION`: the syllables of foreign and minority names, general knowledge of the
Xinhua transliteration tables, not read off any corpus) and each side runs to the first
character that does not.
"""

from __future__ import annotations

import re

from privtune.scan.ner.lexicon import ZH_TRANSLIT

DOTS = "·•‧・"
TRANSLITERATION = frozenset(
    ZH_TRANSLIT
    # Western names
    + "阿埃艾爱安昂奥巴拜班邦保鲍贝本比彼毕宾波伯博布查达戴丹道德登迪蒂丁东杜多厄恩尔法范菲费芬弗福盖甘戈格"
    "古哈海汉豪赫亨胡霍基吉加贾杰金卡凯坎康科克肯库奎拉莱赖兰朗劳勒雷蕾里理丽利莉连廉林琳卢鲁路伦罗洛吕"
    "玛马迈麦曼梅门蒙米密缪摩莫默姆穆纳娜内尼妮宁纽努诺欧帕潘佩彭皮普齐奇乔琼丘萨塞赛桑瑟森沙莎尚舍施舒斯"
    "思索塔泰汤唐特滕提廷通图托瓦万旺威韦维温沃乌伍西希锡谢辛休雅亚扬耶伊因英尤约詹扎泽朱佐茨翰治汀琪娅丝黛"
    "瑞苏珊露薇芙格罗夫兹什涅佐迭易芭延佛柔季历华当斐赞奈耐珀茜莲娃萝芮"
    # Uyghur and Kazakh names
    "买提力依热都合木罕汗江吾孜努吐逊不则米牙衣素甫玉排祖尕哈孜别克拜合提塔尔古丽米娜"
    # Tibetan names
    "次仁旦增卓嘎央措达多平桑顿珠索白庆群培强曲贡觉宗"
)
_RUN = re.compile("[" + "".join(sorted(TRANSLITERATION)) + "]+")
_DOTTED = re.compile("[" + DOTS + "]")
MAX_PART = 8  # characters on one side of a dot ("麦麦提吐尔逊" is 6)
# Words whose last character is a transliteration one too: before a name it is no part of it
# (总理罗伯特·马尔登, 经理理查德·…).
_WORDS_BEFORE = frozenset("总理 经理 助理 代理 护理 管理 处理 协理 整理 心理".split())


def dotted_names(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each dotted name: parts of transliteration characters on both sides
    of each dot (the first may be a single character: "拉·甘地"), at least four characters."""
    out: list[tuple[int, int]] = []
    done = 0
    for dot in _DOTTED.finditer(text):
        i = dot.start()
        if i < done or i == 0:
            continue
        start = i
        while start > 0 and text[start - 1] in TRANSLITERATION and i - start < MAX_PART:
            start -= 1
        if start == i or (start > 0 and _is_han(text[start - 1]) and i - start == MAX_PART):
            continue  # nothing before the dot, or a run longer than a name part
        if start > 0 and text[start - 1] == "《":
            continue  # a book or film title (《哈利·波特》)
        if start > 0 and text[start - 1 : start + 1] in _WORDS_BEFORE:
            start += 1
        end = i
        while end + 1 < len(text) and text[end] in DOTS:  # further parts: A·B·C
            m = _RUN.match(text, end + 1)
            if m is None or m.end() - m.start() > MAX_PART:
                break
            end = m.end()
        parts = end - start - text.count(dot.group(), start, end)
        if end == i or parts < 4 or end - i - 1 < 2 or start == i:
            continue
        out.append((start, end))
        done = end
    return out


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"
