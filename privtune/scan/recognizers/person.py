"""PERSON: Chinese names by the CLUENER-trained CRF, English/romanised names by lexicon rules.

Chinese follows CLUENER's convention: the name only, without 先生/女士/老师 (周东权先生 ->
周东权); a bare surname + honorific (王先生) is not tagged. Compound surnames (欧阳, 诸葛 ...)
stay attached to the given name.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.ner.en_cues import find_cued_persons
from privtune.scan.ner.english import find_persons
from privtune.scan.ner.model import tag_zh
from privtune.scan.registry import Recognizer, register

# Any CJK ideograph: the Chinese model is skipped for text without one.
CJK_TRIGGER = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


@register
class ZhPersonRecognizer(Recognizer):
    """Chinese personal names (2-4 character Han names and transliterated foreign names)."""

    name = "zh_person_model"
    entity_types = ("PERSON",)
    trigger = CJK_TRIGGER

    def analyze(self, text: str) -> list[Span]:
        return [s for s in tag_zh(text) if s.type == "PERSON"]


@register
class EnPersonRecognizer(Recognizer):
    """English and romanised names: first/last-name lexicons (many nationalities), titles, and
    any capitalised name in a cue's slot ("My name is X", "Dear X", a "X:" speaker label)."""

    name = "en_person_dict"
    entity_types = ("PERSON",)
    trigger = re.compile("[A-Z][A-Za-z]")  # = "[A-Z][a-z]|[A-Z]{2}", which sre cannot skip through

    def analyze(self, text: str) -> list[Span]:
        best: dict[tuple[int, int], tuple[float, str]] = {}
        for s, e, score, det in find_persons(text) + find_cued_persons(text):
            if (s, e) not in best or score > best[(s, e)][0]:  # one span per place, the surer rule's
                best[(s, e)] = (score, det)
        return [Span(s, e, "PERSON", score, det) for (s, e), (score, det) in best.items()]
