"""The lexicon rule's weakest matches (one known name part, no cue) need the English model's
agreement: capitalised phrases that only contain a name-like word are not reported."""

from __future__ import annotations

import pytest

from privtune.scan.recognizers.person import EnPersonRecognizer


def names(text: str, model_check: bool = True) -> list[str]:
    rec = EnPersonRecognizer()
    rec.model_check = model_check
    return [text[s.start : s.end] for s in rec.analyze(text) if s.score >= 0.5]


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("Silver Falls !", "Silver Falls"),
        ("I switched the channel to Independence Day last night", "Independence Day"),
        ("I am so proud of the Jamaican Squad", "Jamaican Squad"),
    ],
)
def test_weak_matches_the_model_does_not_tag_are_dropped(text, phrase):
    assert phrase in names(text, model_check=False)  # the rule alone reports it
    assert phrase not in names(text)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Yesterday Natalia Oyelaran called about the parcel", "Natalia Oyelaran"),  # weak, model agrees
        ("the invoice went to Kofi Brzęczyszczykiewicz on Monday", "Kofi Brzęczyszczykiewicz"),
        ("Dear Natalia Oyelaran, thanks", "Natalia Oyelaran"),  # a cue: no model needed
        ("Recipient Norma Fisher", "Norma Fisher"),  # known first and last name
    ],
)
def test_names_stay(text, name):
    assert name in names(text)

