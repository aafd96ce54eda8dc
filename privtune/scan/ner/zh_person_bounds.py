"""Where a Chinese PERSON span found by the CRF or a rule starts and ends, by CLUENER's name
conventions: compound surnames, doubled given names, foreign names joined by "·", titles and
sentence particles at the end."""

from __future__ import annotations

import re

from privtune.scan.ner import zh_unknown_names
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES, ZH_TITLES
from privtune.scan.ner.zh_name_ends import before_follower

_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def person_bounds(text: str, start: int, end: int) -> tuple[int, int] | None:
    """CLUENER's name conventions at the edges of a span; None if it is no name by them."""
    if start > 0 and text[start - 1 : start + 1] in ZH_COMPOUND_SURNAMES:
        start -= 1  # 欧|阳娜娜 -> 欧阳娜娜
    if (end - start == 2 and end < len(text) and text[end] == text[end - 1] != text[start]
            and text[end + 1 : end + 2] != text[end] and _CJK.match(text, end)
            and text[end : end + 2] not in zh_unknown_names.get_words().logp):
        # 刘诗|诗 -> 刘诗诗: a doubled given name (诗诗, 婷婷). In the zh training and dev sets 22 gold
        # names have that shape and no two-character name is followed by its own last character;
        # unless that character starts a word (李明|明天: 李明 + 明天).
        end += 1
    end = _past_name_dots(text, end)
    end = before_follower(text, start, end)
    if end - start >= 3:
        if text.count(text[start], start, end) == end - start:
            return None  # 耶耶耶, 哈哈哈: a run of one character is an interjection, not a name
        if text[end - 1] in _EDGE_QUOTES and not _EDGE_QUOTE_RE.search(text, start, end - 1):
            end -= 1  # 覃朵莹" closing a quoted list: a quote the span does not open is no part of it
        elif text[end - 1] in _PARTICLES:
            end -= 1  # @俞婕呢: a sentence-final particle is never a name's last character
    if end - start >= 3 and text[end - 1] == "收" and _CJK.match(text, end) is None:
        end -= 1  # 张莉收 at the end of an address: "for 张莉"; no name ends in 收 there
    for n in _TITLE_LENGTHS:  # no title ends with another, so at most one matches
        if end - n >= start and text[end - n : end] in _TITLE_SET:
            if end - n - start < 2:
                return None  # 王先生, 李总: a surname and a title is a form of address
            return start, end - n  # 周东权先生 -> 周东权
    return start, end


def _past_name_dots(text: str, end: int) -> int:
    """``end`` moved over "·" + the next name part when the span stops at the dot of a foreign
    name (托马斯|·皮克林 -> 托马斯·皮克林): a part is 1-5 Han characters up to a character that
    no transliterated name holds (的, 说, 年 ...), a digit or punctuation."""
    while end + 1 < len(text) and text[end] in _NAME_DOTS:
        stop = end + 1
        while stop < len(text) and stop - end <= _DOT_PART_MAX and _CJK.match(text, stop) and text[stop] not in _NOT_IN_DOT_PART:
            stop += 1
        if stop == end + 1:
            break
        end = stop
    return end


# Chat particles that end a clause (俞婕呢, 小明啊): measured on the ~32 k zh training and dev
# sentences, no gold name ends in one where the CRF's span does (benchmarks/RESULTS.md, round 4).
_PARTICLES = frozenset("呢吗吧啊呀啦嘛哦哟噢")
_EDGE_QUOTES = frozenset("\"'“”‘’")
_EDGE_QUOTE_RE = re.compile("[\"'“”‘’]")
_NAME_DOTS = frozenset("·・•‧")
_DOT_PART_MAX = 5
_NOT_IN_DOT_PART = frozenset("的了是在和与及或等说称表对向从把被为以于将也都就又年月日时中国")


_TITLE_SET = frozenset(ZH_TITLES)
_TITLE_LENGTHS = sorted({len(t) for t in ZH_TITLES})
