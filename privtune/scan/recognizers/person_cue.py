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
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES, ZH_CUE_EXTRA_SURNAMES, ZH_SURNAMES, ZH_TITLES
from privtune.scan.ner.zh_dotted_names import DOTS, dotted_names
from privtune.scan.ner.zh_variants import SIMPLIFIED, TRADITIONAL
from privtune.scan.registry import Recognizer, register

# Words after which a person's name follows directly in service and medical records.
_BEFORE = ("我叫", "我是", "本人", "姓名", "名字是", "收货人", "收件人", "寄件人", "联系人", "机主是", "机主",
           "持卡人", "户主", "患者", "病人", "客户", "乘客", "申请人", "您好",
           # A prescription's dispensing and checking fields ("调配：关谷 核对：陆展博"): their
           # values may be words too ("核对：无误"), so a surname must open the name here.
           "调配：", "調配：", "核对：", "核對：", "复核：", "複核：", "发药：", "發藥：",
           # Claim and health-check forms also write the name after a space ("受检人 司徒雷登").
           "参保人", "參保人", "受检人", "受檢人", "被保险人", "被保險人", "投保人",
           # A company's legal representative (a business licence, 营业执照), a mail's sender, and
           # the labels of a form as OCR reads them letter-spaced ("姓 名 何雪", "收 货 人：马超").
           "法定代表人", "法人代表", "发件人", "發件人", "姓 名", "收 货 人", "收 件 人", "联 系 人",
           # Who to turn to ("有事找仲梓轩，", "请联系王芳。").
           "有事找", "请联系", "請聯繫", "请找", "請找")
# Words that close a name: punctuation, a greeting or an honorific.
_AFTER = r"(?:[，。！？、,.!?:：;；\s)）]|您好|你好|先生|女士|小姐|同学|老师|医生|$)"
_SIMPLIFIED_SURNAMES = ZH_SURNAMES + ZH_CUE_EXTRA_SURNAMES
# Their traditional forms too (陳, 黃, 張 ...): customers in Taiwan or Hong Kong write them so.
_TRADITIONAL_SURNAMES = "".join(
    t for t, s in zip(TRADITIONAL, SIMPLIFIED) if s in _SIMPLIFIED_SURNAMES and t not in "於來時嚮曏倖"  # words first
)
_SURNAME = "(?:" + "|".join(sorted(ZH_COMPOUND_SURNAMES)) + "|[" + _SIMPLIFIED_SURNAMES + _TRADITIONAL_SURNAMES + "])"
_NAME = _SURNAME + r"[\u4e00-\u9fff]{1,2}?"
NAME_PATTERN = _NAME  # (a surname and one or two characters, for other rules' patterns)
# Han characters that do not end a Chinese name but often follow a cue (我是本地…, 客户经理).
_NOT_IN_NAME = set("的了是在有和与及或这那个们里经理服务号码电话手机地址询到")
# Honorifics are not part of the name: 王先生 is a bare surname + title, not tagged (CLUENER).
_TITLES = ("先生", "女士", "小姐", "老师", "医生", "同学")

CUE_BEFORE = re.compile("(?:" + "|".join(map(re.escape, _BEFORE)) + r")[:：]?\s?(" + _NAME + ")(?=" + _AFTER + ")")
# Kinship and proxy words before a relative's name in medical and service records ("家属：儿子欧阳明，
# 电话…", "紧急联系人：妻子刘芳"). Each is also an ordinary word ("妇女儿童", "女儿高烧，"), so it
# counts only where it opens a clause (start, punctuation, a space, 的/其/我/他/她) and the name
# holds none of the words a family history puts there (父亲高血压，母亲糖尿病).
_KIN = ("儿子", "女儿", "丈夫", "妻子", "爱人", "愛人", "父亲", "父親", "母亲", "母親", "老公", "老婆", "儿媳",
        "兒媳", "女婿", "孙子", "孫子", "孙女", "孫女", "外孙", "外孫", "哥哥", "姐姐", "弟弟", "妹妹", "监护人",
        "監護人", "代理人", "委托人", "委託人", "陪同人", "签字人", "簽字人", "兒子")
# Friends and colleagues ("我朋友高峰 (chenjing520)"), and the office roles a customer is sent to
# ("请联系财务何雪", "转给前台沈佳怡，"): the same slot before a name, but these are followed by
# ordinary words as often (前台那边, 财务费用, 经理高兴): a common word there is no name
# (`_common_word`) unless a bracket follows it (a handle or an alias: "高峰 (chenjing520)").
_RELATIONS = (
        "朋友", "同事", "同学", "同學", "室友", "邻居", "鄰居", "闺蜜", "閨蜜", "表哥", "表姐", "表弟", "表妹",
        "助理", "财务", "財務", "客服", "经理", "經理", "前台", "主管", "会计", "會計", "出纳", "出納", "秘书", "秘書",
        "店长", "店長", "司机", "司機", "快递员", "快遞員", "专员", "專員", "坐席", "话务员", "話務員")  # fmt: skip
# Before a kin or role word: a clause's start, or a verb that sends the reader to someone (联系, 找, 转给, 问).
_KIN_OPEN = "，。！？、,.!?:：;；\\s(（的其我他她系找给給问問"
# A name after a kin or role word may also run into 也/都 ("我朋友上官婉也要一份") or the task it
# is given ("转给售后主管蒋欣然处理").
KIN_BEFORE = re.compile(
    "(?:^|(?<=[" + _KIN_OPEN + "]))(?:" + "|".join(_KIN + _RELATIONS) + r")[:：]?\s?(" + _NAME + ")(?=" + _AFTER
    + "|也|都|处理|處理|负责|負責|跟进|跟進|对接|對接)"
)
_KIN_WORD = re.compile("|".join(_KIN + _RELATIONS))
_COMMON_WORD_LOGP = -11.0  # jieba log-frequency: 高兴 -9.3, 那边 -10.4, 师傅 -10.3; 高明 -11.2, 李娜 -11.8, 何雪 none


def _common_word(text: str, start: int, end: int) -> bool:
    """A frequent word of jieba's list, with no bracket after it."""
    if text[end : end + 2].lstrip(" ")[:1] in ("(", "（"):
        return False
    from privtune.scan.ner.zh_unknown_names import get_words  # (loaded by the zh tagger anyway)

    return get_words().logp.get(text[start:end], -99.0) > _COMMON_WORD_LOGP
# Characters of illnesses, states and verbs that follow a kinship word (儿子周末来，母亲已故).
_NOT_IN_KIN_NAME = set("血压糖尿病癌症炎瘤痛烧咳喘亡故逝世体健康患去已早晚未无末来回走说要想没不"
                       # …and the words after an office role (主管单位, 财务部门, 朋友们, 客服电话).
                       "也都位部门們们圈电話话处")
# A name field's whole value after its label and a colon ("姓名：阿不都热合曼", "户名：田中太郎"):
# the value is a name whatever its characters, surname or not (Uyghur, Tibetan and Japanese names
# have none of the surnames `_NAME` knows). Only labels that name a person, and a value that a
# delimiter closes; "unknown" and "see above" are no names.
_NAME_FIELDS = ("姓名", "真实姓名", "真實姓名", "客户姓名", "客戶姓名", "患者姓名", "病人姓名", "联系人", "聯絡人",
                "聯繫人", "收货人", "收貨人", "收件人", "寄件人", "持卡人", "户名", "戶名", "开户名", "開戶名",
                "账户名", "賬戶名", "监护人姓名",
                # Role fields of prescriptions, lab reports, claims, leases and court papers: their
                # value is the person who holds the role (药剂师：何丽, 被保险人：孙悦, 原告：张三丰).
                "医师", "醫師", "药剂师", "藥劑師", "药师", "藥師", "护士", "護士", "审核人", "審核人", "复核人",
                "複核人", "核对人", "核對人", "调配人", "調配人", "发药人", "發藥人", "检验者", "檢驗者", "检验人",
                "檢驗人", "报告人", "報告人", "经办人", "經辦人", "被保险人", "被保險人", "投保人", "受益人", "出险人",
                "出險人", "申请人", "申請人", "承租人", "出租人", "房东", "房東", "业主", "業主", "借款人", "担保人",
                "擔保人", "收款人", "付款人", "原告", "被告", "被告人", "犯罪嫌疑人", "当事人", "當事人", "上诉人", "上訴人", "被上诉人", "被上訴人", "法定代表人",
                "委托代理人", "委託代理人", "诉讼代理人", "訴訟代理人", "班主任", "辅导员", "輔導員", "家长", "家長",
                # Signature fields of a chart (主治医师签名：上官婉儿); a bare 签名 is also a profile's
                # motto (个性签名：…), so only a role's signature counts.
                "医师签名", "醫師簽名", "医生签名", "醫生簽名", "护士签名", "護士簽名", "患者签名", "患者簽名",
                "家属签名", "家屬簽名", "家属签字", "家屬簽字",
                # The insured and examined person of a claim or health check.
                "参保人", "參保人", "受检人", "受檢人", "体检人", "體檢人", "就诊人", "就診人", "送检人", "送檢人",
                # A person's other names and their spouse; remitters and legal representatives.
                "真名", "本名", "曾用名", "现用名", "現用名", "配偶", "汇款人", "匯款人", "法人代表")
NAME_FIELD_VALUE = re.compile(
    "(?:" + "|".join(_NAME_FIELDS) + r")[ \t]*[:：][ \t]*([\u4e00-\u9fff][\u4e00-\u9fff·•]{1,9})"
    r"(?=[\s，。,;；|)）/、]|$)"
)
_NOT_NAME_VALUES = frozenset({"未知", "不详", "不詳", "暂无", "暫無", "无", "見附件", "见附件", "同上", "匿名", "保密",
                              "本人", "先生", "女士", "空", "未填", "未填写", "未提供"})
# An account's holder may be an organisation (户名：深圳市红十字会): it ends in its type.
_NOT_IN_FIELD_NAME = set("的了是在和")
_ORG_ENDS = tuple("会會司局院委部所厂廠店行社校馆館团團府市省县縣区區村镇鎮街路队隊") + ("中心",)
# A surname and a title is a way to address, not a name ("委托代理人：王律师").
_TITLE_ENDS = ("律师", "律師", "医生", "醫生", "先生", "女士", "小姐", "老师", "老師", "同学", "同學", "师傅", "師傅",
               "经理", "經理", "主任", "法官")
# A nickname after 叫 ("孩子叫小明，", "我女儿叫朵朵", "大家都叫他老王"): 小/阿/老 + one character or
# a doubled character, right after a word that makes 叫 "is called" (叫 alone also orders a taxi
# or a meal: 叫车, 叫外卖), and closed by a delimiter. Titles and kinship words of the same shape
# (老师, 小姐, 哥哥) are no nickname.
_JIAO_OPEN = ("我", "他", "她", "孩子", "儿子", "女儿", "兒子", "宝宝", "寶寶", "宝贝", "寶貝", "名字", "小名", "乳名",
              "外号", "外號", "昵称", "暱稱", "都", "就")
NICKNAME_AFTER_JIAO = re.compile(
    "(?:" + "|".join(_JIAO_OPEN) + r")叫[他她]?((?:[小阿老][\u4e00-\u9fff])|([\u4e00-\u9fff])\2)"
    r"(?=[，。！？、,.!?\s)）~～]|$)"
)
_NOT_NICKNAMES = frozenset(
    "老师 老師 老板 老闆 老公 老婆 老人 老家 老大 老二 老三 老乡 老鄉 老爸 老妈 老媽 老爷 老爺 小姐 小孩 小伙 小偷 小号 小號 小票 "
    "小二 小弟 小妹 阿姨 阿婆 阿公 阿伯 阿爸 阿妈 阿媽 哥哥 姐姐 弟弟 妹妹 爸爸 妈妈 媽媽 爷爷 爺爺 奶奶 叔叔 姑姑 舅舅 婆婆 "
    "公公 伯伯 宝宝 寶寶 星星 天天 常常 刚刚 剛剛 渐渐 漸漸 谢谢 謝謝 哈哈 呵呵 嘻嘻 嘿嘿 慢慢 好好 看看 试试 試試 想想 "
    "人人 个个 個個 家家 样样 樣樣 偏偏 往往 明明 仅仅 僅僅 稍稍 悄悄 默默 静静 靜靜 乖乖 狗狗 猫猫 貓貓".split()
)
# A speaker or sender with their unit in brackets before a colon, as minutes, notices and chat
# exports write them ("车天以（华为技术有限公司）：请各位同事…", "王芳（人事部）："): the tagger
# reads the name and the unit as one organisation.
SPEAKER_WITH_AFFILIATION = re.compile(r"(?:^|(?<=[\s，。！？；\n]))(" + _NAME + r")(?=（[^（）\n]{2,20}）：)")
# A greeting after the name: "张婷您好" at the start of a turn or after punctuation; and 收 closing
# a clause after a name, a parcel's or letter's addressee ("…480号，童飞收，"; 王芳收到 has no
# delimiter after 收).
_GREETINGS = ("您好", "你好", "先生", "女士", "收")  # no one's suffix is a prefix of one: no overlaps
_AFTER_GREETING = {"收": r"(?:[，。！？,.!?；;\s)）]|$)"}
GREETING_LOOKAHEAD = "(?=" + "|".join(g + _AFTER_GREETING.get(g, "") for g in _GREETINGS) + ")"
CUE_AFTER = re.compile(r"(?:^|(?<=[，。！？、,.!?\s\n]))(" + _NAME + ")" + GREETING_LOOKAHEAD)
# CUE_AFTER opens with a look-behind, so sre tries it at every position; a match ends where a
# greeting starts and is 2-4 characters long, so it is tried only that far before greetings.
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
    trigger = re.compile("|".join(map(re.escape, _BEFORE + _KIN + _RELATIONS + _NAME_FIELDS)) + "|您好|你好|先生|女士|叫|收|）：")

    def analyze(self, text: str) -> list[Span]:
        spans: dict[tuple[int, int], Span] = {}
        kin = KIN_BEFORE.finditer(text) if _KIN_WORD.search(text) else ()
        if "叫" in text:
            for m in NICKNAME_AFTER_JIAO.finditer(text):
                if m.group(1) not in _NOT_NICKNAMES:
                    spans.setdefault(m.span(1), Span(m.start(1), m.end(1), "PERSON", 0.8, self.name))
        for matches, score in ((CUE_BEFORE.finditer(text), 0.85), (cue_after_matches(text), 0.8), (kin, 0.8)):
            for m in matches:
                start, end = m.span(1)
                given = text[start + 1 : end]
                if not (_NOT_IN_NAME.isdisjoint(given) and not given.startswith(_TITLES)):
                    continue
                if matches is kin and not _NOT_IN_KIN_NAME.isdisjoint(text[start:end]):
                    continue
                if matches is kin and text.startswith(_RELATIONS, m.start()) and _common_word(text, start, end):
                    continue
                spans.setdefault((start, end), Span(start, end, "PERSON", score, self.name))
        if "）：" in text:
            for m in SPEAKER_WITH_AFFILIATION.finditer(text):
                if _NOT_IN_NAME.isdisjoint(text[m.start(1) + 1 : m.end(1)]):
                    spans.setdefault(m.span(1), Span(m.start(1), m.end(1), "PERSON", 0.8, self.name))
        if "：" in text or ":" in text:
            for m in NAME_FIELD_VALUE.finditer(text):
                value = m.group(1)
                if value in _NOT_NAME_VALUES or not _NOT_IN_FIELD_NAME.isdisjoint(value) or value.endswith(_ORG_ENDS + _TITLE_ENDS) or value.startswith(_KIN) or (
                        len(value) > 6 and "·" not in value and "•" not in value):
                    continue
                spans.setdefault(m.span(1), Span(m.start(1), m.end(1), "PERSON", 0.85, self.name))
        return list(spans.values())


# --- Names in news copy: "<title or punctuation> surname + 1-2 characters <title or speech verb>"
# (警备区政委高云江说, ，叶笃正院士表示, 复旦大学伍柏麟教授). The tagger misses such names when
# their characters are rare; the words on *both* sides make them near-certain. On the training
# sentences of the four zh sets 97 % of the matches are gold names (most of the rest unlabelled
# names); a match is still only a candidate: the analyzer prefers the tagger's surer spans.
_TITLE_BEFORE = (
    "总统", "总理", "主席", "委员长", "部长", "书记", "政委", "司令", "司令员", "院长", "校长", "市长", "省长",
    "县长", "局长", "主任", "教授", "院士", "记者", "队长", "经理", "董事长", "总裁", "大使", "将军", "委员",
    "代表", "国务卿", "议长", "首相", "大学", "学院", "医院", "公司", "厂长", "村民", "农民", "工人", "同志",
    "专家", "作家", "导演", "演员", "选手", "教练", "老人", "老汉", "师傅", "医生", "律师", "法官", "检察官",
    "警官", "民警", "干部", "职工", "村长", "支书", "处长", "科长", "所长", "站长", "社长", "行长", "总经理",
    "总编", "主编", "研究员", "工程师", "博士", "先生", "女士",
)  # fmt: skip
# Titles that qualifiers often precede (党委书记, 高级工程师, 管理学博士) are left out on this side.
_CUE_AFTER = (
    "说", "表示", "指出", "认为", "强调", "介绍", "告诉", "透露", "坦言", "解释", "回忆", "感慨", "院士",
    "教授", "总统", "总理", "委员长", "部长", "同志", "烈士", "先生", "女士", "等人", "一行",
    # What only a person does or has: a degree, a birth, property in one's name ("曾健名下的房产").
    "毕业于", "出生于", "名下",
)  # fmt: skip
_OPEN_MARKS = frozenset("，。！？、；：“”‘’\"（）《》,;: \t\n\r\u3000")
_CUE = re.compile("|".join(_CUE_AFTER))
_NEWS_NAME = re.compile(_SURNAME + "[\u4e00-\u9fff]{1,2}")
# Shortest and longest name: a one-character surname + 1, a compound surname + 2.
_NEWS_WIDTHS = (4, 3, 2)  # longest first: the leftmost start, as a regex scan would take


def _news_candidates(text: str) -> list[tuple[int, int]]:
    """(start, end) of each "opener + surname + 1-2 characters" right before a cue: found from
    the cues backwards (a lookbehind regex tried at every position cost ~10x more)."""
    out: list[tuple[int, int]] = []
    done = 0
    for m in _CUE.finditer(text):
        end = m.start()
        for width in _NEWS_WIDTHS:
            start = end - width
            if start < done or _NEWS_NAME.fullmatch(text, start, end) is None:
                continue
            if start == 0 or text[start - 1] in _OPEN_MARKS or text.endswith(_TITLE_BEFORE, 0, start):
                out.append((start, end))
                done = end
                break
    return out


# Characters no given name holds in this slot: function words and the heads of organisation
# and place words (党委|书记, 国务院|总理, 金融系|教授), and words a surname character begins
# (应该说, 明确表示, 简单说).
_NOT_IN_GIVEN = set("的了是在有和与及或这那个们里地得着过也都就还又再自已曾将被把对向从等所其之而为以于并且但却"
                    "更最很该确据套级委党部局系院会司处科组队省市县区镇村业界网行前后年月日时老当")  # fmt: skip
_NOT_GIVEN_END = ("学", "小", "外")
_NOT_NAMES = frozenset({"应该", "简单", "明确", "官方", "官网", "银行", "包括", "曾经", "高级", "公开", "纷纷"})
_ROLE_WORDS = tuple(ZH_TITLES) + ("局长", "处长", "科长", "所长", "厅长", "行长", "村长", "组长", "秘书", "总")


def news_cue_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each news-cue candidate that passes the word checks."""
    out = []
    for start, end in _news_candidates(text):
        name = text[start:end]
        given = name[2:] if name[:2] in ZH_COMPOUND_SURNAMES else name[1:]
        if (
            not given
            or not _NOT_IN_GIVEN.isdisjoint(given)
            or given.endswith(_NOT_GIVEN_END)
            or given.startswith(_ROLE_WORDS)
            or given.endswith(_ROLE_WORDS)
            or given[0] == name[0]  # 常常说: a doubled character is a word
            or name in _NOT_NAMES
        ):
            continue
        out.append((start, end))
    return out


@register
class ZhPersonNewsCueRecognizer(Recognizer):
    """Chinese names between a title or punctuation and a title or speech verb (news copy)."""

    name = "zh_person_news_cue"
    entity_types = ("PERSON",)
    trigger = re.compile("|".join(_CUE_AFTER))

    def analyze(self, text: str) -> list[Span]:
        return [Span(s, e, "PERSON", 0.6, self.name) for s, e in news_cue_names(text)]


DOTTED_SCORE = 0.7  # over the default threshold, under the tagger's sure names (it wins where both are)


@register
class ZhDottedNameRecognizer(Recognizer):
    """Minority and transliterated names written with a middle dot (买买提·艾力, `ner.zh_dotted_names`)."""

    name = "zh_person_dotted"
    entity_types = ("PERSON",)
    trigger = re.compile("[" + DOTS + "]")

    def analyze(self, text: str) -> list[Span]:
        return [Span(s, e, "PERSON", DOTTED_SCORE, self.name) for s, e in dotted_names(text)]
