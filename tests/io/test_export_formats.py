"""Files as exporters save them, under names that promise another shape (round 7)."""

import json

import pytest

from privtune.io import SourceRecord, detect_format, iter_records

RECORDS = [{"text": "电话13812345678"}, {"text": "mail john.smith@gmail.com", "meta": {"n": 1}}]


@pytest.mark.parametrize("body,encoding", [
    (json.dumps(RECORDS, ensure_ascii=False, indent=2), "utf-8"),  # json.dump of a list, named .jsonl
    ("[" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "]\n", "utf-8"),
    ("\n".join(json.dumps(r, ensure_ascii=False, indent=2) for r in RECORDS) + "\n", "utf-8"),  # jq . output
    ("\ufeff" + "\n".join(json.dumps(r, ensure_ascii=False, indent=2) for r in RECORDS), "utf-16-le"),
])
def test_json_document_under_a_jsonl_name_is_read_as_json(tmp_path, body, encoding):
    p = tmp_path / "export.jsonl"
    p.write_bytes(body.encode(encoding))
    assert detect_format(p) == "json"
    items = list(iter_records(p, encoding=None))
    assert all(isinstance(i, SourceRecord) for i in items) and [i.data for i in items] == RECORDS


def test_jsonl_with_a_broken_first_line_stays_jsonl(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('{"text": "cut\n{"text": "ok"}\n', encoding="utf-8")
    assert detect_format(p) == "jsonl"
    assert [type(i).__name__ for i in iter_records(p)] == ["Rejected", "SourceRecord"]
