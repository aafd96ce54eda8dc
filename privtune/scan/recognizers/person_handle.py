"""PERSON: a Chinese name used as a social-media handle (@张伟, //@俞婕:, 转发@晏小花).

On Weibo people are addressed and quoted by handle, and many handles are the person's name.
The CRF, trained mostly on news, misses names there that have no word around them at all. This
rule takes a surname + one or two given-name characters right after "@" when the handle ends
there (a space, a colon, the next "@", "//", punctuation, a bracket or the end): a handle that
goes on (@麦子千层饼) is a nickname, not a name. On the Weibo train and dev sets 22 of 24 such
matches are gold names (benchmarks/RESULTS.md, round 3).
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES
from privtune.scan.ner.zh_title_names import NOT_GIVEN, SURNAMES
from privtune.scan.registry import Recognizer, register

# Where a handle ends.
_HANDLE_END = frozenset(" \t\n\r\u3000:：@/，。！？、,.!?[]【】#（）()“”\"")
# Sentence-final particles a handle is not made of (@俞婕呢 is 俞婕 + 呢).
_NOT_IN_HANDLE_NAME = NOT_GIVEN | frozenset("呢吗吧啊呀哦哈嘛啦哟噢嘿")


def handle_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each surname + 1-2 character name that is a whole "@" handle."""
    out = []
    n = len(text)
    pos = text.find("@")
    while pos >= 0:
        p = pos + 1
        if p < n:
            if text[p : p + 2] in ZH_COMPOUND_SURNAMES:
                given_at = p + 2
            elif text[p] in SURNAMES:
                given_at = p + 1
            else:
                given_at = -1
            for width in (2, 1) if given_at > 0 else ():
                end = given_at + width
                given = text[given_at:end]
                if (
                    end <= n
                    and all("\u4e00" <= c <= "\u9fff" and c not in _NOT_IN_HANDLE_NAME for c in given)
                    and (end == n or text[end] in _HANDLE_END)
                ):
                    out.append((p, end))
                    break
        pos = text.find("@", p)
    return out


@register
class ZhPersonHandleRecognizer(Recognizer):
    """Chinese names that are a whole social-media handle."""

    name = "zh_person_handle"
    entity_types = ("PERSON",)
    trigger = re.compile("@")

    def analyze(self, text: str) -> list[Span]:
        return [Span(s, e, "PERSON", 0.6, self.name) for s, e in handle_names(text)]
