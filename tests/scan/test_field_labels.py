"""Form labels ("Passport: E12345678", "Ward: 5B") and field acronyms ("my SSN is") were read as
names or organisations and replaced ("Tanner: E81484733", "My CZJ is"); speakers stay names."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.ner.field_labels import is_field_label, is_form


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.type) for s in Analyzer().analyze(text)]


@pytest.mark.parametrize("text, label", [
    ("Name: LI WEI\nPassport: E12345678\nDOB: 12/03/1988", "Passport"),
    ("Name: Maria Garcia\nNationality: Spanish\nEmployer: Acme", "Nationality"),
    ("Name: Maria Garcia\nNationality: Spanish\nEmployer: Acme", "Employer"),
    ("Patient: LI WEI\nMRN: 00123456\nWard: 5B", "Ward"),
])
def test_field_labels_are_no_names(text, label):
    found = _found(text)
    assert not [v for v, t in found if v == label], found
    assert any(t == "PERSON" for _, t in found)  # the person in the form is still found


def test_field_acronyms_are_no_organisations():
    assert ("SSN", "ORGANIZATION") not in _found("My SSN is 078-05-1120 and my name is Emily Ratto.")


@pytest.mark.parametrize("text, names", [
    ("Tomasz: you saved me!\nAnna: no problem", ["Tomasz", "Anna"]),
    ("Tomasz: here it is\nPhone: 0471 22 93 15", ["Tomasz"]),  # a speaker beside a field line
])
def test_speakers_stay_names(text, names):
    found = _found(text)
    assert all((n, "PERSON") in found for n in names), found


def test_a_short_code_value_makes_a_label_a_field_only_in_a_form():
    form = "Name: Ann Lee\nPhone: 555-201-8834\nBay: 5B"
    assert is_form(form) and is_field_label(form, form.index("Bay"), form.index("Bay") + 3)
    chat = "Bay: 5B\nAnna: ok"
    assert not is_form(chat) and not is_field_label(chat, 0, 3)
    assert not is_field_label("Tomasz: hi", 0, 6)
    assert not is_field_label("see Passport: x", 4, 12)  # not at a line's start
