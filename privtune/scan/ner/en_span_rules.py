"""Checks on the English model's PERSON spans that need word lists (``en_words.json``).

Fifth round (issue 12): of the model's false names on WNUT17 dev, the largest groups were
ordinary words capitalised at a sentence start or in a shouted phrase ("Dude", "Kids",
"Cough"), countries ("Jamaica", "Madagascar", which the corpora label as places), names that
only qualify a group or show ("Zac brown band", "the Clinton Foundation": WNUT17 and the Broad
Twitter Corpus label the whole as a group / organisation, not a person), and first names whose
lower-case surname the model left ("Donald trump", "Mauro renallo": one false name and one
missed name each). The word lists are written by ``tools/extract_en_words.py``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

WORDS_PATH = Path(__file__).with_name("en_words.json")

# Nouns that make the name before them the name of a group, show or institution ("Zac brown
# band", "the Wendy show", "Clinton Foundation"), not of a person. "brothers" and "family" are
# left out: WNUT17 labels "the Coen brothers" a person, and chat text says "the Smith family".
GROUP_HEADS = frozenset(
    "band show foundation twins trust institute university college academy stadium arena "
    "award awards prize trophy cup fc podcast channel".split()
)


# After a group noun used as a verb ("Jenny show me", "Sarah trust us"), the name is a person.
_OBJECTS = frozenset("me us you him her them it this that my your our his their".split())


def _group_head(word: str, after: str) -> bool:
    """Is ``word`` a group noun after a name, not a verb addressed to it (``after`` the word that follows)?"""
    return word.lower() in GROUP_HEADS and after.lower() not in _OBJECTS


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads(WORDS_PATH.read_text(encoding="utf-8"))
    return frozenset(data["common_words"]), frozenset(p.lower() for p in data["places"])


def common_words() -> frozenset[str]:
    """Lower-case words the training corpora write in lower case (see tools/extract_en_words.py)."""
    return _lists()[0]


def is_common_word(word: str, first_names: frozenset[str], last_names: frozenset[str]) -> bool:
    """Is ``word`` an ordinary word that no name list holds ("Dude", "KIDS", "cough")? Words of
    the name lexicon ("Will", "Summer", "Rose") are not: they name people as often as not."""
    t = word.title()
    return word.isalpha() and word.lower() in common_words() and t not in first_names and t not in last_names


@lru_cache(maxsize=1)
def _edge_words() -> frozenset[str]:
    """``common_words`` and the corpora's other lower-case words (``lower_words``): ordinary words."""
    data = json.loads(WORDS_PATH.read_text(encoding="utf-8"))
    return frozenset(data["lower_words"]) | common_words()


def is_edge_word(word: str, first_names: frozenset[str], last_names: frozenset[str]) -> bool:
    """May a PERSON span lose ``word`` at its start or end (``en_decode._ordinary_edges_cut``)? An
    ordinary word of the training corpora (written in lower case at least as often as capitalised,
    never inside a gold name: "Watching", "Perform", "Wins") that no name list holds."""
    t = word.title()
    return (word.isalpha() and word.lower() in _edge_words() and t not in first_names and t not in last_names)


def is_rare_lower_word(word: str) -> bool:
    """A lower-case word of three letters or more, not ending in "s", that the corpora do not
    write in lower case ("renallo", "trump"): after a capitalised first name, more likely its surname than a word."""
    # Not a word ending in "s": plurals and verbs ("brothers", "tucks") the small corpora miss.
    return (CHECKS["tail"] and len(word) > 2 and word.isalpha() and word.islower() and word[-1] != "s"
            and word not in common_words())


# Which checks `check_person` makes (all on; tools and measurements may turn one off).
CHECKS = {"common": True, "letters": True, "place": True, "group": True, "tail": True, "subject": True,
          "addressed": True, "place_name": True, "famous": True,
          "edges": True}


def check_person(words: list[str], next_word: str, first_names: frozenset[str],
                 last_names: frozenset[str], after: str = "") -> str | None:
    """The label a PERSON span of the model keeps: "PER", "LOC" (a country or state), or None
    (drop it: one ordinary word, a span without letters, or a name followed by a group noun;
    ``next_word`` and ``after`` are the two tokens after the span).
    Asked once per name the model finds: the common case (a name of capitalised words that no
    check concerns) costs a few set lookups."""
    common, places = _lists()
    if len(words) == 1:
        w = words[0]
        lw = w.lower()
        if CHECKS["common"] and lw in common and w.isalpha() and (t := w.title()) not in first_names and (
                t not in last_names):
            return None
        if CHECKS["letters"] and not w[:1].isalpha() and not any(c.isalpha() for c in w):
            # No letter: "200", or an "@" before no handle ("F @ # KING", "@ 1 : 53"). An "@"
            # before a handle stays: the Broad Twitter Corpus labels "@ name" as two names.
            if w != "@" or not next_word or next_word.isdigit() or not (next_word[0].isalnum() or next_word[0] == "_"):
                return None
        if CHECKS["place"] and lw in places and w.title() not in first_names:
            return "LOC"  # "Jamaica"; not "Jordan", "Georgia": people are named so
    else:
        if CHECKS["letters"] and not words[0][:1].isalpha() and not any(c.isalpha() for w in words for c in w):
            return None
        if CHECKS["group"] and words[-1].lower() in GROUP_HEADS:
            return None
        if CHECKS["place"] and len(words) < 4 and " ".join(words).lower() in places:
            return "LOC"  # "Sierra Leone"
    if CHECKS["group"] and next_word and _group_head(next_word, after):
        return None
    return "PER"


_NEXT_WORD = re.compile(r"[ \t]+(\w+)(?:[ \t]+(\w+))?")


def group_noun_after(text: str, end: int) -> bool:
    """Does a group noun follow ``text[:end]`` ("thanks Zac brown band", "the best Wendy show")?
    For the lexicon and cue rules' names, which have no token list."""
    m = _NEXT_WORD.match(text, end) if CHECKS["group"] else None
    return m is not None and _group_head(m.group(1), m.group(2) or "")


def is_place_name(span: str, first_names: frozenset[str]) -> bool:
    """Is ``span`` a country or state of the place list ("Sierra Leone", "Congo"), not a first
    name ("Jordan", "Georgia")? For the lexicon and cue rules' names: "Sierra" and "Leone" are
    a first and a last name to the lexicon, and "Congo" fills a cue's slot ("This is Congo").
    One set lookup per name (the set is built once per name list)."""
    return CHECKS["place_name"] and span.lower() in _places_no_first_name(first_names)


@lru_cache(maxsize=2)
def _places_no_first_name(first_names: frozenset[str]) -> frozenset[str]:
    """Lower-cased places of up to three words that are no first name when one word long."""
    return frozenset(p for p in _lists()[1] if p.count(" ") < 3 and (" " in p or p.title() not in first_names))
