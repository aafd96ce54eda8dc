"""The shipped English word CRF: names no lexicon holds, in context; quiet on plain chat."""

from __future__ import annotations

import pytest

from privtune.errors import ConfigError
from privtune.scan.ner.en_crf import EnTagger, shape, token_features
from privtune.scan.recognizers.en_model import ADDRESS_CAP, EnModelRecognizer


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.type) for s in EnModelRecognizer().analyze(text) if s.score >= 0.5]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Yesterday Oyelaran Adebayo said the parcel was late", ("Oyelaran Adebayo", "PERSON")),
        ("We flew from Lisbon to Nairobi on Monday", ("Nairobi", "ADDRESS")),
        ("I spoke with Tomasz Wiśniewski about the refund", ("Tomasz Wiśniewski", "PERSON")),
    ],
)
def test_finds_entities_in_context(text, expected):
    assert expected in found(text)


@pytest.mark.parametrize("text", ["thanks, that fixed it", "ok see you tomorrow at 5", "The order is late again."])
def test_quiet_on_plain_chat(text):
    assert found(text) == []


def test_place_scores_stay_below_postal_blocks():
    spans = EnModelRecognizer().analyze("We flew from Lisbon to Nairobi on Monday")
    assert all(s.score <= ADDRESS_CAP for s in spans if s.type == "ADDRESS")


def test_features_are_the_same_for_the_same_words():
    words = ["Hi", "Anna", ",", "call", "@bob"]
    assert token_features(words) == token_features(list(words))
    assert shape("McDonald") == "XxXx" and shape("2024") == "d" and shape("@bob") == "@x"


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="train_en_ner"):
        EnTagger(tmp_path / "none.crfsuite")


def test_compiled_inference_equals_crfsuite():
    from privtune.scan.ner.en_crf import TOKEN

    tagger = EnTagger(person_bias=0.0)  # crfsuite knows no inference-time bias
    for text in ("Hi, this is Peggy Wagner from Acme Corp in Leeds", "lol @bob see u in NYC w/ Tomasz",
                 "The account holder is Raven Good.", "Krisztina Vámos listed her top picks",
                 "ask ryan if the refund went through"):
        words = [m.group() for m in TOKEN.finditer(text)]
        ref = tagger.crfsuite.tag(token_features(words))
        ref_marg = [tagger.crfsuite.marginal(ref[i], i) for i in range(len(words))]
        tags, marg = tagger.tag_words(words)
        assert tags == ref
        # crfsuite's own marginals carry ~1e-6 of float error on the round-4 model (the same with
        # the rows summed one string at a time): the labels are exact.
        assert marg == pytest.approx(ref_marg, abs=2e-6)


def test_person_bias_only_adds_names():
    """A larger B-PER/I-PER bias can only turn tokens into name tokens, never fewer."""
    from privtune.scan.ner.en_crf import TOKEN

    plain, biased = EnTagger(person_bias=0.0), EnTagger(person_bias=1.5)
    for text in ("Unlike the Halvorsen novel, this one was short", "ok thanks Ilsabet, see you in Bergen",
                 "The order is late again."):
        words = [m.group() for m in TOKEN.finditer(text)]
        base = {i for i, t in enumerate(plain.tag_words(words)[0]) if t.endswith("PER")}
        more = {i for i, t in enumerate(biased.tag_words(words)[0]) if t.endswith("PER")}
        assert base <= more


@pytest.mark.parametrize(
    "line, worth",
    [
        ("ask ryan about the refund", True),  # no capital, but a known name in lower case
        ("Čović called again", True),  # a capital outside Latin-1 opens the line
        ("ok see you tomorrow at 5", True),  # a lower-case sentence (round 4); the model finds no name
        ("ok at 5", False),
        ("Thanks, I'm done", False),  # only common sentence words are capitalised
    ],
)
def test_gate_lets_through_lower_case_names_and_extended_latin_capitals(line, worth):
    from privtune.scan.ner.en_crf import _worth_tagging

    assert _worth_tagging(line) is worth


def test_spans_have_text_offsets_on_later_lines():
    text = "Agent: hello\nYesterday Oyelaran Adebayo said the parcel was late"
    spans = [(text[s:e], t) for s, e, t, p in EnTagger().spans(text) if p >= 0.5]
    assert ("Oyelaran Adebayo", "PERSON") in spans


@pytest.mark.parametrize("text, name", [("lol kevin smith is so funny", "kevin smith"),
                                        ("hey emma did you get my text", "emma")])
def test_lower_case_lines_reach_the_model(text, name):
    """Lines typed without capitals (tweets, chat) used to be skipped by the trigger."""
    from privtune.scan.analyzer import Analyzer

    assert (name, "PERSON") in [(text[s.start : s.end], s.type) for s in Analyzer().analyze(text)]


def test_person_spans_lose_leading_sentence_words_that_are_no_names():
    from privtune.scan.ner.en_crf import _decode

    toks = [(0, 2, "Is"), (3, 11, "Crawford"), (12, 17, "still")]
    assert _decode(toks, ["B-PER", "I-PER", "O"], [0.6, 0.6, 1.0]) == [(3, 11, "PERSON", 0.6)]
    assert _decode([(0, 2, "Is")], ["B-PER"], [0.6]) == []  # nothing left: no span
    # Never a word that may be part of the name: a surname or first name left behind is a leak.
    assert _decode([(0, 5, "Diana"), (6, 10, "Good")], ["B-PER", "I-PER"], [0.9, 0.9]) == [(0, 10, "PERSON", 0.9)]
    assert _decode([(0, 4, "Will"), (5, 10, "Smith")], ["B-PER", "I-PER"], [0.9, 0.9]) == [(0, 10, "PERSON", 0.9)]
    assert _decode([(0, 2, "中"), (2, 9, "Johnson")], ["B-PER", "I-PER"], [0.5, 0.9]) == [(2, 9, "PERSON", 0.7)]
    # No trailing punctuation: "Bob," and "Bob" must get the same surrogate.
    assert _decode([(0, 3, "Bob"), (3, 4, ",")], ["B-PER", "I-PER"], [0.9, 0.9]) == [(0, 3, "PERSON", 0.9)]


@pytest.mark.parametrize("line, worth", [("Done, the paper bill will arrive", True), ("Your bill is ready", False)])
def test_a_determiner_makes_a_lower_case_lexicon_word_a_noun(line, worth):
    """"your bill" is no name; "the paper bill" still passes (a cost, not an error: the model
    then tags the line and finds nothing)."""
    from privtune.scan.ner.en_crf import _worth_tagging

    assert bool(_worth_tagging(line)) is worth


@pytest.mark.parametrize(
    "line, worth",
    [
        ("@ marek_w you coming tonight?", True),  # a mention as tokenised corpora write it
        ("lol @marek_w same", True),
        # (capitalised openers: a line with no capital is a lower-case sentence, tagged since round 4)
        ("Thanks, billing@example.com has it", False),  # an e-mail address's @ is no mention
        ("Thanks, see you at 5", False),
        ("meet @ the station", True),  # "@" for "at" passes too: a cost, not an error (the model then finds nothing)
    ],
)
def test_gate_lets_through_lines_with_mentions(line, worth):
    """Social-media lines with an @-mention may name people in lower case only; the gate used
    to skip them unless a capitalised or lexicon word was there too."""
    from privtune.scan.ner.en_crf import _worth_tagging

    assert bool(_worth_tagging(line)) is worth


def test_mention_lines_reach_the_model():
    """A line with only lower-case words and a mention (the Broad Twitter Corpus's "@ name")."""
    text = "@ dorotea_k haha yes"
    assert ("dorotea_k", "PERSON") in found(text)
