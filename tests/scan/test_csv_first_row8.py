"""Round 8: a headerless CSV whose first row holds names and no long number or plain e-mail was
read as a header: its values became column names (printed, reported, written as the output's
header) and were never scanned. A shape rule (`csv_format.names_row_is_data`) now knows names
beside a gender or an age and spelled e-mails; the scan adds its recognizers' look at the cells
(`scan/header_cells.py`)."""

from __future__ import annotations

import json

import pytest

from privtune.io.csv_format import first_row_is_data, header_is_data, names_row_is_data
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan

from scan_helpers import KEY


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


@pytest.mark.parametrize("row", [
    ["Wang Wei", "Li Na", "Zhang San"],
    ["Maria Garcia", "F", "Madrid"],
    ["John Smith", "London", "34"],
    ["张伟", "男", "北京"],
    ["李娜", "女", "35", "上海"],
    ["Anna Müller", "anna at gmx.de", "Berlin"],
    ["jdoe", "Jane Doe", "jane.doe (at) example.com"],
])  # fmt: skip
def test_a_first_row_of_names_is_data_by_its_shape(row: list[str]) -> None:
    assert names_row_is_data(row)


@pytest.mark.parametrize("row", [
    ["id", "name", "phone_2", "客户电话", "Q4 2023"],
    ["First Name", "Last Name", "Email Address", "Phone Number"],
    ["Customer Name", "Sales Rep", "Account Manager", "Bill Amount"],
    ["Will", "Grant", "Mark", "Price"],
    ["姓名", "性别", "电话", "地址", "备注"],
    ["Product", "London", "Paris", "Berlin"],
    ["Age Group", "Male", "Female"],
    ["年龄段", "男", "女"],
    ["Net Promoter", "Churn Risk", "Region"],
    ["Region", "2021", "2022", "2023"],
    ["收货人", "联系电话", "收货地址"],
    ["Patient Name", "MRN", "DOB", "Ward", "Bed"],
    ["text", "label"],
])  # fmt: skip
def test_column_names_stay_a_header(row: list[str]) -> None:
    assert not first_row_is_data(row)  # (the scan's check included: this module imports the pipeline)


@pytest.mark.parametrize("row", [
    ["Wang Wei", "Shanghai", "VIP"],          # one name, nothing the shapes rule counts
    ["John Smith", "Acme", "London"],
    ["陈美玲", "台北", "A123456788"],           # a Taiwan ID with a wrong check digit
])  # fmt: skip
def test_the_scan_reads_a_first_row_with_an_identifier_as_data(row: list[str]) -> None:
    assert not header_is_data(row) and not names_row_is_data(row)  # the shape rules alone miss these
    assert first_row_is_data(row)


def test_headerless_names_are_scanned_not_written_as_the_header(tmp_path):
    src = tmp_path / "contacts.csv"
    src.write_text("Wang Wei,Shanghai,VIP customer since 2019\nLi Na,Beijing,asked for a refund\n", encoding="utf-8")
    res = run_scan(ScanConfig(input=src, out=tmp_path / "o.csv", findings=tmp_path / "f.jsonl"))
    out = (tmp_path / "o.csv").read_text(encoding="utf-8")
    report = json.dumps(res.report, ensure_ascii=False) + "\n".join(res.notices)
    assert "Wang Wei" not in out and "Wang Wei" not in report
    assert len(out.splitlines()) == 2  # both rows are records, no header row
    fields = {json.loads(line)["field"] for line in (tmp_path / "f.jsonl").read_text().splitlines()}
    assert "column_1" in fields
    assert any(n.startswith("CSV header: none") for n in res.notices)
