"""benchmarks/social_en_data.py: a social-media PERSON set the English model never trained on."""

from __future__ import annotations

from benchmarks.social_en_data import TEMPLATES, generate
from privtune.scan.ner.lexicon import HELD_OUT_NAME_LOCALES
from repo_scripts import load_tool


def _train_tool():
    return load_tool("train_en_ner")


def test_records_are_deterministic_and_spans_are_names():
    a, b = generate(60, 7), generate(60, 7)
    assert a == b
    assert {r["locale"] for r in a} == set(HELD_OUT_NAME_LOCALES)
    for r in a:
        for s, e, t in r["spans"]:
            assert t == "PERSON" and r["text"][s:e].strip() == r["text"][s:e]
            assert not r["text"][s:e].startswith("@")  # handles are no gold names


def test_no_name_and_no_template_is_shared_with_training():
    tool = _train_tool()
    assert not set(HELD_OUT_NAME_LOCALES) & set(tool.AUGMENT_LOCALES)
    assert not set(TEMPLATES) & (set(tool.TEMPLATES) | set(tool.SOCIAL_TEMPLATES))
    # Also no training template equals an eval template once its fields are blanked.
    import re

    blank = lambda t: re.sub(r"\{\w+\}", "{}", t).lower()  # noqa: E731
    assert not {blank(t) for t in TEMPLATES} & {blank(t) for t in tool.TEMPLATES + tool.SOCIAL_TEMPLATES}
