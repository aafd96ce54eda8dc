"""Pieces of one postal address joined into one ADDRESS span (privtune/scan/address_join.py)."""

from __future__ import annotations

import pytest

from privtune.scan.address_join import _is_glue, join_address_pieces
from privtune.scan.analyzer import Analyzer
from privtune.scan.entities import Span


def _addresses(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "ADDRESS"]


@pytest.mark.parametrize(
    "address",
    [
        "Alameda Santos, 1743, Apto 48, Savassi, Curitiba - PR, CEP 80059-849",
        "Rua Augusta 117, 1º Esq., 1743-889 Lisboa",
    ],
)
def test_a_non_us_address_found_in_pieces_is_one_span(address: str) -> None:
    assert _addresses(f"Ms Fifita called twice about the leak at {address}. Tel. 916 432 797") == [address]


@pytest.mark.parametrize("gap", [", ", "\n", " - PR, CEP ", " Esq., 1743-889 ", ", Col. ", " / "])
def test_glue(gap: str) -> None:
    assert _is_glue(gap)


@pytest.mark.parametrize("gap", [" ", ", and then to ", "\n\n", ", 2019 to ", ", which is near ", "," + " " * 30])
def test_not_glue(gap: str) -> None:
    assert not _is_glue(gap)


def test_places_of_a_list_stay_apart() -> None:
    text = "We flew Paris, London, Rome."
    spans = [Span(8, 13, "ADDRESS", 0.9, "m"), Span(15, 21, "ADDRESS", 0.9, "m"), Span(23, 27, "ADDRESS", 0.9, "m")]
    assert join_address_pieces(spans, text) == spans
    joined = join_address_pieces([Span(0, 8, "ADDRESS", 0.6, "a"), Span(10, 15, "ADDRESS", 0.9, "b")],
                                 "Mill 12a, 10115")
    assert joined == [Span(0, 15, "ADDRESS", 0.9, "a")]


def test_a_field_name_on_the_next_line_is_not_joined() -> None:
    text = "LOCATION:17 Harcourt Road, Dublin 2, D02 X285\nATTENDEE;CN=Tunde Bakare"
    spans = [Span(9, 45, "ADDRESS", 0.9, "postal"), Span(46, 54, "ADDRESS", 0.6, "model")]
    assert join_address_pieces(spans, text) == spans
    spans = [Span(0, 9, "ADDRESS", 0.9, "postal"), Span(11, 17, "ADDRESS", 0.6, "model")]
    assert join_address_pieces(spans, "Mill 12a,\nLisboa: call first") == spans
