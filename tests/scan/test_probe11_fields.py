"""Leak probe, round 11: handles in team tools' markup, config dumps, Irish addresses with their
Eircode, and SQL rows with no column list in a table of people (round 10's leftovers)."""

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.config_lines import config_value_spans
from privtune.scan.recognizers.sql_rows import is_people_table


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def found(analyzer, text):
    return {(text[s.start:s.end], s.type) for s in analyzer.analyze(text)}


def test_jira_mentions_and_slack_headers_are_handles(analyzer):
    text = "SUP-1: Refund\nAssignee: [~lars_h77]\n\n[~lars_h77] refund done"
    assert ("lars_h77", "USERNAME") in found(analyzer, text)
    slack = "yuki.t_88  10:14 AM\n@j.oduya can you refund her?\nj.oduya  10:16 AM\ndone"
    got = found(analyzer, slack)
    assert {("yuki.t_88", "USERNAME"), ("j.oduya", "USERNAME")} <= got
    # the mention further down is the same person's handle (`propagate`)
    from privtune.scan.propagate import propagate

    spans = propagate([slack], [sorted(analyzer.analyze(slack), key=lambda s: s.start)])[0]
    assert slack.index("@j.oduya") + 1 in {s.start for s in spans}


def test_config_values_by_key_and_section(analyzer):
    toml = '[owner]\nname = "Lars Halvorsen"\n\n[database]\nserver = "81.2.3.4"\nuser = "dieg0rmz"\npassword = "x"\n'
    got = found(analyzer, toml)
    assert {("Lars Halvorsen", "PERSON"), ("dieg0rmz", "USERNAME")} <= got
    yaml = "# store\nadmin:\n  real_name: 端木蓉\n  wechat: tang.jiayi\nserver:\n  name: web-01\n"
    got = found(analyzer, yaml)
    assert {("端木蓉", "PERSON"), ("tang.jiayi", "USERNAME")} <= got
    assert ("web-01", "PERSON") not in got


def test_config_shape_is_needed():
    # a mail's header lines and a form's labels are no config (no section, no indented parent)
    assert config_value_spans("Subject: hi\nName: Ann Lee\nuser = bob_1\n") == []


def test_eircode_after_a_dublin_district(analyzer):
    assert ("33 Main St, Dublin 2, V94 K56N", "ADDRESS") in found(analyzer, "Sure: 33 Main St, Dublin 2, V94 K56N. DOB …")
    assert ("17 Harcourt Road, Dublin 2, D02 X285", "ADDRESS") in found(analyzer, "at 17 Harcourt Road, Dublin 2, D02 X285 now")
    assert ("29 Main St, Dublin 4,\nV94 E05H", "ADDRESS") in found(analyzer, "at 29 Main St, Dublin 4,\nV94 E05H. Rent")


def test_sql_rows_without_a_column_list_in_a_table_of_people(analyzer):
    text = "INSERT INTO t_member VALUES (3021, '范文静', 'xiaoyu_cheng', '1461487381', '1990-04-12', '13912345678');"
    got = found(analyzer, text)
    assert {("范文静", "PERSON"), ("xiaoyu_cheng", "USERNAME"), ("1990-04-12", "DATE_OF_BIRTH"),
            ("13912345678", "PHONE")} <= got
    en = "INSERT INTO customers VALUES (7, 'Ngozi', 'Eze', '+46 70 123 45 67');"
    assert {("Ngozi", "PERSON"), ("Eze", "PERSON")} <= found(analyzer, en)
    assert found(analyzer, "INSERT INTO products VALUES (7, 'Widget', 'abc_123', '2024-01-02');") == set()
    assert is_people_table("tbl_userInfo") and is_people_table("patients") and not is_people_table("orders")


def test_sql_row_names_in_any_latin_letters(analyzer):
    got = found(analyzer, "INSERT INTO customers VALUES (7, 'Zofia', 'Kamińska', 'USA', 'Москва');")
    assert {("Zofia", "PERSON"), ("Kamińska", "PERSON")} <= got
    assert ("Москва", "PERSON") not in got


def test_latin_american_and_central_european_phone_labels(analyzer):
    assert ("(11) 93285-1641", "PHONE") in found(analyzer, "Saludos,\nAna\nCel. (11) 93285-1641")
    assert ("55 0598 6210", "PHONE") in found(analyzer, "Tel.: 087 178 7394 | Mobil: 55 0598 6210")


def test_an_address_wrapped_after_its_comma(analyzer):
    text = "currently residing at\nCalle de Alcalá 152, 2º izq.,\n28275 Madrid, hereinafter the Tenant"
    assert ("Calle de Alcalá 152, 2º izq.,\n28275 Madrid", "ADDRESS") in found(analyzer, text)
    text = "lives at ul. Armii Krajowej 141/45,\n43-137 Świecie.\nContact: x"
    assert ("ul. Armii Krajowej 141/45,\n43-137 Świecie", "ADDRESS") in found(analyzer, text)
