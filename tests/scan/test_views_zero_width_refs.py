"""A zero-width character written as an HTML reference reads as nothing (round 7)."""

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.views import decoded_view


def test_reference_to_a_zero_width_space_is_dropped_from_the_view():
    assert decoded_view("138&#8203;1234&#x200b;5678 &amp; &shy;x")[0] == "13812345678 & x"


@pytest.mark.parametrize("text,value,etype", [
    ("<p>My phone is 138&#8203;1234&#8203;5678</p>", "138&#8203;1234&#8203;5678", "PHONE"),
    ("mail: john&#x200B;.smith@gmail.com", "john&#x200B;.smith@gmail.com", "EMAIL"),
])
def test_numbers_and_addresses_split_by_such_references_are_found(text, value, etype):
    assert (etype, value) in [(s.type, text[s.start:s.end]) for s in Analyzer().analyze(text)]
