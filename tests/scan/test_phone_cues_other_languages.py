"""A customer's own language's words for "my number" beside a national-format phone number
(German, French, Spanish, Dutch chat lines in an otherwise English export)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


def _phones(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer(types=["PHONE"]).analyze(text)]


@pytest.mark.parametrize(
    "text, number",
    [
        ("Hallo, meine Nummer ist 0171 2345678", "0171 2345678"),
        ("mon numéro est le 06 12 34 56 78", "06 12 34 56 78"),
        ("mi número es 612 34 56 78", "612 34 56 78"),
        ("mijn nummer is 06 12345678", "06 12345678"),
        ("mein Handy: 0151 23456789", "0151 23456789"),
    ],
)
def test_my_number_in_other_languages_is_a_cue(text, number):
    assert _phones(text) == [number]


@pytest.mark.parametrize("text", ["Bestellnummer 0171234567", "Rechnung Nr. 0171 2345678", "Nummer 2 von 5"])
def test_order_numbers_are_no_phone(text):
    assert _phones(text) == []


@pytest.mark.parametrize("text, number", [("Our new client can be reached at 0912 345 678.", "0912 345 678"),
                                          ("She can be reached on 06 12 34 56 78 after 5", "06 12 34 56 78")])
def test_reached_at_is_a_cue(text, number):
    assert _phones(text) == [number]


def test_reached_alone_is_no_cue():
    assert _phones("I reached level 12 345 678 points") == []
