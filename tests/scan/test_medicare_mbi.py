"""US Medicare Beneficiary Identifiers after their cue are RECORD_IDs."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


def record_ids(text: str) -> list[str]:
    return [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "RECORD_ID"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("DOB: 1985-07-12; SSN 123-45-6789; Medicare 1EG4-TE5-MK73", ["1EG4-TE5-MK73"]),
        ("MBI: 1EG4TE5MK73 (new card)", ["1EG4TE5MK73"]),
        ("medicare number is 9AA0 C12 AA00, verified", ["9AA0 C12 AA00"]),
        ("Beneficiary ID 2C34-D56-FG67", ["2C34-D56-FG67"]),
    ],
)
def test_mbi_after_cue(text, expected):
    assert record_ids(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "part 1EG4-TE5-MK73 shipped",  # no cue
        "Medicare 1SG4-TE5-MK73",  # S is never an MBI letter
        "Medicare 0EG4-TE5-MK73",  # the first digit is 1-9
        "Medicare 1EG4-TE5MK73",  # dashes are both or none
    ],
)
def test_not_mbi(text):
    assert record_ids(text) == []
