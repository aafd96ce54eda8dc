"""Leak probe, round 10: tables pasted as text (CSV with two-row headers and Chinese or European
column names, SQL INSERT dumps), log lines (key=value, JSON in text) and vCard / iCalendar
properties — values with no words around them whose column, key or property names them."""

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.text_tables import split_cells
from privtune.scan.side_fields import key_type


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def found(analyzer, text):
    return {(text[s.start:s.end], s.type) for s in analyzer.analyze(text)}


def test_csv_with_a_title_row_over_chinese_column_names(analyzer):
    text = "客户信息表,,,,\n联系人,手机号,身份证号,收货地址,备注\n上官婉,13912345678,,保利香槟国际5-2-1101,周末送\n钱多多,,,,"
    got = found(analyzer, text)
    assert {("上官婉", "PERSON"), ("钱多多", "PERSON"), ("保利香槟国际5-2-1101", "ADDRESS")} <= got
    assert not any(v in ("周末送", "客户信息表", "联系人") for v, _ in got)


def test_semicolon_csv_with_european_column_names(analyzer):
    text = 'Nom;Prénom;Date de naissance;N° passeport;Mobile\nWatanabe;Keiko;15 March 1957;C45677465;+46 70 123 45 67'
    got = found(analyzer, text)
    assert {("Watanabe", "PERSON"), ("Keiko", "PERSON"), ("15 March 1957", "DATE_OF_BIRTH"),
            ("C45677465", "PASSPORT")} <= got
    assert key_type("Telefon") == "PHONE" and key_type("Geburtsdatum") == "DATE_OF_BIRTH"
    assert key_type("Adresse") == "ADDRESS" and key_type("Vorname") == "PERSON"


def test_a_quoted_cell_holds_the_delimiter():
    assert split_cells('a;"Via Roma 25; 2nd floor";c', ";") == [(0, "a"), (3, "Via Roma 25; 2nd floor"), (27, "c")]


def test_prose_with_commas_is_no_table(analyzer):
    text = "Hi Tom, thanks for the call.\nBest, Ann, from the phone team"
    assert not [s for s in analyzer.analyze(text) if s.detector == "text_table"]


def test_sql_insert_values_under_their_columns(analyzer):
    text = ("INSERT INTO `customer` (`id`,`name`,`mobile`,`address`) VALUES (1,'上官婉','13912345678','万科城市花园7栋1单元1203'),"
            "(2,'钱多多',NULL,NULL);")
    got = found(analyzer, text)
    assert {("上官婉", "PERSON"), ("钱多多", "PERSON"), ("万科城市花园7栋1单元1203", "ADDRESS")} <= got
    text = "INSERT INTO patients (mrn, name, birth_date) VALUES ('MRN-5283578', 'Byrne', '1978.6.24');"
    assert {("MRN-5283578", "RECORD_ID"), ("1978.6.24", "DATE_OF_BIRTH")} <= found(analyzer, text)


def test_sql_name_in_a_company_table_is_no_person(analyzer):
    text = "INSERT INTO company (name, legal_person) VALUES ('Kestrel Biotech', 'Ingrid Solberg');"
    got = found(analyzer, text)
    assert ("Ingrid Solberg", "PERSON") in got and ("Kestrel Biotech", "PERSON") not in got


def test_log_key_value_pairs_and_json_in_text(analyzer):
    text = "2024-03-12 10:25:44 [INFO] 下单成功 order_no=2023-06-29431 receiver=钱多多 tel=13912345678"
    assert {("2023-06-29431", "RECORD_ID"), ("钱多多", "PERSON")} <= found(analyzer, text)
    text = 'level=error msg="kyc mismatch" customer_name="Lars Solberg" passport=C12345678 user=bjorn.lq'
    assert {("Lars Solberg", "PERSON"), ("C12345678", "PASSPORT"), ("bjorn.lq", "USERNAME")} <= found(analyzer, text)
    text = '{"event":"实名认证","user":{"real_name":"范文静","qq":"3108394522"}}'
    assert {("范文静", "PERSON"), ("3108394522", "USERNAME")} <= found(analyzer, text)


def test_log_name_key_needs_a_name_like_value(analyzer):
    assert not [s for s in analyzer.analyze("cache hit name=report.pdf size=12") if s.detector == "log_field"]


def test_vcard_and_calendar_properties(analyzer):
    text = ("BEGIN:VCARD\nVERSION:3.0\nN:程;小雨;;;\nFN:程小雨\nADR;TYPE=HOME:;;保利香槟国际5-2-1101;;;;\n"
            "BDAY:19640904\nEND:VCARD")
    assert {("程小雨", "PERSON"), ("保利香槟国际5-2-1101", "ADDRESS"), ("19640904", "DATE_OF_BIRTH")} <= found(analyzer, text)
    text = ("BEGIN:VEVENT\nLOCATION:17 Harcourt Road, Dublin 2, D02 X285\nATTENDEE;CN=Tunde Bakare:mailto:t@example.org\n"
            "END:VEVENT")
    assert {("17 Harcourt Road, Dublin 2, D02 X285", "ADDRESS"), ("Tunde Bakare", "PERSON")} <= found(analyzer, text)


def test_a_record_whose_only_text_is_nested_is_scanned_not_rejected(tmp_path, monkeypatch):
    import json

    from privtune.scan.config import ScanConfig
    from privtune.scan.pipeline import run_scan

    from scan_helpers import KEY

    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)
    ticket = {"key": "SUP-447", "fields": {"summary": "Login failure", "description": "Customer Lars Solberg called from 0412 345 678 about the invoice.",
                                           "comment": {"comments": [{"body": "Reset done, new number 0412 345 679 for Lars Solberg"}]}}}
    src = tmp_path / "t.jsonl"
    src.write_text(json.dumps(ticket) + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    res = run_scan(ScanConfig(input=src, out=out, policy="redact"))
    assert res.report["counts"]["rejected"] == 0
    cleaned = out.read_text(encoding="utf-8")
    assert "Solberg" not in cleaned and "345 678" not in cleaned and "SUP-447" in cleaned
