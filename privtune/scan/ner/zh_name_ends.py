"""Edges of the CRF's Chinese names: a two-character name that stops one character short
(陈嘉|庚故乡, 张德|培不快, 梁伟|棠八段), and two names run together into one span (王姝马力,
袁峰乔倩倩).

**One character short.**
A three-character name is a surname + two given-name characters; when the last one is rare the
CRF often ends the name before it, reading it as the start of what follows. The text says
otherwise in two ways, either of which is enough:

* the three characters are one word of the jieba dictionary (陈嘉庚, 张克侠, 潘石屹: it holds
  many public figures' names), or
* the next character is rare on its own (a unigram log-probability under
  :data:`RARE_LOGP`: 培 -12.4, 昉; 说 / 是 / 和 are -5 to -7), makes no word with the character
  after it, is no surname (张三李四: the next name), and no aspect particle or 称 follows it
  (张博诉称, 郑林聊了: a verb, however rare).

Never when the character makes the span a named thing (尤伯杯, 中山路: People's Daily keeps the
person's part as the name) or another span starts there. benchmarks/RESULTS.md ("round 7") has
what it changes on the zh sets: on the ~18 k gold two-character names of the zh training and
dev sets, the rare-character test would lengthen 28 of 920 that have a Chinese character after
them, so it runs only on spans the CRF already took as names.

**Two names in one span.** Bylines and Weibo lists write names back to back (记者王姝马力, （袁峰
乔倩倩）); the CRF then takes both as one name of 4-5 characters. Such a span is cut in two when
it is a surname + 1-2 given characters + another surname + 1-2 given characters at exactly one
cut, none of the given-name characters (nor the first surname) is a transliteration character
(麦克阿瑟, 马卡罗夫, 阿南史代 are one foreign name), and no compound surname is involved (欧阳娜娜).
Over the gold PERSON spans of the zh training and dev sets, that shape cuts 2 single names
(阿南史代 slips through as 阿 is no transliteration character of the list, 左右乐队) and 19 pairs of
names written together.

**One character too far** (:func:`before_follower`): a span that took the first character(s)
of a word that follows names (李鹏委|员长, 李昕那|种, 邹晨聊|了: `lexicon.ZH_NAME_FOLLOWERS`)
ends before them.
"""

from __future__ import annotations

from privtune.scan.entities import Span
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES, ZH_NAME_FOLLOWERS, ZH_SURNAMES
from privtune.scan.ner.zh_title_names import TRANSLIT
from privtune.scan.ner.zh_unknown_names import get_words

RARE_LOGP = -10.5
_SURNAME_CHARS = frozenset("".join(ZH_SURNAMES))
# Characters after which the span names a thing or place, not the person (尤伯杯, 中山路, 吴哥窟).
_THING_ENDS = frozenset("杯奖赛路街道巷桥楼馆园堂窟寺庙祠墓陵府市省县区镇乡村族某")
# A verb's company: an aspect particle or 称 (诉称, 声称) after the character makes it a verb.
_AFTER_VERB = frozenset("了着过称")


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def completed_end(text: str, start: int, end: int, next_start: int) -> int:
    """``end + 1`` when the two-character name ``text[start:end]`` goes on with its rare last
    given-name character (see the module docstring); else ``end``. ``next_start``: where the
    next span found in ``text`` starts (``len(text)`` if none): a span there keeps its start."""
    if end - start != 2 or end >= min(len(text), next_start) or text[start] not in _SURNAME_CHARS:
        return end
    nxt = text[end]
    if not _is_han(nxt) or nxt in _THING_ENDS:
        return end
    words = get_words()
    logp = words.logp
    if text[start : end + 1] in logp:
        return end + 1
    if (nxt not in _SURNAME_CHARS and logp.get(nxt, words.unknown) < RARE_LOGP
            and text[end : end + 2] not in logp and text[start + 1 : end + 1] not in logp
            and text[end + 1 : end + 2] not in _AFTER_VERB):
        return end + 1
    return end


def two_names_cut(text: str, start: int, end: int) -> int | None:
    """The offset where the span ``text[start:end]`` splits into two names written together
    (记者王姝|马力), or None when it reads as one name (see the module docstring)."""
    w = text[start:end]
    if len(w) not in (4, 5) or not all(_is_han(c) for c in w) or w[0] not in _SURNAME_CHARS:
        return None
    if w[0] in TRANSLIT or w[1] in TRANSLIT or w[:2] in ZH_COMPOUND_SURNAMES:
        return None
    cuts = [
        k for k in (2, 3)
        if len(w) - k in (2, 3) and w[k] in _SURNAME_CHARS and w[k : k + 2] not in ZH_COMPOUND_SURNAMES
        and not any(c in TRANSLIT for c in w[1:k] + w[k + 1 :])
    ]  # fmt: skip
    return start + cuts[0] if len(cuts) == 1 else None


def cut_name_pairs(text: str, spans: list[Span]) -> list[Span]:
    """``spans`` with each PERSON span that holds two names written together (记者王姝马力) cut
    in two (:func:`two_names_cut`)."""
    out = None
    for i, s in enumerate(spans):
        if s.type == "PERSON" and 4 <= s.end - s.start <= 5:
            cut = two_names_cut(text, s.start, s.end)
            if cut is not None:
                out = spans[:i] if out is None else out
                out += [Span(s.start, cut, s.type, s.score, s.detector), Span(cut, s.end, s.type, s.score, s.detector)]
                continue
        if out is not None:
            out.append(s)
    return spans if out is None else out


def before_follower(text: str, start: int, end: int) -> int:
    """``end`` moved back before the part of a name follower that the span took (李鹏委|员长 ->
    李鹏), if at least two characters stay; else ``end`` unchanged."""
    for cut in range(1, _FOLLOWER_MAX):
        head, tail = text[end - cut : end], end - cut - start
        if tail < 2:
            break
        rests = _FOLLOWER_RESTS.get(head)
        if rests is not None and text.startswith(rests, end):
            return end - cut
    return end


_FOLLOWER_MAX = max(len(w) for w in ZH_NAME_FOLLOWERS)
# The part a span takes (a proper prefix of a follower) -> the rests that must come after it.
_FOLLOWER_RESTS: dict[str, tuple[str, ...]] = {}
for _w in ZH_NAME_FOLLOWERS:
    for _k in range(1, len(_w)):
        _FOLLOWER_RESTS[_w[:_k]] = (*_FOLLOWER_RESTS.get(_w[:_k], ()), _w[_k:])
