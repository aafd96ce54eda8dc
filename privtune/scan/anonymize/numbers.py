"""Format-preserving surrogates for numbers: phones, ID cards, bank cards, USCC, IBAN, SSN,
passports and licence plates.

Every generator returns a value that passes the same checks a detector applies (GB 11643,
Luhn, GB 32100, ISO 13616, SSA rules), keeps the original's separators and length, and is
drawn from the caller's seeded RNG only, so it is a pure function of (key, value).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import re

from stdnum import iban as std_iban
from stdnum.exceptions import ValidationError
from stdnum.us import ssn as std_ssn

from privtune.scan.anonymize._common import (
    SurrogateContext,
    ascii_digit,
    ascii_digits,
    count_digit_slots,
    fill_slots,
    is_cjk,
    is_digit_slot,
    rand_digits,
    random_like,
)
from privtune.scan.anonymize._data import Region, cn_regions, pick
from privtune.scan.checksums import cn_id_check_char, iban_check_digits, luhn_check_digit, uscc_check_char

# --- phones -----------------------------------------------------------------------------------
_CN_MOBILE_PREFIXES = tuple(
    f"1{p}"
    for p in (
        "30 31 32 33 34 35 36 37 38 39 45 47 50 51 52 53 55 56 57 58 59 66 "
        "71 73 75 76 77 78 80 81 82 83 84 85 86 87 88 89 91 93 95 96 97 98 99"
    ).split()
)
_CN_AREA_3 = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029")
_CN_AREA_4 = tuple(
    (
        "0311 0351 0371 0411 0431 0451 0471 0512 0531 0532 0551 0571 0574 0591 0592 "
        "0595 0731 0755 0757 0760 0769 0771 0791 0851 0871 0898 0931 0951 0971 0991"
    ).split()
)


_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension|#|转|分机)\s*[0-9０-９]{1,6}$", re.I)


def _may_hold_extension(value: str) -> bool:
    """Could `_EXTENSION` match in ``value``? Each of its matches holds an x (ext, extension; under
    IGNORECASE only "x" and "X" match it), "#", "转" or "分": a number without one has no
    extension, and no search over it is needed (most phones)."""
    return "x" in value or "X" in value or "#" in value or "转" in value or "分" in value


@functools.lru_cache(maxsize=4096)  # pure; each phone is split for its key, then again to rewrite it
def split_phone(value: str) -> tuple[str, str, str]:
    """Split a phone number into (country-code digits as written, national digits, kind).

    kind is "cn_mobile", "cn_landline" (national digits start with the 0 trunk prefix, which is
    added back when the number was written "+86 10 …"), "us" or "other". The national part is
    what identifies the line, so it is what the keyed seed is computed from.
    """
    if _may_hold_extension(value):
        value = _EXTENSION.sub("", value)  # "…6321x22330": the extension is not part of the line
    digits = ascii_digits(value)
    plus = value.lstrip().startswith("+")
    cc = ""
    if plus:
        if digits.startswith("86"):
            cc = "86"
        elif digits.startswith("1") and len(digits) == 11:
            cc = "1"
        else:
            head = value.lstrip()[1:].split()[0] if value.lstrip()[1:].split() else ""
            head_digits = ascii_digits(head)
            cc = digits[: min(3, len(head_digits))] if 0 < len(head_digits) <= 3 else digits[:2]
    elif digits.startswith("0086"):
        cc = "0086"
    elif digits.startswith("001") and len(digits) == 13:
        cc = "001"
    elif digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        cc = "86"
    elif len(digits) == 11 and digits[0] == "1" and (digits[1] in "012" or value.lstrip()[1:2] in "-. ("):
        cc = "1"  # "1-312-…" / "1212…": US trunk 1; a bare 11-digit 1[3-9]… number is a CN mobile
    national = digits[len(cc) :]
    if cc in ("", "86", "0086"):
        if len(national) == 11 and national[0] == "1" and national[1] in "3456789":
            return cc, national, "cn_mobile"
        if national.startswith("0") and 10 <= len(national) <= 12:
            return cc, national, "cn_landline"
        if cc and not national.startswith("0") and 9 <= len(national) <= 11:
            return cc, "0" + national, "cn_landline"
    if cc in ("", "1") and len(national) == 10 and national[0] in "23456789":
        return cc, national, "us"
    return cc, national, "other"


def _nanp_triplet(rng: random.Random, avoid_555: bool) -> str:
    # NANP area codes and exchanges are NXX; N11 codes are service numbers (411, 911).
    while True:
        t = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
        if t[1:] != "11" and not (avoid_555 and t == "555"):
            return t


def phone(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    ext = _EXTENSION.search(value) if _may_hold_extension(value) else None
    if ext:  # the line first, then the extension digits, each keeping its layout
        line = phone(value[: ext.start()], rng, ctx)
        n_ext = sum(1 for ch in ext.group() if is_digit_slot(ch))
        return None if line is None else line + fill_slots(ext.group(), rand_digits(rng, n_ext), is_digit_slot)
    cc, national, kind = split_phone(value)
    if kind == "cn_mobile":
        new = pick(rng, _CN_MOBILE_PREFIXES) + rand_digits(rng, 8)
    elif kind == "cn_landline":
        area_len = 3 if national[1] in "12" else 4
        area = pick(rng, _CN_AREA_3 if area_len == 3 else _CN_AREA_4, avoid=national[:area_len])
        sub_len = len(national) - area_len
        new = area + str(rng.randint(2, 8)) + rand_digits(rng, sub_len - 1)
    elif kind == "us":
        new = _nanp_triplet(rng, False) + _nanp_triplet(rng, True) + rand_digits(rng, 4)
    else:
        if not national:
            return None
        new = national[0] + rand_digits(rng, len(national) - 1)
    written = count_digit_slots(value) - len(cc)
    # "+86 10 …" omits the trunk 0 that the national form carries: write only the tail.
    return fill_slots(value, cc + new[len(new) - written :], is_digit_slot)


# --- Chinese resident ID ----------------------------------------------------------------------
_BIRTH_YEARS = (1940, 2006)  # adults at the time of writing; 15-digit IDs stop at 1999


def _is_id_slot(ch: str) -> bool:
    return is_digit_slot(ch) or ch in "xX"


_NOT_ASCII_ID_SLOT = re.compile(r"[^0-9xX]+")


def _id_core(value: str) -> str:
    """The ID's slot characters, digits in ASCII, letters upper-cased (as ``"".join(ascii_digit(ch)
    or ch.upper() for ch in value if _is_id_slot(ch))``): on ASCII text the slots are exactly
    0-9, x and X, so one substitution does it without a Python call per character."""
    if value.isascii():
        return _NOT_ASCII_ID_SLOT.sub("", value).upper()
    return "".join(ascii_digit(ch) or ch.upper() for ch in value if _is_id_slot(ch))


def _fill_id_slots(value: str, new: str) -> str:
    """``fill_slots(value, new, _is_id_slot)``; for ASCII text without its per-character calls:
    an ASCII slot keeps no width, and only a lower-case "x" slot lowers what lands in it."""
    if not (value.isascii() and new.isascii()):
        return fill_slots(value, new, _is_id_slot)
    it = iter(new)
    out = []
    for ch in value:
        if "0" <= ch <= "9" or ch == "X":
            out.append(next(it))
        elif ch == "x":
            n = next(it)
            out.append(n if n.isdigit() else n.lower())
        else:
            out.append(ch)
    if next(it, None) is not None:
        raise ValueError("more replacement characters than slots")
    return "".join(out)


def _random_date(rng: random.Random, year: int | None, last_year: int = _BIRTH_YEARS[1]) -> dt.date:
    lo, hi = (year, year) if year is not None else (_BIRTH_YEARS[0], last_year)
    first = dt.date(lo, 1, 1)
    return first + dt.timedelta(days=rng.randint(0, (dt.date(hi, 12, 31) - first).days))


def _region_for(rng: random.Random, year: int) -> Region:
    regions = cn_regions()
    for _ in range(32):
        r = pick(rng, regions)
        if r.since <= year:
            return r
    return pick(rng, [r for r in regions if r.since == 0])


def _original_year(core: str, start: int, width: int) -> int | None:
    try:
        y = int(core[start : start + width])
        if width == 2:
            y += 1900
        dt.date(y, int(core[start + width : start + width + 2]), int(core[start + width + 2 : start + width + 4]))
    except ValueError:
        return None
    return y if 1900 <= y <= dt.date.today().year else None


def id_card(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """New region, new birth date (same year if ``keep_birth_year``), same sex digit parity."""
    core = _id_core(value)
    if len(core) == 18 and core[:17].isdigit():
        kept = _original_year(core, 6, 4) if ctx.keep_birth_year else None
        birth = _random_date(rng, kept)
        body = f"{_region_for(rng, birth.year).code}{birth:%Y%m%d}"
        # The 17th digit's parity encodes sex; keep it so the record stays coherent ("她"…).
        seq = rand_digits(rng, 2) + str(rng.randrange(int(core[16]) % 2, 10, 2))
        return _fill_id_slots(value, body + seq + cn_id_check_char(body + seq))
    if len(core) == 15 and core.isdigit():  # first-generation IDs: yymmdd, no check digit
        kept = _original_year(core, 6, 2) if ctx.keep_birth_year else None
        birth = _random_date(rng, kept, last_year=1999)
        new = f"{_region_for(rng, birth.year).code}{birth:%y%m%d}{rand_digits(rng, 2)}"
        new += str(rng.randrange(int(core[14]) % 2, 10, 2))
        return _fill_id_slots(value, new)
    return random_like(value, rng)


# --- bank cards -------------------------------------------------------------------------------
_FAMILIES_2 = ("62", "60", "65", "34", "37", "35", "36", "30", "38", "39")


def bank_card(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """Same length and card family (62 UnionPay, 4 Visa, 51-55/2221-2720 Mastercard …), Luhn-valid."""
    digits = ascii_digits(value)
    if len(digits) < 12:
        return None
    if digits.startswith("6011"):
        prefix = "6011"
    elif digits[:2] in _FAMILIES_2 or digits[0] == "5":
        prefix = digits[:2]
    elif digits[0] == "2" and 2221 <= int(digits[:4]) <= 2720:
        prefix = str(rng.randint(2221, 2720))
    else:
        prefix = digits[0]
    partial = prefix + rand_digits(rng, len(digits) - len(prefix) - 1)
    return fill_slots(value, partial + luhn_check_digit(partial), is_digit_slot)


# --- USCC (GB 32100) --------------------------------------------------------------------------
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code_check(body8: str) -> str:
    """GB 11714 check character of the 9-character organisation code inside a USCC."""
    c = 11 - sum(int(d) * w for d, w in zip(body8, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def uscc(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """Keeps the 2-character category (e.g. 91 = enterprise); new region, org code and checks."""
    core = "".join(ch.upper() for ch in value if ch.isalnum())
    if len(core) != 18:
        return random_like(value, rng)
    head = core[:2] if core[:2].isdigit() else "91"
    body8 = rand_digits(rng, 8)
    first17 = head + pick(rng, cn_regions()).code + body8 + _org_code_check(body8)
    return fill_slots(value, first17 + uscc_check_char(first17), str.isalnum)


# --- IBAN -------------------------------------------------------------------------------------
def _iban_shape_ok(core: str) -> bool:
    """Known country, BBAN structure and mod-97, without the country's own extra checks."""
    try:
        std_iban.validate(core, check_country=False)
    except ValidationError:
        return False
    return True


def iban(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """Same country and BBAN shape; valid mod-97 and, where stdnum knows one, national check."""
    core = "".join(ch.upper() for ch in value if ch.isalnum())
    if len(core) < 15 or not core[:2].isalpha():
        return None
    country, bban = core[:2], core[4:]
    cand = ""
    # Some countries (BE, ES, FR, IT…) add a national check inside the BBAN; a random try hits
    # it with probability >= 1/121, so 3000 tries all fail with odds < 1e-10 (mod-97 holds
    # regardless). When the original itself fails stdnum's checks, retrying cannot help.
    tries = 3000 if _iban_shape_ok(core) else 1
    for _ in range(tries):
        new_bban = random_like(bban, rng)
        cand = country + iban_check_digits(country, new_bban) + new_bban
        if std_iban.is_valid(cand):
            break
    return fill_slots(value, cand, str.isalnum)


# --- US SSN -----------------------------------------------------------------------------------
def us_ssn(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """Area 001-899 except 666, group 01-99, serial 0001-9999 (never-issued ranges avoided)."""
    if sum(1 for ch in value if is_digit_slot(ch)) != 9:
        return None
    while True:
        area = rng.randint(1, 899)
        if area == 666:
            continue
        new = f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"
        if std_ssn.is_valid(new):
            return fill_slots(value, new, is_digit_slot)


# --- passports and plates ---------------------------------------------------------------------
def passport(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """Same letter/digit pattern; the leading type letter (E, G, P…) is kept."""
    if value[:1].isascii() and value[:1].isalpha():
        return value[0] + random_like(value[1:], rng, no_io=True)
    return random_like(value, rng, no_io=True)


def record_id(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """A medical record / member / policy number: the same characters' classes, separators kept."""
    return random_like(value, rng)


def license_plate(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """Same province character (京, 粤…), everything else re-drawn with the same pattern."""
    if value[:1] and is_cjk(value[0]):
        return value[0] + random_like(value[1:], rng, no_io=True)
    return random_like(value, rng, no_io=True)
