"""Names a first user found left in chats (round 7): Korean names with a hyphenated given name,
a name's particle and what follows it, a name on the line after a closing."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.ner.en_korean_names import korean_names


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _persons(analyzer: Analyzer, text: str) -> list[str]:
    return [text[s.start : s.end] for s in analyzer.analyze(text) if s.type == "PERSON"]


@pytest.mark.parametrize(("text", "name"), [
    ("Please call Park Ji-hoon today.", "Park Ji-hoon"),
    ("Ji-hoon Park called.", "Ji-hoon Park"),
    ("Kim Min-jung and me", "Kim Min-jung"),
    ("ask Jang Won-young", "Jang Won-young"),
])  # fmt: skip
def test_korean_names(analyzer: Analyzer, text: str, name: str) -> None:
    assert name in _persons(analyzer, text)


@pytest.mark.parametrize("text", ["the Park Co-op opens at 9", "Song Re-do", "Song E-mail", "Kim Wi-fi", "Park Jihoon"])
def test_korean_shape_needs_both_parts(text: str) -> None:
    assert korean_names(text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("The account holder is Mr. Abdullah bin Rashid.", "Mr. Abdullah bin Rashid"),
    ("Spoke to Mrs. Fatima binti Hassan today", "Mrs. Fatima binti Hassan"),
])  # fmt: skip
def test_particle_and_the_name_after_it(analyzer: Analyzer, text: str, name: str) -> None:
    assert _persons(analyzer, text) == [name]


@pytest.mark.parametrize(("text", "name"), [
    ("Kind regards,\nOyelaran", "Oyelaran"),
    ("ok will do.\nCheers,\nTomasz", "Tomasz"),
])  # fmt: skip
def test_name_on_the_line_after_a_closing(analyzer: Analyzer, text: str, name: str) -> None:
    assert _persons(analyzer, text) == [name]


@pytest.mark.parametrize("text", ["Regards,\nThe Support Team", "thanks!\nThe order is late"])
def test_closing_before_no_name(analyzer: Analyzer, text: str) -> None:
    assert _persons(analyzer, text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("CUSTOMER NAME: KOWALCZYK, ANNA", "KOWALCZYK, ANNA"),
    ("Patient: O'BRIEN, SEAN\nDOB: 01/02/1980", "O'BRIEN, SEAN"),
])  # fmt: skip
def test_name_field_in_capitals(analyzer: Analyzer, text: str, name: str) -> None:
    assert _persons(analyzer, text) == [name]


@pytest.mark.parametrize("text", ["NAME: N/A", "Customer: NOT PROVIDED", "Status: PENDING REVIEW"])
def test_name_field_without_a_name(analyzer: Analyzer, text: str) -> None:
    assert _persons(analyzer, text) == []
