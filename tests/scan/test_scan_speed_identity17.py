"""Round 16 of the scan's speed-ups (branch speed16): each shortcut against the code it replaced."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.demo.corpus import generate
from privtune.io import text_fields
from privtune.scan.analyzer import SHORT_TEXT, Analyzer
from privtune.scan.first_chars import PAIR_MAX_CHARS, FirstCharSieve, first_chars, openers


class _NoSieve:
    def possible(self, text: str) -> int:
        return -1  # every trigger searched, as `_analyze_plain` did for short texts


def _triggers(analyzer: Analyzer) -> list[re.Pattern[str]]:
    out: list[re.Pattern[str]] = []
    for rec in analyzer.recognizers:
        if rec.trigger is not None and rec.trigger not in out:
            out.append(rec.trigger)
    return out


_ANALYZER = Analyzer()
_TRIGGERS = _triggers(_ANALYZER)
_SIEVE = FirstCharSieve(list(_TRIGGERS))
# Characters the triggers open with or need next, and others.
_CHARS = st.sampled_from(list("aAbBcCdDkKpPsStTxXIOLN0123456789@.:-_ /()+*<=|#'\"\t\n") +
                         ["姓名", "电话", "我叫", "号", "路", "＠", "·", "京", "车牌", "出生", "com", "CPF", "CVV",
                          "passport", "DOB", "sk-", "eyJ", "://", "www.", "-----BEGIN ", "Inc", "Ltd", "<<", "床"])
_SHORT = st.lists(_CHARS, max_size=12).map("".join).filter(lambda t: len(t) <= SHORT_TEXT)


def test_every_trigger_of_the_analyzer_is_read() -> None:
    """The sieve has a promise for each built-in trigger (else it would save nothing there)."""
    assert all(first_chars(t) is not None for t in _TRIGGERS)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(_SHORT)
def test_a_ruled_out_trigger_does_not_match(text: str) -> None:
    mask = _SIEVE.possible(text)
    for k, trigger in enumerate(_TRIGGERS):
        if not mask >> k & 1:
            assert trigger.search(text) is None, (trigger.pattern[:60], text)


_PATTERNS = [r"CPF|CVV", r"[A-Z][A-Z]\d\d", r"x?yz", r"(?<![a-z])ab|c+d", r"a", r"ab?", r"[㐀-鿿]x", r"(?:ab){2,}c",
             r"@|com", r"a{0}b", r"(?=q)qu|\bzz", r"[^a]b", r"\d\d", r"(?i:k)x", r"a*", r"(a)\1", r"[a-zß-ɏ]x",
             r"(?:x|)y", r"[\x00-\u0fff]z"]


@pytest.mark.parametrize("source", _PATTERNS)
def test_sieve_on_patterns_of_every_shape(source: str) -> None:
    """Unread shapes (categories, negated classes, flags, empty matches) are never ruled out;
    read ones only where ``search`` finds nothing."""
    pattern = re.compile(source)
    sieve = FirstCharSieve([pattern, None])
    texts = ["", "a", "ab", "abab", "ababc", "xyz", "yz", "xy", "CP", "CPF", "CV", "AB12", "ab12", "Ab12", "@",
             "co", "qu", "zz", " zz", "1", "12", "K", "kx", "\u212ax", "aa", "b", "y", "ßx", "\u4e00x", "\u0fffz",
             "zz" * 10, "xb", "ababab c"]
    for text in texts:
        mask = sieve.possible(text)
        assert mask >> 1 & 1  # a None entry: always possible
        if not mask & 1:
            assert pattern.search(text) is None, (source, text)
    if source in (r"\d\d", r"[^a]b", r"(?i:k)x", r"a*"):
        assert first_chars(pattern) is None and all(sieve.possible(t) & 1 for t in texts)
    if source == r"CPF|CVV":
        assert openers(pattern) == {"C": frozenset("PV")} and not sieve.possible("C0") & 1
    if source == r"(a)\1":  # the reference comes after the opening character
        assert first_chars(pattern) == (frozenset({ord("a")}), ()) and openers(pattern) == {"a": None}
    if source == r"(?:x|)y":  # an empty branch: no first-character promise, openers exact
        assert first_chars(pattern) is None and openers(pattern) == {"x": frozenset("y"), "y": None}
    if source == r"@|com":
        assert openers(pattern) == {"@": None, "c": frozenset("o")}


def test_pairs_only_in_short_texts() -> None:
    """Past `PAIR_MAX_CHARS` only the opening characters rule a pattern out (cheaper there)."""
    sieve = FirstCharSieve([re.compile("CPF")])
    assert not sieve.possible("C0") & 1
    assert sieve.possible("C" + "0" * PAIR_MAX_CHARS) & 1
    assert not sieve.possible("x" * (PAIR_MAX_CHARS + 5)) & 1


def _without_sieve(text: str) -> list:
    plan = _ANALYZER._plan or _ANALYZER._build_plan()
    object.__setattr__(_ANALYZER, "_plan", plan._replace(sieve=_NoSieve()))
    try:
        return _ANALYZER.analyze(text)
    finally:
        object.__setattr__(_ANALYZER, "_plan", plan)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(_SHORT)
def test_short_analyze_equals_the_loop_without_the_sieve(text: str) -> None:
    assert _ANALYZER.analyze(text) == _without_sieve(text)


def test_demo_side_values_and_short_pieces() -> None:
    """Customer ids, every side value and short pieces of the demo's texts: the same spans."""
    records = generate(300, seed=5)
    texts = [f"C{i:05d}" for i in range(0, 3000, 7)]
    for r in records:
        texts += [v for k, v in r.items() if isinstance(v, str)]
        for _, t in text_fields(r):
            texts += [t[i : i + n] for i in range(0, len(t), 11) for n in (6, 15, 40, SHORT_TEXT)]
    for text in texts:
        assert _ANALYZER.analyze(text) == _without_sieve(text), text


def test_calls_kept_per_mask_are_the_short_calls_the_sieve_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    """`_Plan.short_by_mask`: the same spans whether a mask's calls come from the table or are
    filtered again (the table emptied after every text), and each entry is the filter's list."""
    import privtune.scan.analyzer as analyzer_module

    texts = ["C00012", "C00013", "en", "user", "Norma Fisher", "13812345678", "王小明", "ecommerce", "x" * SHORT_TEXT]
    first = [_ANALYZER.analyze(t) for t in texts]
    monkeypatch.setattr(analyzer_module, "_MASKS_KEPT", 1)
    _ANALYZER._plan.short_by_mask.clear()
    assert [_ANALYZER.analyze(t) for t in texts] == first == [_without_sieve(t) for t in texts]
    plan = _ANALYZER._plan
    for mask, calls in plan.short_by_mask.items():
        assert calls == [c for c in plan.short_calls if c[0] < 0 or mask >> c[0] & 1]
    assert len(plan.short_by_mask) <= 1
