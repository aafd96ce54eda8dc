"""Names that a title or a news verb points at (privtune/scan/ner/zh_title_names.py) and the
tagger's use of them (a place/organisation span holding such a name gives way)."""

from __future__ import annotations

import pytest

from privtune.scan.entities import Span
from privtune.scan.ner.model import TITLE_DETECTOR, ZhTagger
from privtune.scan.ner.zh_title_names import subject_names, title_names


def found(text: str) -> list[str]:
    return [text[s:e] for s, e in title_names(text)]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("内务部长斯捷帕申是前政府的司法部长，", ["斯捷帕申"]),  # transliterated, after an office
        ("这株由美国前总统尼克松在1972年2月赠送", ["尼克松"]),
        ("挪威石油与能源大臣玛丽特·恩斯塔德日前在挪威议会宣布", ["玛丽特·恩斯塔德"]),  # dotted parts
        ("并转达了库马拉通加总统对他的亲切问候。", ["库马拉通加"]),  # before a foreign title
        ("俄罗斯叶利钦总统说", ["叶利钦"]),  # the place in front is not part of the name
        ("以受贿罪判处辛业江有期徒刑5年", ["辛业江"]),  # a Chinese name after a news verb
        ("他与新四军军长叶挺及陈毅同志一起", ["叶挺"]),
        ("记者张玉来报道：", ["张玉来"]),
        ("主教练菲尔·布朗（Phil Brown）", ["菲尔·布朗"]),
        ("南海会见了美国前商务部长芭芭拉·弗兰克林。", ["芭芭拉·弗兰克林"]),
        ("印度前总理拉·甘地1988年访华", ["拉·甘地"]),
    ],
)
def test_title_names_found(text: str, names: list[str]) -> None:
    assert found(text) == names


@pytest.mark.parametrize(
    "text",
    [
        "俄罗斯总统叶利钦",  # 俄罗斯 before 总统 is a country; 叶利钦 after it is found alone
        "巴西总统在会上说",
        "伊朗总理访问",
        "总统府发表声明",  # words after a title
        "部长级会议今天开幕",
        "主席团成员",
        "驻华大使馆",
        "总理满意地说",
        "专家计算出，这样的几率",  # a generic title: only a transliterated name after it
        "选手都悉数到场",
        "记者采访时透露，",
        "大使和新任代表",
        "总理周二晚表示",
        "总统特别代表",
        "总统夫人出席",
        "总经理贾先生、画家",
        "会见了来访的部长",
    ],
)
def test_title_names_hard_negatives(text: str) -> None:
    names = found(text)
    assert names in ([], ["叶利钦"]), names


def test_tagger_prefers_the_name_to_an_organisation_around_it() -> None:
    text = "这株由美国前总统尼克松在1972年2月赠送"
    spans = ZhTagger().tag(text)
    person = [(text[s.start : s.end], s.detector) for s in spans if s.type == "PERSON"]
    assert ("尼克松", TITLE_DETECTOR) in person
    assert not [s for s in spans if s.type != "PERSON" and s.start < 11 and 8 < s.end]  # no ORG over the name


@pytest.mark.parametrize(
    ("text", "place"),
    [("的德国男子网球队，昨天在杜塞尔多夫战胜捷克队", "杜塞尔多夫"), ("今年1月底达沃斯“世界经济论坛”上", "达沃斯")],
)
def test_a_place_the_crf_reads_as_a_name_is_the_place(text: str, place: str) -> None:
    tagged = {text[s.start : s.end]: s.type for s in ZhTagger().tag(text)}
    assert tagged.get(place) in (None, "ADDRESS")


def test_a_place_name_before_a_title_stays_a_name() -> None:
    text = "张裕能：贝宁先生在卢浮宫"  # 贝宁 is a country, and here a man's name
    tagged = {text[s.start : s.end]: s.type for s in ZhTagger().tag(text)}
    assert tagged.get("贝宁") == "PERSON"


def _spans(text: str, *items: tuple[str, str]) -> list[Span]:
    return [Span(text.index(w), text.index(w) + len(w), typ, 0.7, "zh_address_model") for w, typ in items]


@pytest.mark.parametrize(
    ("text", "items", "want"),
    [
        ("为此，穆萨敦促以色列政府立即", [("穆萨敦促以色列", "ADDRESS")], ["穆萨"]),
        ("这年4月，伯奇费尔郑重地赠送", [("伯奇费尔郑", "ADDRESS")], ["伯奇费尔"]),
        # hard negatives
        ("为此，穆萨敦促以色列政府立即", [("穆萨敦促以色列", "PERSON")], []),  # no place span to fix
        ("他说穆萨敦促以色列政府", [("穆萨敦促以色列", "ADDRESS")], []),  # the run does not open a clause
        ("，俄罗斯表示支持", [("俄罗斯表示", "ADDRESS")], []),  # a country
        ("，穆萨", [("穆萨", "ADDRESS")], []),  # no verb inside the span
        ("，沙尔克坚持周中", [("沙尔克坚持", "ORGANIZATION")], []),  # not a statement verb
    ],
)
def test_subject_names(text: str, items: list[tuple[str, str]], want: list[str]) -> None:
    assert [text[s:e] for s, e in subject_names(text, _spans(text, *items))] == want


def test_tagger_takes_a_subject_out_of_a_place() -> None:
    text = "为此，穆萨敦促以色列政府立即重新考虑"
    tagged = [(text[s.start : s.end], s.type) for s in ZhTagger().tag(text)]
    assert ("穆萨", "PERSON") in tagged
    assert not [t for t in tagged if t[1] != "PERSON" and "穆萨" in t[0]]
