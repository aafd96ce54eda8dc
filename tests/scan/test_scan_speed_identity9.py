"""Round 8 of the scan job's speed-ups (branch scan-speed7): each fast path inside a recognizer
against the code it replaced, on generated inputs."""

from __future__ import annotations

import random

from privtune.demo.corpus import generate

# Pieces that put the cues of `en_cues` in every position the look-behind decides: at the start,
# after a space, glued to a word ("they ", "items ", "delhi,"), after digits and CJK, repeated.
_CUE_PIECES = [
    "hi ", "Hi, ", "hey ", "they ", "Dear ", "dear\t", "my name is ", "My name's ", "name: ", "i am ",
    "I'm ", "this is ", "call me ", "thanks ", "Thank you, ", "regards, ", "sincerely,", "best,",
    "spoke to ", "spoke with ", "talked to ", "contact person: ", "attn ", "attn: ", "customer: ",
    "mr. ", "Mrs ", "ms ", "items ", "dr. ", "Prof. ", "miss ", "dismiss ", "sir ", "madam ", "Delhi, ",
    "Krisztina", "Vámos", "Tomasz ", "O'Neill ", "Smith-Jones", "van ", "de ", "İstanbul ", "王建国",
    "3hi ", "_hi ", "-dear ", "\n", " ", ",", "x", "z", "a", "mhi ", "hhi ",
]


def _texts() -> list[str]:
    rng = random.Random(8)
    texts = ["".join(rng.choice(_CUE_PIECES) for _ in range(rng.randint(0, 14))) for _ in range(3000)]
    for r in generate(150, seed=8):
        texts += [m["content"] for m in r.get("messages", [])]
    return texts + ["", "hi", "hi ", "ahi ", "hi  hi ", "thisis ", "hey,hey, "]


def test_cue_ends_equal_the_look_behind_finditer() -> None:
    """`_cue_ends` (the look-behind tested in Python) = the ends of ``CUE_LOWER.finditer``."""
    from privtune.scan.ner.en_cues import CUE_LOWER, _cue_ends

    for text in _texts():
        low = text.lower()
        assert _cue_ends(low) == [m.end() for m in CUE_LOWER.finditer(low)], text


def test_cued_persons_unchanged_on_generated_texts() -> None:
    """`find_cued_persons` as it was (``CUE_LOWER.finditer``) gives the same spans."""
    from privtune.scan.ner import en_cues

    new = [en_cues.find_cued_persons(t) for t in _texts()]
    saved = en_cues._cue_ends
    try:
        en_cues._cue_ends = lambda low: [m.end() for m in en_cues.CUE_LOWER.finditer(low)]
        old = [en_cues.find_cued_persons(t) for t in _texts()]
    finally:
        en_cues._cue_ends = saved
    assert new == old
    assert sum(map(len, new)) > 100  # the texts do hold cued names
