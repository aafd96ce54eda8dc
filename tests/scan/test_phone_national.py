"""National phone formats after a cue, and "00CC" / "(+CC)" numbers without one."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import DEFAULT_MIN_SCORE, Analyzer
from privtune.scan.recognizers.contact import PhoneRecognizer


def phones(text: str) -> list[str]:
    return [text[s.start : s.end] for s in PhoneRecognizer().analyze(text) if s.score >= DEFAULT_MIN_SCORE]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Phone: 0471 22 93 15", ["0471 22 93 15"]),
        ("Tel (31) 612-448 after 5", ["(31) 612-448"]),
        ("mobile 06.12.34.56.78", ["06.12.34.56.78"]),
        ("call me on 8812 4471", ["8812 4471"]),
        ("Telefon: 05350/75291703", ["05350/75291703"]),
        ("Tel (601)989-5559x79711.", ["(601)989-5559x79711"]),  # the extension belongs to it
        ("Contact person: Nathan Kamp ((018) 6091390)", ["(018) 6091390"]),
        ("Contact person: Mario Hernandez (+1-860-291-3909)", ["+1-860-291-3909"]),
        ("Phone: 001-909-737-8657.", ["001-909-737-8657"]),  # one number, not a NANP piece of it
        ("我叫林秀蘭，手机06-18599528", ["06-18599528"]),
        ("打我电话(06) 21333100，地址", ["(06) 21333100"]),
        # No cue needed: a country code written as "00" or in brackets, valid for that country.
        ("WhatsApp me or not: (+358) 617603137", ["(+358) 617603137"]),
        ("sent from 00420 791 860 913 yesterday", ["00420 791 860 913"]),
        # Bare subscriber numbers (no trunk 0, no separators) right after a cue: India's and
        # NANP's mobiles are written so.
        ("call me on 2125550123", ["2125550123"]),
        ("my mobile no is 9876543210", ["9876543210"]),
        ("WhatsApp: 91234567", ["91234567"]),
        ("联系电话：62345678", ["62345678"]),
        ("My number is 9876543210. Thanks", ["9876543210"]),  # a full stop after it
        ("customer Anna Berg called from 0471 22 93 15", ["0471 22 93 15"]),  # a Slack note
        # Call-centre notes in the past tense.
        ("caller from Auckland 1062 rang on 021 555 0199 about a refund", ["021 555 0199"]),
        ("she phoned from 0412 345 678 twice", ["0412 345 678"]),
        ("Customer dialled in from 0471 22 93 15.", ["0471 22 93 15"]),
        ("landline 020 7946 0958", ["020 7946 0958"]),
        ("my name is olga petrenko and my ph is 0 44 123 45 67 (Kyiv)", ["0 44 123 45 67"]),
        ("ph no 0471 22 93 15", ["0471 22 93 15"]),
        ("My partner Siobhán lives in Galway. Her number is 087 123 4567.", ["087 123 4567"]),
        # A label's colon, then the contact's name and relation before the number.
        ("Emergency contact: Raúl Hernández-López, brother, 55 1234 5678 (CDMX)", ["55 1234 5678"]),
        ("紧急联系人：欧阳明（儿子），138 0013 8000", ["138 0013 8000"]),
        ("my number is 9876543210 thanks", ["9876543210"]),
        # A label line above the number (forms, exported records, PDFs turned to text).
        ("Contact details:\nPhone:\n0471 22 93 15\n", ["0471 22 93 15"]),
        ("**Mobile number**\n06 12 34 56 78", ["06 12 34 56 78"]),
        ("联系电话\n62345678", ["62345678"]),
        # Traditional characters (Hong Kong, Taiwan): the cues were simplified ones only.
        ("聯絡電話：9123 4567", ["9123 4567"]),
        ("手機號碼 6123 4567", ["6123 4567"]),
        ("陳大文先生的電話是 9123 4567，住在九龍", ["9123 4567"]),
    ],
)
def test_national_numbers(text, expected):
    assert phones(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0471 22 93 15",  # no cue: could be anything
        "I paid 0471 22 93 15 in total",
        "call me about order number 0471 22 93 15",  # a reference, said so
        "fax not available! iOS 20.4.12.16 update",  # a version
        "护照号码：E67927903",  # the digits of a passport number after a cue
        "call me about order number 98765432",  # a reference, said so
        "dial 911 or 112",  # too few digits
        "contact me about the parcel that was left at the back door 0471 22 93 15",  # no label: too far
        "call me on 21255501234567",  # bare and too long for a subscriber number
        "my social security number is 018-62-6964",
        "Phone: 12 34 56",  # too few digits
        "sent from 00999 791 860 913",  # no such country code
        "Phone:\nWe paid 0471 22 93 15",  # the number does not open the line under the label
        "Phone calls this week\n0471 22 93 15",  # a sentence, not a label, above it
        "Phone 2:\n0471 22 93 15",  # a digit in the line above: not a plain label
        "Phone:\n\n\nTotal\n0471 22 93 15",  # the label is two lines up
    ],
)
def test_not_national_numbers(text):
    assert phones(text) == []


def test_ssn_keeps_its_type_after_a_cue_word():
    text = "contact me, my social security number is 018-62-6964"
    assert [(s.type, text[s.start : s.end]) for s in Analyzer().analyze(text) if s.type in ("PHONE", "US_SSN")] == [
        ("US_SSN", "018-62-6964")
    ]


def test_zero_width_spaces_between_groups_hide_no_number():
    # The analyzer's view drops zero-width characters: "415\u200b555\u200b0132" is the bare
    # "4155550132" there, which no rule took after a cue.
    text = "call me at 415\u200b555\u200b0132"
    assert [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "PHONE"] == ["415\u200b555\u200b0132"]
