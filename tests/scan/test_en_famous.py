"""English PERSON on social media (issue 12, en-social9): public figures and characters named
by one word ("trump", "Shaq"), which the CRF leaves or types as a doubtful place."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.ner import en_span_rules
from privtune.scan.ner.en_crf import EnTagger
from privtune.scan.ner.en_famous import FAMOUS_SCORE, famous_names, famous_words, is_famous
from privtune.scan.ner.en_gate import _worth_tagging


@pytest.fixture(scope="module")
def tagger() -> EnTagger:
    return EnTagger()


def _persons(tagger: EnTagger, text: str) -> list[str]:
    tagger._line_memo.clear()
    return [text[s:e] for s, e, t, _ in tagger.spans(text) if t == "PERSON"]


@pytest.mark.parametrize(("text", "name"), [
    ("trump is the Kremlin ' s boy", "trump"),  # lower case, line start, before a verb
    ("if you do n't like Trump , your the minority", "Trump"),
    ("put draymond on the 1993 Phoenix team", "draymond"),
    ("Green is not a better player than Barkley was in his prime no way also Shaq has ego", "Shaq"),  # B-LOC 0.46
    ("Miami fans love LEBRON", "LEBRON"),  # shouted
    ("I wo n't vote for Donald trump", "Donald trump"),  # after a first name: its last part
    ("I listen to kendrick lamar when I want to relax", "kendrick lamar"),  # a lexicon name after it
    ("James looks like an even sexier Wolverine .", "Wolverine"),
    # The model: "Aragorn & Frodo" one ORGANIZATION at 0.27, which the analyzer drops.
    ("Fantastic Posters Released of Aragorn & Frodo for the Lord of the Rings LEGO Sets", "Frodo"),
])
def test_a_famous_one_word_name_is_a_name(tagger, text, name):
    # Each was missed before this round (the model alone leaves them, or types them otherwise).
    assert name in _persons(tagger, text)


@pytest.mark.parametrize("text", [
    "Miliband plays Labour's electoral trump card",  # the ordinary word
    "Scooby Doo was on again",  # not on the list
    "We stayed at Trump Tower in March",  # before a capitalised word: a title or a building
    "Trump ' s a stud",  # (the possessive is fine: positive control below)
])
def test_no_famous_name_in_a_title_or_an_idiom(tagger, text):
    names = _persons(tagger, text)
    if text.startswith("Trump ' s"):
        assert names == ["Trump"]
    else:
        assert "trump" not in [n.lower() for n in names] and "Scooby" not in names


def test_the_rule_gives_its_score_and_can_be_switched_off(tagger, monkeypatch):
    text = "trump is the Kremlin ' s boy"
    tagger._line_memo.clear()
    # Spans the scan keeps (PERSON threshold 0.5): the retrained model of enner11 also gives
    # "Kremlin" a doubtful B-PER (0.34), which no threshold lets through.
    assert [(text[s:e], p) for s, e, t, p in tagger.spans(text) if t == "PERSON" and p >= 0.5] == [
        ("trump", FAMOUS_SCORE)]
    monkeypatch.setitem(en_span_rules.CHECKS, "famous", False)
    assert "trump" not in _persons(tagger, text)


def test_is_famous_reads_the_list_in_the_cases_names_are_written():
    assert {"trump", "lebron", "shaq", "vader"} <= famous_words()
    assert not famous_words() & {"bush", "curry", "card", "the", "zion", "biggie", "snoop", "cena", "bono"}
    assert all(w == w.lower() and " " not in w for w in famous_words())
    assert is_famous("trump") and is_famous("Trump") and is_famous("TRUMP")
    assert not is_famous("tRump") and not is_famous("Trumpet") and not is_famous("Bush")


def test_famous_names_reads_labels_margins_and_neighbours():
    words = ["also", "Shaq", "has", "ego"]
    person = frozenset({1, 2})  # ids: 0 O, 1 B-PER, 2 I-PER, 3 B-LOC, 4 I-LOC
    names = {"Shaq"}
    assert famous_names(words, [0, 0, 0, 0], [1.0] * 4, names, 0, person) == [(1, 2)]
    assert famous_names(words, [0, 1, 0, 0], [1, 0.9, 1, 1], names, 0, person) == []  # a sure name
    assert famous_names(words, [0, 1, 0, 0], [1, 0.55, 1, 1], names, 0, person) == [(1, 2)]
    assert famous_names(words, [0, 3, 0, 0], [1, 0.46, 1, 1], names, 0, person) == [(1, 2)]
    assert famous_names(words, [0, 3, 0, 0], [1, 0.8, 1, 1], names, 0, person) == []  # a sure place
    assert famous_names(words, [0, 3, 4, 0], [1, 0.8, 0.8, 1], names, 0, person) == []  # in a sure longer one
    assert famous_names(words, [0, 3, 4, 0], [1, 0.4, 0.4, 1], names, 0, person) == [(1, 2)]  # a doubted one
    # A lower-case first name before it, a lexicon name after it: the name's other part.
    words = ["with", "ryan", "gosling", "in", "drive"]
    assert famous_names(words, [0] * 5, [1.0] * 5, {"gosling"}, 0, person) == [(1, 3)]
    words = ["so", "kendrick", "lamar", "and", "mr", "wenger"]
    assert famous_names(words, [0] * 6, [1.0] * 6, {"kendrick", "wenger"}, 0, person) == [(1, 3), (5, 6)]


def test_lines_holding_only_a_lower_case_famous_name_are_tagged():
    # "The" is the only capital: the gate let such a line through only for lexicon names.
    assert _worth_tagging("The fuckin kendrick reference")
    assert _worth_tagging("The fuckin lebron reference")
    assert not _worth_tagging("The fuckin reference")


def test_the_analyzer_reports_the_famous_names():
    spans = Analyzer().analyze("i wish the reporter asked trump about something useful")
    assert [("trump", "PERSON")] == [(s.start == 26 and "trump", s.type) for s in spans if s.type == "PERSON"]


def test_the_tagger_collects_the_famous_words_it_sees():
    tagger = EnTagger()
    tagger.spans("I swear freddie laughs at trump and Will")
    assert tagger._seen_famous == {"trump"} and "freddie" in tagger._seen_names
    assert tagger._seen_either == tagger._seen_names | tagger._seen_famous
