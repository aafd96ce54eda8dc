"""Round 12 of the scan job's speed-ups (branch scan-speed12): each fast path against the code
it replaced, on generated inputs."""

from __future__ import annotations

import random
import re

import pytest

from privtune.demo.corpus import generate
from privtune.scan.alternation import factor_alternation, split_branches

# Branch pieces: literals sharing prefixes, escapes, quantified first characters, classes,
# groups, empty branches, and branches that open with no literal (kept in place).
_FRAGMENTS = [
    "a", "ab", "abc", "ab?", "a?b", "a+", "b", "ba", "bab", r"\.", r"\.x", r"\d", r"\dx", "[ab]", "[ab]c",
    "(?:a|b)c", "(?P<g>ab)", "(a)b", "", "x{2}", "xa", r"\ ", r"\ a", " a", "-", "a-b", "é", "éa", "王", "王建",
    "a(?=b)", "a(?!b)", "ab|", "^a", "a$", r"\bab",
]


def _random_source(rng: random.Random) -> str:
    branches = []
    for _ in range(rng.randint(2, 9)):
        b = rng.choice(_FRAGMENTS)
        if b.endswith("|"):
            b = b[:-1]
        branches.append(b + rng.choice(["", "", "b", "a", "c?"]))
    return "|".join(branches)


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple]:
    return [(m.span(), m.groups(), m.lastindex) for m in pattern.finditer(text)]


def test_factored_alternation_matches_as_the_plain_one() -> None:
    rng = random.Random(12)
    letters = "ab.x -é王建c\n"
    texts = ["".join(rng.choice(letters) for _ in range(rng.randint(0, 30))) for _ in range(60)]
    for _ in range(600):
        src = _random_source(rng)
        if src.count("(?P<g>") > 1:
            continue  # a group name twice does not compile
        plain, factored = re.compile(src), re.compile(factor_alternation(src))
        wrapped, wrapped_factored = re.compile(f"(?:{src})b?"), re.compile(f"(?:{factor_alternation(src)})b?")
        for text in texts:
            assert _matches(factored, text) == _matches(plain, text), (src, text)
            assert _matches(wrapped_factored, text) == _matches(wrapped, text), (src, text)


def test_factored_alternation_groups_shared_first_characters() -> None:
    assert factor_alternation("hi|hello|hey") == "h(?:i|e(?:llo|y))"
    assert factor_alternation(r"mr\.?|mrs\.?|ms") == r"m(?:r(?:\.?|s\.?)|s)"
    # A branch opening with no literal stays between the branches around it.
    assert factor_alternation("ab|[a-z]c|ad") == "ab|[a-z]c|ad"
    assert factor_alternation("a|b") == "a|b"
    assert split_branches(r"a|(b|c)|[|]|\||[]|]") == ["a", "(b|c)", "[|]", r"\|", "[]|]"]
    with pytest.raises(ValueError):
        factor_alternation("(?i)ab|Ac")


def test_cue_scan_unchanged_on_demo_texts() -> None:
    """`en_cues._CUE_BARE` (factored) finds the matches of the cue list as written."""
    from privtune.scan.ner import en_cues

    plain = re.compile(rf"(?:{en_cues._CUE})[ \t,]+")
    for r in generate(300, seed=12):
        for m in r.get("messages", []):
            low = m["content"].lower()
            assert [x.span() for x in en_cues._CUE_BARE.finditer(low)] == [x.span() for x in plain.finditer(low)]

