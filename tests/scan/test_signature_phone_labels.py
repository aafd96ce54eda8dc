"""A signature's bare one-letter phone labels, no colon: "T 0912-435-800 | M 079 601 27 76"."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def phones(analyzer: Analyzer, text: str) -> list[str]:
    return [text[s.start : s.end] for s in analyzer.analyze(text) if s.type == "PHONE"]


def test_national_numbers_after_bare_t_and_m(analyzer: Analyzer) -> None:
    # Round-12 probe (mail_headers): the national number leaked, the "+971" one was found.
    text = "--\nMAC DUBHGHAILL, Dona\nProperty Manager, Okapi Health Inc.\nT 0912-435-800 | M +971 50 152 4164"
    assert "0912-435-800" in phones(analyzer, text)
    text = "--\nCarla Rose\nT +971 50 673 4758 | M 079 601 27 76\nRue du Rhône 115, CH-8802 Genève"
    assert "079 601 27 76" in phones(analyzer, text)


@pytest.mark.parametrize("text", [
    "Plan B 2024 t 0912 435 800",  # lower case, inside a line
    "Section T 12 34 56",  # not at a line's start
    "Grid\nF 12 34 56",  # too few digits for a national number
])
def test_no_label_elsewhere(analyzer: Analyzer, text: str) -> None:
    assert phones(analyzer, text) == []
