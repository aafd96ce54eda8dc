"""zh_handle_names: a name ending an organisation's @handle (@鸿睿思博罗飞 -> 罗飞), no name in
the organisation's part of a handle, no unknown-rule name inside a handle that does not end it.
The posts are made up (Faker company prefixes and names), not corpus sentences."""

from __future__ import annotations

import pytest

from privtune.scan.entities import Span
from privtune.scan.ner.model import tag_zh
from privtune.scan.ner.zh_handle_names import (
    HANDLE_END_DETECTOR,
    MAX_HANDLE,
    _handles,
    _organisation_parts,
    handle_end_names,
)


def _names(text: str) -> list[str]:
    return [text[s.start : s.end] for s in tag_zh(text) if s.type == "PERSON" and s.score >= 0.5]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # two staff handles of one company: the second name, which the CRF misses, is found
        ("感谢两位的辛苦付出@鸿睿思博周秀英@鸿睿思博罗飞", ["周秀英", "罗飞"]),
        # the same with spaces between the handles: the CRF reads the shared prefix as the name
        # and scores no ending (before: 鸿睿思博 x3 as names, both staff names left)
        ("感谢 @鸿睿思博周秀英 @鸿睿思博罗飞 @鸿睿思博客服 的帮助", ["周秀英", "罗飞"]),
        # the company's name inside the handles is no name (the unknown rule took 凌颖 twice)
        ("感谢两位的辛苦付出@凌颖信息刘博@凌颖信息李梅", ["刘博", "李梅"]),
        ("@凌颖信息刘博@凌颖信息李梅//@凌颖信息:恭喜", ["刘博", "李梅"]),
        # a leftover of the segmentation inside a handle is no name; the name at its end is
        ("//@商软冠联易莉:活动还有三天截止，大家抓紧报名哦", ["易莉"]),
    ],
)
def test_names_of_organisation_handles(text: str, names: list[str]) -> None:
    assert _names(text) == names


def test_the_new_name_carries_its_detector() -> None:
    text = "感谢两位的辛苦付出@鸿睿思博周秀英@鸿睿思博罗飞"
    found = [(text[s.start : s.end], s.detector) for s in tag_zh(text) if s.type == "PERSON"]
    assert ("罗飞", HANDLE_END_DETECTOR) in found


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@鑫博腾飞官方微博 新品什么时候上市？", []),  # an organisation's own handle
        ("@微笑的小唐菜@华丽的冒险", ["小唐菜"]),  # the CRF's nickname (小 + 唐菜) stands
        ("//@何辛ESPN卫视主持:哈哈", ["何辛"]),  # a name before a Latin tag opens the handle
    ],
)
def test_what_stays(text: str, names: list[str]) -> None:
    assert _names(text) == names


def test_crf_score_or_a_second_handle_decides() -> None:
    text = "@鑫博腾飞李娜 你好"
    handles = _handles(text)
    assert handles == [(1, 7)]
    assert handle_end_names(text, handles, [], {(5, 7): 0.3}) == []  # unsure, one handle only
    assert handle_end_names(text, handles, [], {(5, 7): 0.45}) == [(1, 5, 7, True)]
    assert handle_end_names(text, handles, [], {}) == []  # under the CRF's candidate cut-off
    two = "@鑫博腾飞李娜@鑫博腾飞王芳"
    assert handle_end_names(two, _handles(two), [], {(5, 7): 0.3, (12, 14): 0.3}) == [(1, 5, 7, True), (8, 12, 14, True)]
    # a PERSON span found already over the name: no new span; one from the prefix gives way
    crf = [Span(1, 7, "PERSON", 0.7, "zh_person_model")]
    assert handle_end_names(text, handles, crf, {(5, 7): 0.45}) == [(1, 5, 7, True)]
    own = [Span(5, 7, "PERSON", 0.7, "zh_person_model")]
    assert handle_end_names(text, handles, own, {(5, 7): 0.45}) == [(1, 5, 7, False)]


@pytest.mark.parametrize(
    "text",
    [
        "@红美商城苏州站 好",  # ends as a place or thing does
        "@鑫博腾飞王 好",  # no given name
        "@李娜 你好",  # the whole handle: person_handle's rule, not this one
        "@ABCD李娜 你好",  # the prefix is no Chinese organisation name
    ],
)
def test_no_ending(text: str) -> None:
    assert handle_end_names(text, _handles(text), [], {(a, b): 0.9 for a in range(len(text)) for b in range(a, len(text) + 1)}) == []


def test_handles_are_short_and_end_at_marks() -> None:
    assert _handles("//@张三:好@李四@王五 ok") == [(3, 5), (8, 10), (11, 13)]
    assert _handles("@" + "长" * (MAX_HANDLE + 1)) == []
    assert _handles("a@ b") == []


def test_two_names_in_one_handle_are_no_organisation() -> None:
    text = "//@汉帝唐皇:转发微博"
    handles = _handles(text)
    assert _organisation_parts(text, handles, [(3, 5, 7, False)]) == []  # found already, one handle
    assert _organisation_parts(text, handles, [(3, 5, 7, True)]) == [(3, 5)]  # a new name: its prefix is
