"""E-mail addresses spelled out to get past filters (round 7: "lina AT 163 DOT com" was left whole)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.email_spelled import spelled_emails


@pytest.mark.parametrize(("text", "email"), [
    ("email me: john dot smith at gmail dot com", "john dot smith at gmail dot com"),
    ("my mail is john[at]gmail.com", "john[at]gmail.com"),
    ("contact: jane (at) example (dot) org", "jane (at) example (dot) org"),
    ("邮箱 lina AT 163 DOT com", "lina AT 163 DOT com"),
    ("李娜的邮箱 lina 艾特 qq 点 com", "lina 艾特 qq 点 com"),
    ("reach me: jdoe99 at yahoo dot com", "jdoe99 at yahoo dot com"),
])  # fmt: skip
def test_spelled_address_is_an_email(text: str, email: str) -> None:
    spans = Analyzer().analyze(text)
    assert email in [text[s.start : s.end] for s in spans if s.type == "EMAIL"]


@pytest.mark.parametrize("text", [
    "look at google dot com",
    "available at amazon.com",
    "we met at noon.com",
    "write to a.b@example.com",   # plain: the e-mail pattern's, not this one's
    "we arrive at 9 dot 30",
])  # fmt: skip
def test_no_spelled_address(text: str) -> None:
    assert spelled_emails(text) == []
