"""Which triggers a short text cannot match, from the characters that can open their matches.

Every match of a regex consumes a first character, and that character is one the pattern's
first consuming item accepts: "[0-9]" opens with a digit, "passport|PASSPORT" with "p" or "P",
"(?<![A-Za-z])cvv" with "c" (look-arounds and anchors consume nothing). A text holding none
of those characters has no match. `FirstCharSieve` answers that for many triggers at once
from the text's distinct characters: the analyzer asks it for side values (a customer id
"C00012", ~37 trigger tests of ~0.2-0.3 µs each, of which ~30 are ruled out by one look at 5
characters). Patterns whose opening cannot be read off their parse tree (flags, categories
such as ``\\d``, negated classes, a possibly empty match) are never ruled out.
"""

from __future__ import annotations

import re
from re import _constants as C  # noqa: N812 (the sre opcode names)
from re import _parser

# A class range wider than this is kept as a range (the CJK blocks) and tested only for the
# non-ASCII characters of a text; narrower ones are expanded into the per-character table.
_WIDE = 256
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)
_REPEATS = tuple(getattr(C, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(C, name))

# (code points, wide ranges): the characters a match can open with.
Firsts = tuple[frozenset[int], tuple[tuple[int, int], ...]]


def first_chars(pattern: re.Pattern[str]) -> Firsts | None:
    """The characters every match of ``pattern`` opens with one of, or None when that cannot be
    read off the pattern (any flag but the default UNICODE, categories, negated classes, an
    item that may match the empty string where the opening is decided)."""
    if pattern.flags & ~re.UNICODE:  # IGNORECASE folds "K" (U+212A) to "k"; VERBOSE changes the parse
        return None
    return _firsts(_parser.parse(pattern.pattern, pattern.flags).data)


def _firsts(items: list, start: int = 0) -> Firsts | None:  # type: ignore[type-arg]  # sre parse tree
    i = start
    while i < len(items):
        op, av = items[i]
        if op in _ZERO_WIDTH:  # consumes nothing: the opening character comes after it
            i += 1
            continue
        if op is C.LITERAL:
            return frozenset((av,)), ()
        if op is C.IN:
            return _class(av)
        if op is C.BRANCH:
            return _union([_firsts(branch) for branch in av[1]])
        if op is C.SUBPATTERN:
            return None if av[1] or av[2] else _firsts(av[3])  # a group with flags: not read
        if op in _REPEATS:
            low, high, item = av
            if high == 0:  # matches nothing: consumes nothing
                i += 1
                continue
            if low >= 1:
                return _firsts(item)
            return _union([_firsts(item), _firsts(items, i + 1)])  # the item or what follows
        return None  # ANY, NOT_LITERAL, CATEGORY, group references …: any character may open
    return None  # the rest may match the empty string


# Characters that may follow an opening one are listed up to this many ("[a-zß-ɏ]": 394);
# beyond, any may follow.
_MAX_FOLLOW = 4096
# Texts up to this long have their adjacent pairs looked at (`FirstCharSieve.possible`): one
# or two dictionary look-ups per character (a customer id "C00012"; a label of 60 characters
# would pay more for them than the searches they save).
PAIR_MAX_CHARS = 16


def openers(pattern: re.Pattern[str]) -> dict[str, frozenset[str] | None] | None:
    """How every match of ``pattern`` opens: first character -> the characters that may follow
    it (None: any, or the match may end there). "CPF|CVV" gives {"C": {"P", "V"}}, "@|com"
    {"@": None, "c": {"o"}}, "[A-Z][A-Z]\\d\\d" each capital with the capitals. None when that
    cannot be read off the pattern (as `first_chars`; also a wide class first)."""
    if pattern.flags & ~re.UNICODE:
        return None
    pairs = _pairs(list(_parser.parse(pattern.pattern, pattern.flags).data))
    if pairs is None:
        return None
    out: dict[str, frozenset[str] | None] = {}
    for firsts, seconds in pairs:
        follow = None if seconds is None else frozenset(map(chr, seconds))
        for a in firsts:
            ch = chr(a)
            if ch not in out:
                out[ch] = follow
            elif out[ch] is not None:
                out[ch] = None if follow is None else out[ch] | follow  # type: ignore[operator]
    return out


_Pairs = list[tuple[frozenset[int], "frozenset[int] | None"]]


def _pairs(items: list) -> _Pairs | None:  # type: ignore[type-arg]
    """(first characters, second characters or None for any) pairs covering how ``items`` can
    open a match; None if unreadable."""
    i = 0
    while i < len(items) and items[i][0] in _ZERO_WIDTH:
        i += 1
    if i == len(items):
        return None
    op, av = items[i]
    rest = items[i + 1:]
    if op is C.LITERAL or op is C.IN:
        first = _firsts([items[i]])
        if first is None or first[1]:
            return None  # unreadable or wide
        second = _firsts(rest)
        # The match may end after one character, or what follows is unreadable or too wide:
        # any character may follow.
        if second is None or sum(hi - lo + 1 for lo, hi in second[1]) > _MAX_FOLLOW:
            return [(first[0], None)]
        return [(first[0], second[0].union(*(range(lo, hi + 1) for lo, hi in second[1])))]
    if op is C.BRANCH:
        return _all([_pairs(list(branch) + rest) for branch in av[1]])
    if op is C.SUBPATTERN:
        return None if av[1] or av[2] else _pairs(list(av[3]) + rest)
    if op in _REPEATS:
        low, high, item = av
        if high == 0:
            return _pairs(rest)
        again = (op, (max(low - 1, 0), high if high is C.MAXREPEAT else high - 1, item))
        once = _pairs(list(item) + [again] + rest)  # one copy of the item, then the others
        return once if low >= 1 else _all([once, _pairs(rest)])
    return None


def _all(parts: list[_Pairs | None]) -> _Pairs | None:
    if any(p is None for p in parts):
        return None
    return [pair for p in parts for pair in p]  # type: ignore[union-attr]


def _class(members: list) -> Firsts | None:  # type: ignore[type-arg]
    chars: set[int] = set()
    wide: list[tuple[int, int]] = []
    for op, av in members:
        if op is C.LITERAL:
            chars.add(av)
        elif op is C.RANGE:
            lo, hi = av
            if hi - lo >= _WIDE:
                wide.append((lo, hi))
            else:
                chars.update(range(lo, hi + 1))
        else:  # NEGATE, CATEGORY
            return None
    return frozenset(chars), tuple(wide)


def _union(parts: list[Firsts | None]) -> Firsts | None:
    if any(p is None for p in parts):
        return None
    chars = frozenset().union(*(p[0] for p in parts))  # type: ignore[index]
    return chars, tuple(r for p in parts for r in p[1])  # type: ignore[index]


class FirstCharSieve:
    """``possible(text)``: a bit mask over ``patterns`` (bit k for ``patterns[k]``), clear for
    each pattern that cannot match ``text`` because no character of it can open a match
    (`first_chars`) or, in a text of at most `PAIR_MAX_CHARS`, no character of it followed by
    the next can (`openers`); set for the others, and always for a None entry or a pattern
    neither can read. A clear bit means ``patterns[k].search(text) is None``."""

    def __init__(self, patterns: list[re.Pattern[str] | None]) -> None:
        self.size = len(patterns)
        self._by_char: dict[str, int] = {}
        self._wide: list[tuple[int, int, int]] = []  # (lo, hi, bit), all above ASCII
        self._always = 0  # no first-character promise
        self._any_pair = 0  # no `openers` promise
        self._open_any: dict[str, int] = {}  # first character -> patterns any character may follow there
        follows: dict[str, dict[int, frozenset[str]]] = {}  # first character -> pattern -> what may follow
        for k, p in enumerate(patterns):
            bit = 1 << k
            opening = openers(p) if p is not None else None
            if opening is None:
                self._any_pair |= bit
            else:
                for ch, follow in opening.items():
                    if follow is None:
                        self._open_any[ch] = self._open_any.get(ch, 0) | bit
                    else:
                        follows.setdefault(ch, {})[k] = follow
            firsts = first_chars(p) if p is not None else None
            if firsts is None:
                self._always |= bit
                continue
            for c in firsts[0]:
                ch = chr(c)
                self._by_char[ch] = self._by_char.get(ch, 0) | bit
            for lo, hi in firsts[1]:
                if lo <= 0x7F:  # (none such in the triggers; kept exact all the same)
                    for c in range(lo, min(hi, 0x7F) + 1):
                        self._by_char[chr(c)] = self._by_char.get(chr(c), 0) | bit
                    lo = 0x80
                if lo <= hi:
                    self._wide.append((lo, hi, bit))
        # first character -> {next character: patterns}; first characters with the same
        # patterns and followers share one table (the capitals of the English name triggers).
        shared: dict[tuple[tuple[int, frozenset[str]], ...], dict[str, int]] = {}
        self._open_next: dict[str, dict[str, int]] = {}
        for ch, by_pattern in follows.items():
            key = tuple(sorted(by_pattern.items(), key=lambda kv: kv[0]))
            table = shared.get(key)
            if table is None:
                table = shared[key] = {}
                for k, follow in key:
                    for nxt in follow:
                        table[nxt] = table.get(nxt, 0) | 1 << k
            self._open_next[ch] = table

    def possible(self, text: str) -> int:
        get = self._by_char.get
        mask = self._always
        chars = set(text)
        for ch in chars:
            mask |= get(ch, 0)
        if self._wide and not text.isascii():
            for ch in chars:
                c = ord(ch)
                if c > 0x7F:
                    for lo, hi, bit in self._wide:
                        if lo <= c <= hi:
                            mask |= bit
        if len(text) <= PAIR_MAX_CHARS and mask & ~self._any_pair:  # openers may rule some out
            opened = self._any_pair
            open_any, open_next = self._open_any.get, self._open_next.get
            for ch in chars:
                opened |= open_any(ch, 0)
            for i in range(len(text) - 1):
                table = open_next(text[i])
                if table is not None:
                    opened |= table.get(text[i + 1], 0)
            mask &= opened
        return mask
