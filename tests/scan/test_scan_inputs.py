"""Issue 11.3: inputs a user actually has (a `body` CSV column with a BOM, a Parquet
`conversation` column, GBK, UTF-16, .gz/.zst) scan without --fields/--encoding, and a run that
rejects records fails unless --max-rejected allows it, with the reasons on the console."""

import gzip
import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from privtune.io.records import guess_text_fields
from privtune.io.sources import sniff_encoding
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import rejects_within, run_scan

from scan_helpers import KEY

PHONE = "13812345678"
LINES = "".join(json.dumps({"text": f"我的手机是{PHONE}，请回电"}, ensure_ascii=False) + "\n" for _ in range(1))


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def _scan(tmp_path, src, **kw):
    res = run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", **kw))
    return res, [json.loads(x) for x in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name,data", [
    ("d.jsonl.gz", gzip.compress(LINES.encode())),
    ("d.jsonl", LINES.encode("gb18030")),
    ("d.jsonl", LINES.encode("utf-16")),
    ("d.json", ("[" + LINES.strip() + "]").encode("utf-16-le")),
])
def test_compressed_and_non_utf8_inputs_are_read(tmp_path, name, data):
    src = tmp_path / name
    src.write_bytes(data)
    res, out = _scan(tmp_path, src)
    assert res.rejects_passed and res.report["counts"]["rejected"] == 0
    assert len(out) == 1 and PHONE not in out[0]["text"] and out[0]["text"].startswith("我的手机是")


def test_zstd_is_read(tmp_path):
    zstandard = pytest.importorskip("zstandard")
    src = tmp_path / "d.jsonl.zst"
    src.write_bytes(zstandard.ZstdCompressor().compress(LINES.encode()))
    assert _scan(tmp_path, src)[0].report["counts"]["records_out"] == 1


def test_sniff_names_what_it_assumed(tmp_path):
    p = tmp_path / "g.jsonl"
    p.write_bytes(LINES.encode("gb18030"))
    guess = sniff_encoding(p)
    assert (guess.encoding, guess.source) == ("gb18030", "sniffed") and "GB18030" in guess.note
    p.write_bytes(LINES.encode())
    assert sniff_encoding(p).encoding == "utf-8" and sniff_encoding(p, "latin-1").source == "given"


def test_csv_with_bom_and_a_body_column_needs_no_flags(tmp_path):
    src = tmp_path / "crm.csv"
    src.write_bytes("\ufeffticket_id,body\nT1,请帮我查一下账单\nT2,Please check my bill for March\n".encode())
    res, out = _scan(tmp_path, src, passthrough=["ticket_id"])
    assert [sorted(r) for r in out] == [["body", "ticket_id"]] * 2  # no "\ufeffticket_id"
    assert res.report["settings"]["fields"] == ["body"] and res.report["input"]["fields_source"] == "content"
    assert any("text fields: body" in n for n in res.notices)


def test_parquet_conversation_column_needs_no_flags(tmp_path):
    src = tmp_path / "c.parquet"
    pq.write_table(pa.table({"id": [1, 2], "conversation": [
        [{"role": "user", "content": f"我的手机{PHONE}"}], [{"role": "user", "content": "hello there"}]]}), src)
    res, out = _scan(tmp_path, src)
    assert res.report["counts"]["rejected"] == 0 and PHONE not in json.dumps(out)
    assert res.report["fields"]["text"] == {"conversation[].content": 2}


def test_guess_prefers_long_or_wordy_fields_over_ids():
    rows = [{"id": "T-1", "name": "王建国", "note": "请帮我查一下账单"}]
    assert guess_text_fields(rows) == ["note"]
    assert guess_text_fields([{"id": "T-1", "code": "X9"}]) is None
    assert guess_text_fields([{"messages": [{"role": "user", "content": "hi"}]}]) is None  # known shape


def test_rejections_fail_the_run_unless_allowed(tmp_path):
    src = tmp_path / "d.jsonl"
    src.write_text('{"text": "hello"}\n{"text": "Unterminated\n{"id": 3}\n', encoding="utf-8")
    res, _ = _scan(tmp_path, src)
    assert not res.rejects_passed and res.report["rejects"]["limit"] == "0"
    assert [x["line"] for x in res.report["rejects"]["first"]] == [2, 3]
    assert run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", max_rejected="2")).rejects_passed
    assert not run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", max_rejected="50%")).rejects_passed
    assert rejects_within("67%", 2, 3) and not rejects_within("1", 2, 3)


def test_cli_exits_non_zero_with_reasons_and_hint_when_all_records_are_rejected(tmp_path):
    src = tmp_path / "d.jsonl"
    src.write_text('{"body": "x", "id": 1}\n', encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "privtune.cli", "scan", str(src), "--out", str(tmp_path / "o.jsonl")],
                         capture_output=True, text=True, env={**__import__("os").environ, "PRIVTUNE_SCAN_KEY": KEY})
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "1 of 1 records rejected" in run.stderr and "line 1: no text field found" in run.stderr
    assert "hint: choose the text fields with --fields" in run.stderr
    ok = subprocess.run([sys.executable, "-m", "privtune.cli", "scan", str(src), "--out", str(tmp_path / "o.jsonl"),
                         "--max-rejected", "100%", "-q"], capture_output=True, text=True,
                        env={**__import__("os").environ, "PRIVTUNE_SCAN_KEY": KEY})
    assert ok.returncode == 0, ok.stderr


def test_a_csv_input_can_be_written_back_as_csv(tmp_path):
    # `--out clean.csv` was refused (only JSON lines were written); an Excel user scanning a
    # CSV export gets a CSV back: the same columns, delimiter and byte-order mark, rows as the
    # JSONL output holds them, quoted line breaks and delimiters intact.
    src = tmp_path / "export.csv"
    src.write_bytes("\ufeffid;客户;note\r\n1;王小明;\"call me\r\non 13812345678; thanks\"\r\n2;John Carter;x\r\n"
                    .encode("utf-8"))
    as_jsonl = [r for r in _scan(tmp_path, src)[1]]
    res = run_scan(ScanConfig(input=src, out=tmp_path / "clean.csv"))
    raw = (tmp_path / "clean.csv").read_bytes()
    assert raw.startswith("\ufeffid;客户;note\n".encode()) and PHONE.encode() not in raw and "王小明".encode() not in raw
    from privtune.io.readers import iter_records

    assert [r.data for r in iter_records(tmp_path / "clean.csv")] == as_jsonl and res.report["counts"]["records_out"] == 2
    run_scan(ScanConfig(input=src, out=tmp_path / "clean.tsv"))
    assert (tmp_path / "clean.tsv").read_text(encoding="utf-8-sig").splitlines()[0] == "id\t客户\tnote"
    with pytest.raises(ValueError, match="CSV output needs a CSV input"):
        ScanConfig(input=tmp_path / "o.jsonl", out=tmp_path / "again.csv")


def test_standard_input_is_scanned_through_a_private_spool(tmp_path, monkeypatch):
    # `zcat export.jsonl.gz | privtune scan - --out clean.jsonl` was "-: file not found".
    from typer.testing import CliRunner

    from privtune.cli import app

    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    out = tmp_path / "clean.jsonl"
    res = CliRunner().invoke(app, ["scan", "-", "--out", str(out), "-q"], input=LINES.encode())
    assert res.exit_code == 0, res.output
    assert PHONE not in out.read_text(encoding="utf-8") and "请回电" in out.read_text(encoding="utf-8")
    assert list((tmp_path / "tmp").iterdir()) == []  # the spooled raw copy is gone
    # the report names the input "-", not the spool's temporary path (gone by then)
    assert json.loads((tmp_path / "clean.scan-report.json").read_text(encoding="utf-8"))["input"]["path"] == "-"
    text = CliRunner().invoke(app, ["scan", "-", "--out", str(out), "-q"], input=f"我的手机是{PHONE}\n".encode())
    assert text.exit_code != 0 and "--format" in str(text.exception)
    ok = CliRunner().invoke(app, ["scan", "-", "--out", str(out), "--format", "text", "-q"],
                            input=f"我的手机是{PHONE}\n".encode())
    assert ok.exit_code == 0 and PHONE not in out.read_text(encoding="utf-8")
    bare = CliRunner().invoke(app, ["scan", "-"], input=LINES.encode())
    assert bare.exit_code != 0 and "needs --out" in str(bare.exception)


def test_a_json_array_input_is_written_back_as_a_json_array(tmp_path):
    # An Alpaca-style `data.json` array scanned with `--out clean.json` came back as JSON lines
    # under a .json name: json.load and pandas.read_json failed on the cleaned file.
    src = tmp_path / "alpaca.json"
    rows = [{"instruction": "Summarise ticket 0", "input": f"客户电话{PHONE}", "output": "ok"},
            {"instruction": "Reply", "input": "John Carter wrote in", "output": "done"}]
    src.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    as_jsonl = _scan(tmp_path, src)[1]
    run_scan(ScanConfig(input=src, out=tmp_path / "clean.json"))
    raw = (tmp_path / "clean.json").read_text(encoding="utf-8")
    assert json.loads(raw) == as_jsonl and PHONE not in raw and as_jsonl[0]["instruction"] == "Summarise ticket 0"
    from privtune.io.readers import iter_records

    assert [r.data for r in iter_records(tmp_path / "clean.json")] == as_jsonl
    run_scan(ScanConfig(input=src, out=tmp_path / "clean.json.gz"))
    assert json.loads(gzip.decompress((tmp_path / "clean.json.gz").read_bytes())) == as_jsonl
    # JSON lines in stay JSON lines, whatever the name
    lines = tmp_path / "d.jsonl"
    lines.write_text(LINES, encoding="utf-8")
    run_scan(ScanConfig(input=lines, out=tmp_path / "lines.json"))
    assert len((tmp_path / "lines.json").read_text(encoding="utf-8").splitlines()) == 1


def test_a_text_input_can_be_written_back_as_text(tmp_path):
    src = tmp_path / "export.txt"
    src.write_text(f"客户：我的手机是{PHONE}\nagent: thanks, John Carter\n\nlast line\n", encoding="utf-8")
    as_jsonl = _scan(tmp_path, src)[1]
    run_scan(ScanConfig(input=src, out=tmp_path / "clean.txt"))
    lines = (tmp_path / "clean.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [r["text"] for r in as_jsonl] and len(lines) == 3 and PHONE not in lines[0]
    with pytest.raises(ValueError, match="text output needs a text input"):
        ScanConfig(input=tmp_path / "o.jsonl", out=tmp_path / "again.txt")


@pytest.mark.parametrize("encoding, bom", [("gb18030", True), ("cp1252", True), ("utf-8", False)])
def test_csv_out_of_a_legacy_encoding_is_utf8_with_a_byte_order_mark(tmp_path, encoding, bom):
    """Excel opens a CSV without the mark in the machine's code page: a GB18030 export cleaned
    to plain UTF-8 came back as mojibake there."""
    src = tmp_path / "crm.csv"
    note = "客户说周末送货" if encoding != "cp1252" else "Kundin möchte Rückruf"
    src.write_bytes(f"id,备注\n1,{note} 13812345678\n".replace("备注", "note" if encoding == "cp1252" else "备注").encode(encoding))
    res = run_scan(ScanConfig(input=src, out=tmp_path / "o.csv"))
    raw = (tmp_path / "o.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    assert note in raw.decode("utf-8-sig") and PHONE not in raw.decode("utf-8-sig")
    assert any(n.startswith("output: UTF-8 with a byte-order mark") for n in res.notices) == bom


def test_headerless_csv_leaves_no_value_in_the_header_report_or_notices(tmp_path):
    src = tmp_path / "export.csv"
    src.write_text(f"张伟,{PHONE},客户说周末送货\n李娜,13987654321,请尽快发货\n", encoding="utf-8")
    res = run_scan(ScanConfig(input=src, out=tmp_path / "o.csv"))
    out = (tmp_path / "o.csv").read_text(encoding="utf-8")
    report = json.dumps(res.report, ensure_ascii=False) + "\n".join(res.notices)
    for value in ("张伟", PHONE, "李娜"):
        assert value not in out and value not in report
    assert len(out.splitlines()) == 2 and "column_1" not in out  # no header row is added
    assert any(n.startswith("CSV header: none") for n in res.notices)


def test_openai_tool_call_records_are_scanned_not_rejected(tmp_path):
    # An assistant turn that only calls a tool has no "content" in OpenAI's format: the record was
    # rejected and the run failed. Its arguments (a JSON string) are scanned and stay JSON.
    args = json.dumps({"phone": PHONE, "email": "zw@example.com"})
    rec = {"messages": [{"role": "user", "content": "查一下我的订单"},
                        {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                                                              "function": {"name": "lookup", "arguments": args}}]},
                        {"role": "tool", "tool_call_id": "c1", "content": f"收件电话{PHONE}"}]}
    src = tmp_path / "calls.jsonl"
    src.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    res, out = _scan(tmp_path, src)
    assert res.rejects_passed and len(out) == 1
    new_args = json.loads(out[0]["messages"][1]["tool_calls"][0]["function"]["arguments"])
    assert new_args["phone"] != PHONE and new_args["email"] != "zw@example.com"
    assert PHONE not in json.dumps(out[0], ensure_ascii=False)


def test_openai_content_parts_are_scanned_in_place_not_rejected(tmp_path):
    # Chat Completions logs and OpenAI's fine-tuning format may give a message's content as a
    # list of parts ([{"type": "text", "text": ...}, {"type": "image_url", ...}]): the record had
    # "no text in the selected fields" and was rejected, and the run failed.
    rec = {"messages": [
        {"role": "user", "content": [{"type": "text", "text": f"我的电话是{PHONE}"},
                                     {"type": "image_url", "image_url": {"url": "https://x.example/a.png"}}]},
        {"role": "assistant", "content": [{"type": "text", "text": "好的，"}, "已记下 zw@example.com"]}]}
    src = tmp_path / "parts.jsonl"
    src.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    res, out = _scan(tmp_path, src)
    assert res.rejects_passed and len(out) == 1
    user, assistant = out[0]["messages"]
    assert user["content"][0]["type"] == "text" and "我的电话是" in user["content"][0]["text"]
    assert user["content"][1]["type"] == "image_url"
    assert assistant["content"][0] == {"type": "text", "text": "好的，"}
    dumped = json.dumps(out[0], ensure_ascii=False)
    assert PHONE not in dumped and "zw@example.com" not in dumped
