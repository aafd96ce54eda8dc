"""A chat message's cue at the end of one line, its number opening the next (round 7)."""

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.mark.parametrize("text,number", [
    ("my number is\n0471 22 93 15", "0471 22 93 15"),
    ("[12/03/2024, 14:05:22] Anna Berg: my number is\n0471 22 93 15", "0471 22 93 15"),
    ("call me on\n0612 34 56 78", "0612 34 56 78"),
    ("12/03/2024, 14:06 - 李娜: 我的电话是\n62345678", "62345678"),
])
def test_cue_line_above_the_number(analyzer, text, number):
    assert any(s.type == "PHONE" and text[s.start:s.end] == number for s in analyzer.analyze(text))


@pytest.mark.parametrize("text", [
    "the order number is\n0471 22 93 15",
    "订单号是\n62345678",
    "Phone 2:\n0471 22 93 15",  # a digit between the cue and the line end
    "my number is one of these:\nplease see\n0471 22 93 15",
])
def test_no_cue_directly_above(analyzer, text):
    assert not any(s.type == "PHONE" for s in analyzer.analyze(text))
