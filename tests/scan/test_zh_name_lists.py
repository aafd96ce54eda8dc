"""zh_name_lists: the other names of a list that holds a name the CRF is sure of."""

from __future__ import annotations

import pytest

from privtune.scan.entities import Span
from privtune.scan.ner.model import get_tagger
from privtune.scan.ner.zh_name_lists import list_names, name_shaped


def _crf(text: str, *names: str, score: float = 0.8, typ: str = "PERSON") -> list[Span]:
    return [Span(text.index(n), text.index(n) + len(n), typ, score, "zh_person_model") for n in names]


@pytest.mark.parametrize(
    ("text", "sure", "want"),
    [
        ("欧阳鹭，秦艳凤，韦玮，覃朵莹", ["秦艳凤"], ["欧阳鹭", "韦玮", "覃朵莹"]),  # compound surname too
        ("方力钧、展望、张晓刚，都来了", ["方力钧", "张晓刚"], ["展望"]),
        ("获奖者：王芳,李娜", ["王芳"], ["李娜"]),  # an ASCII comma
        ("榕湖304欧阳鹭，秦艳凤，韦玮", ["秦艳凤"], ["欧阳鹭", "韦玮"]),  # a name glued to a number
        ("秦艳凤，vip李娜", ["秦艳凤"], ["李娜"]),  # ... or to a Latin tag
    ],
)
def test_list_items_beside_a_name(text: str, sure: list[str], want: list[str]) -> None:
    assert [text[s:e] for s, e in list_names(text, _crf(text, *sure))] == want


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("秦艳凤，韦玮", lambda t: _crf(t, "秦艳凤", score=0.45)),  # the CRF is not sure of the name
        ("秦艳凤，韦玮", lambda t: []),  # no name in the list
        ("秦艳凤、韦玮，李娜", lambda t: _crf(t, "秦艳凤")),  # another separator ends the list: 韦玮 only
        ("左爱军，男，白族，中共党员", lambda t: _crf(t, "左爱军")),  # an ethnic group
        ("张伟，[哈哈]，资深姐", lambda t: _crf(t, "张伟")),  # laughter in an emoticon's code
        ("张伟、巴西、古巴", lambda t: _crf(t, "张伟") + _crf(t, "巴西", typ="ADDRESS")),  # the CRF's place
        ("张伟、苏州市、李明华老师", lambda t: _crf(t, "张伟")),  # items that are not only a name
        ("感谢王芳、李娜", lambda t: _crf(t, "王芳")),  # the sure name is not a whole item
        ("秦艳凤，3号楼", lambda t: _crf(t, "秦艳凤")),  # the Han part after a number is no name
        ("秦艳凤，304王小明明", lambda t: _crf(t, "秦艳凤")),  # ... nor too long for one
    ],
)
def test_list_hard_negatives(text: str, spans) -> None:  # type: ignore[no-untyped-def]
    got = [text[s:e] for s, e in list_names(text, spans(text))]
    assert got == (["韦玮"] if text.startswith("秦艳凤、韦玮，") else [])


def test_name_shape() -> None:
    assert name_shaped("韦玮") and name_shaped("欧阳询") and name_shaped("覃朵莹")
    assert not name_shaped("白族") and not name_shaped("王小明明") and not name_shaped("哈哈") and not name_shaped("巴")


def test_tagger_adds_list_names() -> None:
    text = '我投给了"榕湖304欧阳鹭，秦艳凤，韦玮，覃朵莹"这个选项。'
    spans = get_tagger().tag(text)
    listed = {text[s.start : s.end] for s in spans if s.detector == "zh_person_list"}
    assert "韦玮" in listed
