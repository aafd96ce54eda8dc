"""小 / 老 + surname and 阿 + given-name nicknames in chat (recognizers/zh_nicknames.py)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


def _persons(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("小王说今晚不来了，我们先吃吧", "小王"),
        ("阿强明天来，有没有人一起接机？", "阿强"),
        ("跟老曾打了两个小时游戏", "老曾"),
        ("老板今天请客，小魏和阿燕都喝多了", "小魏"),
        ("老板今天请客，小魏和阿燕都喝多了", "阿燕"),
        ("小张家的狗又跑了", "小张"),
    ],
)
def test_nickname_between_an_opening_and_a_persons_next_word(text: str, name: str) -> None:
    assert name in _persons(text)


@pytest.mark.parametrize(
    "text",
    [
        "两个小时游戏，老师布置的作业还没写",  # 小时 after a measure word; 老师 no surname
        "今天小区停水，老家的阿姨帮忙找了一上午",  # 小区 老家 阿姨
        "阿里巴巴的股票涨了",  # 阿 + no given-name character
        "小康的生活来了",  # 康 is left off the surnames (小康 is a word)
        "小苏打可以去污",  # baking soda
        "他老高兴了",  # 老 = very; no opening before it
        "小王子的故事很好看",  # 子 follows no person here
    ],
)
def test_words_of_the_same_shape_are_no_nickname(text: str) -> None:
    assert _persons(text) == []
