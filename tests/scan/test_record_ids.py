"""RECORD_ID: medical record, member and policy numbers right after their names (HIPAA's Safe
Harbor identifiers that clinical notes carry); nothing without the cue or without digits."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


def _ids(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "RECORD_ID"]


@pytest.mark.parametrize("text, values", [
    ("患者刘建华，男，56岁，住院号20230415，床号12床", ["20230415"]),
    ("病历号：MR-2023-004512，医保卡号：1101 0519 4912 3100，就诊医院：协和", ["MR-2023-004512", "1101 0519 4912 3100"]),
    ("Patient: Margaret O'Connell, 67F, MRN 00482913, admitted on 12/03/2024", ["00482913"]),
    ("Member ID: XJH884512093. Policy number is PL-7781-2290 for the claim.", ["XJH884512093", "PL-7781-2290"]),
    ("會員卡號：88001234，病歷號碼 A00912345", ["88001234", "A00912345"]),
    ("medical record number:\nVFQ040549625; thanks", ["VFQ040549625"]),  # the value on the next line
    ("工号：10086，学号2021301234", ["10086", "2021301234"]),
    ("Employee ID: E-100234 (staff number 552301)", ["E-100234", "552301"]),
    ("车架号LSVAM4187C2184847，发动机号后六位", ["LSVAM4187C2184847"]),
    ("VIN: 1HGCM82633A004352", ["1HGCM82633A004352"]),
    ("住院号，20230415", ["20230415"]),
    ("MRN. 00482913", ["00482913"]),
    # 是 / 为 between the name and the number, as "is" in English.
    ("同事陈晓东的工号是 HR-00231，分机 8823", ["HR-00231"]),
    ("他的住院号为20230415", ["20230415"]),
    ("医保卡号是：1101 0519 4912 3100", ["1101 0519 4912 3100"]),
    # Customer and member numbers in the customer's language.
    ("Vielen Dank, Frau Schröder! Ihre Kundennummer ist 4711-0815.", ["4711-0815"]),
    ("Votre numéro client est 88012345, merci", ["88012345"]),
    ("Su número de cliente es 55120098.", ["55120098"]),
    ("Versichertennummer: A123456789", ["A123456789"]),
    ("Customer ID: CUST-0045821 | Name: Björn Andersson", ["CUST-0045821"]),
    ("client no. 88120456, subscriber id 7734120", ["88120456", "7734120"]),
])
def test_numbers_after_their_names(text, values):
    assert _ids(text) == values


@pytest.mark.parametrize("text", [
    "patient number 12",  # too few digits
    "the patient recorded 2024 as a good year",  # no cue
    "national insurance number AB 12 34 56 C",  # the UK NI number (ID_CARD), not a member number
    "床号12床",
])
def test_no_record_id_without_the_cue_or_digits(text):
    assert _ids(text) == []


def test_the_surrogate_keeps_the_shape():
    from privtune.scan.anonymize import derive_key, surrogate
    from scan_helpers import KEY

    fake = surrogate("RECORD_ID", "MR-2023-004512", derive_key(KEY))
    assert fake != "MR-2023-004512" and len(fake) == 14 and fake[2] == "-" and fake[7] == "-"
