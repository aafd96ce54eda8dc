"""National street-address shapes the postal pattern cut short (outside11 dev half): a French
"bis / ter" house number, Italian "dei / delle" inside a street name, a Swiss "CH-" postcode,
an Australian "unit/number" and state + four-digit postcode, Mexico's "#" before the house
number, Korea's "-ro / -gil" roads, Portugal's "1º Esq." floor side."""

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
        "Calle Hidalgo #1594, Centro\n68000 Oaxaca, Oax.",
        "251 Olympic-ro, Gangnam-gu, Seoul 00328",
        "Rua Augusta 117, 1º Esq., 1743-889 Lisboa",
        "Travessa do Carmo 141, 3º Dto.\n4942-592 Porto",
        "Calle 5 de Mayo #870, Centro, 68000 Oaxaca, Oax.",
        "Rua 7 de Setembro 120, 80000-000 Curitiba",
        "Av. Paulista, 162, Apto 124, Centro, São Paulo - SP, CEP 04329-250",
    ],
)
def test_whole_address_is_one_span(address: str) -> None:
    assert _addresses(f"Please send it to {address}. Thanks") == [address]


def test_bis_needs_a_street_after_it() -> None:
    assert _addresses("I counted 70 ter times, not 12.") == []


def test_hash_number_and_korean_road_need_their_street() -> None:
    assert _addresses("Order #1594 shipped; ticket #22 closed.") == []
    assert _addresses("We waited 3 Spring seasons for it.") == []


def test_a_resident_before_of_is_no_part_of_the_street() -> None:
    text = "The van was registered to Bogdan Jovanović of Praterstraße 30/8, 1080 Wien, who told officers."
    found = {(text[s.start : s.end], s.type) for s in Analyzer().analyze(text)}
    assert ("Praterstraße 30/8, 1080 Wien", "ADDRESS") in found
    assert ("Bogdan Jovanović", "PERSON") in found
    assert _addresses("He lives at Isle of Dogs Road 5, London E14 3AA.") == ["Isle of Dogs Road 5, London E14 3AA"]


@pytest.mark.parametrize(
    "address",
    ["Bağdat Cad. No:160 D:12, Kadıköy/İstanbul 34784", "ul. Tverskaya, d. 30, kv. 74, Moskva 125253",
     "ul. Tverskaya, d. 15, kv. 167\nMoskva 125362"],
)
def test_house_number_after_its_label(address: str) -> None:
    assert _addresses(f"Please send it to {address}. Thanks") == [address]


def test_a_numbered_label_alone_is_no_address() -> None:
    assert _addresses("Room No. 5 is free; see Table No. 4 and Fig. 3.") == []
