"""Identifiers as people write them to be read out: a resident ID in 4-4-4-4-2 or hyphenated
6-8-4 groups, and the travel permits that are passports in all but name."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.type) for s in Analyzer().analyze(text)]


@pytest.mark.parametrize("number", ["1101 0519 4912 3100 2X", "110105-19491231-002X", "110105 19491231 002X"])
def test_grouped_resident_ids(number):
    assert _found(f"身份证 {number}") == [(number, "ID_CARD")]


@pytest.mark.parametrize("text", ["身份证 1101 0519 4912 3100 21", "编号 1101 0519-4912 3100 2X"])
def test_a_wrong_check_character_or_mixed_separators_is_no_id(text):
    assert all(t != "ID_CARD" for _, t in _found(text))


@pytest.mark.parametrize("text, number", [("港澳通行证C12345678", "C12345678"), ("我的回乡证号码H12345678", "H12345678")])
def test_travel_permits(text, number):
    assert (number, "PASSPORT") in _found(text)


def test_a_letter_and_eight_digits_alone_is_no_permit():
    assert _found("订单C12345678") == []
