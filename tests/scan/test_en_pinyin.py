"""Lower-case pinyin names after a name cue (`ner.en_pinyin`, `EnLowerCasePinyinRecognizer`)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.ner.en_pinyin import syllable_count


def test_syllables():
    assert [syllable_count(w) for w in ("wei", "xiaoming", "zhuang", "jianguo", "xiaomingming", "apple", "he")] == \
        [1, 2, 1, 2, 3, 0, 1]


@pytest.mark.parametrize(
    "text, name",
    [
        ("my name is zhang wei", "zhang wei"),
        ("this is wang xiaoming from sales", "wang xiaoming"),
        ("name: chen jie, room 402", "chen jie"),
        ("Hi, I am li na from Shenzhen", "li na"),  # capitals elsewhere: the cue rules of en_cues
        ("i'm zhou xiao ming", "zhou xiao ming"),
    ],
)
def test_lower_case_pinyin_names_after_a_cue(text, name):
    """Left in the text before: no rule read a lower-case name."""
    spans = [s for s in Analyzer().analyze(text) if s.type == "PERSON"]
    assert [text[s.start:s.end] for s in spans] == [name]


@pytest.mark.parametrize(
    "text",
    [
        "this is sun tan lotion",  # an English word among the surnames
        "this is zhang",  # a surname alone
        "i am he",  # no surname
        "this is an apple",
        "this is wang xiaomingming",  # three syllables joined: no given name
        "the wang wei building",  # no cue
    ],
)
def test_not_pinyin_names(text):
    assert [s for s in Analyzer().analyze(text) if s.detector == "en_person_pinyin"] == []
