"""Instructions open with a capitalised verb; the English model and the organisation pattern
read some as names ("Summarise ticket 0" -> ORGANIZATION "Summarise", pseudonymised to a
surname in an Alpaca file's instruction)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.ner.english import INSTRUCTION_VERBS, _AMBIGUOUS, opens_sentence
from privtune.scan.ner.lexicon import en_lexicon


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def found(analyzer: Analyzer, text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.type) for s in analyzer.analyze(text)]


def test_no_instruction_verb_is_a_known_name() -> None:
    lex = en_lexicon()
    assert not INSTRUCTION_VERBS & (lex.first_names | lex.last_names | _AMBIGUOUS)


@pytest.mark.parametrize("text", [
    "Summarise ticket 0", "Summarize ticket 17 for the manager.", "Classify ticket 0.",
    "Rewrite ticket 0", "Determine ticket 0", "1. Classify ticket 0\n2. Rewrite ticket 17 for the manager",
])
def test_an_opening_verb_is_no_entity(analyzer: Analyzer, text: str) -> None:
    assert found(analyzer, text) == []


def test_the_verb_is_cut_from_the_front_of_an_entity(analyzer: Analyzer) -> None:
    assert found(analyzer, "Compare Acme Corp and Globex.")[0] == ("Acme Corp", "ORGANIZATION")
    assert found(analyzer, "Ask Maria Lopez about the refund.") == [("Maria Lopez", "PERSON")]


def test_names_that_are_verbs_stay(analyzer: Analyzer) -> None:
    assert ("Mark Twain", "PERSON") in found(analyzer, "Mark Twain wrote it.")
    assert ("Grant Harris", "PERSON") in found(analyzer, "Grant Harris called twice.")


def test_opens_sentence() -> None:
    text = "Hi. Compare X\n  Find Y; go  Send"
    assert opens_sentence(text, 0) and opens_sentence(text, text.index("Compare"))
    assert opens_sentence(text, text.index("Find"))
    assert not opens_sentence(text, text.index("Send"))
