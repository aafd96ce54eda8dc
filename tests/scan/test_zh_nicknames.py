"""A nickname after 叫 ("孩子叫小明", "我女儿叫朵朵", "大家都叫他老王") is a PERSON; 叫 as "order"
or "call for" and titles or kinship words of a nickname's shape are not."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


def persons(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "PERSON"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("孩子叫小明，在实验小学三年级二班", ["小明"]),
        ("我女儿叫朵朵", ["朵朵"]),
        ("我叫小红，住在3号楼", ["小红"]),
        ("大家都叫他老王", ["老王"]),
        ("宝宝小名叫乐乐。今天发烧了", ["乐乐"]),
    ],
)
def test_nicknames_after_jiao(text, expected):
    assert persons(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我叫车去机场，",  # 叫 = order
        "他叫外卖了",
        "孩子叫哥哥，",  # kinship address
        "我都叫老师了",  # a title
        "他就叫小票，",  # a receipt, not a name
        "孩子叫小明星",  # no delimiter after the nickname's shape
    ],
)
def test_no_nickname(text):
    assert persons(text) == []
