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


# Round 8: a bare " at " or a spaced "@" before real dots was left whole (the trigger looked for
# spelled words only).
@pytest.mark.parametrize(("text", "email"), [
    ("jdoe99 at yahoo.com", "jdoe99 at yahoo.com"),
    ("you can reach me at jdoe99 at yahoo.com after 6", "jdoe99 at yahoo.com"),
    ("mail me: anna.k @ gmx.de", "anna.k @ gmx.de"),
    ("Email: anna.k @gmx.de", "anna.k @gmx.de"),
    ("write to kim_lee at outlook.com anytime", "kim_lee at outlook.com"),
    ("name,email\nJohn Park,john.park at company.co.uk", "john.park at company.co.uk"),
    ("Kontakt;anna at gmx.de;030 1234567", "anna at gmx.de"),
    ("email: marek at firma.com.pl", "marek at firma.com.pl"),
    ("邮箱: wang.fang at sina.cn", "wang.fang at sina.cn"),
    ("联系邮箱 lina @ 163.com", "lina @ 163.com"),
    ("anna[at]firma.de", "anna[at]firma.de"),
    ("anna(at)firma(dot)de", "anna(at)firma(dot)de"),
    ("JDOE99 AT YAHOO.COM", "JDOE99 AT YAHOO.COM"),
])  # fmt: skip
def test_bare_at_or_spaced_at_before_real_dots_is_an_email(text: str, email: str) -> None:
    spans = Analyzer().analyze(text)
    assert email in [text[s.start : s.end] for s in spans if s.type == "EMAIL"]


@pytest.mark.parametrize("text", [
    "meet at noon",
    "the sale is at amazon.com this week",
    "I'm at gmail.com's help page",
    "we're at yahoo.com now",
    "Unit tests run at github.com nightly",
    "see you at the office.com party",
    "prices at bestbuy.com and at walmart.com differ",
    "订单已发货 at 3pm",
])  # fmt: skip
def test_bare_at_website_phrases_stay_clean(text: str) -> None:
    assert spelled_emails(text) == []
