"""Leak probe, round 10: values whose cue is a prefix, a question, a relation or role word, a
chat-export header, an estate's building parts, an OCR-split label or a custom field."""

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.side_fields import key_span, key_type


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def found(analyzer, text):
    return {(text[s.start:s.end], s.type) for s in analyzer.analyze(text)}


def test_a_code_that_names_itself(analyzer):
    assert ("MRN-0377451", "RECORD_ID") in found(analyzer, "DESCRIPTION:Patient MRN-0377451\\, call if late")
    assert ("MRN2956425", "RECORD_ID") in found(analyzer, "your appointment ref MRN2956425 is on Friday")
    assert not [s for s in analyzer.analyze("model XMRN-12345 and mrn-12") if s.type == "RECORD_ID"]


def test_custom_fields_hold_record_numbers():
    assert key_type("value", "custom_fields") == "RECORD_ID" and key_type("customfield_10042") == "RECORD_ID"
    assert key_type("value", "fields") is None
    assert key_span("RECORD_ID", "2023-41-72736") is not None and key_span("RECORD_ID", "#3741926") is not None
    assert key_span("RECORD_ID", "2024-03-12") is None  # a date in a custom field


def test_a_password_a_desk_set_after_a_blank(analyzer):
    assert ("Xa7!uT9z", "SECRET") in found(analyzer, "Username meiling.tan, temp password Xa7!uT9z")
    assert not [s for s in analyzer.analyze("a new password required") if s.type == "SECRET"]


def test_qq_group_export_headers(analyzer):
    text = "2024-03-12 20:15:03 7栋-苏明哲(1849275536)\n快递放门口\n2024-03-12 20:18:11 小雨🌸(846271935)\n好的"
    got = found(analyzer, text)
    assert {("苏明哲", "PERSON"), ("1849275536", "USERNAME"), ("846271935", "USERNAME")} <= got
    assert ("上官婉", "PERSON") in found(analyzer, "群聊：业主群\n【群主】上官婉 20:21\n请大家把车牌报一下")


def test_a_transcript_speaker_with_a_role(analyzer):
    text = "00:01:12 Rajesh Kumar (agent): Could you read me the number?\n00:01:20 Lars (customer): sure"
    assert ("Rajesh Kumar", "PERSON") in found(analyzer, text)


@pytest.mark.parametrize("text,name", [
    ("我朋友高峰 (chenjing520) 也要一份", "高峰"),  # a common word, but a handle in brackets follows
    ("我朋友上官婉也要团购", "上官婉"),
    ("发票抬头有误，请联系财务何雪，邮箱 a@b.com。", "何雪"),
    ("02:48 坐席钱多多：请问您的银行卡号是多少？", "钱多多"),
    ("好的，我帮您转给售后主管蒋欣然处理。", "蒋欣然"),
])
def test_relation_and_role_words_before_a_name(analyzer, text, name):
    assert (name, "PERSON") in found(analyzer, text)


def test_relation_and_role_words_before_ordinary_words(analyzer):
    text = "财务部门，朋友们都来了。前台那边，同事说，财务费用，经理高兴，司机师傅，这是主管单位，"
    assert not [s for s in analyzer.analyze(text) if s.type == "PERSON"]


@pytest.mark.parametrize("text,flat", [
    ("送到望京SOHO T3 1802就行", "望京SOHO T3 1802"),
    ("住址：保利香槟国际5-2-1101", "保利香槟国际5-2-1101"),
    ("新同事沈佳怡，住址华润城润府3期2栋A座1502。", "华润城润府3期2栋A座1502"),
    ("快递放门口就行，万科城市花园7栋1单元1203，电话13912345678", "万科城市花园7栋1单元1203"),
])
def test_a_flat_in_a_named_estate_with_no_city(analyzer, text, flat):
    assert (flat, "ADDRESS") in found(analyzer, text)


def test_estate_words_without_a_flat_are_no_address(analyzer):
    assert not [s for s in analyzer.analyze("本次活动中心3期1203人参加，比分是3-2-1001") if s.type == "ADDRESS"]


def test_an_ocr_split_passport_label(analyzer):
    assert ("C12345678", "PASSPORT") in found(analyzer, "N a m e : Chidi Okafor\nP ass port  No : C12345678")
    assert not [s for s in analyzer.analyze("Ticket C12345678") if s.type == "PASSPORT"]


def test_a_name_column_keeps_a_person_the_tagger_reads_as_an_organisation(analyzer):
    text = "| Name | Phone |\n|---|---|\n| Aiko Tanaka | 090-1234-5678 |"
    assert ("Aiko Tanaka", "PERSON") in found(analyzer, text)


def test_the_answer_to_a_question_naming_its_type(analyzer):
    text = "[00:00:15] Agent: And the date of birth on the account?\n[00:00:18] Caller: 17 March 1955.\n"
    assert ("17 March 1955", "DATE_OF_BIRTH") in found(analyzer, text)
    text = "客服：先生您好，请问订单号？\n客户：#0992446，收货人程小雨，电话177 1234 5678。"
    assert ("#0992446", "RECORD_ID") in found(analyzer, text)
    text = "Agent: What is your order number?\nCaller: I do not know it."
    assert not [s for s in analyzer.analyze(text) if s.type == "RECORD_ID"]


@pytest.mark.parametrize("text", ["Iqama: 2123456789", "Iqama Number: 2123456789", "Iqama expiry 2025-03-01"])
def test_the_iqama_label_is_no_person(analyzer, text):
    assert not [s for s in analyzer.analyze(text) if s.type == "PERSON"]


def test_a_plot_number_labels_the_house_number(analyzer):
    text = "Address:\nPlot 14, Adeola Odeku Street, Victoria Island, Lagos\nMessage:"
    assert ("Plot 14, Adeola Odeku Street, Victoria Island, Lagos", "ADDRESS") in found(analyzer, text)
