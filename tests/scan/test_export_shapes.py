"""Exports as messengers and mail clients write them (first-hour defects, round 7): each is
scanned whole, or refused with a message naming file and line; never partly copied unscanned."""

import json

import pytest

from privtune.io.records import text_fields
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan

from scan_helpers import KEY

PHONE, EMAIL = "13812345678", "wangfang@qq.com"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def _scan(tmp_path, src, **kw):
    res = run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", **kw))
    return res, (tmp_path / "o.jsonl").read_text(encoding="utf-8")


def _telegram_chat() -> dict:
    """Telegram Desktop's "Export chat history" (JSON): a service event first, rich text as a
    list of strings and entity objects, a deleted account's message with "from": null."""
    return {"name": "王芳", "type": "personal_chat", "id": 123456789, "messages": [
        {"id": 1, "type": "service", "date": "2024-03-12T14:05:22", "actor": "王芳", "actor_id": "user1",
         "action": "phone_call", "text": "", "text_entities": []},
        {"id": 2, "type": "message", "date": "2024-03-12T14:06:00", "from": "王芳", "from_id": "user1",
         "text": ["我的电话 ", {"type": "phone", "text": f"+86 {PHONE}"}, "，邮箱 ", {"type": "email", "text": EMAIL}],
         "text_entities": [{"type": "plain", "text": "我的电话 "}, {"type": "phone", "text": f"+86 {PHONE}"}]},
        {"id": 3, "type": "message", "date": "2024-03-12T14:07:00", "from": None, "from_id": "user2",
         "text": "call me on 13912345678"},
    ]}


def test_telegram_chat_export_is_scanned_not_rejected(tmp_path):
    src = tmp_path / "result.json"
    src.write_text(json.dumps(_telegram_chat(), ensure_ascii=False, indent=1), encoding="utf-8")
    res, out = _scan(tmp_path, src)
    assert res.report["counts"]["rejected"] == 0 and res.report["counts"]["records_out"] == 1
    for value in (PHONE, EMAIL, "13912345678"):
        assert value not in out
    fields = [f for f, _ in text_fields(_telegram_chat())]
    # The rich text's parts and the deleted account's message are training text; the event is not.
    assert fields == ["messages[1].text[0]", "messages[1].text[1].text", "messages[1].text[2]",
                      "messages[1].text[3].text", "messages[2].text"]


def test_a_message_without_role_is_still_named():
    record = {"messages": [{"from": "a", "text": "hi"}, {"speaker_id": 3, "text": "hello"}]}
    with pytest.raises(Exception, match=r"messages\[1\] needs a role"):
        text_fields(record)


def test_mbox_export_is_scanned_decoded(tmp_path):
    """Read as text, the base64 body and the encoded sender name went out as they were."""
    import base64

    body = "您好，我是陈静，电话13698765432，邮箱chenjing@163.com\n\n--\n陈静 | 13698765432\n"
    name = "=?utf-8?b?" + base64.b64encode("陈静".encode()).decode() + "?="
    mbox = ("From chenjing@163.com Tue Mar 12 15:00:00 2024\n"
            f"From: {name} <chenjing@163.com>\nSubject: refund\nContent-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(body.encode()).decode() + "\n"
            "From rob@example.org Tue Mar 12 16:00:00 2024\nFrom: Robert Miller <rob.miller@yahoo.com>\n"
            "Subject: Re: order\n\nPlease call me on +1 415-555-0199.\n\n> On Monday Support wrote:\n> Dear Robert\n")
    src = tmp_path / "inbox.mbox"
    src.write_text(mbox, encoding="utf-8")
    res, out = _scan(tmp_path, src)
    assert res.report["counts"]["records_out"] == 2 and res.report["counts"]["rejected"] == 0
    for value in ("13698765432", "chenjing@163.com", "陈静", "rob.miller@yahoo.com", "415-555-0199", "Robert"):
        assert value not in out


def test_whatsapp_label_and_value_on_two_lines_stay_one_message(tmp_path):
    """Read one record per line, "MRN:" and "my number is" were cut from their values, which
    went out as they were; the cleaned .txt keeps the export's lines."""
    src = tmp_path / "WhatsApp Chat with Anna.txt"
    src.write_text("[12/03/2024, 14:05:22] Anna Berg: my number is\n0471 22 93 15\n"
                   "[12/03/2024, 14:06:00] Anna Berg: MRN:\n00482913\n"
                   "12/03/2024, 14:07 - 李娜: 我的电话是\n62345678\n", encoding="utf-8")
    res = run_scan(ScanConfig(input=src, out=tmp_path / "clean.txt"))
    out = (tmp_path / "clean.txt").read_text(encoding="utf-8")
    assert res.report["counts"]["records_out"] == 3 and len(out.splitlines()) == 6
    for value in ("0471 22 93 15", "00482913", "62345678", "Anna Berg"):
        assert value not in out


def test_parquet_with_timestamps_and_a_date_of_birth_is_scanned(tmp_path):
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "crm.parquet"
    pq.write_table(pa.table({
        "note": ["客户张伟来电，手机13812345678，要求退款"],
        "created_at": pa.array([datetime.datetime(2024, 3, 12, 14, 5)], pa.timestamp("ms")),
        "dob": pa.array([datetime.date(1990, 3, 7)], pa.date32()),
    }), src)
    res, out = _scan(tmp_path, src)
    assert res.report["counts"]["records_out"] == 1
    record = json.loads(out)
    assert "13812345678" not in record["note"] and record["dob"] != "1990-03-07"
    assert record["created_at"] == "2024-03-12T14:05:00"


def test_whole_floats_are_numbers_too(tmp_path):
    """pandas writes an integer column holding a null as floats: the phones went out as they were."""
    src = tmp_path / "pandas.jsonl"
    src.write_text('{"text": "call back", "phone": 13812345678.0, "mobile": 1.3912345678e10, "amount": 12.5}\n'
                   '{"text": "no number", "phone": null, "mobile": NaN, "amount": 3.0}\n', encoding="utf-8")
    res, out = _scan(tmp_path, src)
    first = json.loads(out.splitlines()[0])
    assert isinstance(first["phone"], float) and first["phone"] != 13812345678.0
    assert first["mobile"] != 13912345678.0 and first["amount"] == 12.5


def test_meta_messenger_export_names_are_found(tmp_path):
    """Read as written ("å¼ ä¼\\x9f"), the Chinese name and address went out unreplaced."""
    def meta(text):
        return text.encode("utf-8").decode("latin-1")

    src = tmp_path / "message_1.json"
    src.write_text(json.dumps({"participants": [{"name": meta("张伟")}], "messages": [
        {"sender_name": meta("张伟"), "timestamp_ms": 1, "content": meta("我叫张伟，住在上海市徐汇区漕溪北路201号")}]}),
        encoding="utf-8")
    res, out = _scan(tmp_path, src)
    text = json.loads(out)["messages"][0]["content"]
    assert "张伟" not in out and "漕溪北路" not in text and text.startswith("我叫")


def _chatgpt_conversation(i: int, text: str) -> dict:
    """One conversation of ChatGPT's "Export data" conversations.json."""
    return {"title": "New chat", "create_time": 1710252322.1 + i, "current_node": "b", "conversation_id": f"c{i}",
            "mapping": {
                "root": {"id": "root", "message": None, "parent": None, "children": ["a"]},
                "a": {"id": "a", "parent": "root", "children": ["b"], "message": {
                    "id": "a", "author": {"role": "user", "name": None},
                    "content": {"content_type": "text", "parts": [text]}}},
                "b": {"id": "b", "parent": "a", "children": [], "message": {
                    "id": "b", "author": {"role": "assistant"},
                    "content": {"content_type": "code", "language": "python", "text": f"print({i})"}}}}}


def test_chatgpt_export_conversations_are_not_duplicates_by_title(tmp_path):
    """The guessed text field was "title": every conversation called "New chat" after the first
    was dropped as an exact duplicate."""
    src = tmp_path / "conversations.json"
    convs = [_chatgpt_conversation(0, "My name is Emily Clark, phone 0471 22 93 15"),
             _chatgpt_conversation(1, "我叫张伟，电话13812345678，帮我写简历"),
             _chatgpt_conversation(2, "Write a poem about the sea")]
    src.write_text(json.dumps(convs, ensure_ascii=False), encoding="utf-8")
    res, out = _scan(tmp_path, src)
    assert res.report["counts"]["records_out"] == 3 and res.report["counts"]["dropped"] == {}
    assert sorted(res.report["fields"]["text"]) == ["mapping.a.message.content.parts[]", "mapping.b.message.content.text"]
    assert "13812345678" not in out and "Emily" not in out
    assert text_fields(convs[2]) == [("mapping.a.message.content.parts[0]", "Write a poem about the sea"),
                                     ("mapping.b.message.content.text", "print(2)")]


def test_big5_csv_is_scanned_as_traditional_chinese(tmp_path):
    """Read as GB18030 (it decodes), the names, the cue 電話 and the ID were mojibake: nothing found."""
    src = tmp_path / "客戶.csv"
    src.write_bytes("姓名,電話,備註\r\n陳大文,0912 345 678,身分證字號A123456789，請聯絡我的手機 0912 345 679\r\n"
                    .encode("cp950"))
    res, out = _scan(tmp_path, src)
    record = json.loads(out)
    assert record["姓名"] != "陳大文" and "A123456789" not in out and "0912 345 679" not in out


def test_excel_unicode_text_numbers_are_read_under_their_column_names(tmp_path):
    """Line by line, 李娜 and the landline, date of birth and hospital number went out as they were."""
    src = tmp_path / "病历.txt"
    src.write_bytes(b"\xff\xfe" + ("姓名\t电话\t出生日期\t住院号\t备注\r\n"
                                   "李娜\t62345678\t1985-11-22\t00482914\t家属来电询问检查结果，已告知下周一出报告\r\n"
                                   "张伟\t0471 22 93 15\t1990-03-07\t00482913\t患者今日复诊，血压正常，建议继续服药\r\n"
                                   ).encode("utf-16-le"))
    res, out = _scan(tmp_path, src)
    assert res.report["counts"]["records_out"] == 2
    assert any("TAB-separated table" in n for n in res.notices)
    for value in ("李娜", "62345678", "1985-11-22", "00482914", "0471 22 93 15"):
        assert value not in out


def test_a_fixed_title_does_not_make_every_conversation_a_duplicate(tmp_path):
    """Intercom-style records: the only long top-level string is a template ("title"), the words
    are in source.body. Guessed from the top level, 2 of 3 conversations were dropped."""
    def conv(i, name, body):
        return {"type": "conversation", "id": str(1000 + i), "title": "Question about my billing account",
                "source": {"body": body, "author": {"type": "user", "name": name}},
                "conversation_parts": {"conversation_parts": [{"body": "<p>Thanks, we will call you back.</p>"}]}}
    src = tmp_path / "intercom.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (
        conv(0, "Emily Clark", "<p>Hi, my phone is 0471 22 93 15</p>"),
        conv(1, "张伟", "<p>我的电话是13812345678，请回电</p>"),
        conv(2, "Robert Miller", "<p>Please cancel my plan today</p>"))), encoding="utf-8")
    res, out = _scan(tmp_path, src)
    assert res.report["counts"]["records_out"] == 3 and res.report["counts"]["dropped"] == {}
    assert sorted(res.report["fields"]["text"]) == ["source.body", "title"]
    assert "13812345678" not in out and "0471 22 93 15" not in out


def test_a_folder_with_a_gbk_name_is_scanned_and_reported(tmp_path):
    """Unzipped on Linux, a Chinese Windows zip's names are GBK bytes: a bare UnicodeEncodeError."""
    import os
    from pathlib import Path

    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + "客户资料".encode("gbk")))
    root.mkdir()
    (root / "a.jsonl").write_text('{"text": "电话13812345678"}\n', encoding="utf-8")
    with open(os.fsencode(root) + b"/" + "聊天.jsonl".encode("gbk"), "w", encoding="utf-8") as fh:
        fh.write('{"text": "邮箱 zhang.wei@example.com"}\n')
    res, out = _scan(tmp_path, root)
    assert res.report["counts"]["records_out"] == 2 and "13812345678" not in out
    assert sorted(f["path"] for f in res.report["input"]["files"]) == ["a.jsonl", "聊天.jsonl"]
    json.loads((tmp_path / "o.scan-report.json").read_text(encoding="utf-8"))
