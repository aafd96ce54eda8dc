"""PERSON / ADDRESS / ORGANIZATION in English text by the word CRF (privtune/scan/ner/en_crf.py).

Beside the lexicon and cue rules of person.py / address.py / organization.py: the CRF learned
from tweets, Wikipedia and generated chats what context a name or place stands in, so it finds
names no list holds ("Oyelaran said …"). One tagger run per string serves all three types.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.ner.en_crf import DETECTOR, tag_en
from privtune.scan.ner.field_labels import drop_field_labels
from privtune.scan.ner.english import LATIN_UPPER
from privtune.scan.registry import Recognizer, register


# A town the CRF tags inside a postal block must give way to the block (postal.py scores a
# street alone 0.75, with a town or postcode 0.9; the analyzer keeps the higher score among overlapping spans).
ADDRESS_CAP = 0.7


@register
class EnModelRecognizer(Recognizer):
    """English names, places and organisations from the word CRF (scores: marginal probability)."""

    name = DETECTOR
    entity_types = ("PERSON", "ADDRESS", "ORGANIZATION")
    # A capitalised Latin word, or three lower-case letters in a row (a line typed all in lower
    # case may still name someone): the tagger's own gate then picks the lines (see en_crf.py).
    trigger = re.compile(f"[{LATIN_UPPER}][a-z\u00df-\u024f]|[a-z]{{3}}")

    def analyze(self, text: str) -> list[Span]:
        return [Span(s, e, t, round(min(p, ADDRESS_CAP) if t == "ADDRESS" else p, 4), DETECTOR)
                for s, e, t, p in drop_field_labels(text, tag_en(text))]
