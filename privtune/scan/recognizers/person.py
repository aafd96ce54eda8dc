"""PERSON: Chinese names by the CLUENER-trained CRF, English/romanised names by lexicon rules.

Chinese follows CLUENER's convention: the name only, without 先生/女士/老师 (周东权先生 ->
周东权); a bare surname + honorific (王先生) is not tagged, except in social-media text, where
Weibo's convention makes it the name (ner/zh_social_titles.py). Compound surnames (欧阳, 诸葛
...) stay attached to the given name.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from itertools import accumulate

from privtune.scan.entities import Span
from privtune.scan.ner.en_crf import tag_en
from privtune.scan.ner.en_cues import find_caps_name_fields, find_cued_persons, find_lower_case_pinyin_persons
from privtune.scan.ner.en_korean_names import SCORE as KOREAN_SCORE
from privtune.scan.ner.en_korean_names import korean_names
from privtune.scan.ner.en_decode import EDGE_CUT_KEEPS
from privtune.scan.ner.en_features import _lexicon
from privtune.scan.ner.en_span_rules import CHECKS, group_noun_after, is_edge_word, is_place_name
from privtune.scan.ner.english import LATIN_UPPER, find_persons
from privtune.scan.ner.lexicon import en_lexicon
from privtune.scan.ner.model import tag_zh
from privtune.scan.ner.zh_batch import prepare_chunk as prepare_zh_chunk
from privtune.scan.registry import Recognizer, register

# Any CJK ideograph: the Chinese model is skipped for text without one.
CJK_TRIGGER = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


@register
class ZhPersonRecognizer(Recognizer):
    """Chinese personal names (2-4 character Han names and transliterated foreign names)."""

    name = "zh_person_model"
    entity_types = ("PERSON",)
    trigger = CJK_TRIGGER
    prepare_chunk = staticmethod(prepare_zh_chunk)  # the tagger's features, a chunk at a time

    def analyze(self, text: str) -> list[Span]:
        return [s for s in tag_zh(text) if s.type == "PERSON"]


@register
class EnPersonRecognizer(Recognizer):
    """English and romanised names: first/last-name lexicons (many nationalities), titles, and
    any capitalised name in a cue's slot ("My name is X", "Dear X", a "X:" speaker label)."""

    name = "en_person_dict"
    entity_types = ("PERSON",)
    # "[A-Z][A-Za-z]" (= "[A-Z][a-z]|[A-Z]{2}", which sre cannot skip through), or a capital
    # and a small letter of Latin Extended: a text whose only name is "Şali" or "Kızıl" is
    # no longer skipped.
    trigger = re.compile(f"[A-Z][A-Za-z]|[{LATIN_UPPER}][a-z\u00df-\u024f]")

    # Ask the English model about the lexicon rule's weakest matches (see `model_person_test`);
    # off where a caller wants the rules alone.
    model_check = True

    def analyze(self, text: str) -> list[Span]:
        best: dict[tuple[int, int], tuple[float, str]] = {}
        persons = find_persons(text)
        if self.model_check and any(score < WEAK_DICT_SCORE for _, _, score, _ in persons):
            agrees = model_person_test(text)
            persons = [p for p in persons if p[2] >= WEAK_DICT_SCORE or (
                agrees(p[0], p[1]) and not model_name_less_words(text, p[0], p[1]))]
        korean = [(s, e, KOREAN_SCORE, "en_person_dict") for s, e in korean_names(text)]
        caps = find_caps_name_fields(text) if ":" in text or "：" in text else []
        for s, e, score, det in persons + find_cued_persons(text) + korean + caps:
            if (s, e) not in best or score > best[(s, e)][0]:  # one span per place, the surer rule's
                best[(s, e)] = (score, det)
        # A name that only qualifies a group or show ("Zac Brown band", "the Wendy show") is no
        # person, nor is a country ("from Sierra Leone", "This is Congo").
        first = en_lexicon().first_names
        return [Span(s, e, "PERSON", score, det) for (s, e), (score, det) in best.items()
                if not group_noun_after(text, e) and not is_place_name(text[s:e], first)]


@register
class EnLowerCasePinyinRecognizer(Recognizer):
    """Lower-case pinyin names after a cue in text with no capitalised word ("my name is zhang
    wei", `ner.en_pinyin`); in other text `EnPersonRecognizer`'s cue rules find them."""

    name = "en_person_pinyin"
    entity_types = ("PERSON",)
    # Literal words: answered by the analyzer's shared word scan (substring tests on ASCII).
    trigger = re.compile("name|i am|i'm|this is")

    def analyze(self, text: str) -> list[Span]:
        if EnPersonRecognizer.trigger.search(text) is not None:
            return []  # EnPersonRecognizer runs on this text and applies the same rule
        return [Span(s, e, "PERSON", score, det) for s, e, score, det in find_lower_case_pinyin_persons(text)]


# Lexicon matches scoring below this are capitalised runs with one known name part and no cue
# ("Mars Bar", "Viva Brother", "Independence Day", "Silver Falls", "Jamaican Squad"): on the
# English dev sets 6 of 38 of them were names. They are kept only where the English model also
# tags a name over them; a known first + last name, a title or a cue scores higher and stays.
WEAK_DICT_SCORE = 0.7


def model_name_less_words(text: str, start: int, end: int) -> bool:
    """Is a weak match ``text[start:end]`` a name of the English model plus ordinary words at its
    edges ("Losing Ben Bishop", "Kate Moss Model": the model read "Ben Bishop", "Kate Moss")? Then
    the model's name stands alone: the weak match would widen it over the words (the analyzer
    merges overlapping names). Words of the name lists are no such words ("Diana Good")."""
    if not CHECKS["edges"]:
        return False
    first, last = _lexicon()
    for s, e, t, _ in tag_en(text):
        if (t == "PERSON" and start <= s and e <= end and (s, e) != (start, end)
                and len(text[s:e].split()) >= EDGE_CUT_KEEPS):
            return all(is_edge_word(w, first, last) for w in text[start:s].split() + text[e:end].split())
    return False


def model_person_test(text: str) -> Callable[[int, int], bool]:
    """``agrees(start, end)``: does the English model tag a PERSON overlapping
    ``text[start:end]``? (Its run on this text is shared with the `en_ner_model` recognizer
    through tag_en's one-entry cache.) The model's names are sorted once and searched by
    bisection: a test per weak match over all of them was quadratic on a long record."""
    names = sorted((s, e) for s, e, t, _ in tag_en(text) if t == "PERSON")
    starts = [s for s, _ in names]
    reach = list(accumulate((e for _, e in names), max))  # furthest end among the first i + 1

    def agrees(start: int, end: int) -> bool:
        i = bisect_left(starts, end) - 1  # the names starting before ``end``
        return i >= 0 and reach[i] > start

    return agrees
