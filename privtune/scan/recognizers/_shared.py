"""Helpers shared by the structured recognizers: full-width folding, the number-run index,
context scoring that stops at neighbouring numbers, and anchored matching at landmarks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from privtune.scan.checksums import is_valid_cn_id
from privtune.scan.registry import literal_alternation, words_pattern

# Full-width ASCII (U+FF01-FF5E) and the ideographic space map 1:1 to ASCII, so offsets in the
# folded string are offsets in the original. Chinese IMEs produce １３８…, ＡＢ, ＠, －. Folding
# costs ~10 µs per 300 chars, so it is done only when a full-width character that can be part
# of an entity is present; the patterns accept full-width ，：（）；！？ themselves, which
# are in almost every Chinese sentence.
_HALFWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20
_NEEDS_FOLDING = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff20\uff0b\uff0d\uff0e]")


@lru_cache(maxsize=16)
def halfwidth(text: str) -> str:
    """``text`` with full-width ASCII folded to ASCII if it holds full-width letters, digits or
    ＠＋－．; same length, same offsets."""
    if text.isascii() or _NEEDS_FOLDING.search(text) is None:  # isascii: O(1), no full-width
        return text
    return text.translate(_HALFWIDTH)


# Words that say a nearby number is a reference, not a person's contact/ID/card. They are
# looked for on the left only: "…这张卡已挂失，运单号SF…" describes the number that follows.
NEGATIVE_CONTEXT: tuple[str, ...] = (
    "订单号", "单号", "运单", "快递", "物流", "流水号", "交易号", "编号", "批次", "序列号",
    "时间戳", "order no", "order number", "order id", "tracking", "invoice", "timestamp",
    "serial", "sku", "transaction id",
)  # fmt: skip
# Weaker cues that only count right before the number ("您的订单1520…", "Order #…").
NEAR_NEGATIVE_CONTEXT: tuple[str, ...] = ("订单", "order", "编码")
_NEAR_NEGATIVE = re.compile("|".join(map(re.escape, NEAR_NEGATIVE_CONTEXT)))

_WINDOW = 24  # characters looked at on the left
_RIGHT = 8  # and on the right: further right, words describe the next thing
_NEAR = 8


_CLAUSE_END = frozenset("。；;！!？?）)")  # ")": "…X（身份证）" labels what precedes
# On the right a new item starts at a digit, a clause end, a comma or a line break.
_RIGHT_STOP = re.compile(r"[0-9。；;！!？?）),，、\n]")


# The last digit (with an ID number's trailing X) or clause end before a position.
_LAST_DIGIT = re.compile(r"(?s:.*)[0-9][Xx]?")
_LAST_DIGIT_OR_CLAUSE = re.compile(r"(?s:.*)(?:[0-9][Xx]?|[。；;！!？?）)])")


def left_edge(text: str, start: int, window: int = _WINDOW, clause: bool = False) -> int:
    """Start of the left context of [start, …): ``window`` back, but not past another digit
    nor, if ``clause``, a clause end ("…（身份证）；营业执照号913…": 身份证 labels the number
    before; a positive label may still sit a sentence earlier: "请核对护照信息。号码：E…")."""
    lo = max(0, start - window)
    m = (_LAST_DIGIT_OR_CLAUSE if clause else _LAST_DIGIT).match(text, lo, start)
    return lo if m is None else m.end()


def _label_after_negative(near: str, positive: tuple[str, ...]) -> bool:
    """A positive label stands between the last weak negative word and the value ("备注订单，我的
    护照是E…": 护照 names the number, 订单 belonged to the clause before)."""
    if not positive:
        return False
    last_negative = max(m.end() for m in _NEAR_NEGATIVE.finditer(near))
    return any(m.start() >= last_negative for m in words_pattern(positive).finditer(near))


def scored(
    text: str,
    start: int,
    end: int,
    base: float,
    positive: tuple[str, ...] = (),
    negative: tuple[str, ...] = NEGATIVE_CONTEXT,
) -> float:
    """`context_score` with positive words on both sides and negative ones on the left only,
    in windows that stop at the nearest other digit ("订单号2023…，手机138…": 订单号 is not the
    phone's).

    Called for every candidate number, so `context_score`'s arithmetic is written out here on
    the two windows directly (same windows, same steps, same result).
    """
    # left_edge twice (without and with clause ends) from one regex call where possible: if
    # the last digit-or-clause-end is a digit, both edges are right after it.
    lo = max(0, start - _WINDOW)
    m = _LAST_DIGIT_OR_CLAUSE.match(text, lo, start)
    if m is None:
        lo_clause = lo
    elif text[m.end() - 1] in _CLAUSE_END:
        lo, lo_clause = left_edge(text, start), m.end()
    else:
        lo = lo_clause = m.end()
    stop = _RIGHT_STOP.search(text, end, end + _RIGHT)
    hi = min(len(text), end + _RIGHT) if stop is None else stop.start()
    score = base
    # lo >= start - _WINDOW and hi <= end + _RIGHT: the windows are text[lo:start], text[end:hi].
    if positive and words_pattern(positive).search(text[lo:start].lower() + "\x00" + text[end:hi].lower()):
        score += _BOOST
    score = max(0.0, min(1.0, score))
    if negative:
        left = text[lo_clause:start].lower()
        if "\n" in left:
            # A line that starts with its own words is a new item: "…备注订单\n老身份证6301…"
            # is not an order number. A break right after a label keeps it ("订单号：\n2023…").
            cut = left.rfind("\n") + 1
            if left[cut:].strip():
                left = left[cut:]
                lo_clause = start - len(left)
        if words_pattern(negative).search(left) is not None:
            score -= _PENALTY
        score = max(0.0, min(1.0, score))
        near = left if start - lo_clause <= _NEAR else text[start - _NEAR : start].lower()
        if _NEAR_NEGATIVE.search(near) is not None and not _label_after_negative(near, positive):
            score = max(0.0, score - _PENALTY)
    # Rounded so that e.g. 0.6 - 0.1 compares equal to the 0.5 threshold. round() is slow and
    # scores take few values (sums of a few constants, never -0.0): remember its results.
    rounded = _ROUNDED.get(score)
    if rounded is None:
        rounded = round(score, 4)
        if len(_ROUNDED) < 4096:
            _ROUNDED[score] = rounded
    return rounded


_ROUNDED: dict[float, float] = {}


_BOOST, _PENALTY = 0.35, 0.4  # context_score's defaults


_GROUP_AFTER = re.compile(r"([ .-])\d{3,}(?![/.:\d-])")
# A digit group, or a 4-character alphanumeric one as in IBANs ("BE07 0308 9569 5688").
_GROUP_BEFORE = re.compile(r"(?<![/.:0-9A-Za-z-])(?:\d{1,6}|[0-9A-Z]{4})([ .-])$")


def has_continuation(text: str, start: int, end: int, after: bool = True) -> bool:
    """True if the grouped number at [start, end) is one part of a longer one: a digit group
    with the same separator right before it or (if ``after``) right after it. A date such as
    " 2022/3/29" next to it is not a group."""
    value = text[start:end]
    if value.isdigit():
        return False  # no separator: not a group
    seps = {c for c in value if c in " -."}
    if not seps:
        return False
    b = _GROUP_BEFORE.search(text, max(0, start - 8), start)
    if b is not None and b.group(1) in seps:
        return True
    a = _GROUP_AFTER.match(text, end) if after else None
    return a is not None and a.group(1) in seps


# Maximal runs of digits and the characters numbers are written with. Every phone, card,
# SSN, ID-card and IPv4 match lies inside one (plus a trailing X), so those recognizers scan
# only these few short windows instead of the whole text with several patterns each.
_NUMBER_RUN = re.compile(r"[0-9+(（][0-9 ()（）+.-]*")
# Deletes the separators numbers are written with (for use with str.translate).
NOT_DIGIT = str.maketrans("", "", " ()（）+.-")


@lru_cache(maxsize=16)
def number_runs(folded: str) -> tuple[tuple[int, int, int], ...]:
    """(start, end, digit count) of the number runs in an already `halfwidth`-folded text."""
    runs = []
    for m in _NUMBER_RUN.finditer(folded):
        g = m.group()
        n = len(g) if g.isdigit() else len(g.translate(NOT_DIGIT))
        if n:
            runs.append((m.start(), m.end(), n))
    return tuple(runs)


@lru_cache(maxsize=16)
def number_run_gates(needs: tuple[int, ...]) -> Callable[[str], list[bool]]:
    """For each need (ascending), does ``text`` hold a number run (`number_runs` of its
    `halfwidth` fold, the index the gated recognizers read) of at least that many digits? One
    look at the runs answers every gate; the fold and the runs stay cached for the recognizers
    that then run. A recognizer's ``min_run_digits`` promises it finds nothing otherwise."""

    def gates(text: str) -> list[bool]:
        most = max([n for _, _, n in number_runs(halfwidth(text))], default=0)
        return [most >= need for need in needs]

    return gates


# The bank-card and ID-card recognizers both check every 18-digit number: once per text will do.
valid_cn_id = lru_cache(maxsize=32)(is_valid_cn_id)


_DIGITS = re.compile(r"[0-9]+")


@lru_cache(maxsize=16)
def digit_strings(folded: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of every maximal ASCII digit string in an already folded text."""
    out: list[tuple[int, int]] = []
    for start, end, n in number_runs(folded):
        if n == end - start:  # a run of digits only (the usual case) is one digit string
            out.append((start, end))
        else:
            out.extend((m.start(), m.end()) for m in _DIGITS.finditer(folded, start, end))
    return tuple(out)


def match_before_digits(
    pattern: re.Pattern[str], folded: str, min_len: int, max_len: int, lead: int
) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` anchored 0..``lead`` characters before a digit string of
    ``min_len``..``max_len`` digits: for codes such as "E12345678" or "91350100M000…" whose
    digits come after at most ``lead`` letters. Each anchor is one cheap ``match`` call.

    ``pattern`` must match ASCII letters and digits only (a code): then, when the character
    before the digits is neither, the digits themselves are the only anchor.
    """
    last_end = -1
    for start, end in digit_strings(folded):
        if min_len <= end - start <= max_len:
            first = start if start == 0 or folded[start - 1] not in _ASCII_ALNUM else start - min(lead, start)
            for k in range(first, start + 1):
                if k >= last_end and (m := pattern.match(folded, k)) is not None:
                    last_end = m.end()
                    yield m
                    break


_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def finditer_runs(
    pattern: re.Pattern[str], folded: str, min_digits: int = 1, max_digits: int = 10**6
) -> Iterator[re.Match[str]]:
    """``pattern.finditer`` restricted to the number runs of ``folded`` holding at least
    ``min_digits`` digits and, if they are one plain digit string, at most ``max_digits``.
    3 chars of slack on the right let an ID's X and the pattern's look-ahead see the text."""
    for start, end, n in number_runs(folded):
        if n >= min_digits and (n <= max_digits or n != end - start):
            yield from pattern.finditer(folded, start, end + 3)


def match_at_hints(
    pattern: re.Pattern[str], text: str, hints: re.Pattern[str], back: int = 0
) -> Iterator[re.Match[str]]:
    """Non-overlapping matches of ``pattern`` anchored 0..``back`` chars before a ``hints`` hit.

    For entities with a literal landmark ("粤B", "DE89", "ghp_", "密码"): a few anchored
    ``match`` calls at the landmarks cost far less than scanning the text with the pattern.
    """
    done = 0
    for hit in hints.finditer(text):
        for k in range(max(done, hit.start() - back), hit.start() + 1):
            m = pattern.match(text, k)
            if m is not None:
                done = m.end()
                yield m
                break


_OPENERS = {")": "(", "]": "[", "}": "{"}


def strip_tail(value: str, punct: str) -> str:
    """Drop trailing ``punct`` characters and unbalanced closing brackets from ``value``."""
    while value:
        last = value[-1]
        if last in punct or (last in _OPENERS and value.count(last) > value.count(_OPENERS[last])):
            value = value[:-1]
        else:
            break
    return value


def keyword_pattern(*words: str) -> re.Pattern[str]:
    """A literal alternation of ``words`` as written, Capitalised and UPPER-cased.

    Used for triggers: a plain literal alternation scans several times faster than the same
    words under IGNORECASE, and the recognizer's own pattern does the exact matching.
    """
    variants = dict.fromkeys(v for w in words for v in (w, w.capitalize(), w.upper()))
    return re.compile("|".join(map(re.escape, variants)))


class CuesBefore:
    """Cue words looked for backwards from a value's start ("MRN: 00482913", "zip code 94103"):
    the text before the value, less the ``gap_chars`` and one of the ``gap_words`` ("is", "no.")
    between cue and value, must end with a cue. The cues are grouped by their last two
    characters, so most windows (ending in none of these pairs) cost one dict lookup and the rest
    a handful of ``str.endswith`` tests: a regex alternation of all the cues, tried branch by
    branch, cost ~2 µs per number."""

    def __init__(self, words: tuple[str, ...], gap_chars: str, gap_words: tuple[str, ...], lookback: int) -> None:
        self.words = tuple(sorted(set(words), key=len, reverse=True))  # longest first
        self.gap_chars, self.gap_words, self.lookback = gap_chars, gap_words, lookback
        self._by_tail: dict[str, tuple[str, ...]] = {}
        for c in self.words:
            self._by_tail[c[-2:]] = (*self._by_tail.get(c[-2:], ()), c)
        self._one_char = any(len(c) == 1 for c in self.words)  # ("〒"): looked up by its last character

    def start(self, t: str, head: int) -> int:
        """Where a cue starts that ends right before ``t[head]`` (a gap allowed), or -1."""
        lo = max(0, head - self.lookback)
        w = t[lo:head].rstrip(self.gap_chars).lower()
        # A cue may itself end with a gap word ("staff no. 88213"): taken whole before the gap
        # word is stripped, or "no" would be cut off the cue and nothing left to match.
        if w.endswith(self.gap_words) and self._cue_end(w) is None:
            w = w[: w.rfind(" ")].rstrip(self.gap_chars)
        # `_cue_end` inline: this runs for every number run of a text.
        cues = self._by_tail.get(w[-2:])
        if cues is None and self._one_char:
            cues = self._by_tail.get(w[-1:])
        if cues is None or not w.endswith(cues):
            return -1
        return lo + len(w) - len(next(c for c in cues if w.endswith(c)))

    def _cue_end(self, w: str) -> str | None:
        """The longest cue ``w`` ends with, or None."""
        cues = self._by_tail.get(w[-2:])
        if cues is None and self._one_char:
            cues = self._by_tail.get(w[-1:])
        if cues is None or not w.endswith(cues):
            return None
        return next(c for c in cues if w.endswith(c))


# One trigger for several rare-word recognizers (cued passports, Windows default hostnames,
# home-directory paths, MAC addresses written with dashes): alone each would be a few substring tests per text (a trigger of at
# most six words is tested so); together, more than six words, they join the analyzer's one
# shared scan of literal triggers. Each recognizer's own pattern then finds only its part.
RARE_WORDS_TRIGGER = re.compile(literal_alternation(
    ("passport", "Passport", "PASSPORT", "DESKTOP-", "LAPTOP-", "/home/", "\\Users\\", "/Users/", "\\users\\", "ssh ",
     "MAC", "mac ad", "Mac ad", "Physical Ad", "BSSID", "HWaddr")))
# (Words are substrings: "mac ad" stands for "mac address". Each word opening with a common
# lower-case letter costs the shared scan most: ~0.5 µs per demo record for these all.)
