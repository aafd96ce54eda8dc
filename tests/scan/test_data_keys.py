"""Maps keyed by data ({"contacts": {"jane.doe@example.com": "Jane"}}): a key with a dot no
longer crashes the rewrite (KeyError: 'jane', a bare traceback), and a key that is data never
reaches the report or the console."""

from __future__ import annotations

import json

import pytest

from privtune.io.records import get_field, parse_path, path_key, set_field
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan
from privtune.scan.side_fields import normalise_path

from scan_helpers import KEY
from scan_helpers import write_lines as _write


@pytest.mark.parametrize("key", ["jane.doe@example.com", "a[0]", "back\\slash", "plain"])
def test_escaped_keys_round_trip(key):
    record = {"m": {key: "x"}}
    path = f"m.{path_key(key)}"
    assert parse_path(path) == ["m", key] and get_field(record, path) == "x"
    set_field(record, path, "y")
    assert record == {"m": {key: "y"}}


def test_findings_keep_indices_and_mask_data_keys(tmp_path, monkeypatch):
    from privtune.scan.side_fields import shown_path

    assert shown_path("orders.13812345678.note") == "orders.<key>.note"
    assert shown_path("items[12345].sku") == "items[12345].sku" and shown_path("messages[3].content") == "messages[3].content"
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)
    src = _write(tmp_path / "in.jsonl", [{"text": "hello there", "by_phone": {"13812345678": "call Jane Doe at 555-123-4567"}}])
    run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", findings=tmp_path / "f.jsonl"))
    found = (tmp_path / "f.jsonl").read_text(encoding="utf-8")
    out = (tmp_path / "o.jsonl").read_text(encoding="utf-8")
    assert "13812345678" not in found and "by_phone.<key>" in found and "13812345678" not in out


def test_data_keys_are_masked_in_field_names():
    assert normalise_path("contacts.jane\\.doe@example\\.com") == "contacts.<key>"
    assert normalise_path("orders.13812345678.note") == "orders.<key>.note"
    assert normalise_path("items[2].sku") == "items[].sku" and normalise_path("q4_2023.total") == "q4_2023.total"


def test_a_map_keyed_by_e_mail_addresses_scans(tmp_path, monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)
    src = _write(tmp_path / "in.jsonl", [{"text": "please update my contacts",
                                          "contacts": {"jane.doe@example.com": "13812345678"}}])
    res = run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl"))
    out = (tmp_path / "o.jsonl").read_text(encoding="utf-8")
    rec = json.loads(out)
    assert "jane.doe" not in out and "13812345678" not in out  # the key is replaced as a value would be
    (key, value), = rec["contacts"].items()
    assert "@" in key and value != "13812345678"
    shown = json.dumps(res.report) + "\n".join(res.notices)
    assert "jane.doe" not in shown and "13812345678" not in shown
    assert any("named by data" in n for n in res.notices)


@pytest.mark.parametrize("key", ["", "..", "x[0]", "]", "a.b"])
def test_odd_keys_around_text_and_chats_scan(tmp_path, monkeypatch, key):
    """Empty keys and keys with path characters, on text chosen by content and on chat lists
    (found by a fuzz run: 'empty field path', KeyError 'x')."""
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)
    records = [
        {key: "call me at 555-123-4567 please, my number changed last week", "n": {key: "jane@example.com"}},
        {key: [{"role": "user", "content": "我的手机是13812345678"}, {"role": "assistant", "content": "好的"}]},
    ]
    for i, rec in enumerate(records):
        src = _write(tmp_path / f"in{i}.jsonl", [rec])
        run_scan(ScanConfig(input=src, out=tmp_path / f"o{i}.jsonl"))
        out = (tmp_path / f"o{i}.jsonl").read_text(encoding="utf-8")
        assert "555-123-4567" not in out and "13812345678" not in out and "jane@example.com" not in out


def test_paths_with_empty_keys_and_indices():
    assert parse_path("a..b") == ["a", "", "b"] and parse_path("") == [""]
    assert parse_path("a[1][2].b") == ["a", 1, 2, "b"] and parse_path("x\\[0\\]") == ["x[0]"]
