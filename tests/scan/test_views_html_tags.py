"""HTML tags in help-desk bodies: a tag without attributes reads as a blank (inline) or a line
break (block), so "My name is <strong>Oyelaran</strong>" finds the name; tags with attributes
stay as written, so a number in an href is still found."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.views import decoded_view


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.type) for s in Analyzer().analyze(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<div>My name is <strong>Oyelaran</strong></div>", ("Oyelaran", "PERSON")),
        ('<a href="tel:+2348031234567">call</a>', ("+2348031234567", "PHONE")),
        ("Hi,<br/>I am Krisztina Vámos<br>Tel: 0471 22 93 15", ("Krisztina Vámos", "PERSON")),
        ("Hi,<br/>I am Krisztina Vámos<br>Tel: 0471 22 93 15", ("0471 22 93 15", "PHONE")),
    ],
)
def test_names_and_numbers_around_tags(text, expected):
    assert expected in _found(text)


def test_block_tags_read_as_line_breaks_inline_ones_as_blanks():
    view, _, _ = decoded_view("a<br>b<b>c</b>d<a href='x'>e</a>")
    assert view == "a\nb c d<a href='x'>e "
