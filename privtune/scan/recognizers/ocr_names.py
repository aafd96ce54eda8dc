"""PERSON: two OCR shapes that hide a name from word-based rules.

* A greeting glued to the name, the space lost in the scan: "DearCeyran ƏKBƏROVA,\\nYour new
  card …". "DearCeyran" is one unknown token to the model and the cue rules. The rest of the
  greeting line (up to four words, no digit, the closing comma left out) is the name.
* A letter-spaced form ("N a m e :  B r i a n   R o b e r t s o n"): one letter per token, words
  two or more blanks apart. The value after a letter-spaced "Name:" label, to the line's end.

Triggers are literal words ("Dear", "N a m e", …) answered by the analyzer's shared scan.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

DETECTOR = "ocr_name"
SCORE = 0.85
_L = r"[^\W\d_]"
_GLUED_GREETING = re.compile(
    rf"(?<![A-Za-z])Dear(?=[A-ZÀ-ÖØ-Þ\u0100-\u024f])({_L}[^\W\d_'.-]*(?:,?[ \t]+{_L}[^\W\d_'.-]*){{0,3}}),?[ \t]*(?:\r?\n|\Z)"
)
_SPACED_WORD = rf"(?:{_L} )+{_L}"
_SPACED_NAME = re.compile(
    rf"(?:N a m e|n a m e|N A M E)[ \t]*:[ \t]+({_SPACED_WORD}(?:[ \t]{{2,4}}{_SPACED_WORD}){{0,3}})(?=[ \t]*(?:\r?\n|\Z))"
)


def ocr_name_spans(text: str) -> list[Span]:
    out = []
    if "Dear" in text:
        out += [Span(m.start(1), m.end(1), "PERSON", SCORE, DETECTOR) for m in _GLUED_GREETING.finditer(text)]
    if "a m e" in text or "A M E" in text:
        out += [Span(m.start(1), m.end(1), "PERSON", SCORE, DETECTOR) for m in _SPACED_NAME.finditer(text)]
    return out


@register
class OcrNameRecognizer(Recognizer):
    """DearCeyran ƏKBƏROVA, · N a m e :  B r i a n   R o b e r t s o n"""

    name = "ocr_names"
    entity_types = ("PERSON",)
    trigger = re.compile("Dear|N a m e|n a m e|N A M E")

    def analyze(self, text: str) -> list[Span]:
        return ocr_name_spans(text)
