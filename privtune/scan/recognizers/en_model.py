"""PERSON / ADDRESS / ORGANIZATION in English text by the word CRF (privtune/scan/ner/en_crf.py).

Beside the lexicon and cue rules of person.py / address.py / organization.py: the CRF learned
from tweets, Wikipedia and generated chats what context a name or place stands in, so it finds
names no list holds ("Oyelaran said …"). One tagger run per string serves all three types.
"""

from __future__ import annotations

import re
from functools import lru_cache

from privtune.scan.entities import Span
from privtune.scan.markup_tags import between_tags
from privtune.scan.ner.en_crf import DETECTOR, _lexicon, tag_en
from privtune.scan.ner.en_crf import prepare_chunk as prepare_en_chunk
from privtune.scan.ner.en_span_rules import common_words, is_common_word
from privtune.scan.ner.field_labels import drop_field_labels
from privtune.scan.ner.english import LATIN_UPPER
from privtune.scan.registry import Recognizer, register


# A town the CRF tags inside a postal block must give way to the block (postal.py scores a
# street alone 0.75, with a town or postcode 0.9; the analyzer keeps the higher score among overlapping spans).
ADDRESS_CAP = 0.7


def _prepare_chunk(texts: list[str] | None) -> None:
    """`en_crf.prepare_chunk` of the texts this recognizer runs on (its trigger's), which are the
    texts the sweep tags: `analyze` tags every one."""
    if texts is not None:
        search = EnModelRecognizer.trigger.search
        texts = [t for t in texts if search(t) is not None]
    prepare_en_chunk(texts)


@register
class EnModelRecognizer(Recognizer):
    """English names, places and organisations from the word CRF (scores: marginal probability)."""

    name = DETECTOR
    entity_types = ("PERSON", "ADDRESS", "ORGANIZATION")
    # A capitalised Latin word, or three lower-case letters in a row (a line typed all in lower
    # case may still name someone): the tagger's own gate then picks the lines (see en_gate.py).
    trigger = re.compile(f"[{LATIN_UPPER}][a-z\u00df-\u024f]|[a-z]{{3}}")
    prepare_chunk = staticmethod(_prepare_chunk)  # the tagger's lines, a chunk at a time

    def analyze(self, text: str) -> list[Span]:
        out = []
        markup = "<" in text
        for s, e, t, p in drop_field_labels(text, tag_en(text)):
            if markup:  # a tag's name, or a span running over tags (`markup_tags`)
                if (cut := between_tags(text, s, e)) is None:
                    continue
                s, e = cut
            if t == "ADDRESS":
                p = min(p, ADDRESS_CAP)
            elif t == "PERSON" and " " in text[s:e] and _capitalised_phrase(text[s:e]):
                p -= TITLE_WORDS_PENALTY
            if t == "PERSON" and "\t" in text[s:e]:
                # No name holds a tab: two cells of a table row ("John Smith<TAB>Jane Doe") are two names.
                out += [Span(c.start(), c.end(), t, round(p, 4), DETECTOR) for c in _CELL.finditer(text, s, e)]
                continue
            out.append(Span(s, e, t, round(p, 4), DETECTOR))
        if any(sp.type != "PERSON" and sp.end - sp.start <= 7 and text[sp.start : sp.end] in CREDENTIALS for sp in out):
            return _drop_credentials(text, out)
        return out


# Degrees and licences written after a name ("Dr. Rajesh Venkataraman, MD"): the tagger reads
# "MD" as Maryland and "RN" as an organisation; after a name and a comma they are neither.
CREDENTIALS = frozenset(
    "MD DO RN NP PA PA-C APRN DNP CRNA LPN CNA PhD DDS DMD PharmD MBBS MBChB FRCS FRCP FACS MPH MSW "
    "LCSW DPT OD Esq CPA".split()
)


def _drop_credentials(text: str, spans: list[Span]) -> list[Span]:
    ends = {sp.end for sp in spans if sp.type == "PERSON"}

    def after_name(sp: Span) -> bool:
        i = sp.start
        while i > 0 and text[i - 1] in " ,":
            i -= 1
        return i in ends and "," in text[i : sp.start]

    return [sp for sp in spans if sp.type == "PERSON" or text[sp.start : sp.end] not in CREDENTIALS or not after_name(sp)]


_CELL = re.compile(r"[^\t ](?:[^\t]*[^\t ])?")  # a tab-separated cell, spaces around it left out


# A name of two or more capitalised words, one of them an ordinary word, is less often a
# person at a given marginal than other names: products, shows and places read as names ("Range
# Rover Evoque" 0.59, "Double Vehicular Manslaughter" 0.51, "Outside Hammock" 0.62). Fitted on a
# seeded half of the wnut17 / btc / wikigold dev sentences and checked on the other half and on
# intl_en / social_en: see benchmarks/RESULTS.md (English NER, fifth round).
TITLE_WORDS_PENALTY = 0.2


@lru_cache(maxsize=8192)
def _capitalised_phrase(span: str) -> bool:
    """Is every word of ``span`` capitalised, none in capitals only, and one of them an ordinary
    word that no name list holds ("Range Rover Evoque", "Outside Hammock"; not "Benone Dinu")?
    Cached: names recur within and across records ("Hi Steven Rubio, ... Steven Rubio")."""
    words = span.split()
    common = common_words()
    if all(w.lower() not in common for w in words):  # most names: no ordinary word (one lookup each)
        return False
    first, last = _lexicon()
    if not any(is_common_word(w, first, last) for w in words):
        return False
    return all(w[:1].isupper() and not (w.isupper() and len(w) > 1) for w in words)
