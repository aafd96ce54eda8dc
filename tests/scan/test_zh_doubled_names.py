"""A doubled given name (刘诗诗, 婷婷) is one name: the CRF stopped at 刘诗, leaving 诗 in the text and
the surrogate of 刘诗 beside it."""

from __future__ import annotations

from privtune.scan.ner.zh_person_bounds import person_bounds as _person_bounds


def test_a_two_character_span_before_its_own_last_character_takes_it() -> None:
    text = "我投给了“刘诗诗”，你也快来表态吧"
    start = text.index("刘")
    assert _person_bounds(text, start, start + 2) == (start, start + 3)


def test_no_extension_into_a_word_a_third_repeat_or_a_reduplicated_surname() -> None:
    text = "李明明天再来"
    assert _person_bounds(text, 0, 2) == (0, 2)  # 明天 is a word: 李明 + 明天
    assert _person_bounds("王哈哈哈了", 0, 2) == (0, 2)  # 哈哈哈: an interjection, not 王哈哈
    assert _person_bounds("张张三", 1, 3) == (1, 3)  # the repeated character is the surname's
    assert _person_bounds("刘诗诗", 0, 3) == (0, 3)
