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


# Pieces around numbers for the postal rules: blanks, commas, newlines, street words, CJK.
_POSTAL_PIECES = [
    "Hauptstraße ", "12", "Béke utca ", "233.", "Campo Nascimento, ", "6", " ", "  ", "\t", ",", ", ",
    "\n", " \n", ",\n", "709, rue Lambert", "19 McGeoghegan Street", "Berlin 10115", "extension 4410",
    "Spurs 2", "12/3a", "北京市", "ulica Słowicza 60", "x", "-", "/", ".", "Apt 4B, ", "London SW1A 1AA",
]


def _postal_texts() -> list[str]:
    rng = random.Random(7)
    texts = ["".join(rng.choice(_POSTAL_PIECES) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for r in generate(150, seed=7):
        texts += [m["content"] for m in r.get("messages", [])]
    return texts


def test_gap_before_equals_the_window_search() -> None:
    """`_gap_before` (a look at the character before the number first) = the regex search on
    the 3-character window it replaced, at every position and floor."""
    import re

    from privtune.scan.ner.postal import _gap_before

    rng = random.Random(3)
    for text in _postal_texts()[:1500]:
        for pos in range(len(text) + 1):
            floor = rng.randint(0, pos)
            gap = re.search(r",?[ \t]+$", text[max(floor, pos - 3) : pos])
            assert _gap_before(text, pos, floor) == (None if gap is None else len(gap.group())), (text, pos, floor)


def test_postal_addresses_unchanged_on_generated_texts() -> None:
    """`find_postal_addresses` with the old window search gives the same addresses."""
    import re

    from privtune.scan.ner import postal

    texts = _postal_texts()
    new = [postal.find_postal_addresses(t) for t in texts]
    saved = postal._gap_before

    def old_gap(text: str, pos: int, floor: int) -> int | None:
        gap = re.search(r",?[ \t]+$", text[max(floor, pos - 3) : pos])
        return None if gap is None else len(gap.group())

    try:
        postal._gap_before = old_gap
        old = [postal.find_postal_addresses(t) for t in texts]
    finally:
        postal._gap_before = saved
    assert new == old
    assert sum(map(len, new)) > 100  # the texts do hold addresses
