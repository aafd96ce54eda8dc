"""Chinese name rules beside the tagger: the end of a span before a title it took part of, the
news titles, and the news cue rule (title/punctuation + name + title/speech verb)."""

from __future__ import annotations

import pytest

from privtune.scan.ner.zh_person_bounds import person_bounds as _person_bounds
from privtune.scan.recognizers.person_cue import ZhPersonNewsCueRecognizer, news_cue_names


@pytest.mark.parametrize(
    ("text", "span", "want"),
    [
        ("李鹏委员长的问候", (0, 3), "李鹏"),  # the span took 委 of 委员长
        ("李昕那种拼劲", (0, 3), "李昕"),  # ... 那 of 那种
        ("马骏烈士的", (0, 4), "马骏"),  # a whole news title after the name
        ("叶笃正院士表示", (0, 5), "叶笃正"),
        ("高云江说", (0, 3), "高云江"),  # nothing to cut
        ("李委员", (0, 2), "李委"),  # two characters always stay
        ("国务卿托马斯·皮克林2日说", (3, 6), "托马斯·皮克林"),  # the CRF stopped at the dot
        ("米特罗凡·莫斯卡伦科说", (0, 4), "米特罗凡·莫斯卡伦科"),
        ("约翰·史密斯先生说", (0, 2), "约翰·史密斯"),  # the title after the last part is cut
        ("托马斯·2日", (0, 3), "托马斯"),  # no name part after the dot
        ("23栋5单元1102室，张莉收", (12, 15), "张莉"),  # "X收" closes an address
        ("北京市朝阳路8号 张莉收，谢谢", (9, 12), "张莉"),
        ("张收获很大", (0, 3), "张收获"),  # 收 inside a word: left to the CRF
        ("王收", (0, 2), "王收"),  # two characters always stay
    ],
)
def test_person_bounds_cut_titles(text: str, span: tuple[int, int], want: str) -> None:
    bounds = _person_bounds(text, *span)
    assert bounds is not None and text[bounds[0] : bounds[1]] == want


def test_surname_with_news_title_is_no_name() -> None:
    assert _person_bounds("李总统", 0, 3) is None


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("对此，警备区政委高云江说：“作为一级党委班子”", ["高云江"]),
        ("作为一名大气科学家，叶笃正院士表示他更赞赏", ["叶笃正"]),
        ("复旦大学伍柏麟教授在文章中写道", ["伍柏麟"]),
        ("会见时，欧阳明华表示感谢。", ["欧阳明华"]),
        ("，李鹏委员长", ["李鹏"]),
        ("宣传教材（1927年）、恽代英烈士译著", ["恽代英"]),  # a rare surname, rules only
        # words that a surname character begins, roles and organisation words are no names
        ("他认为，应该说这是好事", []),
        ("双方明确表示，常常说的话", []),
        ("公司党委书记、纪委书记", []),
        ("随后，王局长说，胡老说", []),
        ("他买了全套小说", []),
        ("国务院总理温家宝", []),
    ],
)
def test_news_cue_names(text: str, names: list[str]) -> None:
    assert [text[s:e] for s, e in news_cue_names(text)] == names


def test_news_cue_recognizer_spans() -> None:
    spans = ZhPersonNewsCueRecognizer().analyze("对此，政委高云江说。")
    assert [(s.start, s.end, s.type, s.detector) for s in spans] == [(5, 8, "PERSON", "zh_person_news_cue")]
    assert 0.5 < spans[0].score < 0.8  # a candidate: the tagger's surer spans win overlaps


def test_analyzer_finds_news_names_the_tagger_misses() -> None:
    from privtune.scan.analyzer import Analyzer

    text = "对此，警备区政委高云江说：“作为一级党委班子不能松懈。”"
    found = {text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "PERSON"}
    assert "高云江" in found


def test_dialog_cue_takes_traditional_surnames() -> None:
    from privtune.scan.recognizers.person_cue import ZhPersonCueRecognizer

    for text, name in (("联系人：陳建華，手机0912", "陳建華"), ("我叫黃文章，电话0935", "黃文章")):
        assert [text[s.start : s.end] for s in ZhPersonCueRecognizer().analyze(text)] == [name]
