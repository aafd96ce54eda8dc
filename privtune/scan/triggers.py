"""Cheaper equivalents of recognizer triggers: ``test(text) is not None`` exactly when
``trigger.search(text) is not None``.

A trigger scan costs ~1 µs per 200 characters however simple the pattern, and the analyzer runs
~16 per string. Shortcuts whose answers are provably the same as the regex's:

* a trigger whose language is a few literal strings ("[@＠]", "://|www\\.|WWW\\.") matches iff
  one of them is a substring: ``str.__contains__`` is a C-level search (~0.05-0.15 µs);
* a trigger every match of which holds a non-ASCII character (CJK classes, Chinese cue words)
  cannot match an ASCII-only string, and ``str.isascii`` is O(1) in CPython;
* a short top-level alternation is searched one alternative at a time (`split_alternatives`);
* triggers made of many literal words share one scan (`LiteralGroup`, used by the analyzer);
* triggers every match of which opens with a Latin letter are searched from the text's first
  one (`LatinLedGroup`, used by the analyzer): Chinese text has few or none.

Anything else (look-arounds, categories, repeats, flags) keeps ``pattern.search``.
tests/scan/test_triggers.py checks every shortcut against ``search`` (hypothesis).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from re import _constants as C  # noqa: N812 (the sre opcode names)
from re import _parser

from privtune.scan.alternation import split_branches
from privtune.scan.registry import literal_alternation
from privtune.scan.word_scan import AsciiWordScan

TriggerTest = Callable[[str], object]  # returns None when the trigger does not match

_MAX_WORDS = 64  # a larger literal language is not expanded
_MAX_IN_CHECKS = 6  # more substring checks than this cost as much as the regex scan
# Below this many characters `LiteralGroup`'s one scan is used on ASCII text too (it was
# cheaper than ~23 substring tests: 6 characters, 0.3 vs 1.45 µs; even at ~80; the compiled
# word pass that replaced those has a fixed cost of ~1-1.5 µs a call).
_SUBSTRING_MIN_CHARS = 64


def literal_language(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Every string ``pattern`` can match, if it is a small finite set of literals (no flags
    other than the default UNICODE, no look-arounds, classes of literal characters only)."""
    if pattern.flags & ~re.UNICODE:
        return None
    try:
        words = _words(_parser.parse(pattern.pattern, pattern.flags).data)
    except _Unsupported:
        return None
    return tuple(dict.fromkeys(words)) if words and all(words) else None


class _Unsupported(Exception):
    pass


def _words(items: list) -> list[str]:  # type: ignore[type-arg]  # sre parse tree
    out = [""]
    for op, av in items:
        if op is C.LITERAL:
            alts = [chr(av)]
        elif op is C.IN and all(o is C.LITERAL for o, _ in av):
            alts = [chr(a) for _, a in av]
        elif op is C.BRANCH:
            alts = [w for branch in av[1] for w in _words(branch)]
        elif op is C.SUBPATTERN and not av[1] and not av[2]:  # a group without flags
            alts = _words(av[3])
        else:
            raise _Unsupported
        out = [w + a for w in out for a in alts]
        if len(out) > _MAX_WORDS:
            raise _Unsupported
    return out


def needs_non_ascii(pattern: re.Pattern[str]) -> bool:
    """True if every match of ``pattern`` contains a non-ASCII character (checked on the
    pattern's leading items: a literal or a class of literals and ranges above U+007F, or a
    branch all of whose alternatives are so)."""
    if pattern.flags & ~re.UNICODE:  # IGNORECASE could fold "K" (U+212A) to an ASCII "k"
        return False
    return _non_ascii_items(_parser.parse(pattern.pattern, pattern.flags).data)


def _non_ascii_items(items: list) -> bool:  # type: ignore[type-arg]
    for op, av in items:  # one mandatory non-ASCII item anywhere in the sequence suffices
        if op is C.LITERAL and av > 0x7F:
            return True
        if op is C.IN and av and all(
            (o is C.LITERAL and a > 0x7F) or (o is C.RANGE and a[0] > 0x7F) for o, a in av
        ):
            return True
        if op is C.BRANCH and all(_non_ascii_items(b) for b in av[1]):
            return True
        if op is C.SUBPATTERN and not av[1] and not av[2] and _non_ascii_items(av[3]):
            return True
    return False


def trigger_test(pattern: re.Pattern[str]) -> TriggerTest:
    """A callable equivalent to ``pattern.search`` as a yes/None test (see the module doc)."""
    search = pattern.search
    words = literal_language(pattern)
    if words is not None:
        ascii_words = tuple(w for w in words if w.isascii())
        if len(words) <= _MAX_IN_CHECKS:
            return _any_substring(words, ascii_words)
        if len(ascii_words) <= _MAX_IN_CHECKS:  # ASCII text: only these can occur
            ascii_test = _any_substring(ascii_words, ascii_words)
            return lambda text: ascii_test(text) if text.isascii() else search(text)
    if needs_non_ascii(pattern):
        return lambda text: None if text.isascii() else search(text)
    parts = split_alternatives(pattern)
    if parts is not None:
        first, second, *rest = (p.search for p in parts)
        if not rest:
            return lambda text: first(text) or second(text)
        return lambda text: first(text) or second(text) or rest[0](text)
    return search


_MAX_SPLIT = 3


def split_alternatives(pattern: re.Pattern[str]) -> list[re.Pattern[str]] | None:
    """The top-level alternatives of ``pattern`` as patterns of their own, when searching for
    each is cheaper: sre skips ahead to a literal first character, but not in a branch, so
    "\\.\\d|:[0-9A-Fa-f]" tries both alternatives at every position. ``A|B`` matches at a
    position iff ``A`` or ``B`` does there. Only for 2-3 alternatives of which at most one does
    not begin with a literal, and no group references (the groups are renumbered)."""
    src = pattern.pattern
    if "(?P=" in src or "(?(" in src or re.search(r"\\[1-9]", src):
        return None
    sources = split_branches(src)  # at the "|" outside groups, classes and escapes
    if not 2 <= len(sources) <= _MAX_SPLIT:
        return None
    top = _parser.parse(src, pattern.flags).data
    if len(top) != 1 or top[0][0] is not C.BRANCH or len(top[0][1][1]) != len(sources):
        return None  # not a plain top-level alternation (or the split above misread it)
    try:
        parts = [re.compile(x, pattern.flags) for x in sources]
        firsts = [_parser.parse(x, pattern.flags).data[0][0] if x else None for x in sources]
    except re.error:
        return None
    if sum(op is not C.LITERAL for op in firsts) > 1:
        return None
    return parts


def substring_tested(pattern: re.Pattern[str]) -> bool:
    """Does `trigger_test` answer ``pattern`` with ``word in text`` tests alone (a literal
    language of at most `_MAX_IN_CHECKS` words)? Such triggers can share a `SubstringGroup`."""
    words = literal_language(pattern)
    return words is not None and len(words) <= _MAX_IN_CHECKS


def _any_substring(words: tuple[str, ...], ascii_words: tuple[str, ...]) -> TriggerTest:
    def test(text: str) -> bool | None:
        for w in ascii_words if text.isascii() else words:
            if w in text:
                return True
        return None

    return test


class LiteralGroup:
    """Several literal-word triggers answered together: one scan for all their words instead of
    one scan each (the words of credential, DOB and API-key triggers: ~2.7 µs vs ~5.5 µs).

    ``fired(text)`` gives, per trigger, whether one of its words occurs in ``text``. The scan
    finds the first occurrence of any word of the undecided triggers at or after ``pos``; the
    triggers owning that word fire, and the scan resumes at the same position with the others
    (another one's word may start there too). No undecided trigger's word starts before ``pos``,
    so when a scan finds nothing, the undecided ones do not fire.
    """

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self.size = len(patterns)
        self._owners: dict[str, int] = {}  # word -> bitmask of the triggers it belongs to
        for k, p in enumerate(patterns):
            words = literal_language(p)
            if words is None:
                raise ValueError(f"{p.pattern!r} is not a set of literal words")
            for w in words:
                self._owners[w] = self._owners.get(w, 0) | (1 << k)
        self._scans: dict[int, Callable[[str, int], re.Match[str] | None]] = {}
        # ASCII text: every ASCII word in one compiled pass over its bytes (see `fired`).
        self._ascii_words = AsciiWordScan({w: o for w, o in self._owners.items() if w.isascii()})

    def _scan(self, undecided: int) -> Callable[[str, int], re.Match[str] | None]:
        scan = self._scans.get(undecided)
        if scan is None:
            words = [w for w, owners in self._owners.items() if owners & undecided]
            scan = self._scans[undecided] = re.compile(literal_alternation(words)).search
        return scan

    def fired(self, text: str) -> list[bool]:
        """Per trigger, whether one of its words occurs in ``text`` (`found`'s bits)."""
        found = self.found(text)
        return [bool(found >> k & 1) for k in range(self.size)]

    def found(self, text: str) -> int:
        """Bit k set iff one of trigger k's words occurs in ``text``.

        An ASCII text of `_SUBSTRING_MIN_CHARS` or more has its words found by
        `word_scan.AsciiWordScan` (~3 µs per English demo record; it took ~7 as a ``word in
        text`` per lower-case word, each a C search of the whole text, then the scan). Other
        text (Chinese, where Latin letters are few; short values such as a customer id) has the
        one scan over all the words. A trigger fires iff one of its words occurs."""
        full = (1 << self.size) - 1
        if len(text) >= _SUBSTRING_MIN_CHARS and text.isascii():
            return self._ascii_words.found(text)
        undecided, found, pos = full, 0, 0
        while undecided:
            m = self._scan(undecided)(text, pos)
            if m is None:
                break
            owners = self._owners[m.group()]
            found |= owners
            undecided &= ~owners
            pos = m.start()
        return found


# Latin letters: the first character of every match of a `latin_led` trigger is one of these.
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")


def _latin_only(op: object, av: object) -> bool:
    """Does the sre item (a literal or a class) match Latin letters only (`_LATIN_LETTER`)?"""
    def latin(c: int) -> bool:
        return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A or 0xC0 <= c <= 0x24F

    if op is C.LITERAL:
        return latin(av)  # type: ignore[arg-type]
    if op is C.IN:
        return bool(av) and all(  # type: ignore[arg-type]
            (o is C.LITERAL and latin(a)) or (o is C.RANGE and _latin_range(a)) for o, a in av)  # type: ignore[union-attr]
    return False


def _latin_range(r: tuple[int, int]) -> bool:
    lo, hi = r
    return any(a <= lo and hi <= b for a, b in ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F)))


_REPEATS = tuple(getattr(C, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(C, name))


def _latin_first(items: list) -> bool:  # type: ignore[type-arg]  # sre parse tree
    """Does every match of the sequence ``items`` start with a Latin letter?"""
    if not items:
        return False
    op, av = items[0]
    if op is C.LITERAL or op is C.IN:
        return _latin_only(op, av)
    if op is C.BRANCH:
        return all(_latin_first(b) for b in av[1])
    if op is C.SUBPATTERN and not av[1] and not av[2]:  # a group without flags
        return _latin_first(av[3])
    if op in _REPEATS and av[0] >= 1:
        return _latin_first(av[2])  # at least once: the repeated item opens the match
    return False  # look-arounds, anchors, categories, optional items: no such promise


def latin_led(pattern: re.Pattern[str]) -> bool:
    """True if every match of ``pattern`` starts with a Latin letter (``[A-Za-z\\u00c0-\\u024f]``):
    no match can start before the text's first one. Default flags only (IGNORECASE folds "K",
    U+212A, to "k")."""
    if pattern.flags & ~re.UNICODE:
        return False
    return _latin_first(_parser.parse(pattern.pattern, pattern.flags).data)


class LatinLedGroup:
    """Triggers of which every match opens with a Latin letter (`latin_led`), searched from the
    text's first Latin letter on: on Chinese text, which has few or none, one scan for a Latin
    letter replaces each trigger's scan over the Chinese characters before it (sre cannot skip
    ahead in a pattern that opens with a branch, and steps through CJK text slowly), ~5 -> ~1.5
    µs per demo record for the four English ones. A match starts at a Latin letter, so none
    starts before the first one, and a search from there finds one iff a search from 0 does
    (look-behinds still see the characters before it)."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        if not all(latin_led(p) for p in patterns):
            raise ValueError("every pattern must be latin_led")
        self.size = len(patterns)
        self._searches = tuple(p.search for p in patterns)
        self._bits = tuple((1 << k, search) for k, search in enumerate(self._searches))

    def fired(self, text: str) -> list[bool]:
        """Per trigger, whether it matches somewhere in ``text``."""
        first = _LATIN_LETTER.search(text)
        if first is None:
            return [False] * self.size
        pos = first.start()
        return [search(text, pos) is not None for search in self._searches]

    def found(self, text: str) -> int:
        """`fired` as bits: bit k set iff trigger k matches."""
        first = _LATIN_LETTER.search(text)
        if first is None:
            return 0
        pos, found = first.start(), 0
        for bit, search in self._bits:
            if search(text, pos) is not None:
                found |= bit
        return found


class SubstringGroup:
    """Triggers whose language is a few literal words (`literal_language`), each of which
    `trigger_test` answers with ``word in text`` tests, answered together: their ASCII words by
    one compiled pass over the text's UTF-8 bytes (`AsciiWordScan.found_utf8`), the others by
    ``word in text``. ~20 such triggers cost ~10 µs of substring searches per English demo
    record (each a search of the whole text); the pass costs ~2. A trigger fires iff one of
    its words occurs, as its regex matches iff one does.

    ``bits``: each pattern's bit in `found`'s answer (default ``1 << k`` for the k-th; under
    ``2**62``): the analyzer passes the triggers' own bits and ORs the answer into its mask."""

    def __init__(self, patterns: list[re.Pattern[str]], bits: list[int] | None = None) -> None:
        self.bits = list(bits) if bits is not None else [1 << k for k in range(len(patterns))]
        if len(self.bits) != len(patterns):
            raise ValueError("SubstringGroup: one bit per pattern")
        owners: dict[str, int] = {}
        for bit, p in zip(self.bits, patterns):
            words = literal_language(p)
            if words is None:
                raise ValueError(f"{p.pattern!r} is not a set of literal words")
            for w in words:
                owners[w] = owners.get(w, 0) | bit
        self._ascii = AsciiWordScan({w: o for w, o in owners.items() if w.isascii()})
        self._other = tuple((w, o) for w, o in owners.items() if not w.isascii())

    def found(self, text: str) -> int:
        """The OR of the bits of the patterns that match ``text``."""
        if text.isascii():
            return self._ascii.found_utf8(text.encode("ascii"))
        # (surrogatepass: a lone surrogate, which JSON can carry, becomes bytes >= 128 too)
        found = self._ascii.found_utf8(text.encode("utf-8", "surrogatepass"))
        for w, owners in self._other:
            if (found & owners) != owners and w in text:
                found |= owners
        return found

    def fired(self, text: str) -> list[bool]:
        """Per pattern, whether one of its words occurs in ``text``."""
        found = self.found(text)
        return [bool(found & bit) for bit in self.bits]
