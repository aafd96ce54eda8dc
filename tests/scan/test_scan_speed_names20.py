"""Round 20 of detection's speed-ups (branch speed12n): the English name rules and the postal
anchors, each fast path against the code it replaced or the outputs of the code before it."""

from __future__ import annotations

import random
import types

from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.demo.corpus import generate
from privtune.scan.ner import en_cues, english, postal, postal_block

# Pieces of text around the cues: cues at the start, back to back, after signs, inside words,
# with the gaps a cue may end in, and characters that are no a-z (capitals, digits, CJK).
_PIECES = ["hi", "hi ", "my name is ", "dear", "dear ", " ", ",", "\t", "\n", "mr.", "mr", "ms ", "thanks, ",
           "c/o ", "name:", "name, ", "this is ", "care of ", "my wife ", "a", "z", "Z", "é", "9", "王",
           "-", ".", "'", "ohi ", "xdear ", "our little ", "spoke with ", "madam", "sir,"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_cue_ends_equal_the_cue_list_as_written(pieces: list[str]) -> None:
    low = "".join(pieces)
    assert en_cues._cue_ends(low) == [m.end() for m in en_cues.CUE_LOWER.finditer(low)], low


def test_cue_scan_consumes_the_character_before_the_cue() -> None:
    """The fast scan opens with a character class sre can skip to (no look-behind first)."""
    assert en_cues._CUE_AFTER_NON_LETTER.pattern.startswith("[^a-z](?:")
    rng = random.Random(20)
    for r in generate(300, seed=20):
        for m in r.get("messages", []):
            low = m["content"].lower()
            assert en_cues._cue_ends(low) == [x.end() for x in en_cues.CUE_LOWER.finditer(low)]
            cut = low[rng.randrange(len(low) + 1):]
            assert en_cues._cue_ends(cut) == [x.end() for x in en_cues.CUE_LOWER.finditer(cut)]


class _NoPatternLookups(types.ModuleType):
    """A stand-in for ``re`` in the modules under test: any use at call time fails."""

    def __getattr__(self, name: str):
        raise AssertionError(f"re.{name} called per text")


_ADDRESS_TEXTS = [
    "Send it to 221B Baker Street, London NW1 6XE please.",
    "Ship to 12 Main St, Springfield, IL 62704 by Friday.",
    "Hauptstraße 12, 10115 Berlin",
    "35/04, Gade, Hosur 394411",
    "Flat 84, Tom Road, Elliottland, S1 1AD",
    "#05-67 Singapore 560123, Ang Mo Kio Ave 3 #05-67",
    "CUSTOMER NAME: KOWALCZYK, ANNA\nPatient: O'BRIEN, SEAN\n",
    "Hi, my name is Robert Smith and my daughter Aoife's account is late. Dear Mr. Zhang, thanks!",
    "Agent: hello\nTomasz: you saved me!\n- Damien",
]


def test_name_and_postal_rules_look_no_pattern_up_per_text(monkeypatch) -> None:
    """`find_persons`, the cue rules and the postal blocks use precompiled patterns only (a
    ``re.split`` / ``re.match`` / ``re.compile`` / ``words_pattern`` call per name, word or town
    was a cache lookup each), and find what they found before."""
    texts = _ADDRESS_TEXTS + [m["content"] for r in generate(200, seed=20) for m in r.get("messages", [])]
    fns = (english.find_persons, en_cues.find_cued_persons, en_cues.find_caps_name_fields,
           postal.find_postal_addresses)
    before = [[fn(t) for fn in fns] for t in texts]
    assert any(b[3] for b in before) and any(b[2] for b in before) and any(b[1] for b in before)
    stub = _NoPatternLookups("re")
    for module in (english, en_cues, postal, postal_block):
        monkeypatch.setattr(module, "re", stub)

    def no_lookup(words):
        raise AssertionError("words_pattern called per text")

    monkeypatch.setattr(english, "words_pattern", no_lookup)
    assert [[fn(t) for fn in fns] for t in texts] == before


def test_name_words_stop_at_anything_but_one_blank() -> None:
    """`postal_block.name_words` continues only over a single space or tab (as ``re.match(r"[ \\t]",
    ...)`` did), and stops at the text's end."""
    assert [w[2] for w in postal_block.name_words("Baker Street", 0)] == ["Baker", "Street"]
    assert [w[2] for w in postal_block.name_words("Baker\tStreet", 0)] == ["Baker", "Street"]
    assert [w[2] for w in postal_block.name_words("Baker\nStreet", 0)] == ["Baker"]
    assert [w[2] for w in postal_block.name_words("Baker", 0)] == ["Baker"]
    assert postal_block.town_at("x  Berlin", 1) == (9, False, False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Name", "name", "PATIENT", "customer name", ":", "：", " ", "\t", "\n", "MC",
                                 "O'", "O’", "KOWALCZYK", "ANNA", ",", "-", "Anna", "a", "|", ";", "N/A", "x"]),
                max_size=12))
def test_caps_name_fields_prefilter_is_exact(pieces: list[str]) -> None:
    """The colon-and-capitals precondition never drops a `_CAPS_NAME_FIELD` match."""
    text = "".join(pieces)
    if en_cues._CAPS_NAME_FIELD.search(text) is not None:
        assert en_cues._CAPS_AFTER_COLON.search(text) is not None, text
    expected = [(m.start("name"), m.end("name")) for m in en_cues._CAPS_NAME_FIELD.finditer(text)
                if not any(w in en_cues._CAPS_NOT_NAMES for w in en_cues._CAPS_WORD_GAPS.split(m.group("name")))]
    assert [(s, e) for s, e, _, _ in en_cues.find_caps_name_fields(text)] == expected, text


_POSTAL_PIECES = ["12", "4759", "90152", "6-9-265", "1-2-3", "(", ")", " ", ",", ", ", "\t", "\n", "#", ".", ":",
                  "-", "$", "?", "No.", "H.No. ", "Flat ", "Baker Street", "Main St", "Hauptstraße", "Berlin",
                  "London NW1 6XE", "Road", "rue Lambert", "bis", "x", "Ang Mo Kio Ave", "IL", "/", "Shibuya"]


def _postal_without_skip(text: str, monkeypatch) -> list:
    with monkeypatch.context() as m:
        m.setattr(postal, "_no_rule_can_take", lambda text, num: False)
        return postal.find_postal_addresses(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_POSTAL_PIECES), max_size=12))
def test_postal_anchor_skip_changes_nothing(pieces: list[str]) -> None:
    import pytest

    text = "".join(pieces)
    with pytest.MonkeyPatch.context() as mp:
        assert postal.find_postal_addresses(text) == _postal_without_skip(text, mp), text


def test_postal_anchor_skip_on_demo_texts(monkeypatch) -> None:
    """The anchors a phone's area code or an amount gives are skipped, and every text's blocks
    are those the rules find with no skip."""
    text = "my line (896) 803-6871 charged $45? Send it to 4759 William Haven, West Corey, CA 90152."
    skipped = [m.group() for m in postal._NUMBER_ANCHOR.finditer(text) if postal._no_rule_can_take(text, m)]
    assert skipped == ["896", "45"]
    assert postal.find_postal_addresses(text) == _postal_without_skip(text, monkeypatch) != []
    texts = _ADDRESS_TEXTS + [m["content"] for r in generate(400, seed=21) for m in r.get("messages", [])]
    assert [postal.find_postal_addresses(t) for t in texts] == [_postal_without_skip(t, monkeypatch) for t in texts]
