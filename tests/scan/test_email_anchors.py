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


def test_latin_letters_outside_ascii_belong_to_the_address():
    # "Müller@beispiel.de" was found as "ller@beispiel.de" (the "Mü" left in the data) and
    # "jürgen.groß@example.com" not at all; Han characters still end an address on the left.
    from privtune.scan.recognizers.contact import EmailRecognizer

    def emails(text: str) -> list[str]:
        return [text[s.start : s.end] for s in EmailRecognizer().analyze(text)]

    assert emails("Write to Müller@beispiel.de or jürgen.groß@example.com") == [
        "Müller@beispiel.de", "jürgen.groß@example.com"]
    assert emails("mail: anna@münchen.de.") == ["anna@münchen.de"]
    assert emails("邮箱是zw@qq.com谢谢") == ["zw@qq.com"]
