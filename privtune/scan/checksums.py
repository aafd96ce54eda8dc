"""Checksums used both to validate detections and to make valid-looking surrogates.

Uses python-stdnum where it has the algorithm; the small ones are written out so the
surrogate generator can compute check characters for numbers it invents.
"""

from __future__ import annotations

import datetime as _dt
from operator import mul as _mul

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_DIGIT_VALUE = {str(d): d for d in range(10)}
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def cn_id_check_char(first17: str) -> str:
    """GB 11643-1999 ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) == 17 and first17.isascii() and first17.isdigit():
        # The same sum by table lookups, without a Python-level loop (hot: every 18-digit number).
        return _ID_CHECK[sum(map(_mul, map(_DIGIT_VALUE.__getitem__, first17), _ID_WEIGHTS)) % 11]
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def date_exists(year: int, month: int, day: int) -> bool:
    """Is year-month-day a date of the calendar (no 30 February, no month 13)?"""
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def cn_id_birth_date(number: str) -> _dt.date | None:
    """Birth date encoded in an 18-digit ID number, or None if it is not a real past date."""
    try:
        d = _dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if d.year < 1900 or d > _dt.date.today():
        return None
    return d


def is_valid_cn_id(number: str) -> bool:
    """18-digit resident ID: digits, valid region prefix digit, real birth date, check char."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if number[0] not in "123456789":  # region codes start 1-8 (9 reserved); 0 never
        return False
    if cn_id_birth_date(number) is None:
        return False
    return cn_id_check_char(number[:17]) == number[17].upper()


# Luhn's doubled digit (2d, minus 9 above 9) by ASCII digit character.
_DOUBLED = {str(d): (2 * d - 9 if d > 4 else 2 * d) for d in range(10)}
_PLAIN = {str(d): d for d in range(10)}


def luhn_check_digit(partial: str) -> str:
    """Digit that makes ``partial + digit`` pass the Luhn check."""
    if partial.isascii() and partial.isdigit():
        # The loop below, on whole slices: every other digit from the right is doubled.
        rev = partial[::-1]
        total = sum(map(_DOUBLED.__getitem__, rev[::2])) + sum(map(_PLAIN.__getitem__, rev[1::2]))
        return str((10 - total % 10) % 10)
    total = 0
    for i, c in enumerate(reversed(partial)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_luhn_valid(number: str) -> bool:
    if not number.isdigit() or len(number) < 2:
        return False
    return luhn_check_digit(number[:-1]) == number[-1]


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015 check character for a unified social credit code."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}


def is_valid_uscc(code: str) -> bool:
    code = code.upper()
    # Written out for speed (every 18-digit number is checked): the characters all in the
    # alphabet, then `uscc_check_char`'s sum with a table lookup for ``USCC_ALPHABET.index``.
    if len(code) != 18 or not _USCC_VALUE.keys() >= set(code):
        return False
    total = sum(map(_mul, map(_USCC_VALUE.__getitem__, code[:17]), _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def iban_check_digits(country: str, bban: str) -> str:
    """Two check digits for ``country + ?? + bban`` (ISO 13616 mod 97-10)."""
    rearranged = bban + country + "00"
    num = int("".join(str(int(c, 36)) for c in rearranged.upper()))
    return f"{98 - num % 97:02d}"


def is_valid_iban(iban: str) -> bool:
    s = iban.replace(" ", "").upper()
    # isascii first: str.isalnum/isdigit accept "é" or "٣", on which int(c, 36) raises.
    if not s.isascii() or len(s) < 15 or len(s) > 34 or not s[:2].isalpha() or not s[2:4].isdigit() or not s.isalnum():
        return False
    rearranged = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1
