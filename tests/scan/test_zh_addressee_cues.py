"""A parcel's addressee before 收 and the person to turn to after 有事找 / 请联系 (recognizers/person_cue.py)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


def _persons(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("请将材料寄至重庆市渝中区南京路480号，童飞收，拨打13543952497。", "童飞"),
        ("地址：武汉市洪山区珞喻路321号2804室，屈春梅收", "屈春梅"),
        ("有事找仲梓轩，微信同号139 4077 5171", "仲梓轩"),
        ("周末不在，请联系宁秀。", "宁秀"),
    ],
)
def test_addressee_and_contact_person(text: str, name: str) -> None:
    assert name in _persons(text)


@pytest.mark.parametrize("text", ["快递已签收，谢谢", "请联系前台。", "请找客服，", "货款全部收，"])
def test_no_name_in_the_same_slots(text: str) -> None:
    assert _persons(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("调查显示，曾健名下的房产位于辽宁省大连市甘井子区张江路884号。", "曾健"),
        ("卞书瑶毕业于浙江大学，随后进入招商银行工作至今。", "卞书瑶"),
        ("据报道，刘德明出生于1962年。", "刘德明"),
    ],
)
def test_news_names_before_what_only_a_person_does(text: str, name: str) -> None:
    assert name in _persons(text)


def test_an_organisation_before_the_same_words_is_no_name() -> None:
    assert _persons("该公司名下的房产已被查封。") == []


def test_speaker_before_a_bracketed_unit_and_a_colon() -> None:
    text = "车天以（华为技术有限公司）：请各位同事下午三点到会议室开会。"
    found = {(text[s.start : s.end], s.type) for s in Analyzer().analyze(text)}
    assert ("车天以", "PERSON") in found
    assert ("华为技术有限公司", "ORGANIZATION") in found
    assert "王芳" in _persons("会议纪要\n王芳（人事部）：本周完成招聘。")
    assert _persons("北京大学（北大）：简介") == []
