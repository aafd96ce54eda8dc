"""Word pools for surrogates, loaded lazily once per process.

Names and place words come from Faker's locale data (zh_CN, en_US); Chinese region codes come
from python-stdnum's ``cn/loc.dat`` so that fake ID numbers and USCCs carry codes that really
exist. Everything is read-only after loading and sorted, so picks made with a seeded
``random.Random`` are identical in every process that runs the same library versions.
"""

from __future__ import annotations

import functools
import importlib
import os
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from faker import Faker

T = TypeVar("T")

# Two-character surnames; Faker zh_CN only ships 欧阳. Pseudonyms keep the surname length.
CN_COMPOUND_SURNAMES: tuple[str, ...] = tuple(
    ("欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门").split()
)
# Extra given-name characters so two-character given names are not drawn from ~120 only.
_EXTRA_GIVEN_CHARS = "子思雨泽浩然梓涵一诺欣怡嘉懿宇轩沐晨若曦语桐梦瑶昊天皓文博雅静安和乐佳琪嘉豪俊杰晓晴"
# Street-name stems common in Chinese cities (generic words, not tied to one place).
CN_STREET_STEMS: tuple[str, ...] = tuple(
    (
        "人民 解放 中山 建设 和平 新华 胜利 长江 黄河 文化 光明 友谊 "
        "幸福 朝阳 东风 青年 建国 复兴 延安 学府 工业 花园 滨江 迎宾 "
        "府前 振兴 团结 育才 龙华 金桥 银河 天山 昆仑"
    ).split()
)
# Characters used to transliterate foreign names (约翰·史密斯); redrawn parts stay plausible.
CN_TRANSLIT_CHARS = (
    "阿埃艾安奥巴贝比波布查达戴丹德迪杜多尔菲弗盖格哈汉赫霍吉加杰金卡凯科克库拉莱兰劳勒雷里利林琳伦罗洛"
    "马麦曼梅米莫姆纳尼诺帕佩皮普奇乔萨塞森莎史斯索塔泰特提托瓦威维沃西希谢休雅亚扬伊尤约詹珍"
)
CN_PLACE_CHARS = "华兴安宁平和泰康富贵祥瑞金银玉翠景阳光明月星辰春秋江河湖海山林松竹梅兰新盛丰德福嘉锦绣"


@dataclass(frozen=True)
class Region:
    """One current county-level division: 6-digit code and the names above it."""

    code: str
    province: str
    city: str  # prefecture-level name, or the province name for municipalities
    county: str
    since: int  # first year the code was in use (0: before the table starts); IDs need birth >= since


def _locale_provider(kind: str, locale: str) -> Any:
    """Faker's provider class for ``kind`` ("person", "address", "company") in ``locale``;
    its class attributes are the locale's word lists."""
    return importlib.import_module(f"faker.providers.{kind}.{locale}").Provider


def _keys(pool: Any) -> tuple[str, ...]:
    # Faker stores weighted pools as OrderedDict(name -> weight) and plain ones as tuples.
    return tuple(pool.keys()) if hasattr(pool, "keys") else tuple(pool)


@functools.cache
def cn_single_surnames() -> tuple[str, ...]:
    """Single-character surnames, most frequent first (Faker order)."""
    return tuple(s for s in _keys(_locale_provider("person", "zh_CN").last_names) if len(s) == 1)


@functools.cache
def cn_given_chars() -> str:
    names = _keys(_locale_provider("person", "zh_CN").first_names)
    chars = {c for n in names for c in n} | set(_EXTRA_GIVEN_CHARS)
    return "".join(sorted(chars))


@functools.cache
def en_first_names(gender: str) -> tuple[str, ...]:
    """``gender`` is "male" or "female"."""
    return _keys(getattr(_locale_provider("person", "en_US"), f"first_names_{gender}"))


@functools.cache
def en_first_name_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(male, female) first names, lower-cased, to keep the gender of a replaced first name."""
    return (
        frozenset(n.lower() for n in en_first_names("male")),
        frozenset(n.lower() for n in en_first_names("female")),
    )


@functools.cache
def en_last_names() -> tuple[str, ...]:
    return _keys(_locale_provider("person", "en_US").last_names)


@functools.cache
def romanized_words() -> tuple[str, ...]:
    """Lower-case name words (English first/last names and pinyin) for e-mail local parts."""
    zh = _locale_provider("person", "zh_CN")
    words = set(en_last_names()[:300]) | set(en_first_names("male")) | set(en_first_names("female"))
    words |= set(zh.first_romanized_names) | set(zh.last_romanized_names)
    return tuple(sorted(w.lower() for w in words if w.isalpha() and w.isascii()))


@functools.cache
def cn_company_chars() -> str:
    prefixes = _locale_provider("company", "zh_CN").company_prefixes
    return "".join(sorted({c for p in prefixes for c in p if "\u4e00" <= c <= "\u9fff"}))


@functools.cache
def en_street_suffixes() -> tuple[str, ...]:
    return tuple(_locale_provider("address", "en_US").street_suffixes)


@functools.cache
def _en_city_parts() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    prov = _locale_provider("address", "en_US")
    return tuple(prov.city_prefixes), tuple(prov.city_suffixes), en_first_names("female") + en_first_names("male")


def en_city(rng: Any) -> str:
    """A US-looking city name in one of Faker en_US's four shapes ("Lake Mary", "Port
    Jamesville", "Aliciaberg", "Smithton"), drawn from its word lists with ``rng`` alone.
    Pseudonym version 2 uses this instead of reseeding a Faker per address (~30 µs)."""
    prefixes, suffixes, firsts = _en_city_parts()
    shape = rng.randrange(4)
    if shape == 3:
        return pick(rng, en_last_names()) + pick(rng, suffixes)
    first = pick(rng, firsts)
    if shape == 0:
        return f"{pick(rng, prefixes)} {first}{pick(rng, suffixes)}"
    if shape == 1:
        return f"{pick(rng, prefixes)} {first}"
    return first + pick(rng, suffixes)


@functools.cache
def en_states() -> tuple[str, ...]:
    return tuple(_locale_provider("address", "en_US").states_abbr)


def _current_name(field: str) -> tuple[str, int] | None:
    """``"[1983-1986]郊区,[1987-]白云区"`` -> ``("白云区", 1987)``; None when the code has ended."""
    latest = field.split(",")[-1]
    if not latest.startswith("["):
        return latest, 0
    span, _, name = latest[1:].partition("]")
    start, _, end = span.partition("-")
    return (name, int(start or 0)) if not end else None


@functools.cache
def cn_regions() -> tuple[Region, ...]:
    """Current county-level regions from stdnum's table (abolished codes dropped)."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    provinces: dict[str, str] = {}
    names: dict[str, tuple[str, int]] = {}
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            province = line.split()[0]
            provinces[province] = line.split('"')[1]
            continue
        current = _current_name(line.split('"')[1])
        if current:
            names[province + line.split()[0]] = current
    out: list[Region] = []
    for code, (county, since) in sorted(names.items()):
        if code.endswith("00") or county in ("市辖区", "县"):
            continue
        prov = provinces.get(code[:2], "")
        city = names.get(code[:4] + "00", ("", 0))[0]
        if city in ("", "市辖区", "县") or "直辖" in city:
            city = prov  # municipalities (北京市…) and directly administered counties
        if prov and city:
            out.append(Region(code, prov, city, county, since))
    return tuple(out)


def pick(rng: random.Random, pool: Sequence[T], avoid: object = None, tries: int = 8) -> T:
    """A random element of ``pool``, different from ``avoid`` when the pool allows it."""
    # ``randrange(n)`` is ``_randbelow(n)`` for n > 0 (see `_common.rand_digits`); an empty pool
    # still raises as ``randrange(0)`` did.
    n = len(pool)
    below = rng._randbelow if n > 0 else rng.randrange
    choice = pool[below(n)]
    for _ in range(tries):
        if choice != avoid:
            break
        choice = pool[below(n)]
    return choice


# --- Faker instances: one per locale per process ------------------------------------------
_fakers: dict[str, Faker] = {}
_locks: dict[str, threading.Lock] = {}
_registry_lock = threading.Lock()


def _reset_after_fork() -> None:
    # A lock held by another thread at fork time would stay locked forever in the child.
    global _registry_lock
    _registry_lock = threading.Lock()
    for loc in list(_locks):
        _locks[loc] = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def with_faker(locale: str, seed: int, fn: Callable[[Faker], T]) -> T:
    """Run ``fn`` on this process's Faker for ``locale`` after seeding it with ``seed``.

    Construction (~20 ms) happens once; the per-call cost is a reseed (~4 µs). The lock makes
    seed-then-generate atomic, which is what keeps the result a pure function of ``seed``.
    """
    with _registry_lock:
        if locale not in _fakers:
            from faker import Faker

            _fakers[locale] = Faker(locale)
            _locks[locale] = threading.Lock()
        fake, lock = _fakers[locale], _locks[locale]
    with lock:
        fake.seed_instance(seed)
        return fn(fake)
