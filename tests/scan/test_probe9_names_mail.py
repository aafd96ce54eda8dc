"""Leak probe, round 9: a name's bracketed handle or other spelling, a child's name after an
affectionate "little", kin cues after any possessive, and a bare "at" before a country domain."""

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def an():
    return Analyzer()


def _found(an, text):
    return {(text[s.start:s.end], s.type) for s in an.analyze(text)}


@pytest.mark.parametrize("text,value,etype", [
    ("我的朋友张丽 (zhangli88) 昨天来过", "zhangli88", "USERNAME"),
    ("[12/07/2024, 13:35] 高峰: 我朋友杨帆 (chenjing520) 也要一份", "chenjing520", "USERNAME"),
    ("My friend Anna Kowalczyk (akowal88) will join", "akowal88", "USERNAME"),
    ("Please contact Ms. Yuki Tanaka (田中由紀) at 03-1234-5678 tomorrow.", "田中由紀", "PERSON"),
    ("王伟（Wang Wei）明天到", "Wang Wei", "PERSON"),
])
def test_a_bracketed_handle_or_spelling_after_a_name(an, text, value, etype):
    assert (value, etype) in _found(an, text)


@pytest.mark.parametrize("text,word", [
    ("Call Anna Kowalczyk (Mum) tonight", "Mum"), ("张三（经理）说", "经理"), ("John Smith (CEO) resigned", "CEO"),
    ("Anna Kowalczyk (she/her)", "she/her"), ("Version 2 (build_42) shipped", "build_42"),
    ("Chris Barron (Blues Traveler) sang", "Blues Traveler"),  # same script: a band, a title, a role
])
def test_a_role_or_a_bracket_after_no_name_is_left(an, text, word):
    assert not any(s.detector == "name_bracket" for s in an.analyze(text))


def test_the_types_asked_for_are_kept():
    text = "我的朋友张丽 (zhangli88) 昨天来过"
    assert all(t == "PERSON" for _, t in _found(Analyzer(types=["PERSON"]), text))


@pytest.mark.parametrize("text,value", [
    ("We took little Chidi to the park yesterday.", "Chidi"),
    ("our little Amara was sick", "Amara"),
    ("his wife Oyelaran called", "Oyelaran"),
    ("our son Tochukwu is 5", "Tochukwu"),
])
def test_names_after_little_and_kin_words(an, text, value):
    assert (value, "PERSON") in _found(an, text)


@pytest.mark.parametrize("text", ["I wrote a little Python script", "a little Bit of help"])
def test_little_without_a_possessive_or_verb_of_care(an, text):
    assert not any(t == "PERSON" for _, t in _found(an, text))


@pytest.mark.parametrize("text,value", [
    ("email anna at firma.de", "anna at firma.de"),
    ("anna at firma.de", "anna at firma.de"),
    ("Ecrivez à pierre at societe.fr", "pierre at societe.fr"),
    ("pisz: jan at firma.pl", "jan at firma.pl"),
    ("anna.nowak at firma.pl", "anna.nowak at firma.pl"),
])
def test_a_bare_at_before_a_country_domain(an, text, value):
    assert (value, "EMAIL") in _found(an, text)


@pytest.mark.parametrize("text", ["We stayed at hotel.de", "available at amazon.de today", "look at google.de"])
def test_a_website_after_at_is_no_mailbox(an, text):
    assert not any(t == "EMAIL" for _, t in _found(an, text))


def test_a_bracketed_alias_below_the_type_threshold_is_dropped():
    text = "我的朋友张丽 (zhangli88) 昨天来过"
    assert not any(s.type == "USERNAME" for s in Analyzer(min_score_by_type={"USERNAME": 0.95}).analyze(text))
