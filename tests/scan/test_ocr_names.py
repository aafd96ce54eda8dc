"""Names in two OCR shapes: a greeting glued to the name, a letter-spaced form (ocr_names)."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def people(analyzer: Analyzer, text: str) -> list[str]:
    return [text[s.start : s.end] for s in analyzer.analyze(text) if s.type == "PERSON"]


@pytest.mark.parametrize("text, name", [
    # Round-12 probe (ocr_scan): both leaked whole.
    ("DearCeyran ƏKBƏROVA,\nYour new card has been sent.", "Ceyran ƏKBƏROVA"),
    ("DearVivien Ó LAIDHIGH,\nYour new card has been sent.", "Vivien Ó LAIDHIGH"),
    ("N a m e :  B r i a n   R o b e r t s o n\nT e l :  +254 728 397236", "B r i a n   R o b e r t s o n"),
    ("N a m e :  E d u a r d s   C e l m i ņ a\nT e l :  0812 2012 9531", "E d u a r d s   C e l m i ņ a"),
])
def test_found_whole(analyzer: Analyzer, text: str, name: str) -> None:
    assert name in people(analyzer, text)


@pytest.mark.parametrize("text", [
    "Dear Sir,\nthanks for the parcel",
    "DearJohn, we at Acme have shipped 3 boxes",  # not the whole line: left to the other rules
    "N a m e :  \nT e l :",
])
def test_other_lines_are_left(text: str) -> None:
    from privtune.scan.recognizers.ocr_names import ocr_name_spans

    assert ocr_name_spans(text) == []
