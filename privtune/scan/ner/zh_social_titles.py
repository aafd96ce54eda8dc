"""A surname + title in social-media text is the person's name there (感谢胡总的亲临,
拉着顾老师合了好几张, 熊猫眼张先生, //@G_季总:).

The corpora disagree on 王先生: CLUENER (news) labels nothing, People's Daily and Resume label
the lone surname, and Weibo labels surname + title as one name. A Weibo post addresses people
that way far more often than news does, and the post's reader knows exactly who 胡总 is, so
on social text the whole is masked. Text is "social" when it holds a mark of a post: an @
handle, a // repost, a #topic#, a bracket emoticon ([哈哈]), a Han character written three
times running (宋宋宋, 飛飛飛) or a link (t.cn, http). Those marks almost never occur in the
news and CV sets; without the gate the same rule takes 13 + 20 + 147 unlabelled 王先生 /
陈老师 of CLUENER dev / held-out / train (benchmarks/RESULTS.md, zh-social8).

A candidate is a surname (the unknown-name rule's list, or a compound surname) right before a
title of :data:`SOCIAL_TITLES`, outside every span already found, where the surname makes no
dictionary word with the character before it and is not that character repeated (王王王先生),
and the title's last character makes no word with the character after it (王总是, 王总结).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from privtune.scan.entities import Span
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES
from privtune.scan.ner.zh_unknown_names import SURNAMES, get_words

SOCIAL_TITLE_DETECTOR = "zh_person_social_title"
SOCIAL_TITLE_SCORE = 0.6
# Titles people are called by in posts. On the zh training + dev sets only 先生 小姐 老师 总 院长
# occur in social text; a longer list (姐 哥 教授 主任 书记 局长 校长 博士 ...) matched nothing more.
SOCIAL_TITLES = (
    "先生", "小姐", "女士", "太太", "老师", "老板", "院长", "医生", "经理", "阿姨", "师傅", "律师", "总",
)  # fmt: skip
_TITLE = re.compile("|".join(SOCIAL_TITLES))
# Marks of a post (see the module docstring). The tripled character is Han only: "000" and
# "AAA" are common in news and CVs.
SOCIAL_MARKS = re.compile(r"@|//|#[^#\n]+#|\[[\u4e00-\u9fff]{1,4}\]|([\u4e00-\u9fff])\1\1|t\.cn|http")


def is_social(text: str) -> bool:
    """Whether ``text`` carries a mark of a social-media post."""
    return SOCIAL_MARKS.search(text) is not None


def social_title_names(text: str, taken: Sequence[Span]) -> list[tuple[int, int]]:
    """``(start, end)`` of each surname + title in social ``text`` clear of the ``taken`` spans
    (of any type)."""
    if _TITLE.search(text) is None:
        return []
    out: list[tuple[int, int]] = []
    logp = None
    covered = b""  # positions of the taken spans, marked once (no span scan per candidate)
    for m in _TITLE.finditer(text):
        at, end = m.start(), m.end()
        if at >= 2 and text[at - 2 : at] in ZH_COMPOUND_SURNAMES:
            start = at - 2
        elif at >= 1 and text[at - 1] in SURNAMES:
            start = at - 1
        else:
            continue
        if logp is None:
            if not is_social(text):
                return []
            logp = get_words().logp
            marks = bytearray(len(text))
            for span in taken:
                marks[span.start : span.end] = b"\x01" * (span.end - span.start)
            covered = bytes(marks)
        if any(covered[start:end]):
            continue
        if start > 0 and (text[start - 1] == text[start] or text[start - 1 : start + 1] in logp):
            continue
        if end < len(text) and text[end - 1 : end + 1] in logp:
            continue
        out.append((start, end))
    return out
