"""A name the CRF is unsure of is no name when it cuts a word in two (哈尔|滨, 秦时明|月, 女|王清新,
张太|平洋, 陈钦|原创).

The CRF decides from characters; a surname-shaped start (哈, 秦, 王, 张) inside a place name,
a title or a phrase can pull a span over the word's edge. The word segmentation of the unknown-
name rule (jieba's word list, the most probable segmentation of the Han stretch around the span)
sees the word whole. A CRF PERSON span of two or more characters that it scores under
:data:`MAX_SCORE` is dropped when a token of two or more characters of that segmentation
crosses its start or its end, i.e. begins before the span and ends inside it, or begins inside
it and ends after it; not where that word is the span + the last character of a thing named
after a person (尤伯|杯, 中山|路: the name is labelled in People's Daily). A sure span stands (a name the word list splits, 沈力|军中标, is mostly
a sure one), and so does a one-character span (a lone surname before a title: 王|先生).

Measured on every zh set, dev and training parts (benchmarks/RESULTS.md, zh-social10): 8 false
positives removed (all in sets the CRF was not fitted on: weibo dev / held-out 3, CLUENER dev 4,
intl_zh 1), 2 gold names lost (沈力|军中 in CLUENER's held-out part, 达晨创|投 in Weibo's fitted part).
"""

from __future__ import annotations

from privtune.scan.entities import Span
from privtune.scan.ner.zh_unknown_names import _THING_ENDS, MAX_WORD, _han_window, get_words

MAX_SCORE = 0.65


def word_cut_names(text: str, spans: list[Span], min_score: float) -> list[Span]:
    """The CRF's PERSON ``spans`` of 2+ characters scored in ``[min_score, MAX_SCORE)`` that
    cut a word in two (:func:`cuts_word`)."""
    return [s for s in spans if s.type == "PERSON" and min_score <= s.score < MAX_SCORE
            and s.end - s.start >= 2 and cuts_word(text, s.start, s.end)]


def cuts_word(text: str, start: int, end: int) -> bool:
    """Whether a word of 2+ characters of the segmentation around ``[start, end)`` crosses
    the span's start or end."""
    lo, hi = _han_window(text, start, end)
    if hi - lo < 2:
        return False
    words = get_words()
    logp = words.logp
    # The segmentation runs only where some dictionary word crosses an edge at all (a few
    # lookups; most CRF names have none): ~300 of the 2,000 demo records have a span to check.
    if not (_word_across(text, start, lo, hi, logp) or _word_across(text, end, lo, hi, logp)):
        return False
    a = lo
    for b in words.tokens(text[lo:hi]):
        b += lo
        if b - a >= 2 and (a < start < b or a < end < b):
            # A thing named after a person keeps the name (尤伯|杯: People's Daily labels it).
            return not (a == start and b == end + 1 and text[end] in _THING_ENDS)
        if a >= end:
            break
        a = b
    return False


def _word_across(text: str, pos: int, lo: int, hi: int, logp: dict[str, float]) -> bool:
    """Whether a word of the list (2-4 characters, inside ``[lo, hi)``) spans position ``pos``."""
    for a in range(max(lo, pos - MAX_WORD + 1), pos):
        for b in range(pos + 1, min(hi, a + MAX_WORD) + 1):
            if text[a:b] in logp:
                return True
    return False
