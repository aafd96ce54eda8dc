"""Machine-readable zones of passports and ID cards are one PASSPORT / ID_CARD span."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.mrz import MrzRecognizer

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"


def found(text: str) -> list[tuple[str, str]]:
    return [(s.type, text[s.start : s.end]) for s in MrzRecognizer().analyze(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"Scan of the passport:\n{TD3}\nthanks", [("PASSPORT", TD3)]),
        (f"ID card OCR: {TD1}", [("ID_CARD", TD1)]),
        # Pasted on one line, the two lines a space apart.
        (TD3.replace("\n", " "), [("PASSPORT", TD3.replace("\n", " "))]),
        # Windows line breaks.
        (TD3.replace("\n", "\r\n"), [("PASSPORT", TD3.replace("\n", "\r\n"))]),
    ],
)
def test_zones(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<",  # a rule drawn with "<"
        "see the <<previous>> message",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCD",  # no filler: an id, a hash
        "A<<<B<<<C<<<D<<<E<<<F<<<G<<<<<<",  # seven letters in filler: too few
    ],
)
def test_not_zones(text):
    assert found(text) == []


def test_the_scan_replaces_the_name_inside_the_zone():
    text = f"Customer uploaded:\n{TD3}"
    spans = [(s.type, text[s.start : s.end]) for s in Analyzer().analyze(text)]
    assert ("PASSPORT", TD3) in spans
    assert not any("ERIKSSON" in v and t != "PASSPORT" for t, v in spans)
