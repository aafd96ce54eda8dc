"""Files as exporters save them, under names that promise another shape (round 7)."""

import json

import pytest

from privtune.io import SourceRecord, detect_format, iter_records

RECORDS = [{"text": "电话13812345678"}, {"text": "mail john.smith@gmail.com", "meta": {"n": 1}}]


@pytest.mark.parametrize("body,encoding", [
    (json.dumps(RECORDS, ensure_ascii=False, indent=2), "utf-8"),  # json.dump of a list, named .jsonl
    ("[" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "]\n", "utf-8"),
    ("\n".join(json.dumps(r, ensure_ascii=False, indent=2) for r in RECORDS) + "\n", "utf-8"),  # jq . output
    ("\ufeff" + "\n".join(json.dumps(r, ensure_ascii=False, indent=2) for r in RECORDS), "utf-16-le"),
])
def test_json_document_under_a_jsonl_name_is_read_as_json(tmp_path, body, encoding):
    p = tmp_path / "export.jsonl"
    p.write_bytes(body.encode(encoding))
    assert detect_format(p) == "json"
    items = list(iter_records(p, encoding=None))
    assert all(isinstance(i, SourceRecord) for i in items) and [i.data for i in items] == RECORDS


def test_jsonl_with_a_broken_first_line_stays_jsonl(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('{"text": "cut\n{"text": "ok"}\n', encoding="utf-8")
    assert detect_format(p) == "jsonl"
    assert [type(i).__name__ for i in iter_records(p)] == ["Rejected", "SourceRecord"]


# ---- e-mail: .eml and mbox ----------------------------------------------------------------

import base64  # noqa: E402
import gzip  # noqa: E402

from privtune.errors import InputError  # noqa: E402
from privtune.io import Rejected  # noqa: E402

ZH_BODY = "陈静您好：\n我的电话是13698765432，地址北京市海淀区中关村大街1号。\n\n> 上一封：请提供身份证\n"


def _zh_message(sender: str = "陈静") -> bytes:
    """A Chinese mail as clients send it: RFC 2047 display name and subject, base64 body."""
    name = "=?utf-8?b?" + base64.b64encode(sender.encode()).decode() + "?="
    subject = "=?gb2312?b?" + base64.b64encode("退款申请".encode("gb2312")).decode() + "?="
    return (f"From: {name} <chenjing@163.com>\nTo: support@acme.com\nSubject: {subject}\n"
            "Date: Tue, 12 Mar 2024 15:00:00 +0800\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
            + base64.encodebytes(ZH_BODY.encode()).decode()).encode()


def test_eml_is_one_decoded_record(tmp_path):
    p = tmp_path / "m.eml"
    p.write_bytes(_zh_message())
    assert detect_format(p) == "email"
    [item] = list(iter_records(p, encoding=None))
    assert item.data == {"from": "陈静 <chenjing@163.com>", "to": "support@acme.com", "subject": "退款申请",
                         "date": "Tue, 12 Mar 2024 15:00:00 +0800", "text": ZH_BODY}


def test_mbox_splits_messages_and_keeps_attachments_text(tmp_path):
    multipart = (
        "From: Robert Miller <rob.miller@yahoo.com>\nSubject: =?utf-8?q?Caf=C3=A9?=\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
        'Content-Type: multipart/alternative; boundary="b2"\n\n--b2\n'
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        "Call me on +1 415-555-0199=\n, thanks.\n>From the desk of Robert\n--b2\n"
        "Content-Type: text/html; charset=utf-8\n\n<p>Call me on +1 415-555-0199</p>\n--b2--\n--b1\n"
        'Content-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; filename="notes.txt"\n\n'
        "SSN 536-22-8714\n--b1\n"
        'Content-Type: image/png\nContent-Disposition: attachment; filename="scan.png"\n'
        "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--b1--\n")
    mbox = (b"From chenjing@163.com Tue Mar 12 15:00:00 2024\n" + _zh_message() + b"\n"
            + b"From rob.miller@yahoo.com Tue Mar 12 16:00:00 2024\n" + multipart.encode() + b"\n")
    p = tmp_path / "inbox.mbox.gz"
    p.write_bytes(gzip.compress(mbox))
    first, second = list(iter_records(p))
    assert first.line == 2 and first.data["text"] == ZH_BODY
    assert second.data["subject"] == "Café"
    assert second.data["text"] == "Call me on +1 415-555-0199, thanks.\nFrom the desk of Robert"
    assert second.data["attachments"] == [
        {"filename": "notes.txt", "content_type": "text/plain", "text": "SSN 536-22-8714"},
        {"filename": "scan.png", "content_type": "image/png"}]


def test_raw_gbk_header_and_unknown_charset_are_decoded(tmp_path):
    p = tmp_path / "old.eml"
    p.write_bytes("Subject: 张伟的订单\n".encode("gbk") + b"Content-Type: text/plain; charset=x-unknown\n\nhello 13812345678\n")
    [item] = list(iter_records(p))
    assert item.data["subject"] == "张伟的订单" and item.data["text"] == "hello 13812345678\n"


def test_outlook_msg_is_refused_with_a_hint(tmp_path):
    p = tmp_path / "mail.msg"
    p.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match="Outlook") as info:
        detect_format(p)
    assert ".eml" in str(info.value.hint)


def test_empty_eml_holds_no_record(tmp_path):
    p = tmp_path / "e.eml"
    p.write_bytes(b"\n\n")
    assert list(iter_records(p)) == []
    assert Rejected  # the reader yields Rejected for unreadable messages (reason names no data)


# ---- chat and log text exports: one record per message ------------------------------------

WHATSAPP_IOS = ("\u200e[12/03/2024, 14:05:22] Anna Berg: my number is\n0471 22 93 15\n\n"
                "[12/03/2024, 14:06:01] 张伟: \u200e<Media omitted>\n"
                "[12/03/2024, 14:07:11] 张伟: 身份证号码\n11010119900307651X\n")
WHATSAPP_ANDROID = ("12/3/24, 2:05 PM - Messages and calls are end-to-end encrypted.\n"
                    "12/3/24, 2:06 PM - Anna Berg: MRN:\n00482913\n")


@pytest.mark.parametrize("body,texts,lines", [
    (WHATSAPP_IOS, ["\u200e[12/03/2024, 14:05:22] Anna Berg: my number is\n0471 22 93 15",
                    "[12/03/2024, 14:06:01] 张伟: \u200e<Media omitted>",
                    "[12/03/2024, 14:07:11] 张伟: 身份证号码\n11010119900307651X"], [1, 4, 5]),
    (WHATSAPP_ANDROID, ["12/3/24, 2:05 PM - Messages and calls are end-to-end encrypted.",
                        "12/3/24, 2:06 PM - Anna Berg: MRN:\n00482913"], [1, 2]),
    ("2024-03-12 14:05:22 ERROR user lookup failed\nTraceback:\n  email=a@b.com\n2024-03-12 14:05:23 INFO ok\n",
     ["2024-03-12 14:05:22 ERROR user lookup failed\nTraceback:\n  email=a@b.com", "2024-03-12 14:05:23 INFO ok"], [1, 4]),
])
def test_chat_and_log_exports_are_read_one_message_per_record(tmp_path, body, texts, lines):
    p = tmp_path / "chat.txt"
    p.write_text(body.replace("\n", "\r\n"), encoding="utf-8")
    items = list(iter_records(p))
    assert [i.data["text"] for i in items] == texts
    assert [i.line for i in items] == lines and [i.index for i in items] == list(range(len(texts)))


def test_qq_export_title_block_stays_line_by_line_and_messages_are_grouped(tmp_path):
    p = tmp_path / "qq.txt"
    p.write_text("消息记录（此消息记录为文本格式，不支持重新导入）\n\n消息对象:张伟\n\n"
                 "2024-03-12 14:05:22 张伟\n住院号：\n20230415\n\n2024-03-12 14:06:01 李娜(123456789)\n好的\n",
                 encoding="gb18030")
    assert [i.data["text"] for i in iter_records(p, encoding=None)] == [
        "消息记录（此消息记录为文本格式，不支持重新导入）", "消息对象:张伟", "2024-03-12 14:05:22 张伟\n住院号：\n20230415",
        "2024-03-12 14:06:01 李娜(123456789)\n好的"]


def test_plain_text_stays_one_record_per_line(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("first note\n2024-03-12 14:05 a dated line later on\nthird\n", encoding="utf-8")
    assert [i.data["text"] for i in iter_records(p)] == [
        "first note", "2024-03-12 14:05 a dated line later on", "third"]


def test_an_undecodable_line_inside_a_message_is_its_own_reject(tmp_path):
    p = tmp_path / "chat.txt"
    p.write_bytes(b"[12/03/2024, 14:05:22] A: one\ntwo\n\xff\xfe bad\nthree\n[12/03/2024, 14:06:00] B: four\n")
    items = list(iter_records(p, encoding="utf-8"))
    assert [type(i).__name__ for i in items] == ["SourceRecord", "Rejected", "SourceRecord", "SourceRecord"]
    assert items[0].data["text"] == "[12/03/2024, 14:05:22] A: one\ntwo" and items[2].data["text"] == "three"
    assert [i.index for i in items] == [0, 1, 2, 3] and items[1].line == 3


# ---- CSV as Excel and hand edits leave it ---------------------------------------------------

from privtune.io.csv_format import csv_file_delimiter, csv_file_has_header  # noqa: E402
from privtune.io.folders import csv_columns  # noqa: E402


def test_excel_sep_line_names_the_delimiter(tmp_path):
    p = tmp_path / "export.csv"
    p.write_text("sep=;\r\nname;phone;note\r\n张伟;13812345678;VIP, call before 6pm\r\n", encoding="utf-8-sig")
    [item] = list(iter_records(p, encoding="utf-8"))
    assert item.data == {"name": "张伟", "phone": "13812345678", "note": "VIP, call before 6pm"} and item.line == 3
    assert csv_file_delimiter(p, "utf-8") == ";" and csv_file_has_header(p, "utf-8")
    assert csv_columns(p, "utf-8") == ["name", "phone", "note"]


def test_excel_trailing_empty_columns_are_named_by_position(tmp_path):
    p = tmp_path / "export.csv"
    p.write_text("name,phone,,\n张伟,13812345678,,\nJohn Smith,4155550132,x,\n", encoding="utf-8")
    items = list(iter_records(p))
    assert [i.data for i in items] == [
        {"name": "张伟", "phone": "13812345678", "column_3": "", "column_4": ""},
        {"name": "John Smith", "phone": "4155550132", "column_3": "x", "column_4": ""}]
    assert csv_columns(p, "utf-8") == ["name", "phone", "column_3", "column_4"]
    single = tmp_path / "pandas.csv"  # pandas' unnamed index column: one empty name stays ""
    single.write_text(",name\n0,张伟\n", encoding="utf-8")
    assert [i.data for i in iter_records(single)] == [{"": "0", "name": "张伟"}]


def test_unclosed_quote_is_a_reject_not_a_cell_holding_the_rest_of_the_file(tmp_path):
    p = tmp_path / "notes.csv"
    p.write_text('name,phone,note\n张伟,13812345678,"VIP customer\nJohn Smith,4155550132,ok\nAnna,0471229315,x\n',
                 encoding="utf-8")
    [item] = list(iter_records(p))
    assert isinstance(item, Rejected) and item.line == 2 and "never closed" in item.reason
    assert "4155550132" not in item.reason and "line 2" in item.reason


@pytest.mark.parametrize("body", ['a,b\n1,"x\ny"\n2,z', 'a,b\n1,"x\ny"\n2,"z"', 'a,b\n1,2\n'])
def test_last_row_without_line_end_or_with_a_closed_multiline_cell_is_kept(tmp_path, body):
    p = tmp_path / "d.csv"
    p.write_text(body, encoding="utf-8")
    assert all(isinstance(i, SourceRecord) for i in iter_records(p))


# ---- JSON lines with raw control characters -------------------------------------------------

def test_raw_control_characters_and_cut_records_are_read_whole(tmp_path):
    p = tmp_path / "handmade.jsonl"
    p.write_bytes(b'{"text": "a\tb 13812345678"}\n'  # a raw TAB
                  b'{"text": "line1\r\nline2 call me on\n0471 22 93 15", "n": 1}\n'  # raw line breaks
                  b'{"text": "nul\x00inside"}\n'
                  b'{"text": "cut and never closed\n'
                  b'{"text": "next"}\n'
                  b'{"text": "cut at the end')
    items = list(iter_records(p))
    assert [type(i).__name__ for i in items] == ["SourceRecord"] * 3 + ["Rejected", "SourceRecord", "Rejected"]
    assert [i.index for i in items] == list(range(6)) and [i.line for i in items] == [1, 2, 5, 6, 7, 8]
    assert items[0].data == {"text": "a\tb 13812345678"}
    assert items[1].data == {"text": "line1\nline2 call me on\n0471 22 93 15", "n": 1}
    assert items[2].data == {"text": "nul\x00inside"} and items[4].data == {"text": "next"}
    assert "Unterminated string" in items[3].reason


def test_a_cut_record_that_never_closes_is_one_reject(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('{"text": "one\ntwo\nthree\n{"text": "ok"}\n', encoding="utf-8")
    items = list(iter_records(p))
    assert [type(i).__name__ for i in items] == ["Rejected", "SourceRecord"]
    assert items[0].raw == '{"text": "one\ntwo\nthree' and "2 line(s) after it" in items[0].reason


# ---- Parquet with typed columns -------------------------------------------------------------

def test_parquet_typed_columns_become_json_values(tmp_path):
    import datetime
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    p = tmp_path / "export.parquet"
    pq.write_table(pa.table({
        "text": ["hi"],
        "created_at": pa.array([datetime.datetime(2024, 3, 12, 14, 5)], pa.timestamp("us", tz="UTC")),
        "dob": pa.array([datetime.date(1990, 3, 7)], pa.date32()),
        "amount": pa.array([decimal.Decimal("12.50")], pa.decimal128(10, 2)),
        "body": pa.array(["身份证11010119900307651X".encode()], pa.binary()),
        "customer": pa.array([{"name": "李娜", "since": datetime.date(2020, 1, 2)}]),
        "events": pa.array([[datetime.datetime(2024, 1, 1)]]),
    }), p)
    [item] = list(iter_records(p))
    assert item.data == {"text": "hi", "created_at": "2024-03-12T14:05:00+00:00", "dob": "1990-03-07",
                         "amount": "12.50", "body": "身份证11010119900307651X",
                         "customer": {"name": "李娜", "since": "2020-01-02"}, "events": ["2024-01-01T00:00:00"]}
    json.dumps(item.data)  # was: TypeError, a bare traceback from the output writer


def test_parquet_binary_that_is_not_text_is_a_reject_naming_the_column(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = tmp_path / "blobs.parquet"
    pq.write_table(pa.table({"text": ["a", "b"], "photo": pa.array([b"\x89PNG\r\n\x1a\n\xff\xfe", b"ok"], pa.binary())}), p)
    first, second = list(iter_records(p))
    assert isinstance(first, Rejected) and "'photo'" in first.reason and first.line == 1
    assert second.data == {"text": "b", "photo": "ok"}


# ---- compressed files cut short or damaged --------------------------------------------------

def _lines(n: int) -> bytes:
    return b"".join(b'{"text": "record %d 13812345678"}\n' % i for i in range(n))


@pytest.mark.parametrize("name,make", [
    ("cut.jsonl.gz", lambda: gzip.compress(_lines(2000))[:-30]),
    ("cut.jsonl", lambda: gzip.compress(_lines(2000))[:-30]),  # gzip under a plain name
    ("bad.jsonl.gz", lambda: (lambda b: b[:40] + bytes([b[40] ^ 0xFF]) + b[41:])(gzip.compress(_lines(2000)))),
    ("cut.jsonl.zst", lambda: pytest.importorskip("zstandard").ZstdCompressor().compress(_lines(2000))[:-10]),
])
def test_cut_or_damaged_compressed_input_is_a_named_error(tmp_path, name, make):
    from privtune.errors import InputError

    p = tmp_path / name
    p.write_bytes(make())
    with pytest.raises(InputError, match=r"(gzip|zstd) file") as info:
        list(iter_records(p))
    assert info.value.hint and "again" in info.value.hint


def test_every_zstd_frame_and_gzip_member_is_read(tmp_path):
    zstandard = pytest.importorskip("zstandard")
    z = tmp_path / "joined.jsonl.zst"
    z.write_bytes(zstandard.ZstdCompressor().compress(_lines(3)) + zstandard.ZstdCompressor().compress(_lines(2)))
    g = tmp_path / "joined.jsonl.gz"
    g.write_bytes(gzip.compress(_lines(3)) + gzip.compress(_lines(2)))
    assert len(list(iter_records(z))) == 5 and len(list(iter_records(g))) == 5


# ---- Meta (Facebook / Instagram / Messenger) exports: UTF-8 escaped byte by byte -------------

def _meta(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def test_meta_export_mojibake_is_repaired(tmp_path):
    record = {"participants": [{"name": _meta("张伟")}, {"name": _meta("Zoë Müller")}],
              "messages": [{"sender_name": _meta("张伟"), "content": _meta("我住在上海市徐汇区漕溪北路201号"),
                            "timestamp_ms": 1710252322000}],
              "title": "Müller café"}  # genuine Latin-1 text: not valid UTF-8 as bytes, left alone
    p = tmp_path / "message_1.json"
    p.write_text(json.dumps(record), encoding="utf-8")  # ensure_ascii: \u00e5\u00bc... as Meta writes
    [item] = list(iter_records(p))
    assert item.data["participants"] == [{"name": "张伟"}, {"name": "Zoë Müller"}]
    assert item.data["messages"][0]["content"] == "我住在上海市徐汇区漕溪北路201号"
    assert item.data["title"] == "Müller café"
    lines = tmp_path / "messages.jsonl"
    lines.write_text(json.dumps({"text": _meta("联系人李娜")}) + "\n" + json.dumps({"text": "plain"}) + "\n", encoding="utf-8")
    assert [i.data["text"] for i in iter_records(lines)] == ["联系人李娜", "plain"]


def test_files_without_mojibake_are_read_as_written(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text(json.dumps({"text": "Ã© is how it was typed, café, 张伟"}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert [i.data["text"] for i in iter_records(p)] == ["Ã© is how it was typed, café, 张伟"]


def test_maildir_messages_are_taken_with_format_email(tmp_path):
    from privtune.io.folders import open_folder

    for sub in ("cur", "new", "tmp"):
        (tmp_path / sub).mkdir()
    (tmp_path / "cur" / "1710252322.M1P2.host:2,S").write_bytes(_zh_message())
    (tmp_path / "new" / "1710252399.M3P4.host").write_bytes(b"Return-Path: <a@b.com>\nSubject: hi\n\ncall 13698765432\n")
    (tmp_path / "dovecot-uidlist").write_text("3 V1 N2\n")
    folder = open_folder(tmp_path, "email")
    assert [f.rel for f in folder.files] == ["cur/1710252322.M1P2.host:2,S", "new/1710252399.M3P4.host"]
    assert folder.skipped == ["dovecot-uidlist"]
    assert [r.data["text"] for r in folder.iter_records()] == [ZH_BODY, "call 13698765432\n"]


@pytest.mark.parametrize("name,hint", [("archive.pst", "readpst"), ("messages.html", "Machine-readable JSON")])
def test_outlook_archives_and_html_exports_get_a_hint(tmp_path, name, hint):
    p = tmp_path / name
    p.write_bytes(b"<html>")
    with pytest.raises(InputError) as info:
        detect_format(p)
    assert hint in str(info.value.hint)


# ---- Big5: Traditional Chinese Excel exports ------------------------------------------------

from privtune.io.sources import sniff_encoding  # noqa: E402

BIG5_CSV = "姓名,電話,備註\r\n陳大文,0912 345 678,住址：台北市信義區信義路五段7號，身分證字號A123456789\r\n"


@pytest.mark.parametrize("text,codec,expected", [
    (BIG5_CSV, "cp950", "cp950"),
    ("姓名,手机,备注\r\n张伟,13812345678,住址北京市海淀区中关村大街1号，客户要求退款\r\n", "gbk", "gb18030"),
    (BIG5_CSV, "gbk", "gb18030"),  # traditional characters written in GBK stay GBK
    ("张伟\r\n", "gbk", "gb18030"),  # too short to tell: GB18030, as before
])
def test_big5_is_told_from_gb18030(tmp_path, text, codec, expected):
    p = tmp_path / "export.csv"
    p.write_bytes(text.encode(codec))
    assert sniff_encoding(p).encoding == expected
    if "姓名" in text:
        assert next(iter_records(p, encoding=None)).data["姓名"] in ("陳大文", "张伟")


def test_a_csv_cell_over_128_kib_is_read(tmp_path):
    body = "客户说：我的电话是13812345678。" * 10000  # ~200,000 characters: one call transcript
    p = tmp_path / "calls.csv"
    p.write_text(f'id,transcript\n1,"{body}"\n2,short\n', encoding="utf-8")
    items = list(iter_records(p))
    assert [len(i.data["transcript"]) for i in items] == [len(body), 5]
    headerless = tmp_path / "headerless.csv"
    headerless.write_text(f'13812345678,"{body}"\n', encoding="utf-8")
    assert csv_file_has_header(headerless, "utf-8") is False


def test_format_flowed_body_is_unwrapped(tmp_path):
    p = tmp_path / "flowed.eml"
    p.write_bytes(b"From: Anna Berg <anna@example.org>\nSubject: call\nMIME-Version: 1.0\n"
                  b"Content-Type: text/plain; charset=utf-8; format=flowed\n\n"
                  b"Hi Support, please call me on 0471 22 \r\n93 15 tomorrow.\r\n\r\n"
                  b"> a quoted line that was \r\n> wrapped here\r\n-- \r\nAnna\r\n")
    [item] = list(iter_records(p))
    assert item.data["text"] == ("Hi Support, please call me on 0471 22 93 15 tomorrow.\n\n"
                                 "> a quoted line that was wrapped here\n-- \nAnna\n")


# ---- Excel "Unicode Text": a TAB-separated table saved as .txt --------------------------------

EXCEL_UNICODE = ("姓名\t电话\t出生日期\t住院号\t备注\r\n张伟\t62345678\t1990-03-07\t00482913\t患者今日复诊，血压正常\r\n"
                 "李娜\t0471 22 93 15\t1985-11-22\t00482914\t家属来电询问检查结果\r\n")


def test_excel_unicode_text_is_read_as_a_table(tmp_path):
    p = tmp_path / "病历.txt"
    p.write_bytes(b"\xff\xfe" + EXCEL_UNICODE.encode("utf-16-le"))
    assert detect_format(p) == "csv"
    first = next(iter_records(p, encoding=None))
    assert first.data == {"姓名": "张伟", "电话": "62345678", "出生日期": "1990-03-07", "住院号": "00482913",
                          "备注": "患者今日复诊，血压正常"} and first.line == 2


@pytest.mark.parametrize("body", [
    "a\tb\nplain line\nc\td\n",  # not every line
    "one\ttab\n",  # too few lines to tell
    "[12/03/2024, 14:05:22] A: hi\n[12/03/2024, 14:05:30] B: ok\n[12/03/2024, 14:06:00] A: bye\n",
])
def test_other_text_stays_text(tmp_path, body):
    p = tmp_path / "notes.txt"
    p.write_text(body, encoding="utf-8")
    assert detect_format(p) == "text"


def test_a_folder_with_a_gbk_file_name_is_read_and_named(tmp_path):
    """A zip made on a Chinese Windows holds GBK names: the folder digest was a bare UnicodeEncodeError."""
    import hashlib
    import os

    from privtune.io.folders import open_folder

    raw = os.fsencode(tmp_path) + b"/" + "客户聊天记录.txt".encode("gbk")
    with open(raw, "w", encoding="utf-8") as fh:
        fh.write("我的电话是13812345678\n")
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    folder = open_folder(tmp_path)
    assert sorted(f.rel for f in folder.files) == ["notes.txt", "客户聊天记录.txt"]
    assert len(list(folder.iter_records())) == 2
    json.dumps(folder.report_input(), ensure_ascii=False).encode("utf-8")  # writable
    listing = b"".join(hashlib.sha256(open(f.path, "rb").read()).hexdigest().encode() + b"  "
                       + os.fsencode(f.path.relative_to(tmp_path)) + b"\n" for f in folder.files)
    assert folder.digest() == "sha256:" + hashlib.sha256(listing).hexdigest()  # as sha256sum lists the bytes


def test_a_report_naming_a_gbk_folder_is_written():
    from privtune.io.sources import undo_surrogates

    name = ("/data/" + "张伟资料".encode("gbk").decode("utf-8", "surrogateescape"))
    assert undo_surrogates(name, whole=True) == "/data/张伟资料"
    text = json.dumps({"path": name, "note": "中文"}, ensure_ascii=False)
    assert undo_surrogates(text).encode("utf-8") and "中文" in undo_surrogates(text)  # run by run: the rest intact


def test_whatsapp_export_in_a_chinese_locale_is_grouped(tmp_path):
    p = tmp_path / "chat.txt"
    p.write_text("2024/3/12 下午2:05 - 张伟: 我的住院号：\n20230415\n2024/3/12 下午2:06 - 李娜: 好的\n", encoding="utf-8")
    assert [i.data["text"] for i in iter_records(p)] == ["2024/3/12 下午2:05 - 张伟: 我的住院号：\n20230415",
                                                         "2024/3/12 下午2:06 - 李娜: 好的"]


def test_hugging_face_save_to_disk_folder_is_read(tmp_path):
    """The .arrow shard was skipped as "not a data file" and the metadata JSON read as records."""
    import datetime

    import pyarrow as pa
    import pyarrow.feather as feather

    from privtune.io.folders import open_folder

    (tmp_path / "train").mkdir()
    table = pa.table({"text": ["电话13812345678", "hi"], "at": [datetime.date(2024, 1, 1), None]})
    with pa.OSFile(str(tmp_path / "train" / "data-00000-of-00001.arrow"), "wb") as sink:
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
    (tmp_path / "train" / "state.json").write_text('{"_split": "train"}', encoding="utf-8")
    (tmp_path / "train" / "dataset_info.json").write_text('{"features": {}}', encoding="utf-8")
    (tmp_path / "dataset_dict.json").write_text('{"splits": ["train"]}', encoding="utf-8")
    folder = open_folder(tmp_path)
    assert [f.rel for f in folder.files] == ["train/data-00000-of-00001.arrow"]
    assert sorted(folder.skipped) == ["dataset_dict.json", "train/dataset_info.json", "train/state.json"]
    assert [r.data for r in folder.iter_records()] == [{"text": "电话13812345678", "at": "2024-01-01"},
                                                       {"text": "hi", "at": None}]
    feather.write_feather(table, str(tmp_path / "t.feather"))  # the IPC file format
    assert detect_format(tmp_path / "t.feather") == "arrow" and len(list(iter_records(tmp_path / "t.feather"))) == 2


def test_text_without_a_charset_is_read_as_utf8_or_gb18030(tmp_path):
    """An attached .csv (no charset): the parser's ASCII read made 张伟 "������"."""
    from email.message import EmailMessage

    inner = EmailMessage()
    inner["From"] = "陈静 <chenjing@163.com>"
    inner.set_content("我的电话13698765432")
    outer = EmailMessage()
    outer["From"] = "rob@example.org"
    outer.set_content("see below")
    outer.add_attachment(inner)
    outer.add_attachment("name,phone\n张伟,13812345678\n".encode(), maintype="text", subtype="csv", filename="名单.csv")
    outer.add_attachment("备注：李娜\n".encode("gbk"), maintype="text", subtype="plain", filename="note.txt")
    p = tmp_path / "fwd.eml"
    p.write_bytes(bytes(outer))
    [item] = list(iter_records(p))
    forwarded, table, note = item.data["attachments"]
    assert forwarded["content_type"] == "message/rfc822" and "13698765432" in forwarded["text"]
    assert table["text"] == "name,phone\n张伟,13812345678\n" and note["text"] == "备注：李娜\n"


# ---- Excel workbooks ------------------------------------------------------------------------

def _workbook(path, sheets):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_xlsx_every_sheet_is_read(tmp_path):
    import datetime

    p = tmp_path / "crm.xlsx"
    _workbook(p, [("一月", [["姓名", "手机", "出生日期", "备注", None],
                            ["张伟", 13812345678, datetime.date(1990, 3, 7), "客户要求退款"],
                            [None, None, None, None]]),
                  ("空白", []),
                  ("二月", [["姓名", "手机", "出生日期", "备注"],
                            ["李娜", "0471 22 93 15", datetime.datetime(1988, 1, 2, 9, 30), "复诊"]])])
    assert detect_format(p) == "xlsx"
    items = list(iter_records(p))
    assert [i.data for i in items] == [
        {"姓名": "张伟", "手机": 13812345678, "出生日期": "1990-03-07", "备注": "客户要求退款"},
        {"姓名": "李娜", "手机": "0471 22 93 15", "出生日期": "1988-01-02T09:30:00", "备注": "复诊"}]
    assert [i.line for i in items] == [2, 2] and [i.index for i in items] == [0, 1]


def test_xlsx_sheets_with_other_columns_are_named_not_dropped(tmp_path):
    p = tmp_path / "book.xlsx"
    _workbook(p, [("客户", [["姓名", "备注"], ["张伟", "x"]]), ("工单", [["工单号", "描述"], [10001, "y"]])])
    with pytest.raises(InputError, match="'客户' has .* '工单' has"):
        list(iter_records(p))


def test_old_workbooks_are_refused_with_a_hint(tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError) as info:
        detect_format(p)
    assert ".xlsx" in str(info.value.hint)
