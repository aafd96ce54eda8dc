"""Round 19 of the detection speed work (issue 12 item 4): `analyze_records` tests each text's
triggers up front into one bit mask (`_Plan.fired_mask`), the substring-tested triggers by one
compiled pass (`triggers.SubstringGroup`), and runs the calls that mask lets through. Every
answer must be ``trigger.search``'s, and the spans those of `analyze_many`."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.demo.corpus import generate
from privtune.io import text_fields
from privtune.scan.analyzer import Analyzer, _substring_tests
from privtune.scan.triggers import LatinLedGroup, LiteralGroup, SubstringGroup, literal_language, substring_tested
from privtune.scan.word_scan import AsciiWordScan

_ANALYZER = Analyzer()
_TRIGGERS = list({r.trigger: None for r in _ANALYZER.recognizers if r.trigger is not None})
_SUBSTRING = [t for t in _TRIGGERS if substring_tested(t)]
_WORDS = sorted({w for t in _TRIGGERS for w in literal_language(t) or ()})
# The triggers' words, their pieces and neighbours, CJK and full-width forms, a lone surrogate.
_CHARS = sorted({c for w in _WORDS for c in w} | set(" \t\n\r0123456789abzAZ:;]|=<>-@*\u4e2d\u6587\uff20\ud800\x00"))


def _bits(flags: list[bool]) -> int:
    return sum(1 << k for k, f in enumerate(flags) if f)


def _texts() -> list[str]:
    """The demo's records joined as `analyze_many` joins them, and texts made to hold each word."""
    records = ["\n".join(t for _, t in text_fields(r)) for r in generate(300, seed=5)]
    return records + [f"{a}{w}{b}" for w in _WORDS for a, b in (("", ""), ("客户", " ok"), ("x" * 70, "y"))]


def test_substring_group_holds_the_analyzers_substring_triggers() -> None:
    group = _substring_tests(tuple(_TRIGGERS))
    assert group is not None and len(_SUBSTRING) >= 10  # ~20 built-in ones
    assert [b.bit_length() - 1 for b in group.bits] == [i for i, t in enumerate(_TRIGGERS) if t in _SUBSTRING]


@settings(max_examples=1500, deadline=None)
@given(data=st.data())
def test_substring_group_agrees_with_each_search(data: st.DataObject) -> None:
    pieces = st.one_of(st.sampled_from(_WORDS), st.sampled_from(_CHARS))
    text = "".join(data.draw(st.lists(pieces, max_size=14)))
    assert SubstringGroup(_SUBSTRING).fired(text) == [p.search(text) is not None for p in _SUBSTRING]


def test_substring_group_bits_and_non_ascii_words() -> None:
    patterns = [re.compile(p) for p in ("床|Ward", "\\*\\*|••", "eyJ")]
    group = SubstringGroup(patterns, [1 << 5, 1 << 9, 1 << 2])
    assert group.found("3床") == 1 << 5 and group.found("病房Ward") == 1 << 5
    assert group.found("卡号••12 eyJhb") == (1 << 9) | (1 << 2)
    assert group.found("\ud800eyJ") == 1 << 2  # a lone surrogate is no error
    assert group.found("e y J 床位") == 1 << 5


def test_ascii_word_scan_reads_utf8_bytes() -> None:
    scan = AsciiWordScan({"key": 1, "pin": 2, "PIN": 4})
    for text in ("密码key是", "pin", "中文PIN码", "中文", "k\u00e9y", "p\u4e2din"):
        want = sum(o for w, o in (("key", 1), ("pin", 2), ("PIN", 4)) if w in text)
        assert scan.found_utf8(text.encode("utf-8")) == want, text


def test_fired_mask_is_every_triggers_search() -> None:
    plan = _ANALYZER._plan or _ANALYZER._build_plan()
    for text in _texts():
        want = _bits([t.search(text) is not None for t in _TRIGGERS])
        assert plan.fired_mask(text) == want, text[:60]


def test_group_found_is_fired_as_bits() -> None:
    literal = [t for t in _TRIGGERS if literal_language(t) is not None and not substring_tested(t)]
    latin = [re.compile(p) for p in ("[A-Z][a-z]", "Inc|Ltd", "[A-Z]{2}\\d")]
    for text in _texts()[:120] + ["", "中文", "AB1 Inc", "password Key", "出生日期"]:
        assert LiteralGroup(literal).found(text) == _bits(LiteralGroup(literal).fired(text))
        assert LatinLedGroup(latin).found(text) == _bits([p.search(text) is not None for p in latin])


def test_analyze_records_equals_analyze_many() -> None:
    records = [[t for _, t in text_fields(r)] for r in generate(400, seed=11)]
    records += [[t] for t in _texts()[300:]] + [["", "a"], [""]]
    got = _ANALYZER.analyze_records(records)
    assert got == [_ANALYZER.analyze_many(r) for r in records]
