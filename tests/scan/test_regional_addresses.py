"""Turkish, Thai and Philippine street blocks whole (recognizers/regional_addresses)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def addresses(analyzer: Analyzer, text: str) -> list[str]:
    return [text[s.start : s.end] for s in analyzer.analyze(text) if s.type == "ADDRESS"]


@pytest.mark.parametrize("text, block", [
    # Round-12 probe: the street rule stopped at "No: 95"; the flat and district/city line stayed.
    ("Adres: Atatürk Cad. No: 95 D: 12\nÇankaya/İstanbul 91865", "Atatürk Cad. No: 95 D: 12\nÇankaya/İstanbul 91865"),
    ("addr Bağdat Cad. No: 101 D: 2, Beyoğlu/İstanbul 54969. Thanks", "Bağdat Cad. No: 101 D: 2, Beyoğlu/İstanbul 54969"),
    # The house number before "Soi" stayed.
    ('"address":"130/44 Soi Sukhumvit 24, Bang Rak, Bangkok 10500"}', "130/44 Soi Sukhumvit 24, Bang Rak, Bangkok 10500"),
    ("at 174/84 Thanon Silom, Khlong Tan, Bangkok 10500 ok", "174/84 Thanon Silom, Khlong Tan, Bangkok 10500"),
    # The street rule ended at "Brgy": barangay and city stayed.
    ("Addr:176 Ayala Avenue, Brgy. Poblacion, Pasig City, 1600 Metro Manila",
     "176 Ayala Avenue, Brgy. Poblacion, Pasig City, 1600 Metro Manila"),
])
def test_the_whole_block(analyzer: Analyzer, text: str, block: str) -> None:
    assert block in addresses(analyzer, text)


@pytest.mark.parametrize("text", [
    "Meet at Soi Cowboy, then 2 drinks, 3 songs, 4 friends",  # no house number, no postcode
    "Ref 2024/55 Brgy. captain meeting, room 3, floor 2",  # no postcode segment
    "Sk. 12 is the sample code",
])
def test_no_block_without_its_shape(analyzer: Analyzer, text: str) -> None:
    from privtune.scan.recognizers.regional_addresses import regional_address_spans

    assert regional_address_spans(text) == []
