"""Date-of-birth surrogates: the same date format, a different real date.

The value is split into number/word/separator tokens; the roles (year, month, day) are found
from the token shapes, the date is shifted, and each token is rewritten in its own style
(zero padding, 2- or 4-digit year, month name or abbreviation, ordinal suffix, case).
Anything not recognisable as a date returns None and the caller redacts it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re

from privtune.scan.anonymize._common import SurrogateContext

MAX_SHIFT_DAYS = 365  # keeps ages roughly right (medical notes) while moving the exact date
_TOKEN = re.compile(r"\d+|[A-Za-z]+")
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS_ABBR = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS_ABBR["sept"] = 9
_ORDINALS = frozenset({"st", "nd", "rd", "th"})


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _roles(tokens: list[re.Match[str]]) -> tuple[dict[int, str], bool] | None:
    """Map token index -> "y"/"m"/"d"/"mon"/"ord"; the flag says day and month are ambiguous."""
    nums = [i for i, t in enumerate(tokens) if t.group().isdigit()]
    words = [i for i, t in enumerate(tokens) if not t.group().isdigit()]
    roles: dict[int, str] = {}
    for i in words:
        w = tokens[i].group().lower()
        if w in _MONTHS or w in _MONTHS_ABBR:
            roles[i] = "mon"
        elif w in _ORDINALS and i > 0 and tokens[i - 1].end() == tokens[i].start():
            roles[i] = "ord"
        else:
            return None
    if list(roles.values()).count("mon") == 1:
        if len(nums) != 2:
            return None
        a, b = nums
        y, d = (a, b) if len(tokens[a].group()) == 4 else (b, a)
        roles[y], roles[d] = "y", "d"
        return roles, False
    if roles:
        return None
    vals = [tokens[i].group() for i in nums]
    if len(nums) == 1 and len(vals[0]) == 8:
        return {nums[0]: "ymd"}, False
    if len(nums) != 3:
        return None
    if len(vals[0]) == 4:
        return dict(zip(nums, "ymd", strict=True)), False
    first, second = int(vals[0]), int(vals[1])
    if first > 12:
        order = "dmy"
    elif second > 12:
        order = "mdy"
    else:
        # US writes m/d/y; "17.05.1990" style dots are day-first in most of the world.
        order = "dmy" if tokens[0].string[tokens[0].end() : tokens[1].start()] == "." else "mdy"
        return dict(zip(nums, order, strict=True)), True
    return dict(zip(nums, order, strict=True)), False


def _parse(tokens: list[re.Match[str]], roles: dict[int, str]) -> dt.date | None:
    y = m = d = 0
    for i, role in roles.items():
        t = tokens[i].group()
        if role == "ymd":
            y, m, d = int(t[:4]), int(t[4:6]), int(t[6:])
        elif role == "y":
            y = int(t) + (1900 if len(t) == 2 and int(t) > dt.date.today().year % 100 else 2000 if len(t) == 2 else 0)
        elif role == "m":
            m = int(t)
        elif role == "d":
            d = int(t)
        elif role == "mon":
            m = _MONTHS.get(t.lower()) or _MONTHS_ABBR[t.lower()]
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _zero_padded(value: str, tokens: list[re.Match[str]], roles: dict[int, str]) -> bool:
    """Whether the writer pads month/day: a visible leading zero, or ISO-style 2-digit fields."""
    md = [tokens[i].group() for i, r in roles.items() if r in ("m", "d")]
    if any(t.startswith("0") for t in md):
        return True
    return bool(md) and all(len(t) == 2 for t in md) and "-" in value


def _render(value: str, tokens: list[re.Match[str]], roles: dict[int, str], new: dt.date) -> str:
    pad = _zero_padded(value, tokens, roles)
    out, pos = [], 0
    for i, t in enumerate(tokens):
        out.append(value[pos : t.start()])
        s, role = t.group(), roles[i]
        if role == "ymd":
            rep = f"{new:%Y%m%d}"
        elif role == "y":
            rep = f"{new.year % 100:02d}" if len(s) == 2 else str(new.year)
        elif role in ("m", "d"):
            n = new.month if role == "m" else new.day
            rep = f"{n:02d}" if pad else str(n)
        elif role == "ord":
            rep = _ordinal(new.day)
        else:  # month name: same length class (full or abbreviated) and same case
            full = s.lower() in _MONTHS
            rep = calendar.month_name[new.month] if full else calendar.month_abbr[new.month]
            rep = rep.upper() if s.isupper() and len(s) > 1 else rep.lower() if s.islower() else rep
        out.append(rep)
        pos = t.end()
    out.append(value[pos:])
    return "".join(out)


def date_of_birth(value: str, rng: random.Random, ctx: SurrogateContext) -> str | None:
    """Shift by 1..365 days (never into the future); with ``keep_birth_year`` stay in the year."""
    tokens = list(_TOKEN.finditer(value))
    found = _roles(tokens) if tokens else None
    if found is None:
        return None
    roles, ambiguous = found
    old = _parse(tokens, roles)
    if old is None:
        return None
    today = dt.date.today()
    for _ in range(64):
        if ctx.keep_birth_year:
            start = dt.date(old.year, 1, 1)
            new = start + dt.timedelta(days=rng.randint(0, (dt.date(old.year, 12, 31) - start).days))
        else:
            new = old + dt.timedelta(days=rng.choice((-1, 1)) * rng.randint(1, MAX_SHIFT_DAYS))
        # Ambiguous "05/06/1990": choose a day <= 12 so the result is a valid date whichever
        # of d/m/y or m/d/y the writer meant.
        if new != old and new <= today and (not ambiguous or new.day <= 12):
            return _render(value, tokens, roles, new)
    return None
