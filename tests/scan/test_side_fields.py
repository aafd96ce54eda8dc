"""Issue 11.1: values outside the training text are scanned and neutralised too (nested objects,
lists, CSV columns, long integers); --passthrough is the only way around it, and the report says
which fields were scanned and which passed through."""

import json

import pytest

from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan
from privtune.scan.side_fields import is_passthrough, key_span, key_type

from scan_helpers import KEY
from scan_helpers import write_lines as _write

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def _lines(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_flat_side_fields_are_caught_by_their_field_names(tmp_path):
    src = _write(tmp_path / "in.jsonl", [{"text": "客户来电咨询账单", "customer_name": "王建国", "phone": PHONE}])
    res = run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", findings=tmp_path / "f.jsonl"))
    out = (tmp_path / "o.jsonl").read_text(encoding="utf-8")
    assert "王建国" not in out and PHONE not in out
    assert res.report["counts"]["records_with_pii"] == 1
    found = {(f["field"], f["type"]) for f in _lines(tmp_path / "f.jsonl")}
    assert found == {("customer_name", "PERSON"), ("phone", "PHONE")}
    rec = _lines(tmp_path / "o.jsonl")[0]
    assert rec["text"] == "客户来电咨询账单" and len(rec["customer_name"]) == 3 and len(rec["phone"]) == 11


def test_nested_objects_lists_and_numbers_beside_a_chat(tmp_path):
    rec = {"messages": [{"role": "user", "content": "账单有问题"}, {"role": "assistant", "content": "好的"}],
           "customer": {"name": "王建国", "phone": int(PHONE), "emails": ["jw@example.com"]},
           "notes": [{"text": "call back on 13900001111"}], "ticket_id": "T-1001", "count": 3}
    src = _write(tmp_path / "in.jsonl", [rec])
    res = run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", findings=tmp_path / "f.jsonl",
                              passthrough=["ticket_id"]))
    out = _lines(tmp_path / "o.jsonl")[0]
    assert out["customer"]["name"] != "王建国" and out["customer"]["phone"] != int(PHONE)
    assert isinstance(out["customer"]["phone"], int)  # a pseudonymised number stays a number
    assert out["customer"]["emails"][0] != "jw@example.com" and "13900001111" not in out["notes"][0]["text"]
    assert out["ticket_id"] == "T-1001" and out["count"] == 3 and out["messages"] == rec["messages"]
    fields = {f["field"] for f in _lines(tmp_path / "f.jsonl")}
    assert {"customer.name", "customer.phone", "customer.emails[0]", "notes[0].text"} <= fields
    section = res.report["fields"]
    assert section["text"] == {"messages[].content": 1}
    assert {"customer.name", "customer.phone", "customer.emails[]", "notes[].text", "messages[].role"} <= set(section["side"])
    assert section["passthrough"] == {"ticket_id": 1} and res.report["settings"]["passthrough"] == ["ticket_id"]


def test_csv_columns_beside_the_chosen_text_field_are_scanned(tmp_path):
    src = tmp_path / "crm.csv"
    src.write_text("ticket_id,body,客户姓名,联系电话\nT1,请帮我查账单,王建国,13812345678\n", encoding="utf-8")
    run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", fields=["body"], passthrough=["ticket_id"]))
    out = (tmp_path / "o.jsonl").read_text(encoding="utf-8")
    assert "王建国" not in out and PHONE not in out and '"T1"' in out


def test_passthrough_takes_dotted_paths_with_or_without_indices(tmp_path):
    src = _write(tmp_path / "in.jsonl", [{"text": "hello", "items": [{"sku": "13812345678"}], "meta": {"phone": PHONE}}])
    run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", passthrough=["items[].sku,meta"]))
    assert _lines(tmp_path / "o.jsonl")[0] == {"text": "hello", "items": [{"sku": PHONE}], "meta": {"phone": PHONE}}
    assert is_passthrough("items[3].sku", ("items.sku",)) and not is_passthrough("itemsx.sku", ("items",))


@pytest.mark.parametrize("key,parent,expected", [
    ("customer_name", "", "PERSON"), ("name", "customer", "PERSON"), ("name", "", "PERSON"),
    ("firstName", "", "PERSON"), ("product_name", "", None), ("name", "product", None),
    ("company_name", "", "ORGANIZATION"), ("mobile_phone", "", "PHONE"), ("email_verified", "", None),
    ("address_type", "", None), ("收货地址", "", "ADDRESS"), ("身份证号", "", "ID_CARD"), ("role", "", None),
    # A DOB column and record-number columns were kept as they were.
    ("DOB", "", "DATE_OF_BIRTH"), ("date_of_birth", "", "DATE_OF_BIRTH"), ("出生日期", "", "DATE_OF_BIRTH"),
    ("patient_id", "", "RECORD_ID"), ("MRN", "", "RECORD_ID"), ("住院号", "", "RECORD_ID"),
    ("customer_id", "", None), ("user_id", "", None), ("id", "", None),
])
def test_field_names_as_context(key, parent, expected):
    assert key_type(key, parent) == expected


def test_the_value_must_look_like_what_the_field_name_says():
    assert key_span("PERSON", " 王建国 ").start == 1
    assert key_span("PHONE", "n/a") is None and key_span("PERSON", "42") is None
    assert key_span("EMAIL", "no") is None


def test_birth_date_and_record_number_columns_are_replaced(tmp_path):
    rec = {"note": "ok", "dob": "1967-03-07", "出生日期": "1990年3月7日", "patient_id": "MR-2023-004512",
           "customer_id": "C00042"}
    src = _write(tmp_path / "in.jsonl", [rec])
    run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", fields=["note"]))
    out = _lines(tmp_path / "o.jsonl")[0]
    assert out["dob"] != rec["dob"] and out["出生日期"] != rec["出生日期"] and out["patient_id"] != rec["patient_id"]
    assert out["customer_id"] == "C00042" and len(out["patient_id"]) == len(rec["patient_id"])


def test_a_csv_name_column_taken_as_text_is_typed_by_its_header(tmp_path):
    # No long column: the widest one ("Full Name") is the training text. Its values are names
    # by the header, as a side column's would be; the tagger alone read "Nguyễn Văn An" as a
    # place and found nothing in the surname-first "O'Brien Siobhán". A City column is an ADDRESS.
    src = tmp_path / "crm.csv"
    src.write_text("id,Full Name,Mobile,City\n1,Nguyễn Văn An,0912 345 678,Hà Nội\n"
                   "2,O'Brien Siobhán,+353 87 123 4567,Cork\n", encoding="utf-8")
    run_scan(ScanConfig(input=src, out=tmp_path / "o.csv", findings=tmp_path / "f.jsonl"))
    found = {(f["record"], f["field"], f["type"], f["detector"]) for f in _lines(tmp_path / "f.jsonl")}
    assert {(0, "Full Name", "PERSON", "field_name"), (1, "Full Name", "PERSON", "field_name"),
            (0, "City", "ADDRESS", "field_name"), (1, "City", "ADDRESS", "field_name")} <= found
    out = (tmp_path / "o.csv").read_text(encoding="utf-8")
    for value in ("Nguyễn", "O'Brien", "Siobhán", "Hà Nội", "Cork"):
        assert value not in out


def test_a_long_text_field_is_not_typed_by_its_name(tmp_path):
    # A sentence chosen as text under a name-like field is read by the detectors, not taken whole.
    text = "Dear team, the customer Ingrid Solbakken asked twice about the refund of her last order."
    src = _write(tmp_path / "in.jsonl", [{"customer_name": text}])
    run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", findings=tmp_path / "f.jsonl", fields=["customer_name"]))
    spans = [(f["start"], f["end"], f["type"]) for f in _lines(tmp_path / "f.jsonl")]
    assert spans == [(text.index("Ingrid"), text.index(" asked"), "PERSON")]
