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


def test_a_name_keeps_its_suffix_and_a_last_name_that_is_also_a_word():
    toks = [(0, 8, "Kristina"), (9, 13, "Pace"), (14, 16, "MD"), (16, 17, ".")]
    # The model took "MD" for a state (B-LOC): the suffix still belongs to the name.
    assert _decode(toks, ["B-PER", "I-PER", "B-LOC", "O"], [0.9, 0.9, 0.5, 1.0]) == [(0, 16, "PERSON", 0.9)]
    toks = [(0, 6, "Andrew"), (7, 12, "Evans"), (13, 15, "Jr"), (15, 16, ".")]
    assert _decode(toks, ["B-PER", "I-PER", "O", "O"], [0.9, 0.9, 1.0, 1.0])[0][:2] == (0, 16)
    # "Diana Good": a known first name alone, then a known last name that is a common word.
    toks = [(0, 2, "Hi"), (3, 8, "Diana"), (9, 13, "Good"), (13, 14, ",")]
    assert _decode(toks, ["O", "B-PER", "O", "O"], [1.0, 0.7, 0.9, 1.0]) == [(3, 13, "PERSON", 0.7)]
    # Not after a full name, and not a lower-case word.
    toks = [(0, 5, "Diana"), (6, 11, "Ross"), (12, 16, "Good")]
    assert _decode(toks, ["B-PER", "I-PER", "O"], [0.9, 0.9, 1.0])[0][:2] == (0, 11)
    toks = [(0, 5, "Diana"), (6, 10, "good")]
    assert _decode(toks, ["B-PER", "O"], [0.9, 1.0])[0][:2] == (0, 5)


def test_demo_customer_names_are_masked_whole():
    """Customers' names in the demo chats, suffixes included ("Phillip Jones MD")."""
    from privtune.scan.analyzer import Analyzer

    analyzer = Analyzer()
    for text, name in [
        ("Hi, this is Kristina Pace MD. My card 6217000638368898970 was blocked yesterday.", "Kristina Pace MD"),
        ("Why was my line (461) 693-5635 charged an extra $30? The account holder is Diana Good.", "Diana Good"),
    ]:
        start = text.index(name)
        spans = [s for s in analyzer.analyze(text) if s.type == "PERSON"]
        assert any(s.start <= start and start + len(name) <= s.end for s in spans), (name, spans)


def test_sub_word_features():
    from privtune.scan.ner.en_crf import _word

    own = set(_word("Popescu")[0])
    assert {"suf4=escu", "pre2=po", "pre4=pope", "cv=vccv"} <= own
    assert not any(f.startswith("cv=") for f in _word("2024")[0])


def test_word_rows_are_the_sums_of_their_strings_weights():
    """`_word_id` sums a word's class strings once per class: the rows must equal the plain sums."""
    import numpy as np

    from privtune.scan.ner.en_crf import _OFFSETS, EnTagger, _word

    tagger = EnTagger()
    for w in ["Popescu", "popescu", "Čović", "2024-05", "@dana_k", "The", "McDonald", "ŞALI", "的", "x"] * 2:
        i = tagger._word_id(w)
        own, ctx, _, _ = _word(w)
        np.testing.assert_allclose(tagger.own[i], tagger._vector(own), atol=1e-12)
        for q, k in enumerate(_OFFSETS):
            np.testing.assert_allclose(tagger.ctx[q, i], tagger._vector(ctx[k]), atol=1e-12)


def test_a_surname_typed_in_lower_case_after_a_first_name():
    toks = [(0, 5, "Kylie"), (6, 13, "minogue"), (14, 18, "feel")]
    assert _decode(toks, ["B-PER", "O", "O"], [0.8, 1.0, 1.0])[0][:2] == (0, 13)
    toks = [(0, 5, "Kylie"), (6, 10, "feel")]  # no surname
    assert _decode(toks, ["B-PER", "O"], [0.8, 1.0])[0][:2] == (0, 5)


def test_a_name_stops_at_a_full_stop_before_the_next_sentence():
    toks = [(0, 7, "Vincent"), (8, 11, "Cox"), (11, 12, "."), (13, 16, "I'd"), (17, 21, "like")]
    assert _decode(toks, ["B-PER", "I-PER", "I-PER", "I-PER", "O"], [0.9, 0.9, 0.5, 0.5, 1.0])[0][:2] == (0, 11)
    toks = [(0, 6, "George"), (7, 8, "F"), (8, 9, "."), (10, 16, "Hauser")]  # an initial's dot stays
    assert _decode(toks, ["B-PER", "I-PER", "I-PER", "I-PER"], [0.8] * 4)[0][:2] == (0, 16)
