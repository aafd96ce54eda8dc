"""Recognizer base class and registry (Presidio-style: one small class per detector).

A recognizer looks at one string and returns `Span`s. Register it with `@register`; the
analyzer instantiates every registered recognizer whose types are enabled. Each recognizer
is testable alone: ``EmailRecognizer().analyze("邮箱是a@b.com谢谢")``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import ClassVar, TypeVar

from privtune.scan.entities import Span

# Python's \b does not fire between CJK characters and ASCII digits/letters ("手机13812345678。"
# has no word boundary before "1" in Unicode mode, since 机 is a word character). Use explicit
# ASCII look-arounds instead.
NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"
NOT_DIGIT_BEFORE = r"(?<![0-9])"
NOT_DIGIT_AFTER = r"(?![0-9])"


class Recognizer(ABC):
    """Detects entities of ``entity_types`` in a string."""

    name: ClassVar[str]
    entity_types: ClassVar[tuple[str, ...]]
    # Cheap pre-filter: if set, `analyze` is skipped for strings where it does not match.
    trigger: ClassVar[re.Pattern[str] | None] = None
    # Which sweep of `Analyzer.analyze_records` runs it over a chunk's texts (None: chosen by
    # `analyzer.sweep_of`); recognizers sharing a one-text cache or tables share a sweep.
    sweep: ClassVar[str | None] = None
    # For a recognizer without a trigger that reads only the shared number-run index
    # (`recognizers._shared.number_runs`): it finds nothing in a text none of whose number runs
    # holds this many digits, so the analyzer skips it there (0: never skipped).
    min_run_digits: ClassVar[int] = 0
    # Called with a chunk's texts before `Analyzer.analyze_records` runs this recognizer's sweep
    # over them, and with None after it: work the recognizer's `analyze` calls will look up
    # (a model's features for the whole chunk in one call). Recognizers sharing one are
    # prepared once. It may only save work: `analyze` must return what it would without it.
    prepare_chunk: ClassVar[Callable[[list[str] | None], None] | None] = None

    @abstractmethod
    def analyze(self, text: str) -> list[Span]:
        """Return spans found in ``text`` (may overlap; the analyzer resolves conflicts)."""


R = TypeVar("R", bound=type[Recognizer])
REGISTRY: dict[str, type[Recognizer]] = {}


def register(cls: R) -> R:
    if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
        raise ValueError(f"recognizer name {cls.name!r} registered twice")
    REGISTRY[cls.name] = cls
    return cls


def context_score(
    text: str,
    start: int,
    end: int,
    base: float,
    positive: tuple[str, ...] = (),
    negative: tuple[str, ...] = (),
    window: int = 24,
    boost: float = 0.35,
    penalty: float = 0.4,
) -> float:
    """Raise ``base`` if a positive context word is near the span, lower it for a negative one.

    Matching is case-insensitive substring search in a window of characters on each side,
    which works the same for 手机 and "phone" (no tokenizer needed).
    """
    # Both windows in one string: no word holds "\x00", so none can match across the join.
    both = text[max(0, start - window) : start].lower() + "\x00" + text[end : end + window // 2].lower()
    score = base
    if positive and words_pattern(positive).search(both) is not None:
        score += boost
    if negative and words_pattern(negative).search(both) is not None:
        score -= penalty
    return max(0.0, min(1.0, score))


_WORDS: dict[tuple[str, ...], re.Pattern[str]] = {}
_WORDS_BY_ID: dict[int, tuple[tuple[str, ...], re.Pattern[str]]] = {}


def words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """A literal alternation of ``words``: one search finds whether any occurs in a string
    (several times faster than ``any(w in s for w in words)`` when none does)."""
    # Callers pass the same module-level tuples every time: look them up by identity first
    # (hashing a tuple of 20+ words costs more than the search it guards).
    hit = _WORDS_BY_ID.get(id(words))
    if hit is not None and hit[0] is words:
        return hit[1]
    pattern = _WORDS.get(words)
    if pattern is None:
        if len(_WORDS) > 256:
            _WORDS.clear()
            _WORDS_BY_ID.clear()
        pattern = _WORDS[words] = re.compile(literal_alternation(words))
    if len(_WORDS_BY_ID) > 256:
        _WORDS_BY_ID.clear()
    _WORDS_BY_ID[id(words)] = (words, pattern)
    return pattern


def literal_alternation(words: Iterable[str]) -> str:
    """A regex matching exactly the strings in ``words``, with their common prefixes factored
    out (``pa(?:ss|wd)`` rather than ``pass|pawd``).

    The same language as ``"|".join(map(re.escape, words))``, so a search finds a match at the
    same leftmost position and every match is one of the words (at one position it may be
    another of the words than the plain alternation's). Scans several times faster: the regex
    engine tests each position's next character once instead of once per word.
    """
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}  # "" marks a word's end (no word character is "")

    def emit(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in node.items() if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    if not trie:
        return ""
    return emit(trie)
