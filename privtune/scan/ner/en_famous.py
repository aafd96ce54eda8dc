"""Public figures and characters that social-media posts name by one word ("trump", "Shaq").

A large group of the names the English CRF misses in social-media comments (issue 12,
en-social9: 19 of WNUT17 dev's 205 missed names are "trump" alone) is a well-known person
written as one word, often in lower case: "trump is the Kremlin's boy", "put draymond on the
1993 team", "Fuck Canelo". Neither the training corpora (tweets of 2009-2014, Wikipedia) nor
the name lexicon (Faker's first and last names) hold most of them, and with nothing around
them but a verb the model leaves them. The list ``en_famous.txt`` holds 584 such words; a
word of it that the model left outside every span, tagged as a name below this rule's score,
or typed as a one-word place or organisation it doubts ("Shaq" B-LOC 0.46), is a name. Not
where the model is sure of another type or of a longer span ("Trump Tower"), nor
before a capitalised word it left (part of a title: "Scooby Doo", "Trump Steaks"); after a
PERSON span one space away it extends that span ("Donald trump").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from privtune.scan.ner.en_span_rules import CHECKS

FAMOUS_PATH = Path(__file__).with_name("en_famous.txt")
# The score of such a name: over the analyzer's default threshold (0.5), under a cue's (0.8);
# the same as the lone first-name rule's (en_lone_names.SUBJECT_SCORE).
FAMOUS_SCORE = 0.6
# A place or organisation span of the model under this score (the analyzer's default threshold:
# it would not be reported) gives way to a list word inside it.
DOUBTED = 0.5


@lru_cache(maxsize=1)
def famous_words() -> frozenset[str]:
    """The list's words, lower case."""
    lines = FAMOUS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


def is_famous(word: str) -> bool:
    """Is ``word`` a word of the list written as a name is: lower case, capitalised or all
    capitals ("trump", "Trump", "TRUMP"; not "tRump")? Asked once per word, when the tagger
    first sees it: one set lookup."""
    return word in (_FORMS or _forms())


_FORMS: frozenset[str] = frozenset()


def _forms() -> frozenset[str]:
    """The list's words as lower case, capitalised and all capitals ("spider-man", "Spider-man",
    "SPIDER-MAN"), built on first use."""
    global _FORMS
    _FORMS = frozenset(f for w in famous_words() for f in (w, w[0].upper() + w[1:], w.upper()))
    return _FORMS


def famous_names(words: list[str], labels: list[int], marg, names: set[str], outside: int,
                 person: frozenset[int]) -> list[tuple[int, int]]:
    """Token ranges ``(i, j)``, in order, of the names of a line that open with a word on the
    list (``names``: the line's words that ``is_famous`` accepts, found by the caller in C)
    that the model left: tagged O; a name (``person``: the B-PER / I-PER label ids) with a
    marginal below FAMOUS_SCORE; or part of a place or organisation it doubts (marginal below
    DOUBTED: "also Shaq/B-LOC 0.46 has ego", "Aragorn/B-ORG 0.29 & Frodo/I-ORG 0.27"). Not before a
    capitalised word tagged O ("Scooby Doo", a title) nor before "card" ("trump card"). A
    lower-case lexicon name or list word after it is its second part ("kendrick lamar"), a
    lower-case first name before it its first ("ryan gosling")."""
    out: list[tuple[int, int]] = []
    if not CHECKS["famous"]:
        return out
    n = len(words)
    for name in names:
        i = -1
        for _ in range(words.count(name)):
            i = words.index(name, i + 1)
            label = labels[i]
            if label != outside and not (label in person and marg[i] < FAMOUS_SCORE) and not (
                    label not in person and marg[i] < DOUBTED):
                continue
            after = words[i + 1] if i + 1 < n else ""
            if after and labels[i + 1] == outside and (_title_word(after, name) or after.lower() in _NOT_AFTER):
                continue
            j = i + 2 if after and labels[i + 1] == outside and _second_part(after) else i + 1
            # "ryan gosling", "ed sheeran": a lower-case first name the model left before it.
            start = i - 1 if i and labels[i - 1] == outside and _second_part(words[i - 1], first=True) else i
            out.append((start, j))
    return sorted(out)


# Words after which a list word is the ordinary one ("trump card", "the trump cards").
_NOT_AFTER = frozenset({"card", "cards"})


def _second_part(word: str, first: bool = False) -> bool:
    """Is the lower-case ``word`` after a list word the name's second part: on the list, or a
    name of the lexicon that is no ordinary word ("lamar", "minaj"; not "frog", "is")? With
    ``first``: a first name of the lexicon before one ("ryan gosling"; not "mr", "so")."""
    from privtune.scan.ner.en_features import _lexicon
    from privtune.scan.ner.en_span_rules import common_words

    if not (word.isalpha() and word.islower()):
        return False
    if word in famous_words() and not first:
        return True
    names, surnames = _lexicon()
    t = word.title()
    return len(word) > 1 and word not in common_words() and (t in names or (not first and t in surnames))


def _title_word(after: str, name: str) -> bool:
    """Is ``after``, the word after the list word ``name``, a capitalised word that makes the two
    a title ("Scooby Doo", "Trump Steaks"), not "I", another list word or a shouted line's next word?"""
    return (len(after) > 1 and after[0].isupper() and after.isalpha() and not is_famous(after)
            and not (after.isupper() and name.isupper()))
