import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from privtune.errors import InputError
from privtune.io import Rejected, SourceRecord, detect_format, iter_records, text_fields
from privtune.io.csv_format import csv_delimiter
from privtune.io.records import RecordShape, detect_shape, get_field, set_field


def _items(path, **kw):
    return list(iter_records(path, **kw))


def test_jsonl_good_bad_blank_and_bom(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"text": "a"}\n\n{"text": \n[1,2]\n{"text": "\xe4\xbd\xa0"}\n')
    items = _items(p)
    assert [type(i).__name__ for i in items] == ["SourceRecord", "Rejected", "Rejected", "SourceRecord"]
    assert [i.index for i in items] == [0, 1, 2, 3]
    assert items[1].line == 3 and "invalid JSON" in items[1].reason and items[1].raw == '{"text": '
    assert "expected a JSON object" in items[2].reason
    assert items[3].data == {"text": "你"} and items[3].line == 5


def test_jsonl_non_utf8_gives_byte_offset_and_hint(tmp_path):
    p = tmp_path / "d.jsonl"
    good = '{"text": "ok"}\n'.encode()
    bad = '{"text": "客户"}\n'.encode("gb18030")
    p.write_bytes(good + bad)
    items = _items(p)
    assert isinstance(items[0], SourceRecord)
    rej = items[1]
    assert isinstance(rej, Rejected)
    assert f"byte offset {len(good) + 10}" in rej.reason and "--encoding" in rej.reason
    fixed = _items(p, encoding="gb18030")
    assert fixed[1].data == {"text": "客户"}


def test_json_array_streams_and_counts_lines(tmp_path):
    p = tmp_path / "d.json"
    p.write_text('[\n {"text": "a"},\n {"text": "b"},\n 3\n]\n')
    items = _items(p)
    assert [i.data["text"] for i in items[:2]] == ["a", "b"]
    assert [i.line for i in items] == [2, 3, 4]
    assert isinstance(items[2], Rejected)


def test_concatenated_pretty_json_objects(tmp_path):
    p = tmp_path / "d.json"
    p.write_text('{\n "text": "a"\n}\n{\n "text": "b"\n}\n')
    assert [i.data["text"] for i in _items(p)] == ["a", "b"]


def test_json_array_larger_than_a_chunk(tmp_path, monkeypatch):
    import privtune.io.readers as r

    monkeypatch.setattr(r, "_CHUNK", 64)
    p = tmp_path / "d.json"
    recs = [{"text": "记录" * (i % 7), "i": i} for i in range(200)]
    p.write_text(json.dumps(recs, ensure_ascii=False, indent=1))
    assert [i.data["i"] for i in _items(p)] == list(range(200))


def test_unclosed_json_array_is_an_error(tmp_path):
    p = tmp_path / "d.json"
    p.write_text('[{"text": "a"},')
    with pytest.raises(InputError, match="not closed"):
        _items(p)


def test_csv_rows_and_ragged_rows(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("id,text\n1,hello\n2,world,extra\n3\n", encoding="utf-8")
    items = _items(p)
    assert items[0].data == {"id": "1", "text": "hello"}
    assert isinstance(items[1], Rejected) and "more cells" in items[1].reason
    assert isinstance(items[2], Rejected) and "missing columns" in items[2].reason


def test_parquet(tmp_path):
    p = tmp_path / "d.parquet"
    pq.write_table(pa.table({"text": ["a", "b", "c"], "n": [1, 2, 3]}), p)
    items = _items(p)
    assert [i.data["text"] for i in items] == ["a", "b", "c"] and items[2].index == 2


def test_format_detection_and_errors(tmp_path):
    lines = tmp_path / "x.json"
    lines.write_text('{"a": 1}\n{"a": 2}\n')
    assert detect_format(lines) == "jsonl"
    with pytest.raises(InputError, match="format"):
        detect_format(tmp_path / "x.dat")
    # Logs and Markdown notes are text, one record per line; documents and archives get a hint of
    # their own (--format text read a PDF's bytes as garbage records).
    assert detect_format(tmp_path / "x.log") == detect_format(tmp_path / "notes.MD") == "text"
    with pytest.raises(InputError, match="documents") as err:
        detect_format(tmp_path / "report.pdf")
    assert "pdftotext" in (err.value.hint or "")
    with pytest.raises(InputError, match="archives"):
        detect_format(tmp_path / "slack_export.zip")
    with pytest.raises(InputError, match="not found"):
        list(iter_records(tmp_path / "missing.jsonl"))


def test_shapes_and_field_paths():
    chat = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}
    sharegpt = {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]}
    alpaca = {"instruction": "do", "input": "", "output": "done"}
    assert detect_shape(chat) is RecordShape.CHAT
    assert detect_shape(sharegpt) is RecordShape.SHAREGPT
    assert detect_shape(alpaca) is RecordShape.ALPACA
    assert text_fields(chat) == [("messages[0].content", "hi"), ("messages[1].content", "yo")]
    assert text_fields(sharegpt)[1] == ("conversations[1].value", "a")
    assert [f for f, _ in text_fields(alpaca)] == ["instruction", "input", "output"]
    assert get_field(chat, "messages[1].content") == "yo"
    set_field(chat, "messages[1].content", "YO")
    assert chat["messages"][1]["content"] == "YO"


def test_missing_field_lists_what_the_record_has():
    with pytest.raises(InputError) as exc:
        text_fields({"body": "x", "id": 1}, ["text"], path="d.jsonl", line=4)
    msg = str(exc.value)
    assert "d.jsonl, line 4" in msg and "'body'" in msg and "'id'" in msg
    with pytest.raises(InputError, match="--fields"):
        text_fields({"body": "x"})


def test_csv_delimiter_is_sniffed_from_the_header(tmp_path):
    # A European spreadsheet export: ";" between cells, a quoted line break, a UTF-8 BOM, CRLF.
    p = tmp_path / "d.csv"
    rows = ["客户;内容;电话", '张伟;"地址是北京市朝阳区建国路88号\n请尽快联系";13812345678', "李娜;你好;"]
    p.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode())
    items = _items(p)
    assert [i.data for i in items] == [
        {"客户": "张伟", "内容": "地址是北京市朝阳区建国路88号\n请尽快联系", "电话": "13812345678"},
        {"客户": "李娜", "内容": "你好", "电话": ""},
    ]
    assert [i.line for i in items] == [3, 4]
    assert csv_delimiter("id\ttext\r\n") == "\t" and csv_delimiter('"a;b",c\n') == ","
    assert csv_delimiter("text\n") == "," and csv_delimiter("a|b|c\n") == "|"


def test_csv_duplicate_column_names_are_an_error_not_a_lost_column(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text('text,text,id\n"hello 张伟",x,1\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        _items(p)
    msg = str(exc.value)
    assert "line 1" in msg and "'text' twice (columns 1 and 2)" in msg and "rename" in msg


def test_null_text_field_is_empty_and_a_number_is_named():
    assert text_fields({"text": None, "id": 3}) == []
    with pytest.raises(InputError) as exc:
        text_fields({"text": 13812345678}, path="d.jsonl", line=6)
    assert "d.jsonl, line 6" in str(exc.value) and "field 'text'" in str(exc.value) and "int" in str(exc.value)


def test_tsv_suffix_reads_as_csv_and_a_workbook_gets_a_hint(tmp_path):
    p = tmp_path / "d.tsv"
    p.write_text("id\ttext\n1\thello, world\n", encoding="utf-8")
    assert detect_format(p) == "csv" and _items(p)[0].data == {"id": "1", "text": "hello, world"}
    book = tmp_path / "d.xls"  # .xlsx is read since round 7 (io/xlsx_rows.py); old .xls is not
    book.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError) as exc:
        detect_format(book)
    assert "CSV UTF-8" in str(exc.value)
    damaged = tmp_path / "d.xlsx"
    damaged.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        _items(damaged)


def test_half_a_surrogate_pair_is_rejected_with_its_field(tmp_path):
    # An exporter that cut an emoji in two writes one escaped surrogate: json.loads accepts it,
    # but no UTF-8 output (or hash of it) can hold it.
    p = tmp_path / "d.jsonl"
    p.write_text('{"text": "ok \\ud83d\\ude00"}\n{"messages": [{"role": "user", "content": "hi \\ud83d"}]}\n',
                 encoding="utf-8")
    ok, bad = _items(p)
    assert isinstance(ok, SourceRecord) and ok.data["text"] == "ok \U0001f600"
    assert isinstance(bad, Rejected) and bad.line == 2
    assert "'messages[0].content'" in bad.reason and "\\ud83d at character 3" in bad.reason
    arr = tmp_path / "d.json"
    arr.write_text('[{"text": "a"}, {"text": "\\udc00"}]', encoding="utf-8")
    assert isinstance(_items(arr)[1], Rejected)


def test_a_wrapped_export_gets_an_extraction_hint():
    with pytest.raises(InputError) as exc:
        text_fields({"data": [{"text": "a"}, {"text": "b"}], "count": 2}, path="d.json", line=1)
    assert "'data' holds a list of 2 objects" in str(exc.value) and "jq -c '.data[]'" in str(exc.value)


def test_nesting_too_deep_for_the_parser_is_a_reject_not_a_traceback(tmp_path):
    from privtune.errors import InputError
    from privtune.io import Rejected, SourceRecord, iter_records

    deep = '{"a":' * 5000 + "{}" + "}" * 5000
    path = tmp_path / "d.jsonl"
    path.write_text(deep + '\n{"text": "ok"}\n')
    items = list(iter_records(path))
    assert isinstance(items[0], Rejected) and "nested too deeply" in items[0].reason and items[0].line == 1
    assert isinstance(items[1], SourceRecord) and items[1].data == {"text": "ok"}
    array = tmp_path / "d.json"
    array.write_text("[" + deep + "]")
    with pytest.raises(InputError, match="nested too deeply"):
        list(iter_records(array))


@pytest.mark.parametrize("name", ["export.jsonl", "export.csv"])
@pytest.mark.parametrize("packer", ["gzip", "zstd"])
def test_compressed_content_under_a_plain_name_is_read(tmp_path, name, packer):
    # Before: "not valid utf-8 at byte offset 1; pass --encoding" for a gzipped export.
    import gzip

    import zstandard

    from privtune.io import SourceRecord, iter_records

    text = '{"text": "张伟 13812345678"}\n' if name.endswith(".jsonl") else "id,text\n1,张伟 13812345678\n"
    data = text.encode()
    (tmp_path / name).write_bytes(gzip.compress(data) if packer == "gzip" else zstandard.ZstdCompressor().compress(data))
    (item,) = list(iter_records(tmp_path / name))
    assert isinstance(item, SourceRecord) and "张伟 13812345678" in item.data["text"]


def test_plain_text_is_one_record_per_line(tmp_path):
    # A chat/log export (.txt) was "cannot tell the format" with no --format that read it.
    p = tmp_path / "chat.txt"
    p.write_bytes(b"\xef\xbb\xbf12/03/2024, 14:22 - John: hi {not json}\r\n\n  \n\xe6\x88\x91\xe6\x98\xaf\n"
                  b"\xff bad byte\n")
    assert detect_format(p) == "text"
    items = _items(p)
    # A chat export's line without a timestamp continues the message above it (io/chat_text.py).
    assert items[0].data == {"text": "12/03/2024, 14:22 - John: hi {not json}\n我是"}
    assert [i.line for i in items] == [1, 5] and [i.index for i in items] == [0, 1]
    assert isinstance(items[1], Rejected) and "--encoding" in items[1].reason  # nothing lost, the line named
    wide = tmp_path / "notes"
    wide.write_text("第一行\nsecond line\n", encoding="utf-16")
    assert [i.data["text"] for i in _items(wide, fmt="text", encoding="utf-16")] == ["第一行", "second line"]


def test_support_desk_message_lists_are_found_by_content():
    # speaker/text and author/message lists were "no text field found": the whole export rejected
    from privtune.io.records import chat_list_key, content_fields

    rec = {"id": 7, "dialogue": [{"speaker": "客户", "text": "我是王小明"}, {"speaker": "客服", "text": None},
                                 {"author": "agent", "message": "call 415-555-0199"}]}
    assert text_fields(rec) == content_fields(rec) == [("dialogue[0].text", "我是王小明"),
                                                       ("dialogue[2].message", "call 415-555-0199")]
    assert chat_list_key(rec) == "dialogue"
    assert chat_list_key({"data": [{"text": "a"}, {"text": "b"}]}) is None  # no roles: records, not a chat
    assert chat_list_key({"m": [{"author": {"role": "user"}, "content": "x"}]}) is None  # ChatGPT's object author


def test_a_malformed_chat_record_is_named_message_by_message():
    # {"messages": "..."} and a message without content were "no text field found; the record has
    # ['messages']" with a hint about --fields; an empty conversation is simply empty
    from privtune.errors import InputError
    from privtune.io.records import text_fields

    assert text_fields({"messages": []}) == []
    with pytest.raises(InputError, match="'messages' is str, expected a list of messages"):
        text_fields({"messages": "call 13812345678"})
    with pytest.raises(InputError, match=r"messages\[1\] needs a role"):
        text_fields({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant"}]})
    with pytest.raises(InputError, match=r"conversations\[0\] is int"):
        text_fields({"conversations": [3]})


def test_a_windows_1252_export_is_not_read_as_gb18030(tmp_path):
    """German/French Excel exports are mostly valid GB18030 byte for byte; read so, "möchte"
    became "m鯿hte" and no name in them could be found."""
    from privtune.io.sources import sniff_encoding

    p = tmp_path / "de.csv"
    p.write_bytes("id,note\n1,Kundin Jürgen Müller möchte Rückruf, Straße 12\n".encode("cp1252"))
    assert sniff_encoding(p).encoding == "cp1252"
    for text in ("我們說的話，這裡沒有問題。請您聯繫陳先生", "我的手机号码是13812345678，谢谢", "iPhone手机 OK"):
        p.write_bytes(text.encode("gb18030"))
        assert sniff_encoding(p).encoding == "gb18030", text


def test_a_csv_without_a_header_row_keeps_its_first_record(tmp_path):
    """The first row of a headerless export became the column names: printed on the console,
    written to the report and left as the output's header, PII and all."""
    from privtune.io.csv_format import header_is_data
    from privtune.io.readers import iter_records

    assert header_is_data(["张伟", "13812345678", "北京市海淀区中关村大街27号"])
    assert header_is_data(["Jane", "jane@example.com"]) and header_is_data(["x" * 65])
    assert not header_is_data(["id", "name", "phone_2", "客户电话", "Q4 2023"])
    p = tmp_path / "nohdr.csv"
    p.write_text("张伟,13812345678,北京\n李娜,13987654321,上海\n", encoding="utf-8")
    rows = [r.data for r in iter_records(p, "csv", "utf-8")]
    assert rows == [{"column_1": "张伟", "column_2": "13812345678", "column_3": "北京"},
                    {"column_1": "李娜", "column_2": "13987654321", "column_3": "上海"}]


def test_a_dos_end_of_file_mark_is_no_record(tmp_path):
    """Old exporters end a file with Ctrl-Z (0x1A) or NULs: that line was a rejected record,
    and the scan failed without --max-rejected."""
    from privtune.io.readers import Rejected, iter_records

    p = tmp_path / "old.jsonl"
    p.write_bytes(b'{"text": "a"}\r\n\xef\xbb\xbf{"text": "b"}\r\n\x1a')
    items = list(iter_records(p, "jsonl", "utf-8"))
    assert [i.data for i in items if not isinstance(i, Rejected)] == [{"text": "a"}, {"text": "b"}]
    assert not any(isinstance(i, Rejected) for i in items)
    p.write_bytes(b'{"text": "a"}\n\x00\x00\n')
    assert [i.data for i in iter_records(p, "jsonl", "utf-8")] == [{"text": "a"}]


def test_openai_tool_call_turns_without_content_are_chat_messages():
    # OpenAI's function-calling format leaves "content" out of an assistant turn that only calls a
    # tool: the whole record was rejected ("messages[1] needs a role ... and a content key").
    from privtune.io.records import RecordShape, detect_shape, is_tool_call_turn

    call = {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                                                 "function": {"name": "lookup", "arguments": "{\"phone\": \"13812345678\"}"}}]}
    rec = {"messages": [{"role": "user", "content": "where is my parcel?"}, call,
                        {"role": "tool", "tool_call_id": "c1", "content": "{\"status\": \"late\"}"}]}
    assert is_tool_call_turn(call) and not is_tool_call_turn({"role": "assistant"})
    assert detect_shape(rec) is RecordShape.CHAT
    assert text_fields(rec) == [("messages[0].content", "where is my parcel?"),
                                ("messages[2].content", "{\"status\": \"late\"}")]
    legacy = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "function_call": {"name": "f"}}]}
    assert text_fields(legacy) == [("messages[0].content", "hi")]
