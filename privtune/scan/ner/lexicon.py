"""Word lists behind the name/place features and the rule-based English recognizers.

Chinese lists are small constants (facts about Chinese names; no training data involved).
English lists are package data (``en_lexicon.json``) written by ``tools/train_ner.py`` from
Faker's ``en_US`` providers (first/last names from US census-derived lists, USPS street
suffixes, state codes) and loaded once per process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The ~320 most common Chinese surnames (single character), most frequent first.
ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁蒋余叶杜苏程吕"
    "魏丁沈任钟姚卢傅姜崔谭廖范汪陆金石戴贾夏邱韦方侯邹孟熊秦白江阎薛尹雷段鞠黎史贺龙陶邵毛郝顾"
    "龚钱万严赖覃洪莫武汤孔向温常康牛施葛樊文邢安易伍庞乔齐聂章庄倪颜耿殷鲁岳詹欧翟申焦兰关左俞"
    "柳甘祝包宁阮舒符尚柯纪梅童毕凌季单裴谷苗霍涂成曲盛冉骆翁蓝路游辛靳管柴蒙鲍祁喻华蒲房滕饶屈"
    "牟解艾尤时阳穆农司卓项车连简吉古缪芦褚麦娄戚窦景费宫岑党晏卜冷席卫米柏宗佟全瞿桂应姬邬边苟"
    "卞闵臧和师刁隋仇商沙栾荣巫寇桑郎丛仲甄敖虞巩明查池佘麻苑邝迟谈匡官封荆惠乐储班郁胥冀南原燕"
    "栗楚鄢劳谌楼冼皮粟蔺盘奚闻厉满伊位阚郜区海花仝禹廉练强权盖屠帅朴豆卿支丰狄国巴祖漆井平容计"
    "相初云索宣门晋都薄敬芮鹿伏阙来戈普邸浦晁扈雍亓羊母裘赫辜邰乌修阿杭况宿那鲜印逯茹隆诸战慕玉"
    "闫"
)

# Real surnames missing above (于 is among the ~40 most common). Used only by the cue rule
# (收货人X, 我是X): ZH_SURNAMES also defines the CRF's "surname" feature class, which a new
# character would silently change for the shipped model. Characters that are mostly ordinary
# words (但, 由, 利, 信, 元, 公, 干, 斯) are left out even so.
ZH_CUE_EXTRA_SURNAMES = "于戎嵇湛昝茅檀亢勾衡尧奉宾居揭束展阴幸危银哈植尉衣恽郦邴逄庹缑郄隗禤蒯"

# Two-character surnames; the tagger's spans are widened to include them when it starts late.
ZH_COMPOUND_SURNAMES: frozenset[str] = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 独孤 南宫 西门 "
    "百里 呼延 万俟 澹台 公冶 太史 申屠 钟离 闻人 赫连 濮阳 司空 左丘 东郭 拓跋 完颜 第五".split()
)

# Characters typical of transliterated foreign names (斯, 尔, 克 ... as in 布鲁克斯, 贝克汉姆).
ZH_TRANSLIT = (
    "斯克尔拉里德尼特卡贝科布希奥托雷夫维蒂纳埃利基加莱巴格鲁多萨迪恩森洛博杰沃瓦奇弗佩肖西诺塔勒"
    "波吉耶塞兰顿普扬内伯比梅扎朗因列伦威凯迈菲琼廉姆泰彼逊泽摩乔曼达帝伊雅哈霍丹亨汉娜莉丝琳蒙"
)

# Characters common in Chinese given names (general knowledge of naming, not read off any
# corpus), without the commonest words' characters (小 子 明 国 ...), which are names far less
# often than not. A CRF feature class: changing it needs retraining. Surnames and
# transliteration characters keep their own class.
ZH_GIVEN_CHARS = (
    "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛超霞刚桂英华玉兰萍红珍荣云凤梅庆燕丹洁婷雪琳颖慧倩欣"
    "怡佳晶鹏斌宇浩凯健俊帆帅旭宁龙波峰毅鑫晨昊轩涵萱梓睿泽思嘉琪瑶晓婉莹璐露蓉琴菊淑惠珠"
    "翠桃香玲娥芝秋冬宏振亮辉彬栋楠烨昕悦妍茜薇蕾芸彤琦璇菲琼瑜璋瑾瑞祥禄祺禧翔蓓馨骏钰"
    "锦铭锋煜炜焕熙琛婕姝嫣媛婧娴婵妮珊瑛岚巍崇嵘昭晖晗晟暄曦朗彦弘泓浚淼渊滢澜灏卿"
    "倪纯聪敬斐攀桐梁桦楷榕槐樱毓沁沛泉洪涌淳渝湘潇澄炎烁焱熠燊珂琨琬瑄璟甄畅皓盈祯秉"
    "竣笙筠箐纬绮缘羽翊耀聿舜芊芮苓茵荔莎菁萌蓁蔚蕊薏虹蝶裕誉贞赟轶辰迪逸邦郁钧铮锐镇"
    "阳隽雁雯霏霖霓靖韬韵颂飒飘馥驰骁魁鸣鸿麒黛"
)

# First characters of the titles and speech verbs that follow a name in news and chat
# (院士 教授 总统 委员长 说 表示 ...): a class, so that "surname + two characters + cue" is one
# pattern whichever cue follows. A CRF feature class: changing it needs retraining.
ZH_CUE_CHARS = "说表称讲道院教授总统委席书记部局令政先女士同副烈议省市县队经老律医"

# Forms of address and titles that follow a name. CLUENER leaves them outside the name span
# (周东权先生 -> 周东权) and does not tag a bare surname with one (王先生, 李总) at all.
ZH_TITLES = (
    "先生", "女士", "小姐", "老师", "同学", "师傅", "医生", "大夫", "护士", "经理", "总", "阿姨",
    "叔叔", "大爷", "大妈", "老板", "博士", "教授", "书记", "主任", "局长", "院长", "校长", "部长",
    "市长", "省长", "县长", "队长", "总裁", "董事长", "律师", "记者", "警官",
    # titles of news text (马骏烈士, 叶笃正院士, 库马拉通加总统)
    "院士", "总统", "总理", "主席", "委员长", "委员", "烈士", "同志", "政委", "大使", "议员", "将军",
)  # fmt: skip

# Words that follow a name and start with a character a name may end with. A PERSON span that
# ends with the first character(s) of one of them, when the rest follows right after it, loses
# those characters (李鹏委|员长 -> 李鹏, 李昕那|种 -> 李昕): the CRF reads one character too far.
# A talking verb with its aspect particle (和邹晨聊|了一下, 李鹏说|了): no name ends in 聊 说 谈 讲
# 问 before 了 / 过 / 着 on the zh sets (benchmarks/RESULTS.md, zh-social9).
_TALK_FOLLOWERS = tuple(v + a for v in "聊说谈讲问" for a in "了过着")
ZH_NAME_FOLLOWERS = ZH_TITLES + ("那种", "那样", "这种", "这样", "等人", "一行") + _TALK_FOLLOWERS


@dataclass(frozen=True)
class EnLexicon:
    """English name and address vocabularies (title-cased, except ``states``: upper-case codes)."""

    first_names: frozenset[str]
    last_names: frozenset[str]
    street_suffixes: frozenset[str]
    states: frozenset[str]


LEXICON_PATH = Path(__file__).with_name("en_lexicon.json")

# Faker locales whose names neither the English lexicon nor the English CRF's generated training
# sentences use, so that benchmarks/ner_eval.py can measure names they have never seen
# ("intl_en.unseen").
HELD_OUT_NAME_LOCALES: tuple[str, ...] = ("hr_HR", "sk_SK", "sl_SI", "tr_TR", "id_ID", "ro_RO")


@lru_cache(maxsize=1)
def en_lexicon() -> EnLexicon:
    """The English lexicon shipped with the package (read once per process)."""
    data = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    return EnLexicon(
        first_names=frozenset(data["first_names"]),
        last_names=frozenset(data["last_names"]),
        street_suffixes=frozenset(data["street_suffixes"]),
        states=frozenset(data["states"]),
    )


# Roles, ranks, kinship and honorifics written before a name ("Senator", "Coach", "Uncle").
ROLES_BEFORE_NAMES = frozenset(
    "President Senator Governor Mayor Minister Chancellor Secretary Chairman Chairwoman Chair "
    "Coach Captain Capt General Gen Colonel Col Major Lieutenant Lt Sergeant Sgt Officer "
    "Detective Det Inspector Constable Judge Justice Attorney Counsel King Queen Prince Princess "
    "Lord Lady Duke Duchess Emperor Pope Saint St Father Fr Sister Brother Mother Uncle Aunt "
    "Auntie Grandma Grandpa Granny Mom Mum Dad Cousin Rev Reverend Pastor Bishop Rabbi Imam "
    "Professor Doctor Nurse Principal Director Manager Supervisor Editor Author Artist Singer "
    "Actor Actress Player Striker Goalkeeper Rep Representative Sen Gov Pres Ambassador Chef "
    "Cardinal Deputy Vice Chief CEO CFO CTO COO Founder Owner Member Candidate Speaker Host "
    "Presenter Reporter Correspondent Analyst Spokesman Spokeswoman Spokesperson "
    # Care and service roles of clinical notes and tickets ("Nurse Practitioner Kofi Boateng-Asante").
    "Practitioner Physician Surgeon Assistant Therapist Physiotherapist Midwife Paramedic Pharmacist "
    "Dentist Dietitian Technician Technologist Resident Intern Attending Consultant Specialist "
    "Counselor Counsellor Caseworker Coordinator Administrator Receptionist Clerk Agent Advisor "
    "Adviser Officer Caregiver Carer Psychiatrist Psychologist Radiologist Cardiologist".split()
)
