"""Clinical notes a first user scanned (round 7): relatives' names after kinship words, care
roles before names, names run on over a form's column gap, credentials read as places, device
serial numbers. Each case failed on the scan before this round."""

from __future__ import annotations

import json

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.ner.field_labels import drop_field_labels


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _found(analyzer: Analyzer, text: str, type_: str) -> list[str]:
    return [text[s.start : s.end] for s in analyzer.analyze(text) if s.type == type_]


@pytest.mark.parametrize(("text", "name"), [
    ("家属：儿子欧阳明，电话13911223344。", "欧阳明"),
    ("家属：女儿王丽，电话13911223344。", "王丽"),
    ("紧急联系人：妻子刘芳，13911223344", "刘芳"),
])  # fmt: skip
def test_relative_after_kinship_word(analyzer: Analyzer, text: str, name: str) -> None:
    assert name in _found(analyzer, text, "PERSON")


@pytest.mark.parametrize("text", ["父亲高血压，母亲糖尿病。", "电视台妇女儿童频道。", "女儿高烧，妻子陪同。"])
def test_kinship_word_before_no_name(analyzer: Analyzer, text: str) -> None:
    assert _found(analyzer, text, "PERSON") == []


def test_care_role_before_hyphenated_name(analyzer: Analyzer) -> None:
    text = "Pt. seen by Nurse Practitioner Kofi Boateng-Asante on 12/2."
    assert _found(analyzer, text, "PERSON") == ["Kofi Boateng-Asante"]


@pytest.mark.parametrize(("text", "names"), [
    ("Patient: Margaret O'Donnell   MRN: 00482913", ["Margaret O'Donnell"]),
    ("Name: John Smith\tDOB: 01/02/1980", ["John Smith"]),
    ("Names: John Smith\t\t Jane Doe", ["John Smith", "Jane Doe"]),
])  # fmt: skip
def test_name_stops_at_a_column_gap(analyzer: Analyzer, text: str, names: list[str]) -> None:
    assert _found(analyzer, text, "PERSON") == names


def test_credential_after_a_name_is_no_place(analyzer: Analyzer) -> None:
    text = "Attending: Dr. Rajesh Venkataraman, MD\nPCP: Dr. Helen Zhou"
    spans = [(text[s.start : s.end], s.type) for s in analyzer.analyze(text)]
    assert ("MD", "ADDRESS") not in spans and ("PCP", "ORGANIZATION") not in spans
    assert ("Dr. Helen Zhou", "PERSON") in spans
    # A state after a town is still a place.
    assert "Baltimore, MD 21201" in _found(analyzer, "Ship it to 12 Pratt Street, Baltimore, MD 21201 please", "ADDRESS")[0]


@pytest.mark.parametrize(("text", "value"), [
    ("Pacemaker serial no. PJN4471829B", "PJN4471829B"),
    ("Device S/N: 8841-ZK-22917", "8841-ZK-22917"),
    ("胰岛素泵序列号：SN20231187745", "SN20231187745"),
])  # fmt: skip
def test_device_serial_numbers(analyzer: Analyzer, text: str, value: str) -> None:
    assert _found(analyzer, text, "RECORD_ID") == [value]


def test_serial_word_without_a_code(analyzer: Analyzer) -> None:
    assert _found(analyzer, "the serial killer documentary of 2024", "RECORD_ID") == []


def test_address_after_a_dropped_label_is_kept() -> None:
    text = "Ward: 5B\nPhone: 12\nBoston"
    spans = [(0, 4, "PERSON", 0.9), (20, 26, "ADDRESS", 0.7)]
    assert drop_field_labels(text, spans) == [(20, 26, "ADDRESS", 0.7)]


def test_scan_of_a_discharge_summary_leaves_no_value(tmp_path) -> None:
    from privtune.scan.config import ScanConfig
    from privtune.scan.pipeline import run_scan

    note = ("Patient: Margaret O'Donnell   MRN: 00482913\nAttending: Dr. Rajesh Venkataraman, MD\n"
            "Pacemaker serial no. PJN4471829B. Seen by Nurse Practitioner Kofi Boateng-Asante.\n"
            "家属：儿子欧阳明，电话13911223344。")
    src = tmp_path / "notes.jsonl"
    src.write_text(json.dumps({"text": note}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_scan(ScanConfig(input=src, out=out))
    scanned = json.loads(out.read_text(encoding="utf-8"))["text"]
    for value in ("O'Donnell", "00482913", "Venkataraman", "PJN4471829B", "Boateng", "欧阳明", "13911223344"):
        assert value not in scanned
    for label in ("MRN:", ", MD", "Attending:", "家属：儿子"):
        assert label in scanned


@pytest.mark.parametrize(("text", "name"), [
    ("姓名：阿不都热合曼\n性别：男", "阿不都热合曼"),   # no Han surname
    ("户名：田中太郎，账号6222021234567890128", "田中太郎"),
    ("姓名：王学军", "王学军"),
])  # fmt: skip
def test_name_field_value_without_a_known_surname(analyzer: Analyzer, text: str, name: str) -> None:
    assert name in _found(analyzer, text, "PERSON")


@pytest.mark.parametrize("text", ["户名：深圳市红十字会", "姓名：未知", "人相匹配的名字：疯狂的瓷房子。"])
def test_name_field_value_that_is_no_person(text: str) -> None:
    from privtune.scan.recognizers.person_cue import ZhPersonCueRecognizer

    assert ZhPersonCueRecognizer().analyze(text) == []
