"""An @handle spelled from a person the record names ("@dana.whitfield" beside "Dana Whitfield")
is a USERNAME; other handles stay (a bare "@team" is no one's)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.propagate import propagate


def usernames(texts: list[str]) -> list[list[str]]:
    an = Analyzer()
    out = propagate(texts, [an.analyze(t) for t in texts])
    return [[t[s.start : s.end] for s in spans if s.type == "USERNAME"] for t, spans in zip(texts, out)]


@pytest.mark.parametrize(
    "texts, expected",
    [
        (["Hi team, please welcome @dana.whitfield (Dana Whitfield) who joins from Stripe!"], [["@dana.whitfield"]]),
        (["cc @dwhitfield88 — Dana Whitfield will own this"], [["@dwhitfield88"]]),
        # Another field of the same record names the person.
        (["ping @jan_kowalczyk about it", "Sure, I will ask Jan Kowalczyk."], [["@jan_kowalczyk"], []]),
    ],
)
def test_handles_of_named_people(texts, expected):
    assert usernames(texts) == expected


@pytest.mark.parametrize(
    "texts",
    [
        ["Dana Whitfield asked @team to review"],  # not her name
        ["Thanks @anna, Anna Berg here"],  # no surname in it
        ["@dana.whitfield please review"],  # no one in the record is named so
    ],
)
def test_other_handles_stay(texts):
    assert usernames(texts) == [[] for _ in texts]
