"""Names that a title or a news verb points at, in Chinese news copy (内务部长斯捷帕申是,
美国前总统尼克松在, 判处辛业江有期徒刑, 库马拉通加总统对).

The CRF misses such names when their characters are rare (transliterated names, 恽代英) and
often reads "<country> + title + name" as one organisation (美国前总统尼克松 -> ORG). The title
makes the next words a name in news style, so these rules take:

* after an opener (a person's title or office, or a verb whose object is a person: 会见,
  判处 ...): a run of transliteration characters (≥ 2, parts joined by "·"), or a surname + one
  or two given-name characters; in both cases a boundary must follow (punctuation, a digit, a
  function word or speech verb), so a run that stops inside a longer word is dropped;
* before a foreign leader's title (总统, 首相, 夫人 ...): a run of transliteration characters.

Country and city names are transliterated too (俄罗斯总统): runs that are one are never names.
The lists are general knowledge of Chinese news style and transliteration, not read off a
corpus; benchmarks/RESULTS.md ("round 3") has their precision on the zh training sets.
"""

from __future__ import annotations

import re

from privtune.scan.alternation import factor_alternation
from privtune.scan.entities import Span
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES, ZH_CUE_EXTRA_SURNAMES, ZH_SURNAMES

# Characters of the standard transliteration tables (Xinhua's 译音表 for the major languages)
# beside the CRF's smaller class (lexicon.ZH_TRANSLIT); function words (的 在 和 ...) are
# left out even where a table has them.
TRANSLIT = frozenset(
    "阿埃艾爱安昂奥巴拜班邦保鲍贝本比彼毕宾波伯勃博布查察达戴丹道德登迪蒂丁杜多厄恩尔法凡菲费芬弗福富"
    "盖甘冈戈格根贡古瓜圭哈海汉豪赫亨胡霍基吉加贾捷杰金卡凯坎康考柯科克肯库夸奎昆拉莱赖兰朗劳勒雷"
    "黎里利莉丽列林琳留卢鲁路伦罗洛马玛迈麦曼芒梅门蒙米密缪摩莫默姆穆纳娜奈内尼妮涅宁纽努诺帕潘庞"
    "佩皮珀普齐奇恰乔琼丘萨塞赛桑瑟森沙莎舍申什施史舒斯松苏索塔泰坦汤唐特滕提图托瓦万旺威韦维温沃"
    "乌伍西希锡席夏谢辛休雅亚扬耶伊因尤约泽扎詹兹佐钦茨契柴娅娃黛琪丝蕾薇芙茜夫斐佳瑞嘉欧叶俄英通芭地"
)
NAME_DOTS = frozenset("·・•‧")

# Countries, regions and cities written in transliteration characters: a run that is one of
# them, or ends with one, is a place (俄罗斯总统, 访问巴西) even in a name's slot.
PLACES = frozenset(
    "俄罗斯 白俄罗斯 阿根廷 巴西 意大利 西班牙 葡萄牙 澳大利亚 新西兰 以色列 巴勒斯坦 伊拉克 伊朗 叙利亚 埃及 利比亚 "
    "阿尔及利亚 突尼斯 摩洛哥 印度尼西亚 马来西亚 菲律宾 新加坡 柬埔寨 老挝 缅甸 孟加拉 巴基斯坦 阿富汗 哈萨克斯坦 "
    "乌兹别克斯坦 土库曼斯坦 吉尔吉斯斯坦 塔吉克斯坦 吉尔吉斯 乌克兰 格鲁吉亚 亚美尼亚 阿塞拜疆 波兰 捷克 斯洛伐克 "
    "匈牙利 罗马尼亚 保加利亚 塞尔维亚 克罗地亚 斯洛文尼亚 波黑 阿尔巴尼亚 马其顿 希腊 土耳其 塞浦路斯 奥地利 瑞士 "
    "比利时 荷兰 卢森堡 丹麦 挪威 瑞典 芬兰 冰岛 爱尔兰 加拿大 墨西哥 古巴 委内瑞拉 哥伦比亚 秘鲁 智利 玻利维亚 "
    "厄瓜多尔 巴拉圭 乌拉圭 尼加拉瓜 危地马拉 洪都拉斯 萨尔瓦多 哥斯达黎加 巴拿马 海地 牙买加 多米尼加 南非 "
    "尼日利亚 肯尼亚 埃塞俄比亚 索马里 苏丹 乌干达 坦桑尼亚 津巴布韦 赞比亚 安哥拉 莫桑比克 纳米比亚 博茨瓦纳 加纳 "
    "塞内加尔 马里 喀麦隆 刚果 卢旺达 布隆迪 沙特 阿联酋 卡塔尔 科威特 巴林 阿曼 也门 约旦 黎巴嫩 蒙古 朝鲜 "
    "尼泊尔 斯里兰卡 马尔代夫 文莱 东帝汶 斐济 汤加 萨摩亚 瑙鲁 图瓦卢 基里巴斯 马绍尔 帕劳 密克罗尼西亚 "
    "毛里求斯 毛里塔尼亚 马达加斯加 塞舌尔 科摩罗 吉布提 厄立特里亚 尼日尔 乍得 贝宁 多哥 加蓬 几内亚 利比里亚 "
    "塞拉利昂 冈比亚 佛得角 圣多美 布基纳法索 莱索托 斯威士兰 马拉维 苏里南 圭亚那 伯利兹 格林纳达 巴巴多斯 "
    "特立尼达 多巴哥 巴哈马 安提瓜 巴布达 圣卢西亚 摩尔多瓦 拉脱维亚 立陶宛 爱沙尼亚 马耳他 摩纳哥 安道尔 梵蒂冈 "
    "列支敦士登 圣马力诺 黑山 科索沃 车臣 达吉斯坦 鞑靼斯坦 巴斯克 加泰罗尼亚 苏格兰 威尔士 北爱尔兰 克什米尔 "
    "华盛顿 纽约 莫斯科 伦敦 巴黎 柏林 罗马 马德里 里斯本 维也纳 布鲁塞尔 日内瓦 苏黎世 阿姆斯特丹 斯德哥尔摩 "
    "奥斯陆 赫尔辛基 哥本哈根 华沙 布拉格 布达佩斯 雅典 伊斯坦布尔 安卡拉 开罗 德黑兰 巴格达 大马士革 贝鲁特 "
    "耶路撒冷 特拉维夫 加沙 利雅得 迪拜 伊斯兰堡 卡拉奇 孟买 加尔各答 达卡 加德满都 科伦坡 曼谷 仰光 河内 金边 "
    "万象 马尼拉 雅加达 吉隆坡 悉尼 墨尔本 堪培拉 惠灵顿 奥克兰 温哥华 多伦多 渥太华 蒙特利尔 芝加哥 洛杉矶 "
    "旧金山 休斯敦 波士顿 费城 底特律 迈阿密 亚特兰大 西雅图 达拉斯 丹佛 拉斯维加斯 夏威夷 阿拉斯加 加利福尼亚 "
    "得克萨斯 佛罗里达 哈瓦那 墨西哥城 利马 圣地亚哥 布宜诺斯艾利斯 里约热内卢 圣保罗 巴西利亚 加拉加斯 波哥大 "
    "内罗毕 约翰内斯堡 开普敦 比勒陀利亚 拉各斯 阿布贾 亚的斯亚贝巴 喀布尔 塔什干 阿拉木图 阿斯塔纳 比什凯克 "
    "杜尚别 阿什哈巴德 第比利斯 埃里温 巴库 基辅 明斯克 圣彼得堡 索契 海参崴 伯尔尼 达沃斯 杜塞尔多夫 法兰克福 "
    "慕尼黑 汉堡 科隆 米兰 威尼斯 佛罗伦萨 那不勒斯 马赛 里昂 尼斯 戛纳 巴塞罗那 曼彻斯特 利物浦 伯明翰 爱丁堡 "
    "亚洲 非洲 欧洲 美洲 大洋洲 拉美 中东 海湾 巴尔干 高加索 西伯利亚 北约 欧盟 东盟 阿拉伯 伊斯兰 哈马斯 波斯".split()
)  # fmt: skip

# Offices before a name (内务部长|斯捷帕申, 军长|叶挺, 美国前总统|尼克松): in news copy "office +
# name" is the convention, so both a transliterated and a Chinese name are taken after them.
OFFICE_TITLES = (
    "总统", "总理", "首相", "外长", "外交部长", "部长", "大臣", "国务卿", "议长", "主席", "总书记", "书记",
    "大使", "特使", "秘书长", "总干事", "元帅", "司令", "司令员", "总参谋长", "参谋长", "发言人", "总裁",
    "董事长", "总经理", "市长", "州长", "省长", "委员长", "军长", "师长", "行长", "院长", "校长", "局长", "厅长",
    "县长", "村长", "主任", "记者", "政委", "院士", "队长", "总督", "侨领",
)  # fmt: skip
# Other titles before a name: often the subject of a verb instead (专家计算出, 选手都), so only a
# transliterated name is taken after them (主教练|菲尔·布朗).
FOREIGN_ONLY_TITLES = (
    "国王", "女王", "王子", "亲王", "公主", "天皇", "主教", "将军", "主教练", "教练", "主帅", "球星", "选手",
    "作家", "诗人", "画家", "演员", "歌星", "歌手", "导演", "博士", "教授", "先生", "女士", "夫人", "学者",
    "专家", "候选人", "运动员", "冠军", "科学家", "企业家", "艺术家", "领导人",
)  # fmt: skip
# Verbs whose object in news copy is a person (会见|…, 判处|辛业江).
OPENER_VERBS = (
    "会见", "接见", "会晤", "判处", "任命", "授予", "悼念", "看望", "慰问", "接待", "陪同", "宴请", "拜会", "拜访",
    "致电", "致函", "委任", "逮捕", "缅怀", "吊唁",
)  # fmt: skip
# Foreign leaders' titles after a transliterated name (库马拉通加|总统); place names precede
# them as often, hence the place check.
AFTER_TITLES = ("总统", "总理", "首相", "外长", "国王", "女王", "亲王", "王子", "公主", "将军", "元帅", "先生",
                "女士", "夫人", "博士", "教授", "一行", "等人", "议长", "主教")  # fmt: skip

# What may follow a name: punctuation, digits, the function words and speech verbs that do not
# also end given names (在 是 说 等 的 ...), and FOLLOW_WORDS.
_BOUNDARY_CHARS = frozenset(
    "，。！？、；：“”‘’\"（）《》〈〉【】,.;:!?()[] \t\n\r\u3000·"
    "0123456789０１２３４５６７８９"
    "说在是等和与及也还就又曾今昨日的对向从为将已把被给于以到并而再都所这那有没不均亦则此"
)  # fmt: skip
FOLLOW_WORDS = (
    "表示", "指出", "认为", "强调", "介绍", "谈到", "透露", "称", "一行", "同志", "先生", "女士", "夫人", "报道",
    "主持", "出席", "会见", "前往", "率领", "致辞", "讲话", "发言",
)  # fmt: skip
# Characters that are no given-name character in this slot: function words, numerals, time
# words and the heads of words that follow titles (书记处, 部长级, 主席团, 总统府, 大使馆, 记者报道).
NOT_GIVEN = frozenset(
    "说在是等和与及也还就又曾今昨日的对向从为将已把被给于以到并而再都所这那有没不均亦则此了地得着过"
    "一二三四五六七八九十百千万年月时期周晚早午夜"
    "级团府馆处体们人员国家党政军委部局厅司院校所队组会议室办公官方面报总否做先"
)  # fmt: skip
# Surnames that also begin common words right after a title (和, 都, 时, 成立, 解读, 计算 ...):
# never taken by these rules.
_WORDISH_SURNAMES = frozenset("和都时向成解强计原宣封管单全相应曾于将文明高万满商任申来")
SURNAMES = frozenset(ZH_SURNAMES + ZH_CUE_EXTRA_SURNAMES) - _WORDISH_SURNAMES
_NOT_NAMES = frozenset({"特别", "特使", "特派", "夫人", "候选", "助理", "顾问", "办公"})

# Openers, longest first, each with whether a Chinese name may follow it. A plain regex
# alternation of the ~100 words was tried at every position (~10 µs a sentence), and then a
# search for their first characters with a two-character lookup in Python; grouped by first
# character (`factor_alternation`) the alternation runs in C between the candidate places.
_OPENER_WORDS = sorted(OFFICE_TITLES + OPENER_VERBS + FOREIGN_ONLY_TITLES, key=len, reverse=True)
_CHINESE_AFTER = {w: w not in FOREIGN_ONLY_TITLES for w in _OPENER_WORDS}
_OPENER = re.compile(f"({factor_alternation('|'.join(_OPENER_WORDS))})了?")  # (no word has a regex character)
_AFTER = re.compile("|".join(AFTER_TITLES))
# Statement verbs after a foreign name that opens a clause (为此，穆萨|敦促以色列, 这年4月，伯奇费尔|郑重地):
# the subject of a news clause. The CRF finds most such names; the ones it misses it reads into
# a place or organisation that runs on over the verb (穆萨敦促以色列 -> ADDRESS), and only those
# spans are looked at (a scan of every text for the verbs cost ~1-2 µs per demo record). On the
# zh training and dev sets, clause-opening transliteration runs before these verbs are 13 names
# the CRF finds, the 2 above that it misses, and no other word (benchmarks/RESULTS.md, round 7).
STATEMENT_VERBS = ("表示", "指出", "认为", "强调", "透露", "敦促", "呼吁", "宣布", "承认", "警告", "重申", "郑重",
                   "声称", "说", "称")  # fmt: skip
_CLAUSE_OPENERS = frozenset("，。！？；：“（,;:!?(\n")


def _openers(text: str) -> list[tuple[int, bool]]:
    """(end, Chinese name allowed) of each opener, leftmost-longest and non-overlapping (as
    ``re.finditer`` over the alternation of the words); a 了 right after is part of it."""
    return [(m.end(), _CHINESE_AFTER[m.group(1)]) for m in _OPENER.finditer(text)]


def _translit_end(text: str, pos: int) -> int:
    """End of the run of transliteration characters from ``pos`` (parts joined by a name dot)."""
    end, n = pos, len(text)
    while end < n:
        if text[end] in TRANSLIT:
            end += 1
        elif text[end] in NAME_DOTS and end > pos and end + 1 < n and text[end + 1] in TRANSLIT:
            end += 1
        else:
            break
    return end


def _bounded(text: str, end: int) -> bool:
    return end >= len(text) or text[end] in _BOUNDARY_CHARS or text.startswith(FOLLOW_WORDS, end)


def _ends_with_place(run: str) -> bool:
    return any(run[k:] in PLACES for k in range(len(run) - 1))


def _place_prefix(run: str) -> int:
    """Length of the longest place name that ``run`` starts with (俄罗斯|叶利钦总统), 0 if none."""
    return max((k for k in range(2, len(run) + 1) if run[:k] in PLACES), default=0)


def _is_name_run(run: str) -> bool:
    return sum(c not in NAME_DOTS for c in run) >= 2 and run not in _NOT_NAMES and not _ends_with_place(run)


def _foreign_after(text: str, pos: int) -> int | None:
    end = _translit_end(text, pos)
    if not _bounded(text, end) or _place_prefix(text[pos:end]) or not _is_name_run(text[pos:end]):
        return None
    return end


def _chinese_after(text: str, pos: int) -> int | None:
    if text[pos : pos + 2] in ZH_COMPOUND_SURNAMES:
        given_at = pos + 2
    elif text[pos] in SURNAMES:
        given_at = pos + 1
    else:
        return None
    for width in (2, 1):
        end = given_at + width
        given = text[given_at:end]
        if len(given) == width and all("\u4e00" <= c <= "\u9fff" and c not in NOT_GIVEN for c in given):
            if _bounded(text, end) and text[pos:end] not in _NOT_NAMES:
                return end
    return None


def title_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each name right after an opener or right before a foreign title."""
    out: list[tuple[int, int]] = []
    for pos, chinese in _openers(text):
        if pos >= len(text):
            continue
        end = _foreign_after(text, pos)
        if end is None and chinese:  # an office or a verb: a Chinese name too
            end = _chinese_after(text, pos)
        if end is not None:
            out.append((pos, end))
    for m in _AFTER.finditer(text):
        end = m.start()
        start = end
        while start > 0 and (text[start - 1] in TRANSLIT or (text[start - 1] in NAME_DOTS and start - 1 > 0)):
            start -= 1
        if start > 0 and text[start - 1] not in _BOUNDARY_CHARS and text[start - 1] != "了":
            continue  # the run starts inside a word (俄|罗斯总统, 若|斯潘总理)
        start += _place_prefix(text[start:end])
        while start < end and text[start] in NAME_DOTS:
            start += 1
        if _is_name_run(text[start:end]):
            out.append((start, end))
    out.sort()
    kept: list[tuple[int, int]] = []
    for s, e in out:  # one span per place: the first, as matches cannot nest usefully
        if not kept or s >= kept[-1][1]:
            kept.append((s, e))
    return kept


def subject_names(text: str, spans: list[Span]) -> list[tuple[int, int]]:
    """(start, end) of the foreign names that open a clause before a statement verb, inside the
    CRF's place or organisation ``spans`` that swallowed them (see STATEMENT_VERBS)."""
    out = []
    for span in spans:
        start, stop = span.start, span.end
        if span.type == "PERSON" or (start > 0 and text[start - 1] not in _CLAUSE_OPENERS):
            continue
        end = start
        while end < stop and text[end] in TRANSLIT:
            end += 1
        if end - start >= 2 and end < stop and text.startswith(STATEMENT_VERBS, end):
            run = text[start:end]
            if _is_name_run(run) and not _place_prefix(run):
                out.append((start, end))
    return out

