"""Two-character CRF names that stop one character short (privtune/scan/ner/zh_name_ends.py)."""

from __future__ import annotations

import pytest

from privtune.scan.ner.model import get_tagger
from privtune.scan.ner.zh_name_ends import completed_end, two_names_cut


@pytest.mark.parametrize(
    ("text", "start", "want"),
    [
        ("日前在爱国侨领陈嘉庚故乡集美镇", 7, "陈嘉庚"),  # a dictionary word
        ("汪虎根说他听说莫嘉昉不想待在铁路局了", 7, "莫嘉昉"),  # a rare last character
        ("一子胜梁伟棠八段。", 3, "梁伟棠"),
        # hard negatives: the two characters are the name
        ("昨天和郑林聊了一下", 3, "郑林"),  # 聊了: a verb, however rare
        ("张博诉称，2月7日下午", 0, "张博"),  # 诉称
        ("本届尤伯杯决赛", 2, "尤伯"),  # a cup named after the person
        ("吴军郑昊都来了", 0, "吴军"),  # the next name's surname
        ("王明说他会来", 0, "王明"),  # a common character
        ("王明", 0, "王明"),  # end of text
        ("王明hello", 0, "王明"),  # no Han character after it
    ],
)
def test_completed_end(text: str, start: int, want: str) -> None:
    assert text[start : completed_end(text, start, start + 2, len(text))] == want


def test_other_span_there_wins() -> None:
    assert completed_end("陈嘉庚故乡", 0, 2, 2) == 2
    assert completed_end("陈嘉庚故乡", 0, 2, 3) == 3


def test_three_characters_are_never_lengthened() -> None:
    assert completed_end("陈嘉庚故乡", 0, 3, 5) == 3


def test_tagger_completes_the_name() -> None:
    text = "虽然失利使张德培不快，但他在赛后表示"
    names = {text[s.start : s.end] for s in get_tagger().tag(text) if s.type == "PERSON"}
    assert "张德培" in names and "张德" not in names


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("王姝马力", ("王姝", "马力")),
        ("袁峰乔倩倩", ("袁峰", "乔倩倩")),
        # hard negatives: one name
        ("马卡罗夫", None),  # transliterated
        ("阿南史代", None),  # a Japanese name: its surname is a transliteration character
        ("欧阳娜娜", None),  # a compound surname
        ("周康康康康", None),  # no second surname
        ("张伟", None),  # too short
    ],
)
def test_two_names_cut(name: str, want: tuple[str, str] | None) -> None:
    cut = two_names_cut(name, 0, len(name))
    assert (None if cut is None else (name[:cut], name[cut:])) == want


def test_tagger_cuts_two_names_written_together() -> None:
    text = "（袁峰乔倩倩）"
    names = {text[s.start : s.end] for s in get_tagger().tag(text) if s.type == "PERSON"}
    assert names == {"袁峰", "乔倩倩"}
