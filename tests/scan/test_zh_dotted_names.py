"""Names written with a middle dot (`ner.zh_dotted_names`, `ZhDottedNameRecognizer`)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.ner.zh_dotted_names import dotted_names


@pytest.mark.parametrize(
    "text, name",
    [
        ("我是买买提·艾力", "买买提·艾力"),
        ("联系人：阿依古丽·买买提，电话13812345678", "阿依古丽·买买提"),
        ("患者热依拉·阿不都热合曼今天复诊", "热依拉·阿不都热合曼"),
        ("司机叫扎西·次仁", "扎西·次仁"),
        ("总理罗伯特·马尔登", "罗伯特·马尔登"),  # 总理 is a word before the name
    ],
)
def test_dotted_names(text, name):
    """The minority names were left by every detector before (the tagger learned news names)."""
    assert [text[a:b] for a, b in dotted_names(text)] == [name]
    assert name in [text[s.start:s.end] for s in Analyzer().analyze(text) if s.type == "PERSON"]


@pytest.mark.parametrize(
    "text",
    [
        "我的故事·我的歌",  # a post's title parts, not transliteration
        "京东晒·幸福",
        "《哈利·波特》很好看",  # a book title
        "第二季·完结",
    ],
)
def test_not_dotted_names(text):
    assert dotted_names(text) == []
