"""`literal_alternation` (the factored word regex behind `words_pattern` and `LiteralGroup`)
matches the same strings as the plain escaped alternation: a pre-filter built on it never
misses a word the plain alternation finds."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.scan.registry import literal_alternation, words_pattern
from privtune.scan.triggers import LiteralGroup

_CHARS = st.sampled_from(list("abAB .|*?()[]\\^$+{}-密码姓名\x00\n"))
_WORD = st.text(_CHARS, min_size=0, max_size=5)
_TEXT = st.text(_CHARS, max_size=40)


@settings(max_examples=400, deadline=None)
@given(st.lists(_WORD, min_size=1, max_size=8), _TEXT)
def test_same_leftmost_match_and_only_words(words, text):
    plain = re.compile("|".join(map(re.escape, words)))
    factored = re.compile(literal_alternation(words))
    a, b = plain.search(text), factored.search(text)
    assert (a is None) == (b is None)
    if a is not None:
        assert a.start() == b.start() and b.group() in words
    for m in factored.finditer(text):
        assert m.group() in words  # every match is one of the words
    for w in words:  # each word is matched whole
        assert factored.fullmatch(w) is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORD.filter(bool), min_size=1, max_size=8), _TEXT)
def test_words_pattern_finds_any_word(words, text):
    words = tuple(words)
    assert (words_pattern(words).search(text) is not None) == any(w in text for w in words)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_WORD.filter(bool), min_size=1, max_size=4), min_size=2, max_size=4), _TEXT)
def test_literal_group_fires_as_each_trigger(groups, text):
    patterns = [re.compile("|".join(map(re.escape, g))) for g in groups]
    group = LiteralGroup(patterns)
    assert group.fired(text) == [p.search(text) is not None for p in patterns]
