"""Phone cues and a Chinese extension that outside11's dev half showed missing: a ticket's
"Callback number", a bio's "Bookings:", a bare "ph" before digits, 打这个号, and "转837"."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


def _phones(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "PHONE"]


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Customer: Madina\nCallback number: 0471 63 16 10\nPreferred time: mornings", "0471 63 16 10"),
        ("A self-taught photographer based in Dublin. Bookings: 087 426 9690.", "087 426 9690"),
        ("This is Wojciech, ph 06-05858329.", "06-05858329"),
        ("收件人：晋子涵\n打这个号0912-305-099", "0912-305-099"),
        ("有疑问拨打0571-85253589转837。", "0571-85253589转837"),
    ],
)
def test_cued_national_number(text: str, phone: str) -> None:
    assert _phones(text) == [phone]


@pytest.mark.parametrize("text", ["pH 7.4 today", "the ph value 0712 33 is fine", "Bookings 2023: 1234 5678 guests"])
def test_no_phone(text: str) -> None:
    assert _phones(text) == []
