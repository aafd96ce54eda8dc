"""Card security codes after their name are secrets (round 7: "cvv 123" was left in the text)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.financial import CardSecurityCodeRecognizer


@pytest.mark.parametrize(("text", "code"), [
    ("full number 4539 1488 0343 6467 exp 09/27 cvv 123", "123"),
    ("CVC2: 4417", "4417"),
    ("信用卡背面安全码是 321", "321"),
    ("security code 998 on the back", "998"),
])  # fmt: skip
def test_security_code_after_its_name(text: str, code: str) -> None:
    spans = Analyzer().analyze(text)
    assert code in [text[s.start : s.end] for s in spans if s.type == "SECRET"]


@pytest.mark.parametrize("text", ["the CID 2024 conference", "cvv 12345 is no code", "CVV is required", "安全码错误"])
def test_no_code(text: str) -> None:
    assert CardSecurityCodeRecognizer().analyze(text) == []
