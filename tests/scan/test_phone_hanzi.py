"""Phone numbers written in Chinese numerals (round 7: "一三九一一二二三三四四" was left in the text), and
mobile numbers cut short or mistyped after their cue."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.phone_hanzi import hanzi_phone_spans


@pytest.mark.parametrize(("text", "phone"), [
    ("我的电话是一三九一一二二三三四四", "一三九一一二二三三四四"),
    ("手机：幺三八零零一三八零零零", "幺三八零零一三八零零零"),
    ("加我 139一一22三344", "139一一22三344"),
    ("壹叁玖壹壹贰贰叁叁肆肆", "壹叁玖壹壹贰贰叁叁肆肆"),
    ("座机 零一零 六五五二九九八八", "零一零 六五五二九九八八"),
    ("电话：六五五二九九八八", "六五五二九九八八"),
])  # fmt: skip
def test_numeral_phone(text: str, phone: str) -> None:
    spans = Analyzer().analyze(text)
    assert phone in [text[s.start : s.end] for s in spans if s.type == "PHONE"]


@pytest.mark.parametrize("text", [
    "一二三四五六七八九十",     # counting
    "他说一二三四五六七就跑",   # 7 numerals, no cue
    "13911223344",             # digits only: the other phone rules' business
    "一九九八年到二零零五年",   # years
])  # fmt: skip
def test_no_numeral_phone(text: str) -> None:
    assert hanzi_phone_spans(text) == []


@pytest.mark.parametrize(("text", "phone"), [
    ("电话13801380", "13801380"),          # a mobile number cut short (a model's garbled output)
    ("手机号138001380001", "138001380001"),  # one digit too many
    ("电话：1380138", "1380138"),
])  # fmt: skip
def test_cut_or_mistyped_mobile_after_its_cue(text: str, phone: str) -> None:
    spans = Analyzer().analyze(text)
    assert phone in [text[s.start : s.end] for s in spans if s.type == "PHONE"]


@pytest.mark.parametrize("text", ["电话费1000000元", "Order 1380138 shipped", "拨打12345咨询"])
def test_no_cut_mobile(text: str) -> None:
    assert [s for s in Analyzer().analyze(text) if s.type == "PHONE"] == []
