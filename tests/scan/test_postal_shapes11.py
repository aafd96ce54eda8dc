"""National street-address shapes the postal pattern cut short (outside11 dev half): a French
"bis / ter" house number, Italian "dei / delle" inside a street name, a Swiss "CH-" postcode,
an Australian "unit/number" and state + four-digit postcode."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


def _addresses(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "ADDRESS"]


@pytest.mark.parametrize(
    "address",
    [
        "70 ter impasse du Moulin, 33000 Bordeaux",
        "12 bis rue des Lilas\n69003 Lyon",
        "Viale dei Mille 49, 70148 Bari (BA)",
        "Via delle Rose 3, 50123 Firenze",
        "Bahnhofstrasse 79, CH-8061 Zürich",
        "Rue du Rhône 2, CH-1206 Genève",
        "Unit 18/108 Smith St, Subiaco WA 6008",
        "86 Glenferrie Rd, West End QLD 4101",
    ],
)
def test_whole_address_is_one_span(address: str) -> None:
    assert _addresses(f"Please send it to {address}. Thanks") == [address]


def test_bis_needs_a_street_after_it() -> None:
    assert _addresses("I counted 70 ter times, not 12.") == []
