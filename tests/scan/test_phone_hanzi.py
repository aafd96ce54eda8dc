"""Phone numbers written in Chinese numerals (round 7: "一三九一一二二三三四四" was left in the text)."""

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
