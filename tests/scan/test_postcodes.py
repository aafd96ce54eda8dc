"""Postcodes named as such, outside a street block (`recognizers.postcodes`)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.postcodes import postcode_spans


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my postcode is SW1A 1AA", ["SW1A 1AA"]),
        ("Postcode: EC1A 1BB, thanks", ["EC1A 1BB"]),
        ("zip code 94103", ["94103"]),
        ("ZIP: 94103-1234", ["94103-1234"]),
        ("邮编100080", ["100080"]),
        ("郵遞區號：106", ["106"]),
        ("PLZ 10115 Berlin", ["10115"]),
        ("CEP 01310-100", ["01310-100"]),
        ("〒150-0002 東京都", ["150-0002"]),
        ("Postal code K1A 0B1", ["K1A 0B1"]),
        ("postcode 1012 AB", ["1012 AB"]),
    ],
)
def test_cued_postcodes(text, expected):
    assert [text[s.start:s.end] for s in postcode_spans(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "94103",  # no cue: an amount, a code
        "zip 94103 555 1234",  # a longer number after the cue, not a postcode
        "zip code is 9410312",  # too long for any postcode shape
        "recap 12345",  # the cue inside a word
        "the zip file 2024",  # the cue not right before the number
        "postcode 7",  # one digit
    ],
)
def test_not_postcodes(text):
    assert postcode_spans(text) == []


def test_a_cued_postcode_is_masked_by_the_scan():
    """HIPAA Safe Harbor removes ZIP codes; a UK unit postcode covers ~15 addresses. Left in the
    text before: no detector took a postcode outside a street block."""
    text = "Patient moved; new zip code 94103, same phone."
    spans = Analyzer().analyze(text)
    assert [(text[s.start:s.end], s.type) for s in spans] == [("94103", "ADDRESS")]
