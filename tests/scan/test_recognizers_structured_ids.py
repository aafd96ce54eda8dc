"""CN resident ID, USCC, passport, licence plate and US SSN recognizers."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import DEFAULT_MIN_SCORE
from privtune.scan.checksums import cn_id_check_char, uscc_check_char
from privtune.scan.recognizers.government_ids import (
    CnIdCardRecognizer, LicensePlateRecognizer, PassportRecognizer, UsccRecognizer, UsSsnRecognizer,
)  # fmt: skip

from test_recognizers_structured_contact import found  # tests/scan is on sys.path (rootdir mode)


def cn_id(first17: str) -> str:
    return first17 + cn_id_check_char(first17)


def bad_check(number: str, alphabet: str = "0123456789X") -> str:
    return number[:-1] + next(c for c in alphabet if c != number[-1].upper())


VALID_ID = "11010519491231002X"  # the GB 11643 specimen
OTHER_ID = cn_id("44030519900307123")


def test_id_fixtures_are_what_they_claim():
    assert cn_id("11010519491231002") == VALID_ID


# --- resident ID -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"身份证号{VALID_ID}，", [VALID_ID]),
        (f"身份证号{VALID_ID.lower()}。", [VALID_ID.lower()]),
        (f"号码{OTHER_ID}谢谢", [OTHER_ID]),  # checksum + birth date: no context needed
        (f"ID: {OTHER_ID[:6]} {OTHER_ID[6:14]} {OTHER_ID[14:]}", [f"{OTHER_ID[:6]} {OTHER_ID[6:14]} {OTHER_ID[14:]}"]),
        (f"证件：{OTHER_ID.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})}", [
            OTHER_ID.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})]),
        ("老身份证330205621031310还能用吗", ["330205621031310"]),  # 15-digit legacy, in context
        # A failing check character right after the cue: a typo that still holds a region and
        # a birth date (it was left in the text before round 6).
        (f"身份证号{bad_check(VALID_ID)}，", [bad_check(VALID_ID)]),
    ],
)
def test_id_card_positives(text, expected):
    assert found(CnIdCardRecognizer(), text) == expected


@pytest.mark.parametrize(
    "text",
    [
        f"订单{bad_check(VALID_ID)}，",  # checksum fails and no ID cue
        bad_check(VALID_ID),  # checksum fails, nothing around it
        f"身份证{cn_id(OTHER_ID[:10] + '1332' + OTHER_ID[14:17])}",  # 13th month, valid check char
        f"订单{OTHER_ID}9",  # 19 digits
        f"{OTHER_ID[:6]} {OTHER_ID[6:]}",  # only one of the two group spaces
        "330205621031310",  # 15 digits without context
        "00" + VALID_ID[2:],  # no province 00
    ],
)
def test_id_card_negatives(text):
    assert found(CnIdCardRecognizer(), text) == []


# --- USCC ------------------------------------------------------------------------------


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


LETTER_USCC = uscc("91350100M000100Y4")


def first_uscc(prefix: str, want_digit_check: bool) -> str:
    """The first valid code ``prefix + 3 digits + check`` whose check char is (not) a digit."""
    for seq in range(1000):
        code = uscc(f"{prefix}{seq:03d}")
        if code[-1].isdigit() == want_digit_check:
            return code
    raise AssertionError("unreachable: 1000 tries")


def test_uscc_with_letters_needs_no_context():
    assert found(UsccRecognizer(), f"开票信息{LETTER_USCC}，谢谢") == [LETTER_USCC]


def test_all_digit_uscc_needs_context():
    code = first_uscc("91110108123456", want_digit_check=True)
    assert code.isdigit()
    assert found(UsccRecognizer(), f"号码 {code}") == []
    assert found(UsccRecognizer(), f"统一社会信用代码：{code}") == [code]


@pytest.mark.parametrize("code", [bad_check(LETTER_USCC, "0123456789ABCDEFGHJKLMNPQRTUWXY"), LETTER_USCC.lower()])
def test_uscc_negatives(code):
    assert found(UsccRecognizer(), f"税号{code}") == []


def test_uscc_shaped_like_a_resident_id_needs_context():
    # A mistyped ID card (real birth date, trailing letter) passes the USCC check 1 time in 31.
    code = first_uscc("51010719510204", want_digit_check=False)
    assert found(UsccRecognizer(), f"号码{code}") == []
    assert found(UsccRecognizer(), f"税号{code}") == [code]


# --- passport --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("护照号E12345678", ["E12345678"]),
        ("我的护照是EA1234567，下月到期", ["EA1234567"]),
        ("passport no. G34519135", ["G34519135"]),
        ("请核对护照信息。号码：E16594901", ["E16594901"]),  # context a sentence back
        ("US passport 123456789", ["123456789"]),
        ("Passport: A82763461", ["A82763461"]),
    ],
)
def test_passport_positives(text, expected):
    assert found(PassportRecognizer(), text) == expected


@pytest.mark.parametrize("text", ["型号E12345678", "ref 123456789", "E123456789", "订单E12345678"])
def test_passport_needs_context(text):
    assert found(PassportRecognizer(), text) == []


# --- licence plate ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("车牌号京A12345", ["京A12345"]),
        ("车牌粤B·D12345停在门口", ["粤B·D12345"]),
        ("沪C 5A3B7的车主请挪车", ["沪C 5A3B7"]),
        ("新能源浙A12345D", ["浙A12345D"]),
        ("鲁B-7G826", ["鲁B-7G826"]),
        ("我的车京Ａ１２３４５", ["京Ａ１２３４５"]),
    ],
)
def test_plate_positives(text, expected):
    assert found(LicensePlateRecognizer(), text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "京A123456",  # 6 digits is not a new-energy pattern
        "北京ABCDE1",  # too many letters
        "新app12345",  # lower case without context
        "京I12345",  # no letter I
    ],
)
def test_plate_negatives(text):
    assert found(LicensePlateRecognizer(), text) == []


# --- US SSN ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("SSN: 123-45-6789", ["123-45-6789"]),
        ("W-2 shows 536-22-1234", ["536-22-1234"]),
        ("social security number 536221234", ["536221234"]),
        ("Social Security No. 536 22 1234", ["536 22 1234"]),
    ],
)
def test_ssn_positives(text, expected):
    assert found(UsSsnRecognizer(), text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000",  # SSA rules
        "078-05-1120",  # published specimen
        "536-22-1234-5",  # part of a longer number
        "536221234",  # bare 9 digits without context
        "536-22 1234",  # inconsistent separators
    ],
)
def test_ssn_negatives(text):
    assert found(UsSsnRecognizer(), text) == []


def test_ssn_context_applies_to_bare_but_checks_still_apply():
    assert found(UsSsnRecognizer(), "SSN 666221234") == []
    assert DEFAULT_MIN_SCORE <= max(s.score for s in UsSsnRecognizer().analyze("SSN 536221234"))


@pytest.mark.parametrize("text,expected", [
    # Codes are anchored at their digits or up to two letters before them; after a character
    # that is neither letter nor digit, the digits are the only anchor.
    ("信用代码91350100M000100Y43", ["91350100M000100Y43"]),
    ("代码:91350100M000100Y43", ["91350100M000100Y43"]),
    ("xx91350100M000100Y43", []),  # part of a longer word
])
def test_uscc_anchors(text, expected):
    assert found(UsccRecognizer(), text, min_score=0.0) == expected


@pytest.mark.parametrize("text,expected", [
    ("护照E12345678", ["E12345678"]),
    ("护照号码:G12345678", ["G12345678"]),
    ("号DE1234567", ["DE1234567"]),
    ("passportE12345678", []),
])
def test_passport_anchors(text, expected):
    assert found(PassportRecognizer(), text, min_score=0.0) == expected


def test_a_reference_word_on_the_line_before_does_not_reach_the_number():
    # Found by the labelled benchmark: "订单" ending one chat line lowered a legacy ID on the
    # next line below the threshold. A line break right after a label still keeps the label.
    from privtune.scan.analyzer import Analyzer

    a = Analyzer()
    found = a.analyze("加的时候备注订单\n老身份证630102740505836还能用吗")
    assert [(s.type, s.start) for s in found] == [("ID_CARD", 13)]
    for text in ("您的订单\n13812345678", "订单号\n  13812345678"):
        assert a.analyze(text) == [], text
    # After "订单号：" the number is the order's (a RECORD_ID since round 8), never a phone.
    assert [s.type for s in a.analyze("订单号：\n13812345678")] == ["RECORD_ID"]
