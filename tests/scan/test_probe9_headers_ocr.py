"""Leak probe, round 9: senders in chat-export and mail headers, and the labels of a form as OCR
reads them letter-spaced."""

import pytest

from privtune.scan.analyzer import Analyzer


@pytest.fixture(scope="module")
def an():
    return Analyzer()


def _found(an, text):
    return {(text[s.start:s.end], s.type) for s in an.analyze(text)}


@pytest.mark.parametrize("text,value", [
    ("[15/08/2024, 22:18] 高峰: 好的，地址发我一下", "高峰"),
    ("12/03/2024, 14:22 - Wang Wei: see you", "Wang Wei"),
    ("高峰 2024-03-12 10:02\n收到", "高峰"),
    ("发件人：高峰 <olusegun.adeyemi@mail.ng>", "高峰"),
    ("在 2024年3月4日 10:12，朱琳 <fatima.alharbi@yahoo.fr> 写道：", "朱琳"),
])
def test_the_sender_of_an_export_header(an, text, value):
    assert (value, "PERSON") in _found(an, text)


@pytest.mark.parametrize("text,word", [
    ("From: Acme Support <help@acme.com>", "Acme Support"),
    ("The meeting is at 10:30 tomorrow: bring notes", "tomorrow"),
    ("Re: 14:30 meeting", "meeting"),
])
def test_no_sender_where_no_person_is_named(an, text, word):
    assert not any(v == word or t == "PERSON" for v, t in _found(an, text))


@pytest.mark.parametrize("text,value,etype", [
    ("姓 名 何雪\n性 别 女\n出 生 1962-10-13", "何雪", "PERSON"),
    ("姓 名 何雪\n性 别 女\n出 生 1962-10-13", "1962-10-13", "DATE_OF_BIRTH"),
    ("收 货 人：马超  电 话：+86 136 1234 5678", "马超", "PERSON"),
    ("营业执照\n名 称 深圳市腾飞科技有限公司\n法定代表人 马超", "马超", "PERSON"),
    ("N a m e : Grace Mwangi\nD a t e  of  B i r t h : 14/06/1958", "14/06/1958", "DATE_OF_BIRTH"),
])
def test_letter_spaced_form_labels(an, text, value, etype):
    assert (value, etype) in _found(an, text)


def test_a_spaced_birthplace_label_is_no_date(an):
    assert not any(t == "DATE_OF_BIRTH" for _, t in _found(an, "出 生 地 上海，1990年入学"))
