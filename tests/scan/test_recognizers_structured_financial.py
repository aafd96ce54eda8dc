"""Bank card and IBAN recognizers, and how the Analyzer settles ID card vs bank card."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.entities import STRUCTURED_TYPES
from privtune.scan.checksums import cn_id_check_char, iban_check_digits, is_luhn_valid, luhn_check_digit
from privtune.scan.recognizers.financial import BankCardRecognizer, IbanRecognizer, card_issuer
from test_recognizers_structured_contact import found  # tests/scan is on sys.path (rootdir mode)


def luhn(partial: str) -> str:
    return partial + luhn_check_digit(partial)


def not_luhn(partial: str) -> str:
    return partial + str((int(luhn_check_digit(partial)) + 1) % 10)


VISA = luhn("411111111111111")
MC = luhn("222300000000000")
AMEX = luhn("37828224631000")
UNIONPAY19 = luhn("622202100112345678")
VISA_SPACED = f"{VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}"


def test_card_fixtures():
    assert all(is_luhn_valid(n) for n in (VISA, MC, AMEX, UNIONPAY19))
    assert [card_issuer(n) for n in (VISA, MC, AMEX, UNIONPAY19)] == ["visa", "mastercard", "amex", "unionpay"]
    assert card_issuer("4" * 15) is None  # Visa is 13, 16 or 19 digits


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"请退到{VISA}，谢谢", [VISA]),
        (f"my card {VISA_SPACED} was charged", [VISA_SPACED]),
        (f"卡号{MC[:4]}-{MC[4:8]}-{MC[8:12]}-{MC[12:]}", [f"{MC[:4]}-{MC[4:8]}-{MC[8:12]}-{MC[12:]}"]),
        (f"Amex {AMEX[:4]} {AMEX[4:10]} {AMEX[10:]}", [f"{AMEX[:4]} {AMEX[4:10]} {AMEX[10:]}"]),
        (f"借记卡{UNIONPAY19}挂失了", [UNIONPAY19]),
        (f"{VISA}这张卡", [VISA]),  # checksum-valid: reported without context
    ],
)
def test_bank_card_positives(text, expected):
    assert found(BankCardRecognizer(), text) == expected


def test_unionpay_without_luhn_only_with_card_context():
    number = not_luhn("622848001234567890")
    rec = BankCardRecognizer()
    assert found(rec, f"号码{number}") == []
    assert found(rec, f"银行卡号：{number}") == [number]


@pytest.mark.parametrize(
    "text",
    [
        f"卡号{not_luhn(VISA[:-1])}提示无效",  # Luhn fails, not UnionPay: never, even in context
        f"订单号：{VISA}",  # a Luhn-valid order number, said so
        f"流水号{VISA}",
        f"tracking number {VISA_SPACED}",
        f"{VISA}9",  # 17 digits
        "1698812345678",  # millisecond timestamp
        "20231101123456",  # timestamp, no IIN
        f"流水号{luhn('123456789012345')}",
        f"{VISA_SPACED} 1234",  # a 20-digit grouped number
    ],
)
def test_bank_card_negatives(text):
    assert found(BankCardRecognizer(), text) == []


def test_valid_id_card_is_never_a_bank_card():
    # 62 (Gansu) + 18 digits can pass Luhn: find such an ID and check the card side stays quiet.
    for seq in range(1000):
        first17 = f"62010219900307{seq:03d}"
        number = first17 + cn_id_check_char(first17)
        if number.isdigit() and is_luhn_valid(number):
            break
    assert card_issuer(number) == "unionpay" and is_luhn_valid(number)
    assert found(BankCardRecognizer(), f"卡号{number}") == []
    spans = Analyzer(types=["ID_CARD", "BANK_CARD"]).analyze(f"卡号{number}")
    assert [(s.type, s.start, s.end) for s in spans] == [("ID_CARD", 2, 20)]


def test_analyzer_keeps_id_and_card_side_by_side():
    id_number = "11010519491231002X"
    text = f"身份证{id_number}，银行卡{UNIONPAY19}"
    spans = Analyzer(types=STRUCTURED_TYPES).analyze(text)
    assert [(s.type, text[s.start : s.end]) for s in spans] == [("ID_CARD", id_number), ("BANK_CARD", UNIONPAY19)]


def test_card_context_does_not_turn_an_id_card_number_into_a_card():
    id_number = "11010519491231002X"
    spans = Analyzer(types=STRUCTURED_TYPES).analyze(f"信用卡账单上的身份证号{id_number}")
    assert [s.type for s in spans] == ["ID_CARD"]


# --- IBAN ------------------------------------------------------------------------------


def iban(country: str, bban: str) -> str:
    return country + iban_check_digits(country, bban) + bban


@pytest.mark.parametrize(
    "text, expected",
    [
        ("IBAN: DE89 3704 0044 0532 0130 00 thanks", ["DE89 3704 0044 0532 0130 00"]),
        ("GB82WEST12345698765432", ["GB82WEST12345698765432"]),
        ("汇款账户GB82WEST12345698765432，收款人John", ["GB82WEST12345698765432"]),
        (f"IBAN {iban('NL', 'ABNA0417164300')} please", [iban("NL", "ABNA0417164300")]),
        ("DE89 3704 0044 0532 0130 00 THANKS", ["DE89 3704 0044 0532 0130 00"]),  # trimmed to DE length
    ],
)
def test_iban_positives(text, expected):
    assert found(IbanRecognizer(), text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "DE88 3704 0044 0532 0130 00",  # check digits wrong
        "DE89 3704 0044 0532 0130",  # too short for DE
        "运单号: SF2991653183042",  # unknown country code (passes mod 97 by chance)
        "de89370400440532013000",  # lower case
    ],
)
def test_iban_negatives(text):
    assert found(IbanRecognizer(), text) == []


def test_sf_tracking_number_really_passes_mod97():
    from privtune.scan.checksums import is_valid_iban

    assert is_valid_iban("SF2991653183042")  # so the country table is what rejects it


def test_structured_span_beats_an_overlapping_model_span_whatever_its_score():
    from privtune.scan.analyzer import resolve_overlaps
    from privtune.scan.entities import Span

    secret = Span(5, 45, "SECRET", 0.85, "api_key")
    org = Span(10, 30, "ORGANIZATION", 0.999, "zh_organization_model")
    person = Span(50, 52, "PERSON", 0.9, "zh_person_model")
    assert resolve_overlaps([org, person, secret]) == [secret, person]
    # Among structured spans the score still decides.
    card = Span(0, 18, "BANK_CARD", 0.75, "bank_card")
    id_card = Span(0, 18, "ID_CARD", 0.95, "cn_id_card")
    assert resolve_overlaps([card, id_card]) == [id_card]


@pytest.mark.parametrize(
    "value", ["DE89370400440532013é00", "DE89370400440532013\uff1000", "DE\u0663\u0669370400440532013000"]
)
def test_is_valid_iban_rejects_non_ascii_instead_of_raising(value):
    from privtune.scan.checksums import is_valid_iban

    assert is_valid_iban(value) is False
