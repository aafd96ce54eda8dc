"""A name with a possessive "'s" ("Rachel's SSN", "Kowalski's account") is a PERSON: the tagger
sees "Rachel" + "'" + "s" as the corpora write it, and the span ends before the "'s"."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.ner.en_features import TOKEN


def persons(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "PERSON"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Rachel's SSN ends in 4471.", ["Rachel"]),
        ("Kowalski's account is overdue.", ["Kowalski"]),
        ("his daughter Lucía's appt on Tues", ["Lucía"]),
        ("Mark’s order arrived late.", ["Mark"]),  # a typographic apostrophe
    ],
)
def test_possessive_names(text, expected):
    assert persons(text) == expected


@pytest.mark.parametrize(
    "text",
    ["It's late, let's go.", "That's what she said.", "What's the status of the '90s order?"],
)
def test_contractions_are_no_names(text):
    assert persons(text) == []


def test_tokens_split_the_possessive_only():
    assert TOKEN.findall("O'Neill's dog, don't, rock'n'roll") == ["O'Neill", "'", "s", "dog", ",", "don't", ",",
                                                                  "rock'n'roll"]
