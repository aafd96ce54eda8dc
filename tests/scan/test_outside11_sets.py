"""benchmarks/outside11_*: the labelled sets built the way an outside team would (own name lists)."""

from __future__ import annotations

import pytest

from benchmarks.outside11_common import fill, half
from benchmarks.outside11_en_data import generate as generate_en
from benchmarks.outside11_zh_data import generate as generate_zh


@pytest.mark.parametrize("generate", [generate_en, generate_zh])
def test_records_are_deterministic_and_spans_cover_trimmed_values(generate) -> None:
    a = generate(200, 11)
    assert a == generate(200, 11) and a != generate(200, 12)
    types = set()
    for r in a:
        prev_end = -1
        for s, e, t in r["spans"]:
            value = r["text"][s:e]
            types.add(t)
            assert value and value == value.strip() and s >= prev_end, (r, value)
            prev_end = e
    assert types == {"PERSON", "ADDRESS", "PHONE", "ORGANIZATION"}


def test_halves_are_disjoint_and_fixed_by_index() -> None:
    recs = [{"i": i} for i in range(7)]
    assert [r["i"] for r in half(recs, "dev")] == [0, 2, 4, 6]
    assert [r["i"] for r in half(recs, "test")] == [1, 3, 5]
    with pytest.raises(ValueError, match="dev"):
        half(recs, "train")


def test_fill_labels_only_typed_slots() -> None:
    text, spans = fill("Hi {a}, call {b} at {c}", {"a": ("PERSON", "Søren"), "b": "us", "c": ("PHONE", "06 12")})
    assert text == "Hi Søren, call us at 06 12"
    assert spans == [[3, 8, "PERSON"], [21, 26, "PHONE"]]


def test_zh_set_has_nicknames_and_their_look_alike_words_unlabelled() -> None:
    recs = generate_zh(600, 11)
    nicks = {r["text"][s:e] for r in recs for s, e, t in r["spans"] if t == "PERSON" and r["text"][s] in "小阿老"
             and e - s == 2}  # fmt: skip
    assert len(nicks) >= 20
    for word in ("小时", "老师", "阿姨", "小区", "老家"):
        hits = [r for r in recs if word in r["text"]]
        assert hits and not any(r["text"][s:e] == word for r in hits for s, e, _ in r["spans"])
