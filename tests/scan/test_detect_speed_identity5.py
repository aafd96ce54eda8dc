"""Round 5 of detection speed-ups: each fast path against the code it stands in for, on varied
inputs (random mixes of cue words, separators, names and filler)."""

from __future__ import annotations

import random
import re

import pytest

from privtune.scan.entities import Span
from privtune.scan.ner import zh_name_lists
from privtune.scan.ner.model import get_tagger
from privtune.scan.recognizers import accounts

_ASCII_CUE_START = re.compile(r"(?<![a-z0-9/._@\-])" + accounts._ASCII_CUE_WORD.pattern)

_ASCII_PIECES = ["wechat", "wx", "qq", "x", "ig", "tg", "line", "lineid", "user", "username", "userid", "login",
                 "handle", "screen", "screenname", "snap", "github", "is", "a", "xx", "tgx", "1", "/", ".", "_", "@",
                 "-", " ", " ", ":", "\n", "İ", "é", "Ig"]  # fmt: skip
_CJK_PIECES = ["微信", "微信号", "威信", "薇信", "V信", "v信", "加微", "加V", "加v", "扣扣", "企鹅号", "抖音", "快手",
               "微博", "小红书", "钉钉", "飞书", "B站", "用户名", "账户名", "帐号名", "登录名", "登陆名", "微", "加", "小",
               "B", "V", "用", "账", "登", "信", "的", "，", " ", "abc", "12345"]  # fmt: skip


def _texts(pieces: list[str], seed: int, n: int = 3000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) for _ in range(n)]


def test_cjk_cue_starts_equal_finditer() -> None:
    for t in _texts(_CJK_PIECES + _ASCII_PIECES, 1):
        assert accounts._cjk_cue_starts(t) == [m.start() for m in accounts._CJK_CUE_START.finditer(t)], t


def test_cjk_cue_first_class_covers_every_cue() -> None:
    """Every text the cue alternation matches at 0 starts with a character of the class."""
    for t in _texts(_CJK_PIECES, 2):
        if accounts._CJK_CUE_START.match(t):
            assert accounts._CJK_CUE_FIRST.match(t), t


def test_ascii_cue_starts_equal_lookbehind_finditer() -> None:
    for t in _texts(_ASCII_PIECES, 3):
        low = t.lower()
        assert accounts._ascii_cue_starts(low) == [m.start() for m in _ASCII_CUE_START.finditer(low)], t


@pytest.mark.parametrize("sep", ["、", "，", ","])
def test_list_prefilter_keeps_every_list_name(sep: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`list_names` with the `_listable` pre-filter = without it, on lists, names inside longer
    items, separators at the edges and mixed separators; spans from the tagger and made up."""
    rng = random.Random(4)
    items = ["秦艳凤", "韦玮", "覃朵莹", "张伟", "王小明", "欧阳询", "收货人唐建华", "古巴", "[哈哈]", "白族", "北京市",
             "李娜呢", "电话", "陈静", " ", "。", "“周杰”", sep, sep, "、", "，"]  # fmt: skip
    tagger = get_tagger()
    cases: list[tuple[str, list[Span]]] = []
    for _ in range(400):
        t = "".join(rng.choice(items) for _ in range(rng.randint(1, 9)))
        cases.append((t, tagger.tag(t)))
        # Sure names the tagger did not give: some 2-3 character windows of Han characters.
        made_up = [Span(i, i + w, "PERSON", 0.9, "test") for w in (2, 3) for i in range(len(t) - w + 1)
                   if all("\u4e00" <= c <= "\u9fff" for c in t[i : i + w]) and rng.random() < 0.3]
        cases.append((t, made_up))
        whole = [Span(*m.span(), "PERSON", 0.9, "test") for m in zh_name_lists._ITEM.finditer(t) if rng.random() < 0.5]
        cases.append((t, whole))  # whole items, as a list rule needs
    fast = [zh_name_lists.list_names(t, spans) for t, spans in cases]
    monkeypatch.setattr(zh_name_lists, "_listable", lambda text, start, end: True)
    slow = [zh_name_lists.list_names(t, spans) for t, spans in cases]
    assert fast == slow
    assert sum(map(bool, fast)) >= 10, "few list names found: the inputs do not exercise the rule"


_GATE_PIECES = ["The", "Thanks", "Anna", "ryan", "marek", "your", "the", "bill", "Øberg", "Şali", "É", "İ", "O'Neill",
                "I'm", "You're", "U.S", "x", "a1", "_", "'", "’", "-", ".", "@", "#", " ", " ", "3", "ß", "straße",
                "Zoë", "maria", "june", "my", "lol", "ABC", "Ab"]  # fmt: skip


def test_gate_word_scan_equals_findall() -> None:
    from privtune.scan.ner import en_crf

    for t in _texts(_GATE_PIECES, 6):
        want = any(w not in en_crf._GATE_WORDS for w in en_crf._CAPITALISED.findall(t))
        assert en_crf._has_gate_word(t) == want, t


def test_lower_name_prefilter_keeps_every_hit() -> None:
    from privtune.scan.ner import en_crf

    names = en_crf._lower_names()
    hits = 0
    for t in _texts(_GATE_PIECES, 7):
        want = any(not det and word in names for det, word in en_crf._LOWER_WORD.findall(t))
        assert en_crf._lower_name(t) == want, t
        hits += want
    assert hits > 100, "the inputs hold too few lexicon words to exercise the pre-filter"
