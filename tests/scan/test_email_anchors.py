"""email_matches (one anchored match per "@") gives exactly EmailRecognizer._re.finditer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.scan.recognizers.contact import EmailRecognizer, email_matches

_PIECES = ["@", "a", "b", "Z", "9", ".", "_", "%", "+", "-", "com", "cn", "x" * 30, "y" * 64, "ab.c", " ", "，",
           "邮箱", "\n", "\x00", "😀", "@@", ".@", "@.", "a@b.co", "png"]  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25))
def test_same_matches_as_finditer(pieces: list[str]) -> None:
    text = "".join(pieces)
    pattern = EmailRecognizer._re
    assert [m.span() for m in email_matches(pattern, text)] == [m.span() for m in pattern.finditer(text)]
