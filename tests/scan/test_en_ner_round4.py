"""English NER, fourth round (issue 12): lower-case sentences reach the model, names do not run
across dashes and colons, sub-word features, more generated name sources."""

from __future__ import annotations

import pytest

from privtune.scan.ner.en_crf import _decode, _worth_tagging


@pytest.mark.parametrize(
    "line, worth",
    [
        ("honestly gelu is the funniest person i know", True),  # no lexicon word, no capital
        ("ok mucahit you win this round", True),
        ("lol ok", False),  # two words: no sentence
        ("bhernandez40@corp.example", False),  # an address, not words
        ("我的手机号 abc def ghi 还没到", False),  # CJK: the Chinese model's text
        ("your bill and the fee", True),  # a sentence (the model, not the gate, says no name)
    ],
)
def test_gate_lets_through_lower_case_sentences(line, worth):
    assert bool(_worth_tagging(line)) is worth


def test_lines_with_capitals_keep_the_old_gate():
    # Capitalised common words only and no lexicon name: still skipped (cost control).
    assert not _worth_tagging("Thanks, that fixed it")
    assert not _worth_tagging("The order is late again.")


def test_a_name_does_not_run_across_a_dash_or_colon():
    toks = [(0, 2, "cc"), (3, 19, "@the_real_sandra"), (20, 21, "—"), (22, 28, "Sandra"), (29, 33, "this")]
    tags = ["O", "B-PER", "I-PER", "I-PER", "O"]
    assert _decode(toks, tags, [1.0, 0.6, 0.5, 0.5, 1.0]) == [(22, 28, "PERSON", pytest.approx(0.5333, abs=1e-3))]
    # Two names on either side of a colon stay two names; initials' dots stay inside a name.
    toks = [(0, 3, "Ana"), (4, 8, "Lima"), (8, 9, ":"), (10, 13, "Bob"), (14, 18, "Dyer")]
    got = _decode(toks, ["B-PER", "I-PER", "I-PER", "I-PER", "I-PER"], [0.8] * 5)
    assert [(s, e) for s, e, _, _ in got] == [(0, 8), (10, 18)]
    toks = [(0, 6, "George"), (7, 8, "F"), (8, 9, "."), (10, 16, "Hauser")]
    assert _decode(toks, ["B-PER", "I-PER", "I-PER", "I-PER"], [0.8] * 4) == [(0, 16, "PERSON", 0.8)]


def test_handle_and_name_through_the_analyzer():
    from privtune.scan.analyzer import Analyzer

    text = "cc @mira_novak — Mira this is the thing I told you about"
    persons = [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "PERSON"]
    assert "Mira" in persons
    assert not any("—" in p for p in persons)


def test_two_capitalised_name_words_tagged_apart_are_one_name():
    toks = [(0, 6, "Franci"), (7, 11, "Mrak"), (12, 16, "here")]
    assert _decode(toks, ["B-PER", "B-PER", "O"], [0.9, 0.8, 1.0]) == [(0, 11, "PERSON", pytest.approx(0.85))]
    # "@" and a handle (the Broad Twitter Corpus's two names), a lower-case word, a gap: apart.
    toks = [(0, 1, "@"), (2, 8, "Sharon")]
    assert len(_decode(toks, ["B-PER", "B-PER"], [0.9, 0.9])) == 2
    toks = [(0, 6, "Taylor"), (7, 13, "tanner")]
    assert len(_decode(toks, ["B-PER", "B-PER"], [0.9, 0.9])) == 2
    toks = [(0, 3, "Ana"), (5, 8, "Bob")]  # two spaces: a list, not a name
    assert len(_decode(toks, ["B-PER", "B-PER"], [0.9, 0.9])) == 2
