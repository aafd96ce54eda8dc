"""English names in a cue's slot, and names of many nationalities from the lexicon."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.person import EnPersonRecognizer


def persons(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer(types=["PERSON"], recognizers=[EnPersonRecognizer()]).analyze(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("My name is Oyelaran and I need help", ["Oyelaran"]),
        ("Tomasz: you saved me!", ["Tomasz"]),
        ("Agent: how can I help?\nNkechi Obi: the parcel never came", ["Nkechi Obi"]),
        ("Dear Ms Halvorsen, your order shipped.", ["Ms Halvorsen"]),  # titles stay with the name
        ("Thanks Wojciech! That fixed it.", ["Wojciech"]),
        ("Krisztina Vámos listed her top picks", ["Krisztina Vámos"]),  # both in the lexicon
        ("Hi April White, your ticket is closed", ["April White"]),  # a month, then a surname
        # Capitals outside Latin-1 (Latin Extended-A): Czech, Slovak, Turkish, Polish names.
        ("My name is Ďuško and I need help", ["Ďuško"]),
        ("Agent: how can I help?\nČestmír Šťastný: the parcel never came", ["Čestmír Šťastný"]),
    ],
)
def test_cued_and_lexicon_names(text, expected):
    assert persons(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Agent: how can I help?",
        "Hi there, Customer: yes",
        "Note: the Order is late",
        "Thanks again, it works now",
        "Hello Everyone, welcome back",
        "Hi April, see you in May",
    ],
)
def test_role_labels_and_greetings_are_no_names(text):
    assert persons(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("love this so much\n- Kızıl", ["Kızıl"]),  # a sign-off the lexicon does not know
        ("Can you fix the mirror? Thanks , - Damien", ["Damien"]),
        ("see you soon ~ Oyelaran!", ["Oyelaran"]),
        # A lower-case "me:" label makes a dialog, so the other label is a speaker's name.
        ("me: can we go home\nŞali: five more minutes", ["Şali"]),
    ],
)
def test_sign_offs_and_dialogs_with_lower_case_labels(text, expected):
    assert persons(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "open Mon - Fri",  # a range: a capitalised word before the dash
        "Score: 2 - 1",
        "Manchester - Leeds",
        "great game - Final",  # a headline word, no name
        "back on - Monday",
        "Photo: the view from the top",  # one label and no dialog: a headline
    ],
)
def test_dashes_and_lone_labels_name_nobody(text):
    assert persons(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hi, I'm Robert Jones, my card is blocked.", ["Robert Jones"]),  # "I'm" after the "Hi" cue
        ("Hello O'Neill here", ["O'Neill"]),  # an apostrophe before a capital is part of a name
    ],
)
def test_contractions_are_no_part_of_a_cued_name(text, expected):
    assert persons(text) == expected


@pytest.mark.parametrize(
    "text, name",
    [
        # A possessive after a cue cancelled the name ("Aoife's" read as a contraction like "It's").
        ("my daughter Aoife's account is locked", "Aoife"),
        ("it's under my wife's name, Mei Ling Tan", "Mei Ling Tan"),
        ("talked to someone named Bartholomew", "Bartholomew"),
        ("Send it c/o Olamide Bakare", "Olamide Bakare"),
    ],
)
def test_family_named_and_care_of_cues(text, name):
    assert name in [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "PERSON"]


def test_contractions_stay_no_names():
    assert not [s for s in Analyzer().analyze("It's fine, That's all. Here's the thing") if s.type == "PERSON"]
