"""Round 11 of the scan job's speed-ups (branch scan-speed10): each shortcut against the code it
replaced, on texts that reach both sides of every pre-check."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.demo.corpus import generate
from privtune.io import text_fields
from privtune.scan.analyzer import Analyzer, _trigger_tests
from privtune.scan.registry import literal_alternation
from privtune.scan.triggers import _SUBSTRING_MIN_CHARS, LiteralGroup, literal_language


def _fired_before(patterns: list[re.Pattern[str]], text: str) -> list[bool]:
    """`LiteralGroup.fired` before this round: one scan over every word of the undecided
    triggers, resumed at the last match's start, for any text."""
    owners: dict[str, int] = {}
    for k, p in enumerate(patterns):
        for w in literal_language(p) or ():
            owners[w] = owners.get(w, 0) | (1 << k)
    undecided, found, pos = (1 << len(patterns)) - 1, 0, 0
    while undecided:
        m = re.compile(literal_alternation([w for w, o in owners.items() if o & undecided])).search(text, pos)
        if m is None:
            break
        found |= owners[m.group()]
        undecided &= ~owners[m.group()]
        pos = m.start()
    return [bool(found >> k & 1) for k in range(len(patterns))]


def _analyzer_group() -> tuple[LiteralGroup, list[re.Pattern[str]]]:
    analyzer = Analyzer()
    triggers: list[re.Pattern[str]] = []
    for rec in analyzer.recognizers:
        if rec.trigger is not None and rec.trigger not in triggers:
            triggers.append(rec.trigger)
    _, group, members = _trigger_tests(tuple(triggers))
    assert group is not None
    return group, [triggers[i] for i in members]


# Words that hold another word of the same triggers ("fiscale" / "fiscal", "borne" / "born"),
# of other triggers ("keyring" holds the second trigger's "key"), lower-case and capital
# openings, "_".
_OWN = [re.compile("fiscal|fiscale|keyring|Key|_x"), re.compile("fiscal|fiscale|key|KEY|zz"),
        re.compile("出生|born|borne|Born")]
_PIECES = ["fiscal", "fiscale", "fiscal", "keyring", "key", "Key", "KEY", "zz", "_x", "_", "x", "出生", "born", "Born",
           "bor", "borne", "fisca", "keyrin", "a", " ", "K", "出", "é"]
_FILLER = "." * _SUBSTRING_MIN_CHARS


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=10))
def test_literal_group_agrees_with_the_scan_and_each_search(pieces: list[str]) -> None:
    """The ASCII path (since round 12 one compiled pass over every ASCII word,
    `word_scan.AsciiWordScan`) fires as the one scan did and as each trigger's own search, also
    for words shared by triggers and non-ASCII texts."""
    group = LiteralGroup(_OWN)
    joined = "".join(pieces)
    for text in (joined, joined + _FILLER, _FILLER + joined, joined + _FILLER + joined):  # short: the scan only
        assert group.fired(text) == _fired_before(_OWN, text) == [p.search(text) is not None for p in _OWN]


def test_analyzer_group_fires_as_before_on_demo_and_word_texts() -> None:
    """The analyzer's own group (credential, API-key, date-of-birth, national-ID triggers) on
    demo texts (ASCII and Chinese, joined per record as the analyzer does) and on texts made
    of its words with their neighbours' cases."""
    group, patterns = _analyzer_group()
    texts = ["\n".join(t for _, t in text_fields(r)) for r in generate(600, seed=3)]
    words = [w for p in patterns for w in literal_language(p) or ()]
    texts += [f"My {w} is here" for w in words] + [w.swapcase() + " " + w.upper() for w in words]
    texts += ["", "_", "pas", "Pass", "national id", "NATIONAL ID", "身份证 key", "d.o.b", "d-o-b", "C00017"]
    texts += [t + " " + _FILLER for t in texts if len(t) < _SUBSTRING_MIN_CHARS]  # both sides of the length cut
    assert sum(t.isascii() for t in texts) > 300 and sum(not t.isascii() for t in texts) > 100
    fired = [group.fired(t) for t in texts]
    assert fired == [_fired_before(patterns, t) for t in texts]
    assert fired == [[p.search(t) is not None for p in patterns] for t in texts]
    assert {k for f in fired for k, hit in enumerate(f) if hit} == set(range(len(patterns)))
