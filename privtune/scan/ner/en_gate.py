"""Which lines the English CRF tags at all (cost control).

A line is tagged only if it holds a capitalised word that is not a common sentence word (names,
places and organisations are written that way in nearly all text the scan sees), a lower-case
word of the name lexicon, or an @-mention, or if it is a sentence typed all in lower case.
"""

from __future__ import annotations

import re
from functools import lru_cache

from privtune.scan.ner.en_features import _CJK_CHAR, _lexicon
from privtune.scan.ner.english import LATIN_UPPER, NOT_NAME


# Capitalised chat words that open sentences but never name anything: a line whose only
# capitalised words are these (or NOT_NAME's) is not tagged. Only the gate uses them.
_GATE_STOP = frozenset(
    "You're You've You'll I'm I've I'll I'd It's That's There's Here's What's Let's Don't Can't "
    "Won't Didn't Isn't We're We've We'll Done Sure Unfortunately Sorry Of Course Also Great "
    "Perfect Noted Understood Certainly Absolutely Alright".split()
)


_GATE_WORDS = NOT_NAME | _GATE_STOP
# A capitalised word as TOKEN cuts it ("O'Neill", "U.S"), where a capital opens it.
_CAPITALISED = re.compile(rf"(?<![\w'’])(?=[{LATIN_UPPER}][a-z\u00df-\u024f])\w+(?:['’-]\w+|\.\w(?!\w))*")
# The same words less the look-behind, which `_has_gate_word` tests in Python (sre tries a
# pattern that opens with one at every position; this one it skips to a capital). The capital
# is a word character, so "[A-Z](?=[a-z])\w*" takes the same run as "(?=[A-Z][a-z])\w+".
_CAPITAL_WORD = re.compile(rf"[{LATIN_UPPER}](?=[a-z\u00df-\u024f])\w*(?:['’-]\w+|\.\w(?!\w))*")


# An @-mention ("@sam_k", or "@ sam_k" as tokenised corpora write it), not an e-mail address's @.
_MENTION = re.compile(r"(?<![\w.+-])@ ?\w")


def _worth_tagging(line: str) -> bool:
    """Does ``line`` hold a capitalised word that is no common sentence word ("The", "Thanks",
    "I", "You're"), an @-mention, or a lower-case word the name lexicon knows?"""
    if _has_gate_word(line):
        return True
    # A line with an @-mention is social-media text, where names are typed in lower case as
    # often as not ("@dana_k lol ask marek") and mentions of people are names themselves: the
    # gate let such lines through only with a capitalised or lexicon word, and the model, run
    # on all of them, finds more names (en PERSON recall 0.695 -> 0.741 on the dev sets, mostly
    # the Broad Twitter Corpus's "@ name" mentions); no line of the demo chats holds a mention
    # (0 of 8,000: their "@" are e-mail addresses), so chat text costs no more to tag.
    if "@" in line and _MENTION.search(line):
        return True
    # Left: lines whose capitalised words are all common ones, and lines without any capital.
    # A lower-case lexicon name lets either through ("ask ryan about it"; in ordinary sentences
    # lower-case lexicon hits are words, "your bill", "the fee", and tagging every such line
    # costs ~20% of the model). A line with no capital at all is also tagged when it is a
    # sentence (three lower-case words or more, no CJK): "honestly gelu is the funniest person
    # i know" names someone no list holds. None of the demo chats' 8,000 lines is typed all in
    # lower case, so chat text costs no more to tag.
    return _lower_name(line) or (line.count(" ") > 1 and _lower_sentence(line))


_LOWER_SENTENCE_WORD = re.compile(r"(?<!\S)[a-z\u00df-\u024f]+(?=[\s,.!?;:]|$)")


def _lower_sentence(line: str) -> bool:
    """Is the line three lower-case words or more, with no capital and no CJK character? (The
    caller asks only about lines with two blanks or more, which Chinese lines, half of the
    demo's, rarely have; the English lines that get here open with a capital.)"""
    if _ANY_CAPITAL.search(line) or _CJK_CHAR.search(line):
        return False
    return len(_LOWER_SENTENCE_WORD.findall(line)) >= 3


def _has_gate_word(line: str) -> bool:
    """``any(w not in _GATE_WORDS for w in _CAPITALISED.findall(line))``, stopping at the first
    such word; a word the look-behind rejects (after a word character or an apostrophe) moves
    the search on by one character, as finditer does."""
    stop = _GATE_WORDS
    pos = 0
    search = _CAPITAL_WORD.search
    while (m := search(line, pos)) is not None:
        i = m.start()
        if i and ((c := line[i - 1]).isalnum() or c in "_'’"):  # \w is isalnum() or "_"
            pos = i + 1
            continue
        if m.group() not in stop:
            return True
        pos = m.end()
    return False


_ANY_CAPITAL = re.compile(f"[{LATIN_UPPER}]")
# A lower-case word of three letters or more, and the determiner before it if any: after "the",
# "your" ... a word is a noun ("your bill", "the fee"), not a name.
_LOWER_WORD = re.compile(
    r"(?<![\w@#'’])(?:((?i:the|a|an|your|my|our|their|his|her|its|this|that|no|any|each|every|per))\s+)?"
    r"([a-z\u00df-\u024f]{3,})(?![\w'’])"
)


@lru_cache(maxsize=1)
def _lower_names() -> frozenset[str]:
    """Lexicon names in lower case and the words of `en_famous` ("trump", "lebron"), less the
    common sentence words: gate for lines typed all in lower case ("ask ryan about it"), which
    hold no capital for the other test to find."""
    from privtune.scan.ner.en_famous import famous_words

    first, last = _lexicon()
    stop = {w.lower() for w in NOT_NAME | _GATE_STOP}
    return (frozenset(n.lower() for n in first | last if n.isalpha()) | famous_words()) - stop


def _lower_name(line: str) -> bool:
    """Does a line with no useful capital hold a lower-case word the name lexicon knows?"""
    names = _lower_names()
    # Each word _LOWER_WORD can take is a maximal run of these letters: with no run in the
    # lexicon there is nothing to find (the findall below costs ~3x this test).
    if not any(w in names for w in _LOWER_RUN.findall(line)):
        return False
    return any(not det and word in names for det, word in _LOWER_WORD.findall(line))


_LOWER_RUN = re.compile("[a-z\u00df-\u024f]{3,}")
