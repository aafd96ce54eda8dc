"""URL query parameters: the parameter name is the value's cue (first-hour defects, round 7)."""

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.query_params import query_param_spans


def _found(text):
    return [(s.type, text[s.start:s.end]) for s in query_param_spans(text)]


@pytest.mark.parametrize("text,expected", [
    ("/lookup?email=a%40b.com&name=John+Smith&x=1", [("PERSON", "John+Smith")]),
    ("GET /api/users?first_name=Emily&last_name=Clark HTTP/1.1", [("PERSON", "Emily"), ("PERSON", "Clark")]),
    ("customer[name]=Jürgen+Groß&customer[address]=Hauptstraße+5,+10115+Berlin",
     [("PERSON", "Jürgen+Groß"), ("ADDRESS", "Hauptstraße+5,+10115+Berlin")]),
    # "receiver" names a person since round 10 (a parcel's recipient; a log's receiver=…)
    ("订单 https://m.example.cn/o?receiver=李娜&phone=13912345678 查看", [("PERSON", "李娜"), ("PHONE", "13912345678")]),
    ("https://x.com/?name=张伟 and more words", [("PERSON", "张伟")]),  # the URL ends at the blank
])
def test_named_parameters_are_found(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize("text", [
    "https://x.com/?name=settings&page=2",  # a bare "name" with a lower-case word: no person
    "https://x.com/file?name=report.pdf",
    "https://example.com/?q=hello+world&lang=en",
    "https://example.com/?id=12345&status=ok",
    "a = b and x?y=z",
])
def test_other_parameters_are_left(text):
    assert _found(text) == []


def test_a_form_encoded_name_in_a_url_is_masked_by_the_analyzer():
    """Before, the e-mail inside the URL outranked the URL span and nothing covered the name."""
    text = "https://crm.example.com/lookup?email=john.smith%40gmail.com&name=John+Smith&phone=%2B14155550132"
    spans = Analyzer().analyze(text)
    covered = {i for s in spans for i in range(s.start, s.end)}
    assert all(i in covered for i in range(text.index("John+Smith"), text.index("John+Smith") + 10))
