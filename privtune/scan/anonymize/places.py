"""Surrogates for places and addresses on the network: postal addresses, e-mail, URLs, IPs.

Postal addresses keep their structure (which administrative levels, street, house number,
building/unit/room) but every part is redrawn: a Chinese address gets a real, coherent
province/city/county triple from the region table; an English one a Faker city and a
fake street. Network identifiers only ever point at reserved names and ranges
(example.com/.org/.net, 10.0.0.0/8, 2001:db8::/32), so a surrogate can never reach anyone.
"""

from __future__ import annotations

import functools
import ipaddress
import random
import re

from privtune.scan.anonymize._common import (
    SurrogateContext,
    match_case,
    rand_digits,
    random_like,
    script_counts,
)
from privtune.scan.anonymize._data import (
    CN_PLACE_CHARS,
    CN_STREET_STEMS,
    Region,
    cn_regions,
    en_city,
    en_last_names,
    en_states,
    en_street_suffixes,
    pick,
    romanized_words,
    with_faker,
)
from privtune.scan.anonymize.keyed_draws import KeyedDraws

# --- Chinese postal addresses -----------------------------------------------------------------
_H = "\u4e00-\u9fff"
_CN_ADMIN = re.compile(
    rf"^(?P<country>中国)?(?P<prov>[{_H}]{{2,7}}?(?:省|自治区|特别行政区))?"
    rf"(?P<city>[{_H}]{{2,7}}?(?:市|自治州|地区))?(?P<dist>[{_H}]{{1,7}}?(?:区|县|旗|市))?"
    rf"(?P<street>[{_H}]{{1,8}}?(?:大道|大街|路|街|巷|弄|胡同))?(?P<num>[0-9０-９]+号)?"
)
_CN_STREET_SUFFIX = re.compile(r"(?:大道|大街|路|街|巷|弄|胡同)$")
_CN_TOKEN = re.compile(rf"(?P<digits>[0-9０-９]+)|(?P<latin>[A-Za-z]+)|(?P<cjk>[{_H}]+)")
_CN_UNIT = re.compile(r"(?:号楼|号院|单元|号|弄|栋|幢|座|层|楼|室|期|门|户|铺)+$")
_CN_PLACE_SUFFIX = re.compile(
    r"(?:小区|花园|大厦|大楼|公寓|家园|广场|中心|社区|街道|新村|苑|村|庄|镇|乡|园|城|湾|府|里|坊|院|区)$"
)


@functools.cache
def _regions_for(need_province: bool, need_distinct_city: bool) -> tuple[Region, ...]:
    """Regions usable for an address that names a province and/or a city distinct from it."""
    return tuple(
        r
        for r in cn_regions()
        if (not need_province or r.province[-1] in "省区") and (not need_distinct_city or r.city != r.province)
    )


def _digits_like(run: str, rng: random.Random) -> str:
    return rand_digits(rng, len(run), first_nonzero=run[0] not in "0０")


def _cn_words(run: str, rng: random.Random) -> str:
    """Redraw a CJK run, keeping a trailing unit word (栋, 室…) or place suffix (花园, 大厦…)."""
    unit = _CN_UNIT.search(run)
    if unit and unit.start() == 0:
        return run
    head = run[: unit.start()] if unit else run
    tail = run[len(head) :]
    suffix = _CN_PLACE_SUFFIX.search(head)
    stem = head[: suffix.start()] if suffix else head
    new = "".join(rng.choice(CN_PLACE_CHARS) for _ in stem)
    return new + head[len(stem) :] + tail


def _cn_address(value: str, rng: random.Random) -> str:
    m = _CN_ADMIN.match(value)
    assert m is not None  # every group is optional
    out: list[str] = [m.group("country") or ""]
    if m.group("prov") or m.group("city") or m.group("dist"):
        region = pick(rng, _regions_for(bool(m.group("prov")), bool(m.group("prov") and m.group("city"))))
        if m.group("prov"):
            out.append(region.province)
        if m.group("city"):
            out.append(region.city)
        if m.group("dist"):
            out.append(region.county)
    if m.group("street"):
        street = m.group("street")
        suffix = _CN_STREET_SUFFIX.search(street)
        assert suffix is not None
        out.append(pick(rng, CN_STREET_STEMS, avoid=street[: suffix.start()]) + suffix.group())
    if m.group("num"):
        out.append(_digits_like(m.group("num")[:-1], rng) + "号")
    rest = value[m.end() :]

    def redraw(t: re.Match[str]) -> str:
        if t.group("digits"):
            return _digits_like(t.group(), rng)
        if t.group("latin"):
            return random_like(t.group(), rng)
        return _cn_words(t.group(), rng)

    return "".join(out) + _CN_TOKEN.sub(redraw, rest)


# --- English postal addresses -----------------------------------------------------------------
_EN_SUFFIXES = frozenset(
    {s.lower() for s in en_street_suffixes()}
    | set("st st. ave ave. rd rd. blvd blvd. dr dr. ln ln. ct ct. hwy pkwy pl pl. ter way sq".split())
)
_DIRECTIONS = frozenset("n s e w ne nw se sw n. s. e. w. north south east west".split())
_COUNTRIES = frozenset({"usa", "us", "u.s.", "u.s.a.", "united states", "uk", "united kingdom", "canada"})
_SECONDARY_WORDS = frozenset("apt apartment suite ste unit fl floor room rm bldg building #".split())
_SECONDARY = re.compile(r"^(apt|apartment|suite|ste|unit|fl|floor|room|rm|bldg|building|#)\.?\s*#?\s*(\S+)$", re.I)
_PO_BOX = re.compile(r"^(p\.?\s*o\.?\s*box)\s+(\d+)$", re.I)
_STATE_ZIP = re.compile(r"^([A-Z]{2})(\s+)(\d{5}(?:-\d{4})?)$")
_STREET = re.compile(r"^(\d+[A-Za-z]?)(\s+)(.+)$")
# (Compiled once: `re.fullmatch(pattern, ...)` looks each pattern up in re's cache per call.)
_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)", re.I)
_STATE = re.compile(r"[A-Z]{2}")
_ZIP = re.compile(r"\d{5}(?:-\d{4})?")
_EN_PARTS = re.compile(r"(,|\n|;)")
_DIGITS_OR_LETTERS = re.compile(r"\d+|[^\W\d_]+")


def _en_street(words: str, rng: random.Random) -> str:
    out = []
    for w in words.split(" "):
        lw = w.lower()
        if m := _ORDINAL.fullmatch(w):  # "45th St": a new ordinal
            n = int(_digits_like(m.group(1), rng))
            suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
            out.append(f"{n}{match_case(m.group(2), suffix)}")
        elif lw.rstrip(".") in _SECONDARY_WORDS:
            out.append(w)  # "… Pine Suite 574": the unit label stays, its number is redrawn
        elif not w or lw in _EN_SUFFIXES or lw in _DIRECTIONS or not any(c.isalpha() for c in w):
            out.append(w if any(c.isalpha() for c in w) or not w else random_like(w, rng))
        else:
            out.append(match_case(w, pick(rng, en_last_names(), avoid=w.title())))
    return " ".join(out)


def _en_part(part: str, rng: random.Random) -> str:
    p = part.strip()
    if not p or p.lower() in _COUNTRIES:
        return part
    lead = part[: len(part) - len(part.lstrip())]
    if m := _STREET.match(p):
        new = _digits_like(m.group(1), rng) if m.group(1).isdigit() else random_like(m.group(1), rng)
        return lead + new + m.group(2) + _en_street(m.group(3), rng)
    if m := _SECONDARY.match(p) or _PO_BOX.match(p):
        return lead + p[: m.start(2)] + random_like(m.group(2), rng)
    if m := _STATE_ZIP.match(p):
        return lead + pick(rng, en_states(), avoid=m.group(1)) + m.group(2) + random_like(m.group(3), rng)
    if _STATE.fullmatch(p):
        return lead + pick(rng, en_states(), avoid=p)
    if _ZIP.fullmatch(p):
        return lead + random_like(p, rng)
    if isinstance(rng, KeyedDraws):  # version 2: Faker's city shapes, drawn without Faker
        city = en_city(rng)
    else:
        city = with_faker("en_US", rng.getrandbits(64), lambda f: f.city())
    return lead + match_case(p, city)


def address(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    cjk, latin = script_counts(value)
    if (cjk and cjk * 3 >= latin) or (not cjk and not latin and ctx.lang == "zh"):
        return _cn_address(value, rng)
    pieces = _EN_PARTS.split(value)
    return "".join(p if p in ",\n;" else _en_part(p, rng) for p in pieces)


# --- e-mail, URL, IP --------------------------------------------------------------------------
_RESERVED_DOMAINS = {"org": "example.org", "net": "example.net"}


def _example_domain(host: str) -> str:
    tld = host.rsplit(".", 1)[-1].lower()
    domain = _RESERVED_DOMAINS.get(tld, "example.com")
    if host.lower().startswith("www."):
        domain = "www." + domain
    return domain.upper() if host.isupper() else domain


def email(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """Each word of the local part becomes a name word, digit runs keep their length."""
    local, at, host = value.rpartition("@")
    if not at or not local:
        return None
    return _redrawn_words(local, rng) + "@" + _example_domain(host)


def _redrawn_words(text: str, rng: random.Random) -> str:
    """Each letter run of ``text`` becomes a romanised name word (case kept), each digit run
    random digits of its length; separators stay."""
    words = romanized_words()

    def word(m: re.Match[str]) -> str:
        w = m.group()
        if w.isdigit():
            return rand_digits(rng, len(w))
        return match_case(w, pick(rng, words, avoid=w.lower()))

    return _DIGITS_OR_LETTERS.sub(word, text)


def username(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """An account name like the original: words become name words, digit runs keep their
    length (a QQ number stays a number that does not start with 0), a leading "@" stays."""
    at = "@" if value.startswith("@") else ""
    body = value[len(at):]
    if not body:
        return None
    if body.isdigit():
        return at + rand_digits(rng, len(body), first_nonzero=True)
    return at + _redrawn_words(body, rng)


def _redraw_path(text: str, rng: random.Random) -> str:
    # Percent-encoded bytes would turn into invalid escapes if redrawn char by char.
    text = re.sub(r"(?:%[0-9A-Fa-f]{2})+", lambda m: random_like("x" * (len(m.group()) // 3), rng), text)
    segs = []
    for seg in text.split("/"):
        stem, dot, ext = seg.rpartition(".")
        if dot and stem and ext.isalnum() and len(ext) <= 5:
            segs.append(random_like(stem, rng) + "." + ext)  # keep .html/.pdf: format, not identity
        else:
            segs.append(random_like(seg, rng))
    return "/".join(segs)


def _redraw_query(query: str, rng: random.Random) -> str:
    pairs = []
    for pair in query.split("&"):
        k, eq, v = pair.partition("=")
        pairs.append(k + eq + random_like(v, rng) if eq else random_like(k, rng))
    return "&".join(pairs)


_URL = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?(?P<user>[^@/\s?#]+@)?(?P<host>\[[^\]]+\]|[^/:?#\s]+)"
    r"(?P<port>:\d+)?(?P<path>[^?#]*)(?P<query>\?[^#]*)?(?P<frag>#.*)?$",
    re.S,
)


def url(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """Scheme, port, path shape and query keys kept; host -> example.com; the rest redrawn."""
    m = _URL.match(value)
    if m is None:
        return None
    host = m.group("host")
    try:
        ipaddress.ip_address(host.strip("[]"))
        new_host = ip_address(host, rng, ctx) or "example.com"
    except ValueError:
        new_host = _example_domain(host)
    user = random_like(m.group("user"), rng) if m.group("user") else ""
    query = "?" + _redraw_query(m.group("query")[1:], rng) if m.group("query") else ""
    frag = "#" + random_like(m.group("frag")[1:], rng) if m.group("frag") else ""
    return (
        (m.group("scheme") or "")
        + user
        + new_host
        + (m.group("port") or "")
        + _redraw_path(m.group("path"), rng)
        + query
        + frag
    )


_V4_SUFFIX = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3})((?:/\d{1,2})|(?::\d{1,5}))?$")
_V6_BRACKET = re.compile(r"^\[([0-9A-Fa-f:.]+)\](:\d{1,5})?$")
_V6_CIDR = re.compile(r"^([0-9A-Fa-f:.]+)(/\d{1,3})$")


def ip_address(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """IPv4 -> 10.0.0.0/8 (room for millions of distinct hosts, unlike the 3x254 TEST-NETs);
    IPv6 -> 2001:db8::/32 documentation prefix. Ports, CIDR suffixes and brackets are kept."""
    pre, core, post = "", value, ""
    if m := _V6_BRACKET.match(value):
        pre, core, post = "[", m.group(1), "]" + (m.group(2) or "")
    elif m := _V4_SUFFIX.match(value) or _V6_CIDR.match(value):
        core, post = m.group(1), m.group(2) or ""
    try:
        addr = ipaddress.ip_address(core)
    except ValueError:
        return None
    if addr.version == 4:
        new = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    else:
        new = str(ipaddress.IPv6Address((0x20010DB8 << 96) | rng.getrandbits(96)))
        if core.isupper() or (any(c.isupper() for c in core) and not any(c.islower() for c in core)):
            new = new.upper()
    return pre + new + post
