"""Licence plates outside China, after their name: "Vehicle reg: KX19 ZTB", "plate 7ABC123",
"registration YR68 KLM", "licence plate ABC-1234".

A plate names the car's keeper in every national register, and insurance claims, police
reports and parking complaints write it beside its cue. Each country's format is its own
(UK "KX19 ZTB", US "7ABC123", DE "B MW 1234"), so no bare shape is taken: a value is claimed
only right after a cue, and only with the look every format shares: capitals and digits, both,
4 to 8 of them, in at most three groups (the longest leading groups that fit). "Registration" alone names many things (an event's,
a company's), so it counts only with a vehicle word shortly before it.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

SCORE = 0.8
# The trigger's words: substrings of every cue ("reg" of "rego" and "registration"), seven, so that
# the analyzer answers them in its one shared scan of literal words (a trigger of at most six
# is tested alone, and a pattern with optional parts is a regex scan of its own).
_CUES = ("reg", "Reg", "REG", "plate", "Plate", "PLATE", "VRM")
_CUED = re.compile(
    r"(?P<cue>[Rr]eg(?:istration|o)?|REG(?:ISTRATION|O)?|[Pp]lates?|PLATES?|VRM)(?![A-Za-z])\.?"
    r"(?:[ \t]*(?i:number|no\.?|num|nr\.?|mark|plate|#)(?![A-Za-z]))?"
    r"[ \t]*(?:[:#=\-][ \t]*|(?:is|was|of)[ \t]+)?"
    r"(?P<value>[A-Z0-9]+(?:[ \-][A-Z0-9]+){0,2})(?![A-Za-z0-9])"
)
_VEHICLE = ("vehicle", "car ", "van ", "truck", "motorbike", "motorcycle", "lorry", "dvla", "dmv", "vrn")


def _plate(value: str) -> str | None:
    """The longest run of ``value``'s leading groups that looks like a plate, or None."""
    groups = re.split(r"([ \-])", value)  # words and their separators
    for n in range(len(groups), 0, -2):
        cand = "".join(groups[:n])
        alnum = cand.replace(" ", "").replace("-", "")
        if 4 <= len(alnum) <= 8 and not alnum.isdigit() and not alnum.isalpha():
            return cand
    return None


@register
class LicencePlateCuedRecognizer(Recognizer):
    """Plates of any country right after "reg", "plate", "registration" (near a vehicle word)."""

    name = "license_plate_cued"
    entity_types = ("LICENSE_PLATE",)
    trigger = re.compile("|".join(_CUES))

    def analyze(self, text: str) -> list[Span]:
        spans = []
        for m in _CUED.finditer(text):
            if m.start() and text[m.start() - 1].isascii() and text[m.start() - 1].isalpha():
                continue  # inside a word: "preg 1234", "templates 12AB"
            cue = m.group("cue").lower()
            if cue.startswith("registration") and not any(
                    w in text[max(0, m.start() - 40) : m.start()].lower() for w in _VEHICLE):
                continue
            plate = _plate(m.group("value"))
            if plate is not None:
                spans.append(Span(m.start("value"), m.start("value") + len(plate), "LICENSE_PLATE", SCORE, self.name))
        return spans
