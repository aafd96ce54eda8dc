"""Edges of a CRF PERSON span in chat text: a stray quote, a chat particle, a run of one
character (benchmarks/RESULTS.md, round 4)."""

from __future__ import annotations

import pytest

from privtune.scan.ner.model import get_tagger
from privtune.scan.ner.zh_person_bounds import person_bounds as _person_bounds


@pytest.mark.parametrize(
    ("text", "span", "want"),
    [
        ('韦玮，覃朵莹"这个选项', (3, 7), "覃朵莹"),  # a quote the span does not open
        ("@俞婕呢@奋斗中", (1, 4), "俞婕"),  # a sentence-final particle
        ("叫王小明啊", (1, 5), "王小明"),
        # hard negatives: what must stay
        ('“王小明”', (0, 5), "“王小明”"),  # the quote is opened inside the span: left to the CRF's call
        ("@俞婕呢", (1, 3), "俞婕"),  # two characters: nothing is cut (the span already stops)
        ("张啊", (0, 2), "张啊"),  # too short to cut: two characters stay a name or nothing
        ("乐乐来了", (0, 2), "乐乐"),  # a doubled nickname is a name (Weibo gold has 乐乐)
        ("周康康康康要", (0, 5), "周康康康康"),  # the run is not the whole span
    ],
)
def test_person_edges(text: str, span: tuple[int, int], want: str) -> None:
    bounds = _person_bounds(text, *span)
    assert bounds is not None and text[bounds[0] : bounds[1]] == want


def test_run_of_one_character_is_no_name() -> None:
    assert _person_bounds("太棒了耶耶耶我在", 3, 6) is None
    assert _person_bounds("哈哈哈哈", 0, 4) is None


def test_tagger_applies_the_edges() -> None:
    text = '我投给了"榕湖304欧阳鹭，秦艳凤，韦玮，覃朵莹"这个选项。'
    names = {text[s.start : s.end] for s in get_tagger().tag(text) if s.type == "PERSON"}
    assert '覃朵莹"' not in names and "覃朵莹" in names


@pytest.mark.parametrize(
    ("text", "place"),
    [("为了提高山区教育水平，薛埠镇党委决定把小学合并", "薛埠镇"), ("当年，原晋冀鲁豫区《人民日报》和晋察冀区", "鲁豫区")],
)
def test_a_name_that_ends_as_a_place_is_the_place(text: str, place: str) -> None:
    tagged = {text[s.start : s.end]: s.type for s in get_tagger().tag(text)}
    assert tagged.get(place) in (None, "ADDRESS")
    assert not [w for w, t in tagged.items() if t == "PERSON" and place in w]


@pytest.mark.parametrize(
    ("text", "span", "want"),
    [
        ("昨天和邹晨聊了一下，他搬家了", (3, 6), "邹晨"),  # a talking verb + aspect particle
        ("李鹏说过这件事", (0, 3), "李鹏"),
        ("王小明谈着工作", (0, 4), "王小明"),
        # what must stay: no particle after the verb, or a third character that is no talking verb
        ("邹晨聊天", (0, 2), "邹晨"),
        ("陈阿土过岗", (0, 3), "陈阿土"),
        ("李鹏问", (0, 3), "李鹏问"),
    ],
)
def test_talking_verb_with_aspect_particle_is_no_part_of_the_name(text: str, span: tuple[int, int], want: str) -> None:
    bounds = _person_bounds(text, *span)
    assert bounds is not None and text[bounds[0] : bounds[1]] == want


def test_talking_verb_through_the_tagger() -> None:
    from privtune.scan.ner.model import tag_zh

    text = "昨天和李鹏聊了一下，他搬到江苏省了。"
    assert [text[s.start : s.end] for s in tag_zh(text) if s.type == "PERSON"] == ["李鹏"]


def test_unknown_rule_name_keeps_its_name_when_a_follower_is_cut() -> None:
    # 邹晨聊 is the unknown-name rule's (a segmentation leftover); the cut 邹晨 stays a name
    # rather than the whole candidate being dropped (it was masked before the cut existed).
    from privtune.scan.ner.model import tag_zh

    text = "昨天和邹晨聊了一下，他搬到内蒙古了。"
    assert [text[s.start : s.end] for s in tag_zh(text) if s.type == "PERSON"] == ["邹晨"]
