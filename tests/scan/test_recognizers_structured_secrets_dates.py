"""Secret recognizers (vendor keys, JWT, PEM, key=value credentials, keyed random strings)
and the date-of-birth recognizer."""

from __future__ import annotations

import base64
import json

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.recognizers.dates import DateOfBirthRecognizer, find_dates
from privtune.scan.recognizers.secrets import (
    ApiKeyRecognizer, CredentialRecognizer, JwtRecognizer, KeyedRandomStringRecognizer,
    PemPrivateKeyRecognizer, shannon_entropy,
)  # fmt: skip
from test_recognizers_structured_contact import found  # tests/scan is on sys.path (rootdir mode)

# Synthetic, never-issued values in the vendors' published shapes.
AWS = "AKIA" + "Q4NZ7XJ2M5L8R3TB"
GITHUB = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
SLACK = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
OPENAI = "sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90Uv12"
GOOGLE = "AIza" + "SyD3x9Kq2LmN8pQ4rS6tU1vW7yZ0aB5cD_e"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"


def b64url(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


JWT_SIG = "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
JWT = f"{b64url({'alg': 'HS256', 'typ': 'JWT'})}.{b64url({'sub': '1234567890'})}.{JWT_SIG}"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7b3\nq8F0aZ+x/9==\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize("key", [AWS, GITHUB, SLACK, OPENAI, GOOGLE, STRIPE])
def test_vendor_keys(key):
    assert found(ApiKeyRecognizer(), f"我的key是{key}，别外传") == [key]
    assert found(ApiKeyRecognizer(), f"export KEY={key}\n") == [key]


@pytest.mark.parametrize(
    "text",
    [
        "uses sk-learn-compatible-estimators-for-everything",  # "sk-" words, no key-like mixing
        "AKIA1234",  # too short
        "the task-force meeting",
        "xAKIAQ4NZ7XJ2M5L8R3TB",  # glued to a word
    ],
)
def test_vendor_key_negatives(text):
    assert found(ApiKeyRecognizer(), text) == []


def test_jwt_needs_a_json_header_with_alg():
    assert found(JwtRecognizer(), f"Authorization: Bearer {JWT}") == [JWT]
    no_alg = f"{b64url({'typ': 'JWT'})}.{b64url({'sub': '1'})}.abcdefgh"
    not_json = "eyJhbGciOiJIUzI1NiIsInR5cCI6.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc"
    assert found(JwtRecognizer(), no_alg) == []
    assert found(JwtRecognizer(), not_json) == []


def test_pem_block_is_reported_whole_and_truncated_block_up_to_its_body():
    text = f"key file:\n{PEM}\nthanks"
    assert found(PemPrivateKeyRecognizer(), text) == [PEM]
    cut = PEM.split("-----END")[0].rstrip()
    assert found(PemPrivateKeyRecognizer(), f"{cut}") == [cut]
    assert found(PemPrivateKeyRecognizer(), "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("password=hunter2", ["hunter2"]),
        ("密码是Abc123456，谢谢", ["Abc123456"]),
        ("登录密码：Qwer1253!。", ["Qwer1253!"]),  # the ASCII "!" is the password's
        ("支付密码088744 谢谢", ["088744"]),  # value straight after 密码
        ('{"password": "s3cr3t!x"}', ["s3cr3t!x"]),
        ("my password is 110179!", ["110179"]),  # a "!" after a PIN ends the sentence
        ("token=c709c06481d876456d22682dcd63ba8e!", ["c709c06481d876456d22682dcd63ba8e"]),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY", ["wJalrXUtnFEMI/K7MDENG/bPxRfiCY"]),
        ("secret key: IsHvUCVbFYGp10dg_G8gTj9lnDN2", ["IsHvUCVbFYGp10dg_G8gTj9lnDN2"]),
        ("PIN: 1234", ["1234"]),
        ("db_password=letmein99&user=bob", ["letmein99"]),
        # In prose "&", "<", ">" belong to the password (a query string has "=" before its value).
        ("My login is jsmith42 and my password is Tr0ub4dor&3", ["Tr0ub4dor&3"]),
        ("password: Zx9q<w>&Lm, then log in", ["Zx9q<w>&Lm"]),
        ("my password is Abcd;12x; thanks", ["Abcd;12x"]),  # "; " ends the sentence
    ],
)
def test_credential_values(text, expected):
    assert found(CredentialRecognizer(), text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the password is required",
        "Password: ********",
        "password=${DB_PASSWORD}",
        "max_tokens=1500",
        "token: 1500",  # a count, not a secret
        "密码错误，请重试",
        "passport: E12345678",
        "password: <redacted>",
    ],
)
def test_credential_negatives(text):
    assert found(CredentialRecognizer(), text) == []


def test_keyed_random_string_needs_the_key_word_and_entropy():
    secret = "8f3Kd92jLmQ0zXc7VbN1pR4t"
    assert found(KeyedRandomStringRecognizer(), f"api secret below\n{secret}") == [secret]
    assert found(KeyedRandomStringRecognizer(), f"commit {secret}") == []  # no key word
    assert found(KeyedRandomStringRecognizer(), "token aaaaaaaaaaaaaaaaaaaaaaaa1") == []  # low entropy
    assert shannon_entropy("abcd") == pytest.approx(2.0)


# --- date of birth ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("出生日期：1990年3月15日，入职日期：2015-07-01", ["1990年3月15日"]),
        ("我是1964-06-18出生的", ["1964-06-18"]),
        ("生日2001/2/3", ["2001/2/3"]),
        ("born on Feb 3, 2001.", ["Feb 3, 2001"]),
        ("DOB: 03/02/2001", ["03/02/2001"]),
        ("date of birth 3rd of March 1985", ["3rd of March 1985"]),
        ("my birthday is 1990-01-11", ["1990-01-11"]),
        ("出生年月 1990年3月", ["1990年3月"]),
        ("出生日期：\n19900315", ["19900315"]),
        ("我是1964-06-18出生的，出生日期：1998年02月27日", ["1964-06-18", "1998年02月27日"]),
        # A two-digit year beside the keyword, and "D.O.B." whose own full stop read as a sentence end.
        ("DOB: 3/7/67", ["3/7/67"]),
        ("born 12.03.88 in Leeds", ["12.03.88"]),
        ("D.O.B. 07-03-1967", ["07-03-1967"]),
        # Month abbreviations between dashes or slashes (clinical and airline systems).
        ("Date of Birth: 31-Dec-1980", ["31-Dec-1980"]),
        ("DOB 04/JAN/75", ["04/JAN/75"]),
        # Chinese numerals, and a two-digit year with 号.
        ("出生日期：一九八五年七月十二日", ["一九八五年七月十二日"]),
        ("出生于二〇〇一年十二月三十一日", ["二〇〇一年十二月三十一日"]),
        ("生日是85年7月12号", ["85年7月12号"]),
        # Birth words and month names in the customer's language.
        ("Herr Dr. Klaus-Peter Müller, geb. 12.03.1958, wohnhaft in München", ["12.03.1958"]),
        ("Mme Dupont, née le 3 mars 1990 à Lyon", ["3 mars 1990"]),
        ("geb. am 3. März 1958 in Köln", ["3. März 1958"]),
        ("nacida el 12 de mayo de 1985", ["12 de mayo de 1985"]),
        ("Geboortedatum: 12-03-1958", ["12-03-1958"]),
    ],
)
def test_dob_positives(text, expected):
    assert found(DateOfBirthRecognizer(), text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "订单日期2023-11-01",  # a date, but not a birth date
        "delivered on Nov 3, 2023",
        "生日快到了。订单日期2023-11-01",  # the sentence ends before the date
        "订单日期：2023-03-21 出生日期：未填",
        "出生日期：1990-02-30",  # not a real date
        "出生日期：2090-01-01",  # in the future
        "身份证号 110105 19491231 002X，出生",  # digits inside an ID are not a date
        "Adobe 2021-05-06 release",  # "dob" inside a word
        "DOB: 13/13/67",  # no month 13 either way
        "birthday party on 3/7",  # no year
        "出生日期：一九八五年十三月一日",  # no month 13
        "Date of Birth: 31-Feb-1980",  # no such day
        "Rendez-vous le 3 mars 2024 à Lyon",  # a French date, no birth word
    ],
)
def test_dob_negatives(text):
    assert found(DateOfBirthRecognizer(), text) == []


def test_find_dates_formats():
    text = "2001-02-03 / 2001/2/3 / 2001年2月3日 / Feb 3, 2001 / 03/02/2001 / 2001-02/03"
    expected = ["2001-02-03", "2001/2/3", "2001年2月3日", "Feb 3, 2001", "03/02/2001"]  # not the mixed "2001-02/03"
    assert [text[s:e] for s, e in find_dates(text)] == expected


def test_dob_through_the_analyzer_default_threshold():
    spans = Analyzer(types=["DATE_OF_BIRTH"]).analyze("Birth date: Jun. 11 1970; ordered on 27 December 2023")
    assert [(s.type, s.start, s.end) for s in spans] == [("DATE_OF_BIRTH", 12, 24)]
