"""zh_person_handle: a Chinese name that is a whole "@" handle (Weibo)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.person_handle import ZhPersonHandleRecognizer, handle_names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("谢谢！@比糖甜一点@叶莲@吴佩", ["叶莲", "吴佩"]),
        ("哈哈//@俞婕: 对呀", ["俞婕"]),
        ("@俞婕呢@奋斗中的小年青儿", []),  # a particle is no name character, nor a handle end
        ("转发@欧阳明华 看看", ["欧阳明华"]),  # a compound surname
        ("@晏小花", ["晏小花"]),  # at the end of the text
        # handles that go on are nicknames; non-surnames and e-mail addresses are no names
        ("@麦子千层饼 你好", []),
        ("@奋斗中的小年青儿", []),
        ("发邮件到wang@163.com", []),
        ("@和平精英官方:", []),  # 和 begins words: never taken as a surname by the rules
    ],
)
def test_handle_names(text: str, names: list[str]) -> None:
    assert [text[s:e] for s, e in handle_names(text)] == names


def test_handle_recognizer_in_the_analyzer() -> None:
    spans = ZhPersonHandleRecognizer().analyze("//@俞婕:转发微博")
    assert [(s.start, s.end, s.detector) for s in spans] == [(3, 5, "zh_person_handle")]
    found = Analyzer(types=["PERSON"]).analyze("//@俞婕:转发微博")
    assert [(s.start, s.end) for s in found] == [(3, 5)]
