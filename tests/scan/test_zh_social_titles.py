"""zh_social_titles: a surname + title is the name in social-media text (Weibo's convention),
not in news or CVs (CLUENER's: no name; People's Daily / Resume: the lone surname)."""

from __future__ import annotations

import pytest

from privtune.scan.entities import Span
from privtune.scan.ner.model import tag_zh
from privtune.scan.ner.zh_social_titles import SOCIAL_TITLE_DETECTOR, is_social, social_title_names


def _titled(text: str) -> list[str]:
    return [text[s.start : s.end] for s in tag_zh(text) if s.detector == SOCIAL_TITLE_DETECTOR]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("一切辛苦都值了！感谢胡总的亲临//@金玉缘婚礼:恭喜", ["胡总"]),  # a repost mark
        ("比赛前厚着脸皮拉着顾老师合了好几张[嘻嘻]", ["顾老师"]),  # a bracket emoticon
        ("宋宋宋开启放假模式美人鱼宋院长开启学霸模式", ["宋院长"]),  # a tripled character
        ("//@G_季总://@Happy:", ["季总"]),
    ],
)
def test_surname_and_title_in_a_post(text: str, names: list[str]) -> None:
    assert _titled(text) == names


@pytest.mark.parametrize(
    "text",
    [
        "感谢胡总的亲临，比赛前拉着顾老师合影。",  # no mark of a post: news and CV conventions hold
        "2000年至2003年任公司副总经理，王先生于1999年加入。",  # "000" / "999" are no tripled Han
        "王总是迟到[哈哈]",  # 总是 is a word: no title here
        "拼命的王王王先生王小贱[哈哈]",  # the surname repeated: a shout, not a surname
        "各位同学好，给李老师傅打电话@小明",  # 师傅 is a word after 老师
    ],
)
def test_no_name_taken(text: str) -> None:
    assert _titled(text) == []


def test_spans_already_found_win() -> None:
    text = "拉着顾老师合影[哈哈]"
    assert social_title_names(text, []) == [(2, 5)]
    assert social_title_names(text, [Span(2, 4, "ORGANIZATION", 0.9, "zh_organization_model")]) == []


def test_compound_surname() -> None:
    text = "#我的生日#收到了欧阳先生的礼物"
    assert social_title_names(text, []) == [(text.index("欧阳"), text.index("的礼"))]


def test_is_social() -> None:
    assert is_social("转发 http://t.cn/abc")
    assert is_social("@某人 你好")
    assert not is_social("股票代码 600000，AAA 评级，1970～1976 年")
