"""zh_person_cue (names in the slot a cue word opens) and record-level propagation."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.entities import Span
from privtune.scan.propagate import propagate
from privtune.scan.recognizers.person_cue import ZhPersonCueRecognizer
from privtune.scan.excerpts import detect_record


def names(text: str) -> list[str]:
    return [text[s.start : s.end] for s in ZhPersonCueRecognizer().analyze(text)]


@pytest.mark.parametrize("text, expected", [
    ("订单2024031825809806还没到，收货人胡红霞，电话13960181590。", ["胡红霞"]),
    ("医生你好，我叫石丹丹，身份证370202198002064598", ["石丹丹"]),
    ("石丹丹您好，已为您预约下周三的复诊", ["石丹丹"]),
    ("您好刘敏，查询到您本月开通了视频会员包", ["刘敏"]),
    ("你好，我是王波。我的银行卡昨天被锁了", ["王波"]),
    ("机主是詹兰英。", ["詹兰英"]),
    ("欧阳娜娜女士，您的快递到了", ["欧阳娜娜"]),
    ("联系人：张伟，电话见附件", ["张伟"]),
    # real surnames outside the CRF's surname class (cue rule only)
    ("订单还没到，收货人戎超，电话13163959104。", ["戎超"]),
    ("你好，我是于洋。我的银行卡昨天被锁了", ["于洋"]),
])
def test_cue_finds_name(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "我是小区里唯一养羊驼的人",  # 小 can be a surname; no delimiter closes a name here
    "我是本地电视台的天气预报主持人",
    "我是去年全市马拉松冠军",
    "客户您好，已为您核实",  # the generic word, not a name
    "王先生您好",  # bare surname + title: not tagged (CLUENER convention)
    "李女士您好",
    "您好，查询到您本月开通了会员",
    "订单还没到，收货人未填写。",
])
def test_cue_leaves_non_names(text: str) -> None:
    assert names(text) == []


def test_cue_boundaries_next_to_digits_and_latin() -> None:
    text = "收货人林秀荣,电话15015120417"
    assert names(text) == ["林秀荣"]


def test_propagate_covers_every_copy_in_the_record() -> None:
    texts = ["我叫石丹丹，想预约", "丹丹说石丹丹您好", "无关内容"]
    spans = [[Span(2, 5, "PERSON", 0.9, "zh_person_model")], [], []]
    out = propagate(texts, spans)
    # The bare given name is a partial mention of the same person (issue 11.2).
    assert [(texts[1][s.start : s.end], s.detector) for s in out[1]] == [
        ("丹丹", "propagated:given_name"), ("石丹丹", "propagated:zh_person_model")]
    assert out[0] == spans[0] and out[2] == []


def test_propagate_keeps_existing_spans_and_types() -> None:
    texts = ["Hi Chris Wong, call 13812345678", "Chris Wong's number 13812345678 is Christensen's too"]
    spans = [[Span(3, 13, "PERSON", 0.8, "en_person_dict"), Span(20, 31, "PHONE", 0.95, "phone")],
             [Span(20, 31, "PHONE", 0.95, "phone")]]
    out = propagate(texts, spans)
    got = [(texts[1][s.start : s.end], s.type) for s in out[1]]
    assert got == [("Chris Wong", "PERSON"), ("13812345678", "PHONE")]  # PHONE is not spread; it had its own


def test_propagate_respects_latin_word_boundaries() -> None:
    texts = ["Dear Chris,", "Christensen and xChris and Chris."]
    out = propagate(texts, [[Span(5, 10, "PERSON", 0.8, "en_person_dict")], []])
    assert [texts[1][s.start : s.end] for s in out[1]] == ["Chris"]
    assert out[1][0].start == texts[1].rindex("Chris")


def test_propagate_ignores_single_characters_and_structured_types() -> None:
    # (Phones, IDs and record numbers do spread since round 9: some are found only after a cue.)
    texts = ["王 a@b.cn", "王 a@b.cn"]
    spans = [[Span(0, 1, "PERSON", 0.9, "x"), Span(2, 8, "EMAIL", 0.9, "email")], []]
    assert propagate(texts, spans)[1] == []


def test_detect_record_tags_reply_greeting_the_model_missed() -> None:
    # The tagger alone may miss the name in one turn; the record as a whole never leaves a copy.
    texts = ["医生你好，我叫石丹丹，身份证370202198002064598，想预约下周的复诊。",
             "石丹丹您好，已为您预约下周三上午九点的复诊，短信提醒会发到17717034236。"]
    spans = detect_record(Analyzer(), texts)
    for text, found in zip(texts, spans):
        covered = [text[s.start : s.end] for s in found if s.type == "PERSON"]
        assert covered == ["石丹丹"]
