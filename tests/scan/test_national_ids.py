"""National identity numbers of other countries beside their names, with each scheme's check."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.national_ids import cpf_valid, dni_valid, hkid_valid, nhs_valid, twid_valid, verhoeff_valid


def _ids(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "ID_CARD"]


def test_check_digits_against_published_examples():
    assert verhoeff_valid("2363") and not verhoeff_valid("2364")  # Verhoeff's own example
    assert cpf_valid("52998224725") and not cpf_valid("52998224726") and not cpf_valid("11111111111")
    assert dni_valid("12345678Z") and dni_valid("X1234567L") and not dni_valid("12345678A")
    assert nhs_valid("9434765919") and not nhs_valid("9434765918")
    assert hkid_valid("A123456(3)") and hkid_valid("A1234563") and not hkid_valid("A123456(7)")
    assert twid_valid("A123456789") and not twid_valid("A123456788") and not twid_valid("A323456789")


@pytest.mark.parametrize(
    "text, number",
    [
        ("My Aadhaar number is 2345 6789 0124", "2345 6789 0124"),
        ("PAN: ABCPE1234F", "ABCPE1234F"),
        ("CPF 529.982.247-25", "529.982.247-25"),
        ("DNI 12345678Z", "12345678Z"),
        ("NIE: X1234567L", "X1234567L"),
        ("NI number: AB 12 34 56 C", "AB 12 34 56 C"),
        ("SIN 046 454 286", "046 454 286"),
        ("NHS number 943 476 5919", "943 476 5919"),
        ("codice fiscale RSSMRA85T10A562S", "RSSMRA85T10A562S"),
        ("NRIC S1234567D", "S1234567D"),
        # Written right after the Han cue, as Hong Kong and Taiwan customers write them.
        ("我是陳美玲，身份證A123456(3)", "A123456(3)"),
        ("HKID: A1234563", "A1234563"),
        ("身分證字號A123456789，住台北市", "A123456789"),
        ("my national ID is A123456789", "A123456789"),
        # Round 8: a wrong check digit after a cue that names the card is a typo of the
        # holder's number, still an ID (tests/scan/test_cued_ids8.py has more).
        ("身份證A123456(7)", "A123456(7)"),
        ("身分證字號A123456788", "A123456788"),
    ],
)
def test_numbers_after_their_names(text, number):
    assert _ids(text) == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Aadhaar 2345 6789 0123",  # Verhoeff check fails
        "CPF 529.982.247-26",  # check digits fail
        "DNI 12345678A",  # wrong letter
        "NHS number 943 476 5918",
        "NI number: QQ 12 34 56 C",  # QQ is no issued prefix
        "the pan was 300 degrees", "I have been sin 2 weeks",
        "ticket 2345 6789 0124 about my Aadhaar",  # the number comes before the cue
        "identity card A1234567",  # HKID check digit fails, unbracketed, after a generic cue
        "national ID A123456788",  # Taiwan's check fails after an English cue of many countries
        "single A123456789",  # "sin" inside a word is no cue
    ],
)
def test_no_id_without_the_check_or_the_cue(text):
    assert _ids(text) == []
