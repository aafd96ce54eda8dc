"""benchmarks/social_zh_data.py: a Weibo-shaped Chinese PERSON set built here."""

from __future__ import annotations

import re

from benchmarks.social_zh_data import LOCALES, TEMPLATES, generate


def test_records_are_deterministic_and_spans_are_names() -> None:
    a, b = generate(80, 7), generate(80, 7)
    assert a == b
    assert {r["locale"] for r in a} == set(LOCALES)
    assert a != generate(80, 8)
    for r in a:
        for s, e, t in r["spans"]:
            name = r["text"][s:e]
            assert t == "PERSON" and 2 <= len(name) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", name)


def test_every_post_has_a_mark_of_a_post_and_some_have_no_name() -> None:
    from privtune.scan.ner.zh_social_titles import is_social

    recs = generate(400, 7)
    assert sum(is_social(r["text"]) for r in recs) >= 0.9 * len(recs)
    assert any(not r["spans"] for r in recs)  # the false-positive templates
    assert sum(1 for t in TEMPLATES if "{full" not in t and "{nick" not in t) >= 8
