"""Pseudonymisation per type: consistency, validity (checksums, formats) and never the original."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re

import pytest
from stdnum import iban as std_iban
from stdnum.cn import ric as std_ric
from stdnum.cn import uscc as std_uscc
from stdnum.us import ssn as std_ssn

from privtune.scan.anonymize import AnonymizationPolicy, Anonymizer, derive_key, surrogate
from privtune.scan.anonymize._common import language_of
from privtune.scan.anonymize._data import cn_given_chars, cn_single_surnames, en_first_names, en_last_names
from privtune.scan.checksums import is_luhn_valid, is_valid_cn_id, is_valid_iban, is_valid_uscc
from privtune.scan.entities import ENTITY_TYPES

KEYS = [derive_key(hashlib.sha256(f"surrogate-test-{i}".encode()).digest()) for i in range(3)]
KEY = KEYS[0]

SAMPLES: dict[str, list[str]] = {
    "PERSON": [
        "张伟",
        "欧阳修远",
        "王小明",
        "张先生",
        "老王",
        "John Smith",
        "Dr. Jane A. Roe",
        "SMITH, JOHN",
        "约翰·史密斯",
    ],
    "ORGANIZATION": ["深圳市腾讯计算机系统有限公司", "北京协和医院", "Acme Corp.", "Goldman Sachs Group, Inc."],
    "ADDRESS": [
        "北京市朝阳区建国路88号",
        "广东省深圳市南山区科技园南区阳光花园3栋302室",
        "上海市浦东新区张江路123弄5号",
        "123 Main Street, Springfield, IL 62704",
        "Apt 4B, 55 W 45th St, New York, NY 10036",
    ],
    "EMAIL": ["zhang.wei88@company.com.cn", "John.Smith@Example.org", "li_na-2019@163.com"],
    "PHONE": [
        "13812345678",
        "+86 138-1234-5678",
        "010-12345678",
        "(0755) 8765-4321",
        "+86 10 1234 5678",
        "(212) 555-1234",
        "+1 415-555-0100",
        "+44 20 7946 0958",
        "１３８１２３４５６７８",
        "(984)465-6321x22330",
    ],
    "ID_CARD": ["11010519491231002X", "440305199003071234", "110105194912310021", "370102800101001"],
    "BANK_CARD": [
        "6222021234567890123",
        "4111 1111 1111 1111",
        "5500-0000-0000-0004",
        "378282246310005",
        "6011000990139424",
    ],
    "USCC": ["91350100M000100Y43", "91110000802100433B"],
    "USERNAME": ["zhangsan_1990", "@jane_doe92", "123456789", "k.miller"],
    "IBAN": [
        "GB82 WEST 1234 5698 7654 32",
        "DE89370400440532013000",
        "FR1420041010050500013M02606",
        "BE68539007547034",
        "ES9121000418450200051332",
    ],
    "US_SSN": ["123-45-6789", "078051120", "219 09 9999"],
    "PASSPORT": ["E12345678", "EA1234567", "G87654321"],
    "LICENSE_PLATE": ["京A12345", "粤B·D12345", "沪C-8K9L2"],
    "IP_ADDRESS": ["192.168.1.10", "8.8.8.8:53", "2001:4860:4860::8888", "[fe80::1]:8080", "10.1.2.0/24"],
    "URL": [
        "https://www.acme-corp.com/users/zhangwei/profile.html?id=12345&ref=mail#top",
        "http://10.0.0.5:8080/admin",
        "www.foo.org/a/b",
    ],
    "DATE_OF_BIRTH": [
        "1990-05-17",
        "1990年5月17日",
        "05/06/1990",
        "17/05/1990",
        "May 17, 1990",
        "17th May 1990",
        "19900517",
        "17.05.90",
    ],
    "RECORD_ID": ["MR-2023-004512", "00482913", "1101 0519 4912 3100", "XJH884512093"],
}
ALL = [(t, v) for t, vs in SAMPLES.items() for v in vs]


def fake(etype: str, value: str, key: bytes = KEY, **kw: object) -> str:
    out = surrogate(etype, value, key, **kw)  # type: ignore[arg-type]
    assert out is not None, (etype, value)
    return out


def shape(s: str) -> str:
    """Character-class skeleton: digits -> 9, ASCII letters -> A, rest kept."""
    return re.sub(r"[A-Za-z]", "A", re.sub(r"\d", "9", s))


def test_every_type_but_secret_has_a_generator_and_samples() -> None:
    assert set(SAMPLES) == set(ENTITY_TYPES) - {"SECRET"}
    assert surrogate("SECRET", "sk-live-abc123def456", KEY) is None


@pytest.mark.parametrize(("etype", "value"), ALL)
def test_consistent_keyed_and_never_the_original(etype: str, value: str) -> None:
    outs = [fake(etype, value, k) for k in KEYS]
    assert fake(etype, value, KEY) == outs[0]  # same key -> same surrogate
    assert len(set(outs)) == len(outs)  # different keys -> different surrogates
    for out in outs:
        assert out != value


# --- numbers ----------------------------------------------------------------------------------
PHONE_FORMATS = {
    "13812345678": r"1[3-9]\d{9}",
    "+86 138-1234-5678": r"\+86 1[3-9]\d-\d{4}-\d{4}",
    "010-12345678": r"0(?:10|2\d)-[2-8]\d{7}",
    "(0755) 8765-4321": r"\(0[3-9]\d{2}\) [2-8]\d{3}-\d{4}",
    "+86 10 1234 5678": r"\+86 (?:10|2\d) [2-8]\d{3} \d{4}",
    "(212) 555-1234": r"\([2-9]\d\d\) [2-9]\d\d-\d{4}",
    "+1 415-555-0100": r"\+1 [2-9]\d\d-[2-9]\d\d-\d{4}",
    "(984)465-6321x22330": r"\([2-9]\d\d\)[2-9]\d\d-\d{4}x\d{5}",
    "+44 20 7946 0958": r"\+44 2\d \d{4} \d{4}",
    "１３８１２３４５６７８": r"１[３-９][０-９]{9}",
}


@pytest.mark.parametrize("value", PHONE_FORMATS)
def test_phone_keeps_format(value: str) -> None:
    for key in KEYS:
        out = fake("PHONE", value, key)
        assert re.fullmatch(PHONE_FORMATS[value], out), out
        nanp = re.findall(r"\d{3}", out)
        if value.startswith(("(", "+1")):
            assert nanp[0][1:] != "11" and nanp[1][1:] != "11"  # N11 codes are service numbers
        if value.startswith(("010", "(0755)", "+86 10")):
            assert re.sub(r"\D", "", out)[:5] != re.sub(r"\D", "", value)[:5]  # new area code
    assert fake("PHONE", "+86 138-1234-5678")[4:] == fake("PHONE", "138-1234-5678")  # one line, one surrogate


@pytest.mark.parametrize("value", SAMPLES["ID_CARD"])
def test_id_card_valid_new_region_and_birth(value: str) -> None:
    for key in KEYS:
        out = fake("ID_CARD", value, key)
        assert len(out) == len(value) and out[:6] != value[:6]
        if len(value) == 18:
            assert is_valid_cn_id(out) and std_ric.is_valid(out)
            assert out[6:14] != value[6:14]
            assert int(out[16]) % 2 == int(value[16]) % 2  # sex digit parity kept
        else:
            assert out.isdigit() and dt.datetime.strptime(out[6:12], "%y%m%d")


def test_id_card_keep_birth_year_option() -> None:
    outs = {fake("ID_CARD", "440305199003071234", k, keep_birth_year=True) for k in KEYS}
    assert {o[6:10] for o in outs} == {"1990"} and all(is_valid_cn_id(o) for o in outs)
    a = Anonymizer(AnonymizationPolicy(keep_birth_year=True), KEY)
    assert a.replacement("ID_CARD", "440305199003071234")[6:10] == "1990"


@pytest.mark.parametrize("value", SAMPLES["BANK_CARD"])
def test_bank_card_luhn_length_family(value: str) -> None:
    digits = re.sub(r"\D", "", value)
    for key in KEYS:
        out = fake("BANK_CARD", value, key)
        new = re.sub(r"\D", "", out)
        assert shape(out) == shape(value) and is_luhn_valid(new)
        family = 4 if digits.startswith("6011") else 1 if digits[0] == "4" else 2
        assert new[:family] == digits[:family]


@pytest.mark.parametrize("value", SAMPLES["USCC"])
def test_uscc_valid(value: str) -> None:
    for key in KEYS:
        out = fake("USCC", value, key)
        assert is_valid_uscc(out) and std_uscc.is_valid(out) and out[:2] == value[:2]


@pytest.mark.parametrize("value", SAMPLES["IBAN"])
def test_iban_valid_same_country_and_layout(value: str) -> None:
    for key in KEYS:
        out = fake("IBAN", value, key)
        assert out[:2] == value[:2] and shape(out[4:]) == shape(value[4:])
        assert is_valid_iban(out) and std_iban.is_valid(out)


@pytest.mark.parametrize("value", SAMPLES["US_SSN"])
def test_ssn_valid_format(value: str) -> None:
    for key in KEYS:
        out = fake("US_SSN", value, key)
        assert shape(out) == shape(value) and std_ssn.is_valid(re.sub(r"\D", "", out))
        area = re.sub(r"\D", "", out)[:3]
        assert area not in ("000", "666") and area[0] != "9"


@pytest.mark.parametrize("value", SAMPLES["PASSPORT"] + SAMPLES["LICENSE_PLATE"])
def test_passport_and_plate_keep_pattern_and_prefix(value: str) -> None:
    etype = "PASSPORT" if value[0].isascii() else "LICENSE_PLATE"
    for key in KEYS:
        out = fake(etype, value, key)
        assert shape(out) == shape(value) and out[0] == value[0]
        assert not set("IO") & set(out[1:])


# --- network ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", SAMPLES["IP_ADDRESS"])
def test_ip_reserved_ranges(value: str) -> None:
    for key in KEYS:
        out = fake("IP_ADDRESS", value, key)
        core = (
            re.sub(r"^\[|\](:\d+)?$|(:\d+|/\d+)$", "", out) if "." in out or "[" in out else re.sub(r"/\d+$", "", out)
        )
        addr = ipaddress.ip_address(core)
        net = ipaddress.ip_network("10.0.0.0/8" if addr.version == 4 else "2001:db8::/32")
        assert addr in net
        for suffix in (":53", "/24", "]:8080"):
            assert out.endswith(suffix) == value.endswith(suffix)


@pytest.mark.parametrize("value", SAMPLES["EMAIL"])
def test_email_structure(value: str) -> None:
    local = value.split("@")[0]
    for key in KEYS:
        out = fake("EMAIL", value, key)
        new_local, domain = out.split("@")
        assert domain in ("example.com", "example.org", "example.net")
        assert re.sub(r"[^._+-]", "", new_local) == re.sub(r"[^._+-]", "", local)
        assert [len(d) for d in re.findall(r"\d+", new_local)] == [len(d) for d in re.findall(r"\d+", local)]
        assert not set(re.findall(r"[a-z]{3,}", local.lower())) & set(re.findall(r"[a-z]{3,}", new_local.lower()))


def test_url_structure() -> None:
    value = SAMPLES["URL"][0]
    for key in KEYS:
        out = fake("URL", value, key)
        m = re.fullmatch(
            r"https://www\.example\.com/([a-z]{5})/([a-z]{8})/([a-z]{7})\.html\?id=(\d{5})&ref=([a-z]{4})#([a-z]{3})",
            out,
        )
        assert m is not None, out
        assert "zhangwei" not in out and "12345" not in out
    assert re.fullmatch(r"http://10\.\d+\.\d+\.\d+:8080/[a-z]{5}", fake("URL", "http://10.0.0.5:8080/admin"))
    assert fake("URL", "www.foo.org/a/b").startswith("www.example.org/")


# --- names, places, dates ---------------------------------------------------------------------
@pytest.mark.parametrize("value", ["张伟", "欧阳修远", "王小明", "李娜", "司马相如"])
def test_chinese_names_stay_chinese_same_length(value: str) -> None:
    given_pool = set(cn_given_chars())
    for key in KEYS:
        out = fake("PERSON", value, key)
        assert len(out) == len(value) and language_of(out) == "zh"
        sur = 2 if value.startswith(("欧阳", "司马")) else 1
        assert (
            out[:2]
            in (
                "欧阳",
                "司马",
                "诸葛",
                "上官",
                "东方",
                "皇甫",
                "尉迟",
                "公孙",
                "慕容",
                "长孙",
                "宇文",
                "司徒",
                "夏侯",
                "轩辕",
                "令狐",
                "钟离",
                "端木",
                "独孤",
                "南宫",
                "西门",
            )
        ) == (sur == 2)
        if sur == 1:
            assert out[0] in cn_single_surnames()
        assert set(out[sur:]) <= given_pool and out[:sur] != value[:sur] and out[sur:] != value[sur:]


def test_person_parts_map_consistently() -> None:
    full = fake("PERSON", "张伟")
    assert fake("PERSON", "张先生") == full[0] + "先生"
    # Every title the detectors know keeps its place ("张院长" became a two-character made-up name).
    assert fake("PERSON", "张院长") == full[0] + "院长" and fake("PERSON", "张局长") == full[0] + "局长"
    assert fake("PERSON", "老张") == "老" + full[0]
    en = fake("PERSON", "John Smith")
    first, last = en.split(" ")
    assert fake("PERSON", "Mr. Smith") == f"Mr. {last}"
    assert fake("PERSON", "SMITH, JOHN") == f"{last.upper()}, {first.upper()}"
    assert fake("PERSON", "John Smith") == fake("PERSON", "john smith").title()


def test_english_names_keep_structure_title_and_gender() -> None:
    for key in KEYS:
        out = fake("PERSON", "Dr. Jane A. Roe", key)
        m = re.fullmatch(r"Dr\. (\w+) ([A-Z])\. (\w+)", out)
        assert m is not None, out
        assert m.group(1) in en_first_names("female") and m.group(3) in en_last_names()
        mrs = fake("PERSON", "Mrs. Mary Ann", key)
        assert mrs.startswith("Mrs. ") and mrs.split()[1] in en_first_names("female")


@pytest.mark.parametrize("value", SAMPLES["ADDRESS"])
def test_address_same_language_new_parts(value: str) -> None:
    for key in KEYS:
        out = fake("ADDRESS", value, key)
        assert language_of(out) == language_of(value)
        for part in re.findall(r"[\u4e00-\u9fff]{2,}?(?:省|市|区|路)|[A-Z][a-z]{3,}", value):
            if part not in ("Street", "Main"):
                assert part not in out, (part, out)
        if value.startswith("123 Main"):
            assert re.fullmatch(r"\d{3} [A-Z][a-z]+ Street, [A-Z][\w ]+, [A-Z]{2} \d{5}", out), out
        if "阳光花园3栋302室" in value:
            assert re.search(r"^[^省区]+(?:省|自治区)[^市]+市.+[区县旗市].+花园\d栋\d{3}室$", out), out


@pytest.mark.parametrize(
    ("value", "suffix"),
    [
        ("深圳市腾讯计算机系统有限公司", "有限公司"),
        ("北京协和医院", "医院"),
        ("Acme Corp.", " Corp."),
        ("Goldman Sachs Group, Inc.", " Group, Inc."),
    ],
)
def test_organization_keeps_kind_suffix(value: str, suffix: str) -> None:
    for key in KEYS:
        out = fake("ORGANIZATION", value, key)
        assert out.endswith(suffix) and language_of(out) == language_of(value)
        assert not {"腾讯", "深圳", "北京", "协和", "Acme", "Goldman", "Sachs"} & {
            w for w in re.findall(r"\w+", value) if w in out
        }
        assert "腾讯" not in out and "协和" not in out


DATE_FORMATS = {
    "1990-05-17": ("%Y-%m-%d", r"\d{4}-\d{2}-\d{2}"),
    "1990年5月17日": ("%Y年%m月%d日", r"\d{4}年\d{1,2}月\d{1,2}日"),
    "17/05/1990": ("%d/%m/%Y", r"\d{2}/\d{2}/\d{4}"),
    "May 17, 1990": ("%B %d, %Y", r"[A-Z][a-z]+ \d{1,2}, \d{4}"),
    "19900517": ("%Y%m%d", r"\d{8}"),
    "17.05.90": ("%d.%m.%y", r"\d{2}\.\d{2}\.\d{2}"),
}


@pytest.mark.parametrize("value", DATE_FORMATS)
def test_date_of_birth_shifted_same_format(value: str) -> None:
    fmt, pattern = DATE_FORMATS[value]
    old = dt.datetime.strptime(value, fmt).date()
    for key in KEYS:
        out = fake("DATE_OF_BIRTH", value, key)
        assert re.fullmatch(pattern, out), out
        assert 1 <= abs((dt.datetime.strptime(out, fmt).date() - old).days) <= 365
        kept = fake("DATE_OF_BIRTH", value, key, keep_birth_year=True)
        assert dt.datetime.strptime(kept, fmt).year == old.year and kept != value


def test_ambiguous_date_valid_under_both_readings() -> None:
    for key in KEYS:
        out = fake("DATE_OF_BIRTH", "05/06/1990", key)
        dt.datetime.strptime(out, "%m/%d/%Y")
        dt.datetime.strptime(out, "%d/%m/%Y")
    assert fake("DATE_OF_BIRTH", "17th May 1990").split()[0][-2:] in ("st", "nd", "rd", "th")


def test_unusable_values_fall_back_to_redaction() -> None:
    a = Anonymizer(AnonymizationPolicy(), KEY)
    assert a.replacement("DATE_OF_BIRTH", "the spring of '90") == "[DATE_OF_BIRTH]"
    assert a.replacement("IP_ADDRESS", "999.1.1.1") == "[IP_ADDRESS]"
    assert a.replacement("US_SSN", "12-34") == "[US_SSN]"


def test_org_without_letters_uses_record_language() -> None:
    a = Anonymizer(AnonymizationPolicy(), KEY)
    zh = a.replacement("ORGANIZATION", "12345", "我在12345工作了三年，公司很大")
    en = a.replacement("ORGANIZATION", "12345", "I worked at 12345 for three years")
    assert language_of(zh) == "zh" and language_of(en) == "en"
