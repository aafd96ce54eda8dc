"""Surrogates for people and organisations.

People are mapped part by part: the surname through HMAC(key, surname), the given/first name
through HMAC(key, given name). So "张伟", "张先生" and "老张" all get the same fake surname, and
"John Smith" / "Mr. Smith" stay one person after replacement, which keeps the cleaned text
coherent for training. The price is that equal surnames stay visibly equal (as in the source).
"""

from __future__ import annotations

import functools
import random
import re

from privtune.scan.anonymize._common import _CJK_RUNS, SurrogateContext, is_cjk, match_case, random_like
from privtune.scan.anonymize._data import (
    CN_COMPOUND_SURNAMES,
    CN_TRANSLIT_CHARS,
    cn_company_chars,
    cn_given_chars,
    cn_regions,
    cn_single_surnames,
    en_first_name_sets,
    en_first_names,
    en_last_names,
    pick,
)

_CN_HONORIFICS = tuple(
    sorted(
        ("先生 女士 小姐 太太 夫人 老师 医生 大夫 护士 律师 经理 主任 教授 博士 同学 阿姨 叔叔 师傅 老板 总 工 "
         # The detectors' other titles (privtune.scan.ner.lexicon.ZH_TITLES): "宋院长" became a
         # full made-up name without its title.
         "院长 大爷 大妈 书记 局长 校长 部长 市长 省长 县长 队长 总裁 董事长 记者 警官 院士 总统 总理 主席 "
         "委员长 委员 政委 大使 议员 将军").split(),
        key=len,
        reverse=True,
    )
)
_CN_FAMILIAR_PREFIXES = "老小阿"  # 老王, 小李, 阿强
_CN_COMMON_SURNAMES = 100  # the top 100 cover most of the population; rarer ones look odd
_EN_TITLES: dict[str, str | None] = {
    "mr": "male",
    "mrs": "female",
    "ms": "female",
    "miss": "female",
    "mx": None,
    "dr": None,
    "prof": None,
    "sir": "male",
    "madam": "female",
    "dame": "female",
    "lady": "female",
    "lord": "male",
    "rev": None,
    "fr": None,
    "sr": None,
    "herr": "male", "frau": "female", "mme": "female", "mlle": "female", "monsieur": "male",
    "madame": "female", "sra": "female", "srta": "female", "señor": "male", "señora": "female",
    "signor": "male", "signora": "female", "sig": "male", "dhr": "male", "mevr": "female",
}
_EN_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "dds"})
_WORD = re.compile(r"[^\s,]+")


# --- people -----------------------------------------------------------------------------------
# A name part's surrogate is a pure function of (part, context): the context holds the key's
# keyed RNG factory, so equal contexts mean the same key and format. Parts recur across records
# far more than whole names (surnames, common first names), so the part functions keep the last
# PART_CACHE results each: a hit skips the keyed digest and the draws, never changes a result.
PART_CACHE = 4096
_part_cache = functools.lru_cache(maxsize=PART_CACHE)


@_part_cache
def _cn_surname(sur: str, ctx: SurrogateContext) -> str:
    rng = ctx.rng_for("PERSON/cn-surname", sur)
    if len(sur) == 2:
        return pick(rng, CN_COMPOUND_SURNAMES, avoid=sur)
    return pick(rng, cn_single_surnames()[:_CN_COMMON_SURNAMES], avoid=sur)


def cn_given(given: str, ctx: SurrogateContext) -> str:
    """The surrogate of a Chinese given name, as used inside a full name's surrogate."""
    return _cn_given(given, ctx)


@_part_cache
def _cn_given(given: str, ctx: SurrogateContext) -> str:
    rng = ctx.rng_for("PERSON/cn-given", given)
    pool = cn_given_chars()
    new = given
    for _ in range(8):
        new = "".join(rng.choice(pool) for _ in given)
        if new != given:
            break
    return new


def _translit(part: str, ctx: SurrogateContext) -> str:
    rng = ctx.rng_for("PERSON/cn-translit", part)
    return "".join(pick(rng, CN_TRANSLIT_CHARS, avoid=c) for c in part)


def _cn_person(value: str, ctx: SurrogateContext) -> str:
    core, prefix, suffix = value, "", ""
    for h in _CN_HONORIFICS:
        if core.endswith(h) and len(core) > len(h):
            core, suffix = core[: -len(h)], h
            break
    if not suffix and len(core) == 2 and core[0] in _CN_FAMILIAR_PREFIXES:
        prefix, core = core[0], core[1:]
    if not core or not all(is_cjk(c) for c in core):
        # Transliterated names ("约翰·史密斯") or mixed script: re-draw each CJK run, keep "·".
        return re.sub(r"[\u3400-\u9fff]+", lambda m: _translit(m.group(), ctx), value)
    # A compound surname alone ("欧阳" of "欧阳女士", the honorific outside the span) is a
    # surname, not 欧 + given name 阳: it must map as the full name's surname does.
    sur_len = 2 if len(core) >= 2 and core[:2] in CN_COMPOUND_SURNAMES else 1
    sur, given = core[:sur_len], core[sur_len:]
    return prefix + _cn_surname(sur, ctx) + (_cn_given(given, ctx) if given else "") + suffix


@_part_cache
def _en_first(word: str, gender: str | None, ctx: SurrogateContext) -> str:
    rng = ctx.rng_for("PERSON/en-first", word.lower())
    if gender is None:
        male, female = en_first_name_sets()
        in_m, in_f = word.lower() in male, word.lower() in female
        gender = "male" if in_m and not in_f else "female" if in_f and not in_m else None
    if gender is None:
        gender = rng.choice(("male", "female"))
    return pick(rng, en_first_names(gender), avoid=word.title())


def en_given(word: str, ctx: SurrogateContext) -> str:
    """The surrogate of an English given name ``word`` as used inside a full name's surrogate
    (without a title), so "Helga" alone after "Helga Björk" stays consistent with it."""
    return match_case(word, _en_first(word, None, ctx))


@_part_cache
def _en_last(word: str, ctx: SurrogateContext) -> str:
    # Hyphenated ("Smith-Jones") and apostrophe ("O'Brien") names: each part maps on its own.
    return re.sub(
        r"[^\W\d_]+(?:'[^\W\d_]+)?",
        lambda m: pick(ctx.rng_for("PERSON/en-last", m.group().lower()), en_last_names(), avoid=m.group().title()),
        word,
    )


def _en_person(value: str, ctx: SurrogateContext) -> str:
    words = list(_WORD.finditer(value))
    if not words:
        return value
    keep: set[int] = set()
    gender: str | None = None
    first_norm = words[0].group().lower().rstrip(".")
    if first_norm in _EN_TITLES and len(words) > 1:
        keep.add(0)
        gender = _EN_TITLES[first_norm]
    if words[-1].group().lower().replace(".", "") in _EN_NAME_SUFFIXES and len(words) - len(keep) > 1:
        keep.add(len(words) - 1)
    names = [i for i in range(len(words)) if i not in keep]
    # "Smith, John": a comma right after the first name word means surname-first.
    comma_first = len(names) > 1 and value[words[names[0]].end() : words[names[1]].start()].strip() == ","
    male, female = en_first_name_sets()
    roles: dict[int, str] = {}
    if len(names) == 1:
        w = words[names[0]].group().lower()
        roles[names[0]] = "first" if not keep and (w in male or w in female) else "last"
    else:
        first_i, last_i = (names[1], names[0]) if comma_first else (names[0], names[-1])
        for i in names:
            roles[i] = "first" if i == first_i else "last" if i == last_i else "middle"
    out, pos = [], 0
    for i, m in enumerate(words):
        out.append(value[pos : m.start()])
        w = m.group()
        role = roles.get(i)
        if role is None:
            new = w
        elif not any(c.isalpha() for c in w) or len(w.rstrip(".")) == 1:
            # initials ("F.") and oddities: a letter for a letter, seeded by the letter itself
            new = random_like(w, ctx.rng_for("PERSON/initial", w.upper()))
        elif role == "last":
            new = _en_last(w, ctx)
        else:
            new = _en_first(w, gender if role == "first" else None, ctx)
        out.append(w if role is None else match_case(w, new))
        pos = m.end()
    out.append(value[pos:])
    return "".join(out)


def person(value: str, rng: random.Random | None, ctx: SurrogateContext) -> str | None:
    """Chinese names stay Chinese (same length, surname first); others get English names.
    ``rng`` is unused: each name part draws from its own ``ctx.rng_for`` (see CONTEXT_ONLY)."""
    # (CJK ideographs as `is_cjk` counts them and ASCII letters, by regex runs: a Python call per
    # character cost ~1 µs a name; an ASCII name has no ideograph to count.)
    if not value.isascii():
        cjk = sum(map(len, _CJK_RUNS.findall(value)))
        if cjk and cjk * 3 >= sum(map(len, _ASCII_LETTERS.findall(value))):
            return _cn_person(value, ctx)
    return _en_person(value, ctx)


_ASCII_LETTERS = re.compile(r"[A-Za-z]+")


# --- organisations ----------------------------------------------------------------------------
_CN_ORG_SUFFIXES = tuple(
    sorted(
        (
            "股份有限公司 有限责任公司 集团有限公司 有限公司 集团 公司 人民医院 医院 卫生院 诊所 中心 "
            "大学 学院 学校 中学 小学 幼儿园 银行 研究院 研究所 事务所 工作室 "
            "协会 委员会 科技 商行 酒店 餐厅 超市 店 厂 局"
        ).split(),
        key=len,
        reverse=True,
    )
)
_EN_ORG_KEEP = frozenset(
    "inc inc. llc llc. ltd ltd. limited corp corp. corporation co co. company group holdings bank "
    "hospital clinic university college school foundation partners associates technologies "
    "technology systems solutions llp plc gmbh ag sa international labs services consulting "
    "& and of the for sons".split()
)


@functools.cache
def _cn_place_prefixes() -> tuple[str, ...]:
    names = {r.city for r in cn_regions()} | {r.province for r in cn_regions()}
    short = {n[:-1] for n in names if n[-1] in "省市" and len(n) >= 3}
    return tuple(sorted(names | short, key=lambda n: (-len(n), n)))


def _cn_org(value: str, rng: random.Random) -> str:
    suffix = next((s for s in _CN_ORG_SUFFIXES if value.endswith(s) and len(value) > len(s)), "")
    stem = value[: len(value) - len(suffix)]
    place = ""
    # A leading place name ("深圳市…", "北京…") is a quasi-identifier: swap it for another city.
    lead = next((p for p in _cn_place_prefixes() if stem.startswith(p) and len(stem) > len(p)), "")
    if lead:
        city = pick(rng, cn_regions()).city
        place = city if lead[-1] in "省市" else city.rstrip("市省")
        stem = stem[len(lead) :]
    chars = cn_company_chars()
    brand = "".join(rng.choice(chars) for _ in range(min(max(len(stem), 2), 4)))
    return place + brand + suffix


def _en_org(value: str, rng: random.Random) -> str:
    out, pos = [], 0
    for m in _WORD.finditer(value):
        out.append(value[pos : m.start()])
        w = m.group()
        if w.lower() in _EN_ORG_KEEP:
            out.append(w)
        elif w.isupper() and len(w) <= 5:
            out.append(random_like(w, rng))  # acronyms: IBM -> QXT
        elif any(c.isalpha() for c in w):
            # "Mitchell-Cruz", "AT&T-Mobile": each letter run becomes a surname, joiners stay.
            out.append(
                re.sub(
                    r"[^\W\d_]+",
                    lambda p: match_case(p.group(), pick(rng, en_last_names(), avoid=p.group().title())),
                    w,
                )
            )
        else:
            out.append(random_like(w, rng))
        pos = m.end()
    out.append(value[pos:])
    return "".join(out)


def organization(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """Keeps the legal/kind suffix (有限公司, 医院, Inc., Bank…); replaces the distinctive part."""
    cjk = sum(1 for c in value if is_cjk(c))
    latin = sum(1 for c in value if c.isascii() and c.isalpha())
    if (cjk and cjk * 3 >= latin) or (not cjk and not latin and ctx.lang == "zh"):
        return _cn_org(value, rng)
    if not latin:  # "12345" in an English record: give it a name rather than other digits
        return f"{pick(rng, en_last_names())} Group"
    return _en_org(value, rng)
