"""Tibetan and Mongolian names in Chinese characters (recognizers/zh_minority_names)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize("text, name", [
    # Round-12 probe: missed after a cue, in a CSV cell and in an English sentence.
    ("明天拜访客户扎西顿珠，他电话 025-82284764", "扎西顿珠"),
    ("customer 扎西顿珠, tel +886 912 122 768", "扎西顿珠"),
    ("col_1,col_2\n次仁卓玛,650102200303113586", "次仁卓玛"),
    ("家属 其其格（父）", "其其格"),
])
def test_found(analyzer: Analyzer, text: str, name: str) -> None:
    assert (name, "PERSON") in {(text[s.start : s.end], s.type) for s in analyzer.analyze(text)}


def test_one_name_word_alone_or_a_place_is_no_name() -> None:
    from privtune.scan.recognizers.zh_minority_names import minority_name_spans

    assert minority_name_spans("扎西德勒！乌云密布，去呼和浩特") == []
