"""Leak probe, round 11: values inside markup — XML elements and attributes named by their type,
HL7 v2 segments typed by field position, HTML tables whose header row names the columns."""

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.hl7_fields import Hl7FieldRecognizer
from privtune.scan.recognizers.xml_fields import XmlFieldRecognizer
from privtune.scan.views import decoded_view


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def found(analyzer, text):
    return {(text[s.start:s.end], s.type) for s in analyzer.analyze(text)}


def test_xml_elements_named_by_their_type(analyzer):
    text = ("<soapenv:Body><ns2:UpdateCustomer><ns2:FullName>Nomthandazo Dlamini</ns2:FullName>"
            "<ns2:BirthDate>08.04.1959</ns2:BirthDate><ns2:Phone>06-34160830</ns2:Phone></ns2:UpdateCustomer>"
            "<customer id=\"88\" name=\"Haruto Sato\"><passport>C63760418</passport></customer>")
    got = found(analyzer, text)
    assert {("Nomthandazo Dlamini", "PERSON"), ("08.04.1959", "DATE_OF_BIRTH"), ("06-34160830", "PHONE"),
            ("Haruto Sato", "PERSON"), ("C63760418", "PASSPORT")} <= got


def test_chinese_element_names_and_a_firm_under_a_name_element(analyzer):
    text = "<订单><收货人>劳燕</收货人><手机>133-7766-1874</手机></订单><Invoice><BuyerName>深圳市腾飞科技有限公司</BuyerName></Invoice>"
    got = found(analyzer, text)
    assert {("劳燕", "PERSON"), ("133-7766-1874", "PHONE"), ("深圳市腾飞科技有限公司", "ORGANIZATION")} <= got


def test_xml_values_not_named_as_a_type_are_not_taken():
    spans = XmlFieldRecognizer().analyze("<product name=\"Widget Pro\"><status>shipped</status><qty>12</qty></product>")
    assert spans == []


def test_hl7_pid_fields_by_position(analyzer):
    text = ("MSH|^~\\&|LAB|HOSP|||20240312101500||ADT^A01|MSG00001|P|2.5\rPID|1||5107724^^^HOSP^MR||Fernandez^Martina||"
            "19630720|F|||Calle de Atocha 222^8º B^28754 Madrid||+34 612 34 56 78||||||512-44-9087\rNK1|1|Fernandez^Luis|SPO")
    got = found(analyzer, text)
    assert {("5107724", "RECORD_ID"), ("Fernandez^Martina", "PERSON"), ("19630720", "DATE_OF_BIRTH"),
            ("Calle de Atocha 222^8º B^28754 Madrid", "ADDRESS"), ("Fernandez^Luis", "PERSON")} <= got
    # the message header's own fields (dates, control ids) are not the patient's
    alone = {(text[s.start:s.end], s.type) for s in Hl7FieldRecognizer().analyze(text)}
    assert not any(v in ("20240312101500", "MSG00001", "F") for v, _ in alone)
    assert ("512-44-9087", "US_SSN") in alone


def test_hl7_chinese_patient(analyzer):
    text = "MSH|^~\\&|HIS|医院|||20240312||ADT^A04|0001|P|2.4\nPID|1||5877505||徐静||19750412|M|||四川省成都市青羊区和平街411号||13902429728"
    got = found(analyzer, text)
    assert {("5877505", "RECORD_ID"), ("19750412", "DATE_OF_BIRTH"), ("徐静", "PERSON")} <= got


def test_html_table_header_row_names_the_cells_below(analyzer):
    text = ("<table><thead><tr><th>Customer</th><th>Mobile</th><th>Date of birth</th></tr></thead><tbody>"
            "<tr><td>Ann Lee</td><td>06-34160830</td><td>12.03.1965</td></tr>"
            "<tr><td>Bo Ek</td><td>087 178 7394</td><td></td></tr></tbody></table>")
    got = found(analyzer, text)
    assert {("06-34160830", "PHONE"), ("12.03.1965", "DATE_OF_BIRTH"), ("087 178 7394", "PHONE")} <= got


def test_html_cells_read_as_tab_separated_rows_xml_tags_stay():
    view, _, _ = decoded_view("<tr><th>Name</th><th>Phone</th></tr><tr><td>A</td><td>1</td></tr><passport>X</passport>")
    assert view == "\n Name\t Phone\t \n A\t 1\t <passport>X</passport>"


def test_markdown_separator_with_one_dash_centred(analyzer):
    text = "| # | Passenger | Passport | Contact |\n|:-:|---|---|---|\n| 1 | Terezija Šantić | C63760418 | a@b.de |\n| 2 | Jarmo Aalto | 568416932 | |"
    got = found(analyzer, text)
    assert {("C63760418", "PASSPORT"), ("568416932", "PASSPORT"), ("Terezija Šantić", "PERSON")} <= got


def test_a_table_laid_out_one_field_per_row(analyzer):
    text = ("Field,Applicant 1,Applicant 2\nName,Abril Romero,Martin Kolářová\nDate of Birth,1955-08-23,14.11.1975\n"
            "Passport,C82189544,")
    got = found(analyzer, text)
    assert {("14.11.1975", "DATE_OF_BIRTH"), ("Martin Kolářová", "PERSON"), ("C82189544", "PASSPORT")} <= got
    zh = "项目\t客户A\t客户B\n姓名\t尤淑貞\t朱明\n地址\t杭州市滨江区中山北路286号B座520\t福建省厦门市思明区滨江大道474号融创玖樾府17栋2单元503室"
    assert ("福建省厦门市思明区滨江大道474号融创玖樾府17栋2单元503室", "ADDRESS") in found(analyzer, zh)


def test_one_labelled_line_or_a_header_is_no_field_per_row_table():
    from privtune.scan.recognizers.text_tables import row_label_spans

    assert row_label_spans("Name,Phone\nAnn,0412 345 678") == []  # a header, then a data row
    assert row_label_spans("Phone, I called twice\nno answer, again") == []


def test_role_and_destination_column_names():
    from privtune.scan.side_fields import key_type

    assert key_type("Customer") == "PERSON" and key_type("Passenger") == "PERSON"
    assert key_type("Ship to") == "ADDRESS" and key_type("Given names") == "PERSON"
    assert key_type("customer_id") is None and key_type("Shipping cost") is None


def test_html_tag_names_in_any_case_and_html5_tags_still_read_as_blanks():
    view, _, _ = decoded_view("<TR><TD>Name</TD></TR><BR><section>My name is <label>Oyelaran</label></section>")
    assert view == "\n Name\t \n My name is  Oyelaran  "
