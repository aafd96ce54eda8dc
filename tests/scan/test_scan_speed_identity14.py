"""Round 12 of the scan job's speed-ups (branch scan-speed12): each fast path against the code
it replaced, on generated inputs."""

from __future__ import annotations

import functools
import random
import re

import pytest

from privtune.demo.corpus import generate
from privtune.scan.alternation import factor_alternation, guard_first, split_branches

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
    """`en_cues._CUE_GUARDED` (factored, look-behind after the first character) finds the
    matches of the cue list as written (``CUE_LOWER``)."""
    from privtune.scan.ner import en_cues

    for r in generate(300, seed=12):
        for m in r.get("messages", []):
            low = m["content"].lower()
            assert [x.span() for x in en_cues._CUE_GUARDED.finditer(low)] == [
                x.span() for x in en_cues.CUE_LOWER.finditer(low)]


@functools.lru_cache(maxsize=1)
def _openers_tables() -> tuple[dict[str, list[tuple[str, bool]]], re.Pattern[str]]:
    from privtune.scan.ner import zh_title_names as z

    by_two: dict[str, list[tuple[str, bool]]] = {}
    for w in sorted(z.OFFICE_TITLES + z.OPENER_VERBS + z.FOREIGN_ONLY_TITLES, key=len, reverse=True):
        by_two.setdefault(w[:2], []).append((w, w not in z.FOREIGN_ONLY_TITLES))
    return by_two, re.compile("[" + "".join(sorted({w[0] for w in by_two})) + "]")


def _openers_as_before(text: str) -> list[tuple[int, bool]]:
    """`zh_title_names._openers` as it was: a search for the words' first characters, then the
    words sharing the next two characters, longest first."""
    by_two, first = _openers_tables()
    out, pos = [], 0
    while (m := first.search(text, pos)) is not None:
        i = m.start()
        pos = i + 1
        for word, chinese in by_two.get(text[i : i + 2], ()):
            if text.startswith(word, i):
                pos = i + len(word) + text.startswith("了", i + len(word))
                out.append((pos, chinese))
                break
    return out


def test_zh_openers_unchanged() -> None:
    from privtune.scan.ner import zh_title_names as z

    words = z.OFFICE_TITLES + z.OPENER_VERBS + z.FOREIGN_ONLY_TITLES
    pieces = [*words, *(w[:-1] for w in words), "了", "王", "克林顿", "，", "说", "美国", " ", "a"]
    rng = random.Random(124)
    texts = [m["content"] for r in generate(300, seed=124) for m in r.get("messages", [])]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) for _ in range(4000)]
    found = 0
    for text in texts:
        assert z._openers(text) == _openers_as_before(text), text
        found += len(z._openers(text))
    assert found > 3000



def test_guarded_alternation_matches_as_the_leading_look_behind() -> None:
    """`guard_first`: the look-behind after each branch's first character = before the branch."""
    rng = random.Random(125)
    keyed = [f for f in _FRAGMENTS if f and "|" not in f and f[0] not in "\\[(^" and f[1:2] not in ("?", "+", "{", "*")]
    texts = ["".join(rng.choice("ab.x -é王c\n3") for _ in range(rng.randint(0, 30))) for _ in range(60)]
    for _ in range(400):
        src = "|".join(rng.choice(keyed) + rng.choice(["", "b", "a"]) for _ in range(rng.randint(2, 8)))
        if src.count("(?P<g>") > 1:
            continue
        plain = re.compile(f"(?<![a-z])(?:{src})")
        guarded = re.compile(f"(?:{guard_first(factor_alternation(src), '(?<![a-z].)')})")
        for text in texts:
            assert _matches(guarded, text) == _matches(plain, text), (src, text)
    with pytest.raises(ValueError):
        guard_first("ab|[a-z]c", "(?<!x.)")



def test_person_pattern_with_factored_titles_matches_as_before() -> None:
    """`english.PERSON_RE` (titles grouped by first character) = with the titles as written."""
    from privtune.scan.ner import english

    plain = re.compile(english.PERSON_RE.pattern.replace(english._TITLE, f"(?:{english.TITLE_WORDS})"))
    assert plain.pattern != english.PERSON_RE.pattern
    titles = english.TITLE_WORDS.split("|")
    pieces = [*titles, *(t + "." for t in titles), " ", "  ", "\t", "Mrs. ", "Dr ", "Anna", "Smith", "O'Neill",
              "Señora ", "Mister", "Mrx", "Sig.", "and", ",", "\n", "A.", "JFK"]
    rng = random.Random(127)
    texts = [m["content"] for r in generate(200, seed=127) for m in r.get("messages", [])]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 10))) for _ in range(2000)]
    for text in texts:
        for pos in range(len(text)):
            a, b = english.PERSON_RE.match(text, pos), plain.match(text, pos)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), (text, pos)



def test_analyze_records_filters_scores_as_analyze_many() -> None:
    """`Analyzer.analyze_records`, now testing every span's score once at the end of the
    sweeps, keeps what `analyze_many` keeps, also under per-type thresholds and a subset of types."""
    from privtune.io import text_fields
    from privtune.scan.analyzer import Analyzer

    records = [[t for _, t in text_fields(r)] for r in generate(120, seed=128)]
    records += [["Dr. Anna Smith, phone (212) 555-0147", "王小明 13812345678"], ["C00001"], [""]]
    for analyzer in (Analyzer(), Analyzer(min_score_by_type={"PERSON": 0.8, "PHONE": 0.9, "ADDRESS": 0.75}),
                     Analyzer(types=["PERSON", "PHONE", "ORGANIZATION"], min_score=0.3)):
        chunked = analyzer.analyze_records(records)
        assert chunked == [analyzer.analyze_many(texts) for texts in records]
        assert sum(len(s) for rec in chunked for s in rec) > 200


# Pieces for the backward word scan: letters of several scripts, digits of several kinds
# (decimal and not: "²"), underscores, the word's inner marks, blanks, newlines, ª/º.
_BACK_PIECES = ["Rua", "Hauptstraße", "São", "O'Neill", "d’Ávila", "St.", "12", "²", "_", "-", ".", "'", "’",
                " ", "\t", "\n", ",", "王", "x", "ª", "º", "3a", "١٢", "Ⅻ", "a_b", "\n\n"]


def test_back_word_equals_the_dollar_search() -> None:
    from privtune.scan.ner.back_scan import BACK_WORD, back_word

    rng = random.Random(121)
    for _ in range(4000):
        text = "".join(rng.choice(_BACK_PIECES) for _ in range(rng.randint(0, 12)))
        for hi in range(len(text) + 1):
            for lo in {0, max(0, hi - 40), max(0, hi - 3), hi}:
                m = BACK_WORD.search(text, lo, hi)
                assert back_word(text, lo, hi) == (None if m is None else m.span()), (text, lo, hi)


def test_postal_addresses_unchanged_with_the_backward_scan() -> None:
    """`find_postal_addresses` with `back_word` = with the ``$`` search it replaced."""
    from privtune.scan.ner import back_scan, postal

    texts = [m["content"] for r in generate(400, seed=122) for m in r.get("messages", [])]
    rng = random.Random(122)
    texts += [" ".join(rng.choice(["Rua das Flores", "88", "Apt. 12", "Hauptstraße", "12,", "10115 Berlin", "\n",
                                   "2ª Seção", "São Paulo", "ulica Słowicza 60", "4417", "Av.", "Paulista,"])
                       for _ in range(rng.randint(1, 10))) for _ in range(1500)]
    new = [postal.find_postal_addresses(t) for t in texts]
    saved = postal.back_word
    try:
        postal.back_word = lambda t, lo, hi: (m.span() if (m := back_scan.BACK_WORD.search(t, lo, hi)) else None)
        old = [postal.find_postal_addresses(t) for t in texts]
    finally:
        postal.back_word = saved
    assert new == old
    assert sum(map(len, new)) > 200


def test_ascii_word_scan_finds_what_substring_tests_find() -> None:
    from privtune.scan.word_scan import AsciiWordScan

    rng = random.Random(130)
    words = {"pin": 1, "pass": 1, "PAN": 2, "Hong Kong": 2, "d.o.b": 4, "_": 8, "sk-": 8, "a": 16, "aa": 32, "aab": 64}
    scan = AsciiWordScan(words)
    pieces = [*words, "pi", "Hong", "Kong", "d.o", " ", "-", "b", "x", "AN", "shipping", "\n"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        expected = 0
        for w, o in words.items():
            if w in text:
                expected |= o
        assert scan.found(text) == expected, text
    with pytest.raises(ValueError):
        AsciiWordScan({"密码": 1})


def test_literal_group_fires_as_the_triggers_search() -> None:
    """The analyzer's keyword triggers (`LiteralGroup`, ASCII text by `AsciiWordScan`) fire
    exactly where their patterns' ``search`` finds a match."""
    from privtune.scan.analyzer import Analyzer

    plan = Analyzer()._build_plan()
    group = plan.group
    assert group is not None
    triggers = []
    for rec in Analyzer().recognizers:
        if rec.trigger is not None and rec.trigger not in triggers:
            triggers.append(rec.trigger)
    patterns = [triggers[k] for k in plan.group_members]
    words = sorted(group._owners)
    rng = random.Random(131)
    pieces = [*words, *(w.lower() for w in words), *(w[1:] for w in words), " ", "shipping ", "the ", "Order ", "\n",
              "-", ".", "_", "12345", "I was born in", "Hong ", "Kong"]
    texts = [m["content"] for r in generate(300, seed=131) for m in r.get("messages", [])]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    fired = 0
    for text in texts:
        got = group.fired(text)
        assert got == [p.search(text) is not None for p in patterns], text
        fired += sum(got)
    assert fired > 2000
