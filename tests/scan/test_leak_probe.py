"""The leak probe (benchmarks/leak_probe.py): its set is reproducible, every planted value is in
its record, and the leak test tells a whole, a partial and no leak apart."""

import json
from pathlib import Path

from benchmarks.leak_probe import DEFAULT_SET, leak_kind, strings
from benchmarks.leak_probe_data import build


def test_the_committed_set_is_what_the_builder_makes():
    lines = Path(DEFAULT_SET).read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == build()


def test_every_planted_value_is_in_its_record():
    for item in build():
        text = "\n".join(strings(item["record"]))
        assert item["pii"] and all(value in text for _, value in item["pii"]), item["shape"]


def test_leak_kinds():
    before = "addr 北京市朝阳区望京SOHO T3 1802, phone 138****5678"
    assert leak_kind("138****5678", before, before) == "whole"
    assert leak_kind("北京市朝阳区望京SOHO T3 1802", before, "addr [ADDRESS] T3 1802, phone [PHONE]") == "part"
    assert leak_kind("138****5678", before, "addr [ADDRESS], phone 1**5678") == "part"
    assert leak_kind("138****5678", before, "addr [ADDRESS], phone [PHONE]") is None
    # a piece the record holds elsewhere too proves nothing
    assert leak_kind("12 Queen St", "12 Queen St; Queen of hearts", "[ADDRESS]; Queen of hearts") is None
