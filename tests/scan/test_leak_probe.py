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


def test_round_10_set_is_what_its_builder_makes_and_holds_its_values():
    from benchmarks.leak_probe10_data import SHAPES10, build10

    path = Path(DEFAULT_SET).with_name("leak_probe10.jsonl")
    items = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert items == build10()
    assert {it["shape"] for it in items} == set(SHAPES10) and len(items) == 20 * len(SHAPES10)
    for item in items:
        text = "\n".join(strings(item["record"]))
        assert item["pii"] and all(value in text for _, value in item["pii"]), item["shape"]
    # every type the scan knows is planted
    from privtune.scan.entities import ENTITY_TYPES
    assert {t for it in items for t, _ in it["pii"]} == set(ENTITY_TYPES)


def test_a_rejected_record_is_counted_apart_not_as_a_leak(monkeypatch):
    from benchmarks.leak_probe import scan

    from scan_helpers import KEY

    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)
    items = [{"record": {"text": "call Lars Solberg on 0412 345 678"}}, {"record": {"body": "x", "id": 1}}]
    cleaned, reasons = scan(items)
    assert cleaned[1] is None and len(reasons) == 1 and "no text field" in reasons[0]
    assert cleaned[0] is not None and "345 678" not in cleaned[0]["text"]


def test_round_11_set_is_what_its_builder_makes_and_holds_its_values():
    import pytest

    from benchmarks.leak_probe11_data import SHAPES11, build11
    from benchmarks.leak_probe11_pools import FAKER_VERSION, faker_locales_ok

    path = Path(DEFAULT_SET).with_name("leak_probe11.jsonl")
    items = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert {it["shape"] for it in items} == set(SHAPES11) and len(items) == 20 * len(SHAPES11)
    assert sum(len(it["pii"]) for it in items) > 1000
    for item in items:
        text = "\n".join(strings(item["record"]))
        assert item["pii"] and all(value in text for _, value in item["pii"]), item["shape"]
    if not faker_locales_ok():  # another Faker draws other names: the committed set still stands
        pytest.skip(f"the set was drawn with Faker {FAKER_VERSION}")
    assert items == build11()


def test_round_12_set_is_what_its_builder_makes_and_holds_its_values():
    import pytest

    from benchmarks.leak_probe11_pools import FAKER_VERSION, faker_locales_ok
    from benchmarks.leak_probe12_data import SHAPES12, build12

    path = Path(DEFAULT_SET).with_name("leak_probe12.jsonl")
    items = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert {it["shape"] for it in items} == set(SHAPES12) and len(items) == 20 * len(SHAPES12)
    assert sum(len(it["pii"]) for it in items) > 1000
    for item in items:
        text = "\n".join(strings(item["record"]))
        assert item["pii"] and all(value in text for _, value in item["pii"]), item["shape"]
    # no shape of an earlier round's set
    from benchmarks.leak_probe10_data import SHAPES10
    from benchmarks.leak_probe11_data import SHAPES11
    from benchmarks.leak_probe_data import SHAPES
    assert not set(SHAPES12) & (set(SHAPES) | set(SHAPES10) | set(SHAPES11))
    if not faker_locales_ok():  # another Faker draws other names: the committed set still stands
        pytest.skip(f"the set was drawn with Faker {FAKER_VERSION}")
    assert items == build12()
