"""The analyzer's trigger tests (privtune.scan.triggers) agree with ``trigger.search``."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.scan.analyzer import Analyzer
from privtune.scan.triggers import literal_language, needs_non_ascii, trigger_test

_TRIGGERS = list({r.trigger: None for r in Analyzer().recognizers if r.trigger is not None})
_EXTRA = [
    re.compile(p)
    for p in (
        "[@\uff20]", "a(?:b|c)d", "x|\u4e2d\u6587", "(?i)key", "[^a]", "ab?", "\u4e2d|a", "a[|]b|c", "(a|b)c|d",
        "[]|]x|y", "x\\|y|z", "[^]|]|a", "\\d[ \t]+[A-Z]|Box|:\\d", "(a)|b\\1", "_|sk-|AKIA|ASIA", "[A-Z][a-z]|[A-Z]{2}",
    )
]  # fmt: skip
_ALL = _TRIGGERS + _EXTRA

# Characters the triggers look for, their neighbours, CJK, full-width forms, NUL and emoji.
_CHARS = sorted(
    {chr(c) for p in _ALL for w in (literal_language(p) or ()) for c in map(ord, w)}
    | set("_-.:/@ \t\n0123456789abcdxyzeyJAKSIBOXWkKdDoOsSptT|[]\\\u212a\u0663")
    | set("\u4e2d\u6587\u4eac\u7ca4\u6211\u53eb\u5ba2\u6237\uff20\uff10\uff21\x00\U0001f600")
)
_texts = st.text(alphabet=st.sampled_from(_CHARS), max_size=40)


def _words_text(p: re.Pattern[str]) -> st.SearchStrategy[str]:
    words = literal_language(p) or ("",)
    return st.builds(lambda a, w, b: a + w + b, _texts, st.sampled_from(words), _texts)


@settings(max_examples=1500, deadline=None)
@given(text=_texts, i=st.integers(0, len(_ALL) - 1))
def test_trigger_test_matches_search(text: str, i: int) -> None:
    p = _ALL[i]
    assert (trigger_test(p)(text) is not None) == (p.search(text) is not None)


@settings(max_examples=1500, deadline=None)
@given(data=st.data(), i=st.integers(0, len(_ALL) - 1))
def test_trigger_test_on_texts_holding_a_literal(data: st.DataObject, i: int) -> None:
    p = _ALL[i]
    text = data.draw(_words_text(p))
    assert (trigger_test(p)(text) is not None) == (p.search(text) is not None)


def test_shortcuts_classified() -> None:
    assert literal_language(re.compile("[@\uff20]")) == ("@", "\uff20")
    assert literal_language(re.compile("(?i)key")) is None
    assert literal_language(re.compile("ab?")) is None
    assert needs_non_ascii(re.compile("[\u4e00-\u9fff]"))
    assert not needs_non_ascii(re.compile("\u4e2d|a"))
    assert not needs_non_ascii(re.compile("[^a]"))


def test_branches_split_where_it_pays() -> None:
    from privtune.scan.triggers import split_alternatives

    parts = split_alternatives(re.compile(r"\\.\\d|:[0-9A-Fa-f]"))
    assert parts is not None and [p.pattern for p in parts] == [r"\\.\\d", ":[0-9A-Fa-f]"]
    assert split_alternatives(re.compile("[A-Z][a-z]|[A-Z]{2}")) is None  # no literal to skip to
    assert split_alternatives(re.compile("(a)|b\\1")) is None


@settings(max_examples=300, deadline=None)
@given(text=_texts)
def test_en_person_trigger_same_language(text: str) -> None:
    from privtune.scan.recognizers.person import EnPersonRecognizer

    from privtune.scan.ner.english import LATIN_UPPER

    spelled_out = re.compile(f"[A-Z][a-z]|[A-Z]{{2}}|[{LATIN_UPPER}][a-z\u00df-\u024f]")
    assert (EnPersonRecognizer.trigger.search(text) is None) == (spelled_out.search(text) is None)


_GROUPS = [
    [re.compile(p) for p in ("key|Key|secret", "secret|token|ke", "出生|birth|Birth", "_|sk-|AKIA|ASIA")],
    [re.compile(p) for p in ("ab|b", "ba|a")],
    [t for t in _TRIGGERS if literal_language(t) is not None],
]


@settings(max_examples=1500, deadline=None)
@given(data=st.data(), g=st.integers(0, len(_GROUPS) - 1))
def test_literal_group_agrees_with_each_search(data: st.DataObject, g: int) -> None:
    from privtune.scan.triggers import LiteralGroup

    patterns = _GROUPS[g]
    words = [w for p in patterns for w in literal_language(p) or ()]
    pieces = st.one_of(st.sampled_from(words), st.sampled_from(_CHARS))
    text = "".join(data.draw(st.lists(pieces, max_size=12)))
    assert LiteralGroup(patterns).fired(text) == [p.search(text) is not None for p in patterns]
