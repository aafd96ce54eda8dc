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


def persons(texts: list[str]) -> list[list[str]]:
    an = Analyzer()
    out = propagate(texts, [an.analyze(t) for t in texts])
    return [[t[s.start : s.end] for s in spans if s.type == "PERSON"] for t, spans in zip(texts, out)]


def test_surname_spelled_by_the_email_beside_a_detected_given_name():
    # The tagger takes "Anna" only; the address names her surname. (On a "From:" header line the
    # display name is taken whole by `name_orders`, so the line here is no header.)
    assert persons(['Reply from "Kowalczyk, Anna" <anna.kowalczyk@firma.pl>']) == [["Kowalczyk", "Anna"]]
    assert persons(['From: "Kowalczyk, Anna" <anna.kowalczyk@firma.pl>']) == [["Kowalczyk, Anna"]]


def test_an_email_of_no_detected_person_names_no_one():
    assert persons(["mail support.team@acme.com about the Team plan", "Hi Anna"]) == [[], ["Anna"]]
