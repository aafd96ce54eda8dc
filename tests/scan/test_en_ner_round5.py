"""English NER, fifth round (issue 12): checks on the model's PERSON spans against word lists
(ordinary words, countries, group nouns) and lower-case surnames after a first name."""

from __future__ import annotations

import json
import re

import pytest

from privtune.scan.ner import en_span_rules
from privtune.scan.ner.en_crf import _decode


def _toks(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]


def _names(text: str, tags: str, marg: list[float] | None = None) -> list[tuple[str, str]]:
    toks, tag_list = _toks(text), tags.split()
    got = _decode(toks, tag_list, marg or [0.8] * len(toks))
    return [(text[s:e], t) for s, e, t, _ in got]


def test_a_capitalised_ordinary_word_is_no_name():
    assert _names("Kids are so brutally honest . Poor Jimmy", "B-PER O O O O O O B-PER") == [("Jimmy", "PERSON")]
    assert _names("good video Dude", "O O B-PER") == []
    # A word of the name lexicon stays a name, ordinary word or not ("Summer", "Will").
    assert _names("Where are my keys , Summer ?", "O O O O O B-PER O") == [("Summer", "PERSON")]
    assert _names("Will you call me", "B-PER O O O") == [("Will", "PERSON")]


def test_a_country_is_a_place_not_a_person():
    assert _names("what part of Jamaica is he from", "O O O B-PER O O O") == [("Jamaica", "ADDRESS")]
    assert _names("flights from Sierra Leone", "O O B-PER I-PER") == [("Sierra Leone", "ADDRESS")]
    assert _names("the biggest ship on Earth", "O O O O B-PER") == [("Earth", "ADDRESS")]
    # People are named after places: a place that is a first name stays a name.
    assert _names("ask Jordan about it", "O B-PER O O") == [("Jordan", "PERSON")]


def test_a_name_before_a_group_noun_is_not_a_person():
    assert _names("thanks Zac Brown band !", "O B-PER I-PER O O") == []
    assert _names("The Clinton Foundation should pay", "O B-PER I-PER O O") == []
    # "brothers" and "family" are not group nouns here (WNUT17 labels "the Coen brothers" a person).
    assert _names("the Coen brothers movie", "O B-PER O O") == [("Coen", "PERSON")]


def test_a_lower_case_surname_the_model_doubts_joins_the_first_name():
    marg = [1.0, 1.0, 0.94, 0.64, 1.0]
    assert _names("is that Mauro renallo ?", "O O B-PER O O", marg) == [("Mauro renallo", "PERSON")]
    assert _names("Proof that Travis scott sold", "O O B-PER B-PER O", [1.0, 1.0, 0.99, 0.64, 1.0]) == [("Travis scott", "PERSON")]
    # Two people, the second name sure of itself, stay two ("call Taylor tanner").
    assert len(_names("call Taylor tanner", "O B-PER B-PER", [1.0, 0.99, 0.93])) == 2
    # A verb after a name the model is sure of stays out ("Tom tucks in"), and so does a word
    # the corpora write in lower case, however unsure the model is.
    assert _names("The Archers : Tom tucks in", "O O O B-PER O O", [1.0, 1.0, 1.0, 0.99, 0.99, 1.0]) == [
        ("Tom", "PERSON")]
    assert _names("how does elton afford that", "O O B-PER O O", [1.0, 1.0, 0.9, 0.5, 1.0]) == [("elton", "PERSON")]


def test_a_span_without_letters_is_no_name_but_an_at_before_a_handle_is():
    assert _names("Congrats 200 k guys", "O B-PER O O") == []
    assert _names("stop getting F @ # KING injured", "O O O B-PER O O O") == []
    assert _names("@ 1 : 53 I got a walker", "B-PER O O O O O O O") == []
    # The Broad Twitter Corpus labels "@ name" as two names: the "@" before a handle stays.
    assert _names("RT @ sadioraps : lol", "O B-PER B-PER O O") == [("@", "PERSON"), ("sadioraps", "PERSON")]


def test_the_lexicon_rules_names_before_a_group_noun_are_dropped():
    from privtune.scan.recognizers.person import EnPersonRecognizer

    rec = EnPersonRecognizer()
    rec.model_check = False
    text = "I swear this is the best Wendy show ever, and Wendy Smith agrees"
    assert [text[s.start:s.end] for s in rec.analyze(text)] == ["Wendy Smith"]


@pytest.mark.parametrize("check", ["common", "letters", "place", "group", "tail"])
def test_each_check_can_be_turned_off(monkeypatch, check):
    monkeypatch.setitem(en_span_rules.CHECKS, check, False)
    cases = {
        "common": ("good video Dude", "O O B-PER", [("Dude", "PERSON")]),
        "letters": ("Congrats 200 k", "O B-PER O", [("200", "PERSON")]),
        "place": ("what part of Jamaica", "O O O B-PER", [("Jamaica", "PERSON")]),
        "group": ("The Clinton Foundation", "O B-PER I-PER", [("Clinton Foundation", "PERSON")]),
        "tail": ("is that Mauro renallo", "O O B-PER O", [("Mauro", "PERSON")]),
    }
    text, tags, want = cases[check]
    assert _names(text, tags, [1.0, 1.0, 0.94, 0.6][: len(tags.split())]) == want


def test_word_lists_are_package_data():
    data = json.loads(en_span_rules.WORDS_PATH.read_text(encoding="utf-8"))
    common = set(data["common_words"])
    assert {"dude", "kids", "afford"} <= common and not {"trump", "renallo"} & common
    assert all(w.islower() and w.isalpha() for w in common)
    assert {"Jamaica", "Sierra Leone", "Alabama", "Earth", "Europe"} <= set(data["places"])


def test_a_cue_before_an_ordinary_word_gives_no_name():
    from privtune.scan.ner.en_cues import find_cued_persons

    text = "I Cant Believe This Is On The Trending Tab"
    assert [text[s:e] for s, e, _, _ in find_cued_persons(text)] == []
    text = "Hi, this is Oyelaran"
    assert [text[s:e] for s, e, _, _ in find_cued_persons(text)] == ["Oyelaran"]


def test_a_capitalised_phrase_with_an_ordinary_word_needs_a_surer_model(monkeypatch):
    from privtune.scan.recognizers import en_model

    text = "Outside Hammock Bonfire and Benone Dinu"
    spans = [(0, 15, "PERSON", 0.62), (28, 39, "PERSON", 0.62), (16, 23, "PERSON", 0.6)]
    monkeypatch.setattr(en_model, "tag_en", lambda t: spans)
    got = {text[s.start:s.end]: s.score for s in en_model.EnModelRecognizer().analyze(text)}
    # "Outside" is an ordinary word: the phrase loses TITLE_WORDS_PENALTY and falls below 0.5;
    # a name of unknown words and a single word keep the model's score.
    assert got == {"Outside Hammock": pytest.approx(0.42), "Benone Dinu": 0.62, "Bonfire": 0.6}
    assert not en_model._capitalised_phrase("Benone Dinu")
    assert not en_model._capitalised_phrase("OUTSIDE Hammock")  # capitals only: not this rule's


def test_an_initials_dot_and_a_suffix_dot_stay_inside_the_name():
    toks = [(0, 6, "Andrew"), (7, 8, "J"), (8, 9, "."), (10, 15, "Evans"), (16, 18, "Jr"), (18, 19, "."),
            (20, 21, ",")]
    got = _decode(toks, ["B-PER", "I-PER", "O", "B-PER", "I-PER", "O", "O"], [0.9] * 7)
    assert [(s, e) for s, e, _, _ in got] == [(0, 19)]  # "Andrew J. Evans Jr."
    # A dot after a word (a sentence end) is not an initial's: two names stay two.
    toks = [(0, 3, "Ana"), (3, 4, "."), (5, 8, "Bob"), (9, 13, "Dyer")]
    got = _decode(toks, ["B-PER", "O", "B-PER", "I-PER"], [0.9] * 4)
    assert [(s, e) for s, e, _, _ in got] == [(0, 3), (5, 13)]


def test_a_name_does_not_end_in_a_function_word():
    assert _names("and John Greiner of the railroad", "O B-PER I-PER I-PER O O") == [("John Greiner", "PERSON")]
    assert _names("students included Marcus du Sautoy", "O O B-PER I-PER I-PER") == [("Marcus du Sautoy", "PERSON")]


def test_a_titled_name_with_a_suffix_is_masked_with_its_dot():
    from privtune.scan.analyzer import Analyzer

    text = "Order 2025021422686477 hasn't arrived. Recipient Mr. Anthony Whitehead Jr., phone 555-1234."
    names = [text[s.start:s.end] for s in Analyzer().analyze(text) if s.type == "PERSON"]
    assert names == ["Mr. Anthony Whitehead Jr."]


def test_a_group_noun_used_as_a_verb_leaves_the_name():
    from privtune.scan.recognizers.person import EnPersonRecognizer

    assert _names("Jenny show me the way", "B-PER O O O O") == [("Jenny", "PERSON")]
    rec = EnPersonRecognizer()
    rec.model_check = False
    text = "Wendy Smith show us the invoice"
    assert [text[s.start:s.end] for s in rec.analyze(text)] == ["Wendy Smith"]
