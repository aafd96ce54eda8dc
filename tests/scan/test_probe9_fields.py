"""Leak probe, round 9 (benchmarks/leak_probe.py): nested export fields named for what they hold
(``user.profile.wechat``, ``kyc.birth``, ``custom_fields.cf_order``) and copies of a detected
account or record number elsewhere in the record."""

import json

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.config import ScanConfig
from privtune.scan.entities import Span
from privtune.scan.pipeline import run_scan
from privtune.scan.propagate import propagate
from privtune.scan.side_fields import key_span, key_type

from scan_helpers import KEY
from scan_helpers import write_lines as _write


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


@pytest.mark.parametrize("key,expected", [
    ("wechat", "USERNAME"), ("wechat_id", "USERNAME"), ("qq", "USERNAME"), ("username", "USERNAME"),
    ("screenName", "USERNAME"), ("微信号", "USERNAME"), ("birth", "DATE_OF_BIRTH"), ("cf_order", "RECORD_ID"),
    ("order_id", "RECORD_ID"), ("orderNumber", "RECORD_ID"), ("place_of_birth", "ADDRESS"),
    # not an account or an order number
    ("login_ip", None), ("order_total", None), ("order_date", None), ("order_status", None), ("qq_group", None),
])
def test_field_names_of_accounts_births_and_orders(key, expected):
    assert key_type(key) == expected


def test_the_value_must_look_like_an_account():
    assert key_span("USERNAME", "wxid_8k2j9x") is not None
    assert key_span("USERNAME", "@chidi_okafor") is not None
    assert key_span("USERNAME", "王伟") is None and key_span("USERNAME", "a b c") is None
    assert key_span("RECORD_ID", "#2260619") is not None


def test_nested_account_birth_and_order_values_are_replaced(tmp_path):
    rec = {"remark": "客户要求改地址，已核实。",
           "user": {"profile": {"wechat": "wxid_8k2j9x"}, "kyc": {"birth": "1988年6月18日"}},
           "custom_fields": {"cf_order": "2023-86-74656"}}
    src = _write(tmp_path / "in.jsonl", [rec])
    run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", policy="redact", dedup="off"))
    out = (tmp_path / "o.jsonl").read_text(encoding="utf-8")
    for value in ("wxid_8k2j9x", "1988年6月18日", "2023-86-74656"):
        assert value not in out
    assert json.loads(out)["remark"] == rec["remark"]


def test_a_copy_of_a_detected_account_without_its_cue_is_marked():
    texts = ["[19/09/2024, 12:23] 郭晶晶: 加我微信 zhangli88", "[19/09/2024, 12:24] 刘洋: 搜 zhangli88 就能找到"]
    an = Analyzer()
    found = [an.analyze(t) for t in texts]
    assert not any(s.type == "USERNAME" for s in found[1])  # no cue in the second turn
    out = propagate(texts, found)
    copy = [s for s in out[1] if s.type == "USERNAME"]
    assert [texts[1][s.start:s.end] for s in copy] == ["zhangli88"]


def test_a_short_record_number_is_not_spread():
    texts = ["Ward 7, Bed 12", "we counted 12 chairs"]
    out = propagate(texts, [[Span(12, 14, "RECORD_ID", 0.8, "ward_bed")], []])
    assert out[1] == []
