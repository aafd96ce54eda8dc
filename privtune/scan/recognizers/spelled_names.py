"""PERSON: a name spelled out letter by letter, as callers do and transcripts write it.

"Bente van Tours, that's T O U R S", "my surname is spelt K-O-W-A-L": the letters after "that's",
"spelled" or "spelt" are the name again, which a model reading words does not see as one. Taken:
three or more capital letters (any script's), each alone, joined by a blank, a dot or a hyphen.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

DETECTOR = "spelled_name"
SCORE = 0.85
_SPELLED = re.compile(r"(?:that's|that is|spelled|spelt|spelling)(?: is| as)?[ :,]+((?:[^\W\d_][ .\-]){2,}[^\W\d_])(?![^\W\d_])")


def spelled_name_spans(text: str) -> list[Span]:
    out = []
    for m in _SPELLED.finditer(text):
        letters = m.group(1)[::2]
        if letters.isupper() and len(set(m.group(1)[1::2])) == 1:  # one kind of separator
            out.append(Span(m.start(1), m.end(1), "PERSON", SCORE, DETECTOR))
    return out


@register
class SpelledNameRecognizer(Recognizer):
    """"… that's T O U R S", "spelt K-O-W-A-L"."""

    name = "spelled_name"
    entity_types = ("PERSON",)
    trigger = re.compile("that's|that is|spelled|spelt|spelling")  # literal words: the shared scan

    def analyze(self, text: str) -> list[Span]:
        return spelled_name_spans(text)
