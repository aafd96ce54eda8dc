"""Leak probe, round 9: Saudi national ID and iqama numbers after their cue (a failing Luhn
digit too: a typo of the holder's number)."""

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def an():
    return Analyzer()


def _ids(an, text):
    return [text[s.start:s.end] for s in an.analyze(text) if s.type == "ID_CARD"]


@pytest.mark.parametrize("text,value", [
    ("Her iqama number is 2123456788 and she lives in Riyadh.", "2123456788"),
    ("Iqama: 2345678904", "2345678904"),
    ("iqama no. 1034567899", "1034567899"),
    ("Saudi national ID 1034567899 on file", "1034567899"),
    ("رقم الإقامة: 2345678904", "2345678904"),
    ("Iqama number 2123456789 verified.", "2123456789"),  # Luhn fails: a typo still names her
])
def test_saudi_numbers_after_their_cue(an, text, value):
    assert _ids(an, text) == [value]


@pytest.mark.parametrize("text", [
    "order 2345678904 shipped",            # no cue
    "iqama renewal fee 3345678901",        # not 1… or 2…
])
def test_no_saudi_number_without_cue_or_check(an, text):
    assert _ids(an, text) == []
