"""Markdown tables pasted into chats: a column header ("Name", "Phone", "电话") is the cue for
the cells under it, read as a side column's field name is."""

from __future__ import annotations

import json

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan
from privtune.scan.recognizers.table_cells import table_cell_spans

from scan_helpers import KEY
from scan_helpers import write_lines as _write

TABLE = "Our contacts:\n| Name | Phone | Notes |\n|------|:-----:|---|\n| Aiko Tanaka | 090-1234-5678 | call after 5 |\n| Lars Øberg | +47 912 34 567 | |\nthanks"


def _found(text):
    return {(text[s.start : s.end], s.type) for s in table_cell_spans(text)}


def test_cells_under_typed_headers_are_taken_whole():
    assert _found(TABLE) == {("Aiko Tanaka", "PERSON"), ("090-1234-5678", "PHONE"),
                             ("Lars Øberg", "PERSON"), ("+47 912 34 567", "PHONE")}


def test_chinese_headers_and_tables_without_outer_pipes():
    text = "姓名 | 电话\n--- | ---\n欧阳娜娜 | 139 8765 4321\n"
    assert _found(text) == {("欧阳娜娜", "PERSON"), ("139 8765 4321", "PHONE")}


@pytest.mark.parametrize(
    "text",
    [
        "| Item | Price |\n|---|---|\n| Aiko Tanaka | 090-1234-5678 |",  # headers name no type
        "| Name | Phone |\n| Aiko Tanaka | 090-1234-5678 |",  # no separator row: not a table
        "| Name | Phone |\n|---|---|\n| n/a | unknown |",  # cells without the type's shape
        "a | b\nscore: 1-0 --- final",
    ],
)
def test_no_cells_without_a_typed_header_and_the_types_shape(text):
    assert _found(text) == set()


def test_the_scan_leaves_no_cell_value(tmp_path, monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)
    src = _write(tmp_path / "in.jsonl", [{"text": TABLE}])
    run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl"))
    out = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))["text"]
    for value in ("090-1234-5678", "Lars", "Øberg", "Tanaka", "912 34 567"):
        assert value not in out
    assert out.count("|") == TABLE.count("|")  # the table keeps its shape
    spans = Analyzer().analyze(TABLE)
    assert any(s.detector == "table_column" for s in spans)
