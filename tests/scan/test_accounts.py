"""Account names after a cue (USERNAME): WeChat, QQ, social platforms, "username:"."""

from __future__ import annotations

import pytest

from privtune.scan.analyzer import Analyzer
from privtune.scan.anonymize.surrogates import surrogate
from privtune.scan.recognizers.accounts import AccountRecognizer

FOUND = [
    ("加我微信：zhangsan_1990", "zhangsan_1990"),
    ("微信号zhangsan_1990谢谢", "zhangsan_1990"),
    ("ｖｘ：ａｂｃ１２３４５", "ａｂｃ１２３４５"),  # full-width, as Chinese IMEs type it
    ("我的QQ号是 123456789", "123456789"),
    ("扣扣 88776655", "88776655"),
    ("my instagram is @jane_doe92", "@jane_doe92"),
    ("Telegram: @ivan_petrov", "@ivan_petrov"),
    ("my twitter handle is @mike_t", "@mike_t"),
    ("Follow me on Instagram janedoe92!", "janedoe92"),
    ("WeChat ID: lily_chen88.", "lily_chen88"),
    ("抖音号 dy_12345", "dy_12345"),
    ("username: k.miller", "k.miller"),
    ("用户名是wang.lei88", "wang.lei88"),
    ("登录名：admin", "admin"),
    ("twitter handle is mike", "mike"),
    ("QQ123456789", "123456789"),
]
NOT_FOUND = [
    "微信支付", "QQ群", "qq music", "微信同号", "用户名不能为空", "snap decision", "wechat payment",
    "login page", "I can handle it", "username and password", "the ig story", "User ID required",
    "telegram channel", "tg group link", "line id",
    "加我微信 13812345678",  # a mobile number: the phone detector's, with a phone-shaped surrogate
    "QQ: 12345@qq.com",  # the e-mail detector's
    # from tweets (Broad Twitter Corpus / WNUT-17 train, where no account may be claimed):
    "Twitter is going to be less fun tonight", "So Abigail Try Rape My Twitter Again.",
    "Murdoch 's Twitter account lays dormant", "Cool Things on Instagram : http://t.co/fc5ujDb48O",
    "my eyes #ferrariworld http://t.co/3tg7eSuJo0",
]


@pytest.mark.parametrize("text,value", FOUND)
def test_account_after_a_cue(text, value):
    (span,) = AccountRecognizer().analyze(text)
    assert text[span.start : span.end] == value and span.type == "USERNAME"


@pytest.mark.parametrize("text", NOT_FOUND)
def test_no_account_without_one(text):
    assert AccountRecognizer().analyze(text) == []


def test_the_analyzer_leaves_phones_and_emails_to_their_detectors():
    a = Analyzer()
    for text, kind in (("加我微信 13812345678", "PHONE"), ("QQ: 12345@qq.com", "EMAIL"), ("微信 lily_chen88", "USERNAME"),
                       ("username: John Smith", "PERSON")):  # not "John" as an account, "Smith" left
        assert [s.type for s in a.analyze(text)] == [kind], text


@pytest.mark.parametrize("value", ["zhangsan_1990", "@jane_doe92", "123456789", "k.miller"])
@pytest.mark.parametrize("version", [1, 2])
def test_surrogate_keeps_the_shape(value, version):
    out = surrogate("USERNAME", value, b"k" * 32, version=version)
    assert out is not None and out != value
    assert out.startswith("@") == value.startswith("@") and out.isdigit() == value.isdigit()
    assert [c.isdigit() for c in out if not c.isalpha()] == [c.isdigit() for c in value if not c.isalpha()]
    assert surrogate("USERNAME", value, b"k" * 32, version=version) == out  # keyed: stable
    if value.isdigit():
        assert len(out) == len(value) and out[0] != "0"


def test_the_cue_scan_finds_every_match_a_full_scan_finds():
    # `analyze` tries `_CUED` only where `_cue_starts` says a cue may start; a full
    # `_CUED.finditer` must find nothing more, on texts dense in cue words and near-misses.
    import random

    from privtune.scan.recognizers.accounts import _CUED, _cue_starts

    rng = random.Random(5)
    pieces = ["微信", "微信号", "V信", "加v", "扣扣", "QQ", "qq", "Qq", "WeChat", "wx", "vx", "Telegram", "IG", "ig",
              "insta", "Line ID", "line id", "x handle", "X handle", "user name", "UserName", "screen name", "login",
              "用户名", "帐号名", "登陆名", "B站", "小红书号", "İstanbul", "big", "online", "user", "@", ":", "：", " is ",
              "是", " ", "\n", "t.co/3tg7", "abc_123", "lily.chen88", "12345678", "13812345678", "John Smith", "张伟", "。"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        full = [m.start() for m in _CUED.finditer(text)]
        starts = set(_cue_starts(text))
        assert set(full) <= starts, text
