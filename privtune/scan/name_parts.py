"""The shorter ways a record refers again to a person it named in full.

"Hi, I'm John Smith" is followed by "Thanks John", "Mr Smith" or "Bob" (for Robert); "王建国"
by "王先生" or, for "王小明", "小明您好". Replacing the full name and leaving these would
undo the pseudonymisation, so `propagate` marks them too, within the same record only.

False positives are held down by requiring more than a bare fragment: a surname only with an
honorific ("王先生", "Mr Smith"), a Chinese given name only of two or more characters, Latin
parts only as whole, case-exact words.

Each `NamePart` says how its replacement stays consistent with the full name's surrogate: most
parts need nothing (the pseudonymiser maps surname and given name separately, so "王先生" and
"Mr Smith" already get the surrogate's surname); a Chinese given name and a nickname carry an
``alias`` that the anonymiser resolves (the given name alone, the formal first name).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from privtune.scan.anonymize._common import is_cjk
from privtune.scan.anonymize._data import CN_COMPOUND_SURNAMES

CN_HONORIFICS = ("先生", "女士", "小姐", "太太", "老师", "经理", "主任", "医生", "律师", "总")
EN_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Prof")
_EN_TITLE_WORDS = frozenset(t.lower() for t in EN_TITLES) | {"mx", "sir", "madam"}
_EN_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})
MIN_CN_GIVEN = 2  # one character ("芳" of "王芳") recurs in ordinary words
MIN_LATIN = 2
# Letters of any alphabet but Han (José, Müller, Björk: their parts recur as much as John's).
_LATIN_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['\-])*")

# Common English nicknames: each group is one formal first name and its short forms. A part's
# alias is the formal name, so "Bob" is replaced like "Robert" would be.
NICKNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Robert", "Bob", "Bobby", "Rob", "Robbie"), ("William", "Bill", "Billy", "Will", "Liam"),
    ("Elizabeth", "Liz", "Lizzie", "Beth", "Betty", "Eliza"), ("Richard", "Rick", "Ricky", "Dick", "Rich"),
    ("James", "Jim", "Jimmy", "Jamie"), ("John", "Johnny", "Jack"), ("Michael", "Mike", "Mikey", "Mick"),
    ("Thomas", "Tom", "Tommy"), ("Joseph", "Joe", "Joey"), ("Charles", "Charlie", "Chuck"),
    ("Christopher", "Chris", "Kit"), ("Daniel", "Dan", "Danny"), ("Matthew", "Matt"),
    ("Anthony", "Tony"), ("Edward", "Ed", "Eddie", "Ted"), ("Andrew", "Andy", "Drew"),
    ("Nicholas", "Nick", "Nicky"), ("Benjamin", "Ben", "Benny"), ("Samuel", "Sam", "Sammy"),
    ("Alexander", "Alex", "Sandy"), ("Jonathan", "Jon"), ("Stephen", "Steve"), ("Steven", "Steve"),
    ("Timothy", "Tim", "Timmy"), ("Patrick", "Pat", "Paddy"), ("Gregory", "Greg"), ("Kenneth", "Ken", "Kenny"),
    ("Jennifer", "Jen", "Jenny"), ("Katherine", "Kate", "Katie", "Kathy", "Kat"), ("Catherine", "Cathy", "Cat"),
    ("Margaret", "Maggie", "Meg", "Peggy"), ("Patricia", "Patty", "Trish"), ("Susan", "Sue", "Susie"),
    ("Deborah", "Debbie", "Deb"), ("Rebecca", "Becky", "Becca"), ("Victoria", "Vicky", "Tori"),
    ("Jessica", "Jess", "Jessie"), ("Samantha", "Sam"), ("Alexandra", "Alex", "Lexi"),
    ("Christine", "Chris", "Chrissy"), ("Abigail", "Abby"), ("Kimberly", "Kim"), ("Pamela", "Pam"),
    ("Cynthia", "Cindy"), ("Judith", "Judy"), ("Dorothy", "Dot", "Dottie"), ("Theodore", "Ted", "Teddy", "Theo"),
)


def _nickname_table() -> dict[str, tuple[str, tuple[str, ...]]]:
    """lower name -> (formal name, other forms of the same group)."""
    table: dict[str, tuple[str, tuple[str, ...]]] = {}
    for group in NICKNAME_GROUPS:
        formal = group[0]
        for name in group:
            if name.lower() not in table:  # first group wins ("Sam": Samuel)
                table[name.lower()] = (formal, tuple(n for n in group if n != name))
    return table


NICKNAMES = _nickname_table()


@dataclass(frozen=True, slots=True)
class NamePart:
    """Search for ``needle``; mark ``needle[offset:]`` (the whole needle when 0) as PERSON.

    ``alias``: ``(kind, value)`` the anonymiser replaces the part with — ``("zh_given", 小明)``, ``("en_given", Helga)``
    or ``("en_first", Robert)`` — None when the part's own surrogate is already consistent.
    """

    needle: str
    kind: str  # detector suffix: given_name, surname, nickname
    alias: tuple[str, str] | None = None


def _cn_parts(core: str) -> list[NamePart]:
    sur_len = 2 if len(core) >= 3 and core[:2] in CN_COMPOUND_SURNAMES else 1
    sur, given = core[:sur_len], core[sur_len:]
    parts = [NamePart(sur + h, "surname") for h in CN_HONORIFICS]
    if len(given) >= MIN_CN_GIVEN:
        parts.append(NamePart(given, "given_name", ("zh_given", given)))
    return parts


def _en_parts(value: str) -> list[NamePart]:
    words = _LATIN_WORD.findall(value)
    while words and words[0].lower().rstrip(".") in _EN_TITLE_WORDS:
        words = words[1:]
    while words and words[-1].lower().rstrip(".") in _EN_SUFFIXES:
        words = words[:-1]
    if not words:
        return []
    first, parts = words[0], []
    if len(words) >= 2 and len(first) >= MIN_LATIN:
        # Its alias: alone, a given name the first-name lists lack would be replaced as a surname.
        parts.append(NamePart(first, "given_name", ("en_given", first)))
    if first.lower() in NICKNAMES:
        formal, others = NICKNAMES[first.lower()]
        parts.extend(NamePart(n, "nickname", ("en_first", formal)) for n in others)
    last = words[-1]
    if len(words) >= 2 and len(last) >= MIN_LATIN:
        for t in EN_TITLES:
            parts.append(NamePart(f"{t} {last}", "surname"))
            parts.append(NamePart(f"{t}. {last}", "surname"))
    return parts


@functools.lru_cache(maxsize=4096)
def name_parts(value: str) -> tuple[NamePart, ...]:
    """The partial mentions to look for once ``value`` was detected as a person's full name."""
    core = value.strip()
    for h in CN_HONORIFICS:  # "王建国先生": the name is before the honorific
        if core.endswith(h) and len(core) > len(h):
            core = core[: -len(h)]
            break
    if all(is_cjk(c) for c in core):
        # A surname alone ("王" of "王先生") or a familiar form ("小王", "老李") names no one
        # fully: its exact copies are marked already, its "parts" would be noise.
        if not 2 <= len(core) <= 4 or (len(core) == 2 and core[0] in "老小阿"):
            return ()
        return tuple(_cn_parts(core))
    if not any(is_cjk(c) for c in core):
        return tuple(_en_parts(core))
    return ()
