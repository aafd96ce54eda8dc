"""Leak probe, round 11: call transcripts as speech recognition writes them — no question marks,
digits as words, dates as speech, ID numbers read in groups, surnames spelled letter by letter."""

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.asked_values import asked_value_spans
from privtune.scan.recognizers.spoken_shapes import is_spoken_date, is_spoken_phone, spoken_digit_count


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def found(analyzer, text):
    return {(text[s.start:s.end], s.type) for s in analyzer.analyze(text)}


def test_unpunctuated_questions_and_spoken_answers(analyzer):
    text = ("agent: can I have your mobile number please\ncustomer: yeah it's zero seven eight three four three five three eight nine eight\n"
            "speaker 1: sure what's your date of birth\nspeaker 2: june eighth nineteen ninety four\n"
            "speaker 1: and a contact number\nspeaker 2: 070 1693 4879")
    got = found(analyzer, text)
    assert {("zero seven eight three four three five three eight nine eight", "PHONE"),
            ("june eighth nineteen ninety four", "DATE_OF_BIRTH"), ("070 1693 4879", "PHONE")} <= got


def test_unpunctuated_question_needs_labelled_turns_and_the_answers_shape():
    assert asked_value_spans("agent: how many items\ncustomer: three") == []
    assert asked_value_spans("agent: what's the phone number\ncustomer: I don't have it with me") == []
    assert asked_value_spans("my phone number changed\nseven eight nine") == []  # no speaker labels
    assert asked_value_spans("agent: and your date of birth\ncustomer: march") == []


def test_spoken_shapes():
    assert spoken_digit_count("oh seven double five one two three four") == 8
    assert is_spoken_phone("oh seven three oh seven six six one four three three")
    assert not is_spoken_phone("one two three") and not is_spoken_phone("seven dwarves")
    assert is_spoken_date("the third of march two thousand and one") and is_spoken_date("november third nineteen sixty")
    assert not is_spoken_date("march madness")


def test_chinese_id_read_in_region_year_groups(analyzer):
    assert ("310104 1991 0710 7786", "ID_CARD") in found(analyzer, "客户：310104 1991 0710 7786")
    assert found(analyzer, "客户：310104 1991 0710 7787") == set()  # check character fails


def test_spelled_surname(analyzer):
    got = found(analyzer, "customer: Václav Bednářová that's B E D N Á Ř O V Á\nagent: thanks")
    assert ("B E D N Á Ř O V Á", "PERSON") in got
    assert ("K-O-W-A-L", "PERSON") in found(analyzer, "my surname is spelt K-O-W-A-L")
    assert not any(t == "PERSON" for _, t in found(analyzer, "that's a b c, and that is OK"))


def test_two_character_surnames(analyzer):
    assert ("慕容雪", "PERSON") in found(analyzer, "好的，收到。\n\n-----------------\n慕容雪\n宁波瑞丰贸易有限公司 | 销售经理")
    assert ("端木蓉", "PERSON") in found(analyzer, "用户：你好我是端木蓉我想改一下地址")
    assert ("诸葛明亮", "PERSON") in found(analyzer, "诸葛明亮先生您好")
    for text in ("公司马上处理", "我们马上官宣", "家长孙子都来了"):  # a surname's characters inside words
        assert not any(t == "PERSON" for _, t in found(analyzer, text)), text


def test_a_quoted_reply_answers_a_question_in_french(analyzer):
    text = ("> Le mar. 12 mars 2024 à 09:14, Ana <a@b.fr> a écrit :\n>> Merci Ana, pouvez-vous confirmer votre date de naissance ?\n"
            "> 12/01/1962, et mon adresse : 9 rue X")
    assert ("12/01/1962", "DATE_OF_BIRTH") in found(analyzer, text)


def test_a_question_followed_by_a_short_sentence(analyzer):
    text = "> Ana, could you send your passport number? The hotel needs it.\n>> it's C04605984"
    assert ("C04605984", "PASSPORT") in found(analyzer, text)
    # a long sentence after the mark is another thought, not the question's tail
    long = "> what's your passport number? Never mind, I found it in the booking e-mail you sent.\n>> C04605984 ok"
    assert asked_value_spans(long) == []
