"""The two-character-surname rule (zh_compound_names) in running text, not only alone."""

from __future__ import annotations

import pytest

from privtune.scan.recognizers.zh_compound_names import compound_surname_spans


def names(text: str) -> list[str]:
    return [text[s.start : s.end] for s in compound_surname_spans(text)]


@pytest.mark.parametrize("text, name", [
    # Round-12 probe: found alone, missed in a list where a verb follows with no break.
    ("林麗珠、陈玉英和上官婉清获得2023年度优秀员工称号，特此表彰。", "上官婉清"),
    ("赵军、吴建平和尉迟恭平获得2023年度优秀员工称号", "尉迟恭平"),
    ("林麗珠、上官婉清获得表彰", "上官婉清"),
    # A noun for a person glued before the surname.
    ("@贾丹丹 客户上官婉清的身份证是440304196904178962", "上官婉清"),
    ("会员欧阳娜娜说", "欧阳娜娜"),
])
def test_a_compound_surname_name_after_a_list_or_person_cue(text: str, name: str) -> None:
    assert name in names(text)


@pytest.mark.parametrize("text", [
    "公司马上开会",  # 司马 inside words
    "上官婉清获得表彰",  # no cue before and the run goes on: left as before
    "司马光砸缸的故事",
])
def test_words_are_still_left(text: str) -> None:
    assert names(text) == []
