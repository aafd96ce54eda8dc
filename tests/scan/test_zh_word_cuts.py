"""zh_word_cuts: an unsure CRF name that cuts a word in two (秦时明|月, 哈尔|滨) is none."""

from __future__ import annotations

from privtune.scan.ner.model import tag_zh
from privtune.scan.ner.zh_word_cuts import cuts_word


def test_cuts_word() -> None:
    text = "朋友家长哈尔滨不知道"
    assert cuts_word(text, 4, 6)  # 哈尔|滨
    assert not cuts_word(text, 4, 7)  # 哈尔滨 whole
    assert cuts_word("我是混搭女王清新的风格", 5, 8)  # 女|王清新
    assert not cuts_word("对不起李厚林", 3, 6)
    assert not cuts_word("abc", 0, 2)  # no Han stretch


def test_unsure_name_cutting_a_word_is_dropped() -> None:
    text = "秦时明月第三季什么时候出"
    assert [s for s in tag_zh(text) if s.type == "PERSON"] == []  # the CRF read 秦时明 at 0.51
    # nor does the unknown-name rule take a part of it in its place (秦时)


def test_sure_names_stand() -> None:
    for text, name in (("王小明白天上班", "王小明"), ("对不起李厚林", "李厚林")):
        assert [text[s.start : s.end] for s in tag_zh(text) if s.type == "PERSON"] == [name]


def test_a_thing_named_after_a_person_is_no_cut() -> None:
    assert not cuts_word("同上两届尤伯杯决赛", 4, 6)  # 尤伯|杯
    assert cuts_word("朋友家长哈尔滨不知道", 4, 6)  # 滨 names no thing
