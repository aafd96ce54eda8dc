"""Round 14 of the scan job's speed-ups (branch speed14): each fast path of the English name
rules against the code it replaced, on generated inputs."""

from __future__ import annotations

import random
import re

from privtune.demo.corpus import generate

# Closing words whole, cut, glued to a word or each other, then what may follow them before a
# line break: blanks, one or two of ",.!", a carriage return.
_CLOSING_PIECES = [
    "regards", "sincerely", "yours sincerely", "yours  sincerely", "yours truly", "yours faithfully",
    "cheers", "thanks", "thank you", "thank", "best wishes", "best", "warmly", "respectfully", "kind ",
    "disregards", "yours", " ", "\t", ",", ".", "!", "\r", "\n", "\r\n", "a", "z", "1", "bob", "é", "王",
]


def _closing_texts() -> list[str]:
    rng = random.Random(14)
    texts = ["".join(rng.choice(_CLOSING_PIECES) for _ in range(rng.randint(0, 10))) for _ in range(20000)]
    for r in generate(150, seed=14):
        texts += [m["content"].lower() for m in r.get("messages", [])]
    return texts + ["", "\n", "thanks\n", "thanks\nthanks\n", "best wishes,\r\n  bob", "xregards\n"]


def test_closing_line_ends_equal_the_regex_scan() -> None:
    """`_closing_line_ends` (each line break checked backwards) = the ends of the
    `_CLOSING_LINE` matches not right after a letter, as `_cued_names` took them before."""
    from privtune.scan.ner.en_cues import _CLOSING_LINE, _closing_line_ends

    hits = 0
    for low in _closing_texts():
        old = [m.end() for m in _CLOSING_LINE.finditer(low) if not (m.start() and "a" <= low[m.start() - 1] <= "z")]
        assert _closing_line_ends(low) == old, low
        hits += len(old)
    assert hits > 1000  # the texts do hold closings


_TOKEN = re.compile(r"\S+")


def _name_runs_by_tokens(name: str) -> list[list[tuple[int, int, str]]]:
    """`english._name_runs` as it was: one ``\\S+`` match per word, column gaps tested."""
    from privtune.scan.ner.english import _NOT_NAME, _is_column_gap

    runs: list[list[tuple[int, int, str]]] = [[]]
    for t in _TOKEN.finditer(name):
        w = t.group()
        if runs[-1] and (t.start() - runs[-1][-1][1] > 1 or name[runs[-1][-1][1]] == "\t") \
                and _is_column_gap(name, runs[-1][-1][1], t.start()):
            runs.append([])
        if w not in _NOT_NAME and w.title() not in _NOT_NAME:
            runs[-1].append((t.start(), t.end(), w))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


_NAME_PIECES = ["Norma", "Fisher", "The", "THE", "Hello", "Mr", "Dr.", "J.", "O'Neill", "Smith-Jones", "Vámos",
                "ACME", "Customer", "Wang", "Wei", " ", " ", " ", "  ", "\t", " \t", "   "]


def test_name_runs_equal_the_token_loop() -> None:
    """`_name_runs`'s split on single spaces = the ``\\S+`` loop it skips, on the names
    `PERSON_RE` takes from the demo records and on generated ones (tabs and wide gaps too)."""
    from privtune.scan.ner.english import PERSON_RE, _name_runs

    rng = random.Random(15)
    names = ["".join(rng.choice(_NAME_PIECES) for _ in range(rng.randint(1, 9))).strip() for _ in range(20000)]
    for r in generate(150, seed=15):
        for m in r.get("messages", []):
            names += [p.group("name") for p in PERSON_RE.finditer(m["content"])]
    assert sum(" " in n and "\t" not in n and "  " not in n for n in names) > 1000  # the fast path runs
    for name in names:
        if name:
            assert _name_runs(name) == _name_runs_by_tokens(name), name


def test_person_cue_windows_are_context_scores() -> None:
    """`find_persons`'s written-out cue test has `context_score`'s windows: a cue that ends
    right before the name or starts within 12 characters after it raises the score, one
    further out does not."""
    from privtune.scan.ner.english import _PERSON_CUES, find_persons
    from privtune.scan.registry import context_score

    def score(text: str) -> float:
        (start, end, got, _), = [p for p in find_persons(text) if text[p[0]:p[1]] == "Norma Fisher"]
        base = 0.85  # a known first and last name
        assert got == min(context_score(text, start, end, base, positive=_PERSON_CUES, boost=0.35), 0.95)
        return got

    plain = score("we sent it to Norma Fisher today")
    assert score("customer" + "x" * 15 + " Norma Fisher") > plain  # the cue ends 16 characters before
    assert score("customer" + "x" * 16 + " Norma Fisher") == plain  # its "c" is 25 characters before
    assert score("Norma Fisher; a customer") > plain  # "customer" ends 12 characters after
    assert score("Norma Fisher; an customer") == plain  # 13


_PERSON_PIECES = ["Norma ", "Fisher", "Mr. ", "Dr ", "Sra. ", "Señora ", "J. ", "O'Neill", "McDonald ", "Smith-Jones ",
                  "Vámos ", "Łukasz ", "ACME ", "The ", "hello ", "İstanbul ", "王建国", "3", "x", "é", "_", "-", ".",
                  " ", "  ", "\t", "\n", ", ", "Hi ", "I ", "A.", "Øberg"]


def test_person_scan_equals_the_matches_at_name_starts() -> None:
    """`_PERSON_SCAN.finditer` = `_person_matches` (PERSON_RE matched at each `_NAME_START`
    hit past the last match), groups included, on generated texts and the demo records."""
    from privtune.scan.ner.english import _PERSON_SCAN, _person_matches

    rng = random.Random(16)
    texts = ["".join(rng.choice(_PERSON_PIECES) for _ in range(rng.randint(0, 12))) for _ in range(20000)]
    for r in generate(150, seed=16):
        texts += [m["content"] for m in r.get("messages", [])]
    found = 0
    for text in texts:
        old = [(m.span(), m.group(1, 2)) for m in _person_matches(text)]
        assert [(m.span(), m.group(1, 2)) for m in _PERSON_SCAN.finditer(text)] == old, text
        found += len(old)
    assert found > 10000
