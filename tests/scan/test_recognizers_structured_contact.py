"""E-mail, URL, IP and phone recognizers: positives, boundaries next to CJK, hard negatives."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import DEFAULT_MIN_SCORE, Analyzer
from privtune.scan.recognizers.contact import (
    EmailRecognizer, IpRecognizer, PhoneRecognizer, UrlRecognizer, halfwidth, has_continuation,
)  # fmt: skip


def found(recognizer, text: str, min_score: float = DEFAULT_MIN_SCORE) -> list[str]:
    """Reported substrings, in order (what a default Analyzer would keep from this detector)."""
    spans = sorted(recognizer.analyze(text), key=lambda s: s.start)
    for s in spans:
        assert s.detector == recognizer.name
        assert 0.0 <= s.score <= 1.0
    return [text[s.start : s.end] for s in spans if s.score >= min_score]


# --- shared helpers --------------------------------------------------------------------


def test_halfwidth_keeps_offsets_and_folds_only_when_needed():
    text = "手机：１３８１２３４５６７８，邮箱ａ＠ｂ．ｃｏｍ"
    folded = halfwidth(text)
    assert len(folded) == len(text)
    assert folded == "手机:13812345678,邮箱a@b.com"
    plain = "你好，请问：订单什么时候到？"  # only full-width punctuation: left alone
    assert halfwidth(plain) is plain


def test_has_continuation_sees_longer_grouped_numbers_but_not_dates():
    t = "1234 5678 9012 3456 7890"
    assert has_continuation(t, 0, 19)  # the first 16 digits of a 20-digit grouped number
    t2 = "卡号6593 3235 7390 4832 2022/3/29下的单"
    assert not has_continuation(t2, 2, 21)


# --- e-mail ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("邮箱是a@b.com谢谢", ["a@b.com"]),
        ("mail: Zhang.San+x@mail.example.com.cn.", ["Zhang.San+x@mail.example.com.cn"]),
        ("请发到li_na88@163.com，谢谢", ["li_na88@163.com"]),
        ("邮箱：abc＠qq.com，", ["abc＠qq.com"]),  # full-width at sign from a Chinese IME
        ("<john.doe@example.org>", ["john.doe@example.org"]),
    ],
)
def test_email_positives(text, expected):
    assert found(EmailRecognizer(), text) == expected


@pytest.mark.parametrize("text", ["icon@2x.png", "user@localhost", "a@b", "价格@100元", "@handle on twitter"])
def test_email_negatives(text):
    assert found(EmailRecognizer(), text) == []


# --- URL -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("访问https://example.com/a?b=1。谢谢", ["https://example.com/a?b=1"]),
        ("链接：https://a.cn/x），", ["https://a.cn/x"]),
        ("官网www.abc.com，有说明", ["www.abc.com"]),
        ("(see https://en.wikipedia.org/wiki/Foo_(bar))", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("Go to HTTP://EXAMPLE.COM/Path.", ["HTTP://EXAMPLE.COM/Path"]),
        ("请访问https://shop.example.cn/item/123.html查看", ["https://shop.example.cn/item/123.html"]),
    ],
)
def test_url_positives_stop_before_cjk_and_sentence_punctuation(text, expected):
    assert found(UrlRecognizer(), text) == expected


@pytest.mark.parametrize("text", ["http:// broken", "see https://", "awww.nothing"])
def test_url_negatives(text):
    assert found(UrlRecognizer(), text) == []


# --- IP --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("服务器IP:192.168.1.10。", ["192.168.1.10"]),
        ("我这边连不上10.2.3.44了", ["10.2.3.44"]),
        ("IPv6:2001:db8::1", ["2001:db8::1"]),
        ("异地登录提醒:2409:8000::7f2a:e087（广东深圳）", ["2409:8000::7f2a:e087"]),
        ("full 2001:0db8:0000:0000:0000:ff00:0042:8329.", ["2001:0db8:0000:0000:0000:ff00:0042:8329"]),
        ("link-local fe80::1ff:fe23:4567:890a%eth0", ["fe80::1ff:fe23:4567:890a"]),
    ],
)
def test_ip_positives(text, expected):
    assert found(IpRecognizer(), text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "version 2.0.1.5",  # a version number, said so
        "系统版本18.11.18.10",
        "firmware 10.6.9.5 is buggy",
        "300.1.2.3",  # octet out of range
        "1.2.3",  # three parts
        "1.2.3.4.5",  # five parts
        "at 12:30:45",  # a time, not IPv6
        "mac 00:1A:2B:3C:4D:5E",
        "std::vector<int>",
        "section 1.2.3.4",  # all single-digit octets need context
    ],
)
def test_ip_negatives(text):
    assert found(IpRecognizer(), text) == []


def test_ip_inside_url_loses_to_the_url():
    spans = Analyzer(types=["URL", "IP_ADDRESS"]).analyze("访问http://10.1.2.3:8080/admin查看")
    assert [(s.type, s.start) for s in spans] == [("URL", 2)]


# --- phone -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("手机13812345678。", ["13812345678"]),
        ("电话：138-1234-5678", ["138-1234-5678"]),
        ("call 138 1234 5678 tonight", ["138 1234 5678"]),
        ("+86 138 1234 5678", ["+86 138 1234 5678"]),
        ("0086-13812345678找我", ["0086-13812345678"]),
        ("（+86）13912345678", ["（+86）13912345678"]),
        ("手机：１３８１２３４５６７８", ["１３８１２３４５６７８"]),
        ("13812345678 13912345678", ["13812345678", "13912345678"]),
        ("座机010-62345678转801", ["010-62345678转801"]),  # the extension is part of the number (as "x801")
        ("（0755）86345678", ["（0755）86345678"]),
        ("电话 0571 8765 4321", ["0571 8765 4321"]),
        ("+86 10 6234 5678", ["+86 10 6234 5678"]),
        ("客服热线400-820-8820", ["400-820-8820"]),
        ("4008-123-456", ["4008-123-456"]),
        ("call me at (555) 123-4567", ["(555) 123-4567"]),
        ("Phone: 212-736-5000", ["212-736-5000"]),
        ("+1 212 736 5000", ["+1 212 736 5000"]),
        ("+44 20 7946 0958", ["+44 20 7946 0958"]),
        ("Text +33 6 12 61 65 91 if late", ["+33 6 12 61 65 91"]),
        ("WhatsApp +6581255131", ["+6581255131"]),
    ],
)
def test_phone_positives(text, expected):
    assert found(PhoneRecognizer(), text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "20231101123456",  # timestamp
        "1698812345678",  # millisecond epoch
        "订单号：13812345678",  # an 11-digit order number, said so
        "快递单号13812345678",
        "tracking no. 13812345678",
        "您的订单15209022441已发货",
        "运单号 773123456789012",
        "SF1381234567890",  # tracking number
        "6222 0213 8123 4567",  # a grouped card number, not a phone
        "1381234567890",  # 13 digits that merely contain 11
        "手机号12842279947打不通",  # 12x is not a mobile prefix
        "共计13,812元",
        "212-736.5000",  # mixed separators
    ],
)
def test_phone_negatives(text):
    assert found(PhoneRecognizer(), text) == []


def test_phone_context_raises_and_negative_context_lowers():
    rec = PhoneRecognizer()
    bare = max(s.score for s in rec.analyze("就是13812345678"))
    with_ctx = max(s.score for s in rec.analyze("手机13812345678"))
    with_neg = max(s.score for s in rec.analyze("订单号13812345678"))
    assert with_neg < DEFAULT_MIN_SCORE <= bare < with_ctx


def test_negative_context_belongs_to_the_number_after_it():
    # 订单号 labels the first number; the phone after it keeps its own score.
    text = "订单号2023110112345678，13812345678是我的"
    assert found(PhoneRecognizer(), text) == ["13812345678"]


def test_compact_landline_needs_context():
    rec = PhoneRecognizer()
    assert found(rec, "编号05323606293") == []
    assert found(rec, "座机05323606293") == ["05323606293"]


@pytest.mark.parametrize("text,expected", [
    # A run of bare digits is only tried with the patterns its first digit allows.
    ("电话13812345678", ["13812345678"]),
    ("座机01088886666。", ["01088886666"]),
    ("热线4008123456 转2", ["4008123456"]),
    ("call 212-555-0123 now", ["212-555-0123"]),
    ("call (212) 555-0123.", ["(212) 555-0123"]),
    ("tel 23812345678", []),
    ("call 2125550123 now", ["2125550123"]),  # bare NANP digits: only right after a cue
    ("ref 2125550123 now", []),  # no cue: NANP needs a separator or brackets
])
def test_phone_first_digit_prefilter(text, expected):
    assert found(PhoneRecognizer(), text, min_score=0.0) == expected


@pytest.mark.parametrize("text,phone", [
    ("Tel. +6581288025 / fax not available; delivered 28/11/2020", "+6581288025"),  # labelled benchmark
    ("mobile 28/11/2020", None), ("tel 2020-11-28", None), ("phone 28.11.2020", None),
    ("Call me! 0612 34 56 78", "0612 34 56 78"), ("phone: 06.12.34.56.78", "06.12.34.56.78"),
])
def test_a_cued_national_number_is_not_a_date_nor_in_another_clause(text, phone):
    from privtune.scan.analyzer import Analyzer

    found = [text[s.start : s.end] for s in Analyzer().analyze(text) if s.type == "PHONE"]
    assert found == ([phone] if phone else [])
