"""Round 8: English addresses the scan left whole or in pieces: a unit before a one-word street
("Unit 5, 22 Kingsway, Sydney NSW 2000"), a one-word street before a UK postcode ("12 Broadway,
London W6 7AL"), India's labelled house number ("House No. 45, Sector 21, Gurgaon"), Canadian
postcodes (any case) after their province, and a Hong Kong English block (already whole)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer

_ANALYZER = Analyzer()


def _addresses(text: str) -> list[str]:
    return [text[s.start : s.end] for s in _ANALYZER.analyze(text) if s.type == "ADDRESS"]


@pytest.mark.parametrize(("text", "address"), [
    ("Unit 5, 22 Kingsway, Sydney NSW 2000", "Unit 5, 22 Kingsway, Sydney NSW 2000"),
    ("My address is Unit 5, 22 Kingsway, Sydney NSW 2000.", "Unit 5, 22 Kingsway, Sydney NSW 2000"),
    ("Unit 12/7, 3 Parkway, Melbourne VIC 3000", "Unit 12/7, 3 Parkway, Melbourne VIC 3000"),
    ("12 Broadway, London W6 7AL", "12 Broadway, London W6 7AL"),
    ("Send it to 12 Broadway, London W6 7AL please.", "12 Broadway, London W6 7AL"),
    ("Flat 3, 40 Queensway, London W2 4QH", "Flat 3, 40 Queensway, London W2 4QH"),
    ('id,name,address\n7,John Smith,"5 Piccadilly, London W1J 0DH"', "5 Piccadilly, London W1J 0DH"),
    ("House No. 45, Sector 21, Gurgaon", "House No. 45, Sector 21, Gurgaon"),
    ("I live at House No. 45, Sector 21, Gurgaon, Haryana 122001.",
     "House No. 45, Sector 21, Gurgaon, Haryana 122001"),
    ("H.No. 61, Phase 2, Mohali", "H.No. 61, Phase 2, Mohali"),
    ("delivery: Plot No: 12, Sector 15, Noida", "Plot No: 12, Sector 15, Noida"),
    ("toronto on m5v 3l9", "toronto on m5v 3l9"),
    ("ship to 100 queen st w, toronto on m5v 3l9", "100 queen st w, toronto on m5v 3l9"),
    ("Toronto, ON M5V 3L9", "Toronto, ON M5V 3L9"),
    ("100 Queen St W, Toronto ON M5V 3L9", "100 Queen St W, Toronto ON M5V 3L9"),
    ("name;city;postal\nli wei;vancouver bc v6b 1a1;", "vancouver bc v6b 1a1"),
    ("postal code: m5v 3l9", "m5v 3l9"),
    ("Flat B, 12/F, Tower 3, Harbour View Garden, 18 Kings Road, North Point, Hong Kong",
     "Flat B, 12/F, Tower 3, Harbour View Garden, 18 Kings Road, North Point, Hong Kong"),
])  # fmt: skip
def test_whole_address(text: str, address: str) -> None:
    assert address in _addresses(text)


@pytest.mark.parametrize("text", [
    "meet at noon",
    "Unit tests pass on the main branch",
    "House number format varies by country",
    "my house no. 45 is the blue one",
    "on 12 March, London 2012",
    "see page 5 Results, Tokyo 2020",
    "the 3 Musketeers, Paris 1844",
    "we need 2 on each side",
    "the h2o bottle, 3 on the shelf",
    "订单已发货",
])  # fmt: skip
def test_no_address_in_similar_prose(text: str) -> None:
    # (The English tagger's own guesses, "Paris 1844", are not this round's rules.)
    patterns = ("postal_address_pattern", "en_address_pattern", "postcode")
    assert [s for s in _ANALYZER.analyze(text) if s.type == "ADDRESS" and s.detector in patterns] == []
