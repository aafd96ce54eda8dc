"""luhn_check_digit's slice fast path (ASCII digit strings) equals the digit-by-digit loop."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.scan.checksums import luhn_check_digit


def _reference(partial: str) -> str:
    total = 0
    for i, c in enumerate(reversed(partial)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789", max_size=30))
def test_fast_path_equals_loop(partial: str) -> None:
    assert luhn_check_digit(partial) == _reference(partial)


@given(st.text(alphabet="0123456789\u0663\uff11", max_size=12))
def test_non_ascii_digits_keep_the_loop(partial: str) -> None:
    assert luhn_check_digit(partial) == _reference(partial)
