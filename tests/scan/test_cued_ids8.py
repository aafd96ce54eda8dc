"""Round 8: IDs after a clear cue that the scan left whole (README, "Types"): a Hong Kong or
Taiwan ID with a wrong check digit after the cue that names it, an order's number after its
cue, a hospital bed beside its ward. A card's or phone's last four
digits (尾号) and a bed with no ward stay."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer

_ANALYZER = Analyzer()


def _found(text: str, kind: str) -> list[str]:
    return [text[s.start : s.end] for s in _ANALYZER.analyze(text) if s.type == kind]


@pytest.mark.parametrize(("text", "value"), [
    ("HKID: A123456(7)", "A123456(7)"),                 # check digit 3: a typo
    ("my HKID is Z683365(4), please update it", "Z683365(4)"),
    ("Hong Kong ID: AB987654(1)", "AB987654(1)"),
    ("HKID A1234567", "A1234567"),
    ("name,hkid\nChan Tai Man,HKID A1234567", "A1234567"),
    ("香港身份證：C668668(9)", "C668668(9)"),
    ("身分證字號 A123456788", "A123456788"),             # check digit 9: a typo
    ("請提供身份證字號：F223456781，謝謝", "F223456781"),
    ("姓名：陳美玲 身分證 B120000001 電話另告", "B120000001"),
])  # fmt: skip
def test_mistyped_hk_and_taiwan_ids_after_their_cue(text: str, value: str) -> None:
    assert value in _found(text, "ID_CARD")


@pytest.mark.parametrize("text", [
    "identity card A1234567 was lost",  # generic cue, no bracket, wrong check digit: not taken
    "national id A123456788",           # an English cue of many countries: the check must hold
    "Unit tests A1234567 passed",
    "model A123456788 is out of stock",
])  # fmt: skip
def test_uncued_or_generic_id_shapes_need_their_check(text: str) -> None:
    assert _found(text, "ID_CARD") == []


@pytest.mark.parametrize(("text", "value"), [
    ("订单号 2024120712345678", "2024120712345678"),
    ("您好，订单号：2024120712345678 还没发货", "2024120712345678"),
    ("訂單編號：TW20241207001234", "TW20241207001234"),
    ("Order #112-4471823-5523311", "112-4471823-5523311"),
    ("my order number is 112-4471823-5523311, placed yesterday", "112-4471823-5523311"),
    ("order_id,customer\nOrder: 9934412,Ann Lee", "9934412"),
])  # fmt: skip
def test_order_numbers_after_their_cue_are_record_ids(text: str, value: str) -> None:
    assert value in _found(text, "RECORD_ID")


@pytest.mark.parametrize("text", [
    "I'd like to order 1000 pieces",
    "order 12345 units by Friday",
    "订单已发货",
    "订单日期：2024-12-07",
    "in order 2024 to plan",
])  # fmt: skip
def test_order_words_without_a_number_cue_stay(text: str) -> None:
    assert _found(text, "RECORD_ID") == []


@pytest.mark.parametrize(("text", "value"), [
    ("心内科3床张伟今天出院", "3"),
    ("3床 张伟 心内科", "3"),
    ("ICU 12床病人血压偏低", "12"),
    ("内科二病区15床的李娜", "15"),
    ("病区：心内科，床号：12，姓名：王芳", "12"),
    ("Ward 7, Bed 12: Mrs Patel, post-op day 2", "12"),
    ("patient in bed 4 on ward 4B", "4"),
])  # fmt: skip
def test_a_bed_beside_its_ward_is_a_record_id(text: str, value: str) -> None:
    assert value in _found(text, "RECORD_ID")


@pytest.mark.parametrize("text", [
    "3床", "床号：12", "床单需要更换，3号床的病人", "买了一张双人床", "I went to bed at 10 after the ward round",
    "the bed 12 inches wide", "尾号8842的卡", "手机尾号 5521", "您尾号8842的储蓄卡消费100元", "meet at noon",
])  # fmt: skip
def test_beds_without_a_ward_and_last_four_digits_stay(text: str) -> None:
    spans = [s for s in _ANALYZER.analyze(text) if s.type not in ("PERSON", "ADDRESS", "ORGANIZATION")]
    assert spans == []
