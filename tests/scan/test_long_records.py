"""Long records: overlap resolution and the English model check are no longer quadratic (a
230,000-character record with ~10,000 spans took 4.6 s in `resolve_overlaps` alone, an
880,000-character one minutes); the fast paths give what the one-by-one loops gave."""

from __future__ import annotations

import random

import pytest

from privtune.scan import overlaps as overlaps_mod
from privtune.scan.overlaps import resolve_overlaps
from privtune.scan.entities import Span
from privtune.scan.recognizers.person import model_person_test


def _random_spans(rng: random.Random, n: int, width: int) -> list[Span]:
    out = []
    for _ in range(n):
        start = rng.randrange(width)
        end = start + rng.choice([1, 2, 3, 5, 8, 13, 40])
        kind = rng.choice(["PERSON", "PERSON", "PHONE", "ADDRESS", "ORGANIZATION"])
        out.append(Span(start, end, kind, rng.choice([0.5, 0.6, 0.7, 0.85, 0.9, 0.99]), rng.choice("abc")))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_bisection_path_keeps_what_the_loop_keeps(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    spans = _random_spans(rng, rng.choice([70, 150, 400]), rng.choice([200, 1000, 5000]))
    fast = resolve_overlaps(spans)
    monkeypatch.setattr(overlaps_mod, "_MANY", 10**9)
    assert fast == resolve_overlaps(spans)


@pytest.mark.parametrize("seed", range(20))
def test_model_check_by_bisection_matches_the_scan(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    model = [(s.start, s.end, "PERSON" if s.type == "PERSON" else "ADDRESS", 0.9)
             for s in _random_spans(rng, 60, 800)]
    monkeypatch.setattr("privtune.scan.recognizers.person.tag_en", lambda text: model)
    agrees = model_person_test("x")
    for _ in range(300):
        a = rng.randrange(850)
        b = a + rng.randrange(1, 30)
        assert agrees(a, b) == any(t == "PERSON" and s < b and a < e for s, e, t, _ in model)



def _script_counts_by_loop(text: str) -> tuple[int, int]:
    """The per-character loop `script_counts` replaced."""
    from privtune.scan.anonymize._common import is_cjk

    cjk = latin = 0
    for ch in text:
        if is_cjk(ch):
            cjk += 1
        elif ch.isalpha() and ord(ch) < 0x250:
            latin += 1
    return cjk, latin


def test_script_counts_by_runs_equal_the_loop() -> None:
    from privtune.scan.anonymize._common import script_counts

    rng = random.Random(7)
    pool = [chr(c) for c in [*range(0x20, 0x300), *range(0x3000, 0x3100), *range(0x3400, 0x3500),
                             *range(0x4dbe, 0x4f00), *range(0x9f00, 0xa010), *range(0xf8ff, 0xfb00),
                             0x20000, 0x2A6D6, 0x3134F, 0x31350, 0x1F600, 0xFF21]]
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(300)))
        assert script_counts(text) == _script_counts_by_loop(text)
