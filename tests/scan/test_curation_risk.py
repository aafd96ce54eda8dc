"""Risk classes: secrets, identity dialogs, system dumps, one-off exception cases, benign."""

from __future__ import annotations

import pytest

from privtune.io import RecordShape
from privtune.scan.curation import assess_risk
from privtune.scan.curation.risk import one_off_signals, system_dump_kinds


def _chat(*turns: str) -> list[tuple[str, str]]:
    return [(f"messages[{i}].content", t) for i, t in enumerate(turns)]


def test_secret_is_high_whatever_else():
    r = assess_risk([("text", "deploy notes")], ["SECRET"], "text")
    assert r.level == "high" and any("secret" in x for x in r.reasons)


@pytest.mark.parametrize(
    ("turns", "types"),
    [
        (("你好，我是张伟，手机13800138000，帮我查下订单", "好的张先生，已为您查询。"), ["PERSON", "PHONE"]),
        (("Hi, I'm John Smith, my card 4111 1111 1111 1111 was charged twice", "Sorry John, refunding."), ["PERSON", "BANK_CARD"]),
        (("我叫李娜，身份证号110101199003071234，住在北京市朝阳区", "收到。"), ["PERSON", "ID_CARD", "ADDRESS", "PERSON"]),
    ],
)
def test_identity_dialogs_are_high(turns, types):
    r = assess_risk(_chat(*turns), types, "chat")
    assert r.level == "high" and any(x.startswith("identity dialog") for x in r.reasons)


def test_identity_strength_depends_on_shape_and_name():
    assert assess_risk(_chat("call 555-0100, mail a@b.co"), ["PHONE", "EMAIL"], "chat").level == "medium"
    assert assess_risk(_chat("call 555-0100"), ["PHONE"], "chat").level == "medium"  # personal data only
    # The same name+phone in an instruction record is personal data, not a raw dialog.
    r = assess_risk([("instruction", "Zhang Wei 13800138000"), ("output", "ok")], ["PERSON", "PHONE"], "alpaca")
    assert r.level == "medium"
    assert assess_risk(_chat("hi"), ["PERSON", "PHONE"], RecordShape.SHAREGPT).level == "high"


_LOG = "2024-03-01 12:00:01,123 INFO  order-svc started\n2024-03-01 12:00:02,456 ERROR db timeout user=42\n"
_SQL = "SELECT id, phone FROM customers WHERE city = 'Beijing';"
_SQL_LOWER = "select id, name from users where id = 3"
_PY = 'Traceback (most recent call last):\n  File "/srv/app/main.py", line 12, in <module>\n    run()\nValueError: bad'
_JAVA = (
    "Exception in thread \"main\" java.lang.NullPointerException\n"
    "\tat com.acme.order.Service.pay(Service.java:88)\n\tat com.acme.order.Main.main(Main.java:12)"
)
_JS = "TypeError: x is undefined\n    at handler (/app/src/index.js:10:5)\n    at Object.<anonymous> (/app/server.js:3:1)"
_ENV = "DB_HOST=10.0.0.5\nDB_USER=admin\nREDIS_URL=redis://cache:6379\nexport APP_ENV=prod"
_INI = "[database]\nhost = 10.0.0.5\nport = 5432\nname = orders\n"
_YAML = "database:\n  host: db.internal\n  port: 5432\n  username: svc_orders\n"
_JSON = '{"user_id": 42, "name": "王芳", "phone": "13900001111", "status": "active"}'


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (_LOG, "log lines"),
        (_SQL, "SQL"),
        (_SQL_LOWER, "SQL"),
        (_PY, "Python traceback"),
        (_JAVA, "Java stack trace"),
        (_JS, "JS stack trace"),
        (_ENV, "env dump"),
        (_INI, "config file"),
        (_YAML, "config file"),
        (_JSON, "JSON blob"),
        ("接口返回：" + '"code": 0, "msg": "ok", "uid": 7, "token_ttl": 60, "region": "cn"', "JSON blob"),
    ],
)
def test_system_dumps_are_detected(text, kind):
    assert kind in system_dump_kinds([("text", text)])


def test_system_dump_level_rises_with_personal_data():
    assert assess_risk([("text", _LOG)], [], "text").level == "medium"
    high = assess_risk([("text", _JSON)], ["PERSON", "PHONE"], "text")
    assert high.level == "high" and any("internal system dump" in x and "personal" in x for x in high.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "Please select a size from the menu and update your profile settings.",
        "Name: Alice\nRole: engineer\nTeam: search",
        "我们在2024-03-01开会讨论了日志系统的 INFO 级别设置。",
        "Use a try/except block to handle the exception when the file is missing.",
    ],
)
def test_prose_is_not_a_system_dump(text):
    assert system_dump_kinds([("text", text)]) == []


@pytest.mark.parametrize(
    "turns",
    [
        ("我是王强，订单超过退货期限了，能不能破例给我退款？电话13600001111", "经主管特批，这次为您特殊处理，全额退款。"),
        ("This is Maria Lopez, my warranty expired last week", "As a one-time exception, my manager approved a free replacement."),
        ("I'm Tom Baker, I was charged twice", "This was escalated to a supervisor, who approved an exceptional refund outside our policy."),
    ],
)
def test_one_off_exception_cases_with_identity_are_high(turns):
    r = assess_risk(_chat(*turns), ["PERSON", "PHONE"] if "电话" in turns[0] else ["PERSON"], "chat")
    assert r.level == "high" and any(x.startswith("one-off exception case") for x in r.reasons)


def test_one_off_without_personal_data_is_low_and_routine_refunds_are_not_one_off():
    turns = ("订单超过退货期限了，能不能破例退款？", "经主管特批，这次特殊处理。")
    assert one_off_signals(_chat(*turns)) and assess_risk(_chat(*turns), [], "chat").level == "low"
    assert one_off_signals(_chat("我要退款，商品有质量问题，我要投诉", "好的，已为您办理退款。")) == []
    assert one_off_signals(_chat("I want a refund, please", "Sure, your refund is on its way.")) == []
    assert one_off_signals(_chat("How do I catch an exception in Java?", "Wrap the call in try/catch.")) == []


@pytest.mark.parametrize(
    ("texts", "shape"),
    [
        (_chat("今天天气怎么样？", "北京今天晴，最高气温25度。"), "chat"),
        (_chat("What's a good recipe for noodles?", "Boil the noodles for 5 minutes, then add sauce."), "chat"),
        ([("instruction", "Translate to French"), ("input", "good morning"), ("output", "bonjour")], "alpaca"),
    ],
)
def test_benign_records_are_low(texts, shape):
    assert assess_risk(texts, [], shape).level == "low"
    assert assess_risk(texts, ["ORGANIZATION", "URL"], shape).level == "low"  # not personal data


def test_reasons_never_contain_text():
    turns = ("我是王强，电话13600001111，破例退款", "经理特批，特殊处理")
    r = assess_risk(_chat(*turns) + [("messages[2].content", _SQL)], ["PERSON", "PHONE", "SECRET"], "chat")
    blob = " ".join(r.reasons)
    assert r.level == "high" and "王强" not in blob and "1360" not in blob and "customers" not in blob
