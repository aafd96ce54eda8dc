"""The flat number after a Chinese address's unit or entrance ("…3栋2单元502", "…5号楼3门201") is
part of the ADDRESS: the tagger stopped before the bare digits and left the one thing that
names the household."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


def addresses(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "ADDRESS"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我住在阳光花园小区3栋2单元502，快递放门口就行", ["阳光花园小区3栋2单元502"]),
        ("麻烦寄到天通苑北一区5号楼3门201", ["天通苑北一区5号楼3门201"]),
        ("送到万科城二期18栋1802室", ["万科城二期18栋1802室"]),  # unchanged: it was whole already
    ],
)
def test_flat_after_unit(text, expected):
    assert addresses(text) == expected


def test_a_count_after_a_unit_word_is_no_flat():
    # "2单元 3个人" — a digit run must be a flat's (2-4 digits, not a word's count) to be taken.
    text = "阳光花园小区3栋2单元5个人来了"
    assert all(not a.endswith("5") for a in addresses(text))
