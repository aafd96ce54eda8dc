"""zh_given_names: a given name alone is a PERSON when the same text writes the full name."""

from __future__ import annotations

from privtune.scan.entities import Span
from privtune.scan.ner.model import tag_zh
from privtune.scan.ner.zh_given_names import GIVEN_DETECTOR, given_name_mentions


def _person(start: int, end: int) -> Span:
    return Span(start, end, "PERSON", 0.9, "zh_person_model")


def test_given_name_before_and_after_the_full_name_through_the_tagger() -> None:
    text = "唉马靖昊说会计厚林兄弟，真的对不起李厚林：我想我要看一个月的新闻联播"
    found = {(text[s.start : s.end], s.detector) for s in tag_zh(text)}
    assert ("厚林", GIVEN_DETECTOR) in found
    text = "王小明今天来了，小明说他很累。"
    spans = tag_zh(text)
    assert [text[s.start : s.end] for s in spans if s.type == "PERSON"] == ["王小明", "小明"]
    assert (spans[1].start, spans[1].end, spans[1].detector) == (8, 10, GIVEN_DETECTOR)


def test_every_mention_and_a_compound_surname() -> None:
    text = "欧阳晓东来了。晓东说，晓东很好"
    assert given_name_mentions(text, [_person(0, 4)]) == [(7, 9), (11, 13)]


def test_a_given_name_that_is_a_word_is_left() -> None:
    text = "母狮子笑道：小狮子追着尾巴跑"  # 狮子 is a word, 母狮子 no full name of it anyway
    assert given_name_mentions(text, [_person(0, 3)]) == []
    text = "张大千说：五百年来一大千"
    assert given_name_mentions(text, [_person(0, 3)]) == []


def test_the_full_name_again_is_not_a_given_name_alone() -> None:
    # The CRF found 徐悲鸿 once; the second 徐悲鸿 (a span missed or cut) is not 悲鸿 alone.
    text = "徐悲鸿的画，修复南京徐悲鸿纪念馆"
    assert given_name_mentions(text, [_person(0, 3)]) == []


def test_spans_already_found_and_other_types_win() -> None:
    text = "李厚林和厚林集团"
    org = Span(4, 8, "ORGANIZATION", 0.9, "zh_organization_model")
    assert given_name_mentions(text, [_person(0, 3), org]) == []
    assert given_name_mentions(text, [_person(0, 3)]) == [(4, 6)]


def test_no_full_name_nothing_taken() -> None:
    text = "厚林兄弟，厚林"
    assert given_name_mentions(text, []) == []
    assert given_name_mentions(text, [_person(0, 2)]) == []  # two characters: no given name of two
    place = Span(0, 3, "ADDRESS", 0.9, "zh_address_model")
    assert given_name_mentions("李厚林，厚林", [place]) == []
