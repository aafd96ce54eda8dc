"""`privtune scan` end to end: contracts of the output files, bad input, the gate, the CLI."""

import json
import subprocess
import sys

import pytest

from privtune.errors import InputError
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan

from scan_helpers import KEY
from scan_helpers import write_lines as _write

PHONE, ID_CARD, CARD = "13812345678", "11010519491231002X", "6222020200112233447"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def _chat(user: str, bot: str) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": bot}]}


def test_findings_contract_structure_preserved_and_counts_balance(tmp_path):
    src = _write(tmp_path / "in.jsonl", [
        _chat(f"手机{PHONE}。身份证号{ID_CARD}，谢谢", "好的，已记录。"),
        {"instruction": "Summarise", "input": f"Card {CARD} was blocked", "output": "ok"},
        _chat(f"手机{PHONE}。身份证号{ID_CARD}，谢谢", "好的，已记录。"),  # exact duplicate
        '{"messages": [broken',
        {"text": "no pii here at all"},
    ])
    cfg = ScanConfig(input=src, out=tmp_path / "clean.jsonl", findings=tmp_path / "f.jsonl",
                     report=tmp_path / "r.json")
    res = run_scan(cfg)
    c = res.report["counts"]
    assert (c["records_in"], c["records_out"], c["dropped"], c["rejected"]) == (5, 3, {"exact_duplicate": 1}, 1)
    assert c["records_in"] == c["records_out"] + sum(c["dropped"].values()) + c["rejected"]

    records = [json.loads(x) for x in (tmp_path / "in.jsonl").read_text().splitlines() if "broken" not in x]
    findings = [json.loads(x) for x in (tmp_path / "f.jsonl").read_text().splitlines()]
    assert {f["type"] for f in findings} >= {"PHONE", "ID_CARD", "BANK_CARD"}
    for f in findings:
        assert set(f) == {"record", "field", "start", "end", "type", "score", "detector"}
        rec = records[f["record"]] if f["record"] < 3 else None  # indices 0-2 precede the broken line
        if rec is not None:  # offsets are code points into that field of that input record
            from privtune.io.records import get_field
            value = get_field(rec, f["field"])[f["start"]:f["end"]]
            assert value in (PHONE, ID_CARD, CARD)
    assert PHONE not in (tmp_path / "f.jsonl").read_text()  # never the raw value

    clean = [json.loads(x) for x in (tmp_path / "clean.jsonl").read_text().splitlines()]
    assert [sorted(r) for r in clean] == [["messages"], ["input", "instruction", "output"], ["text"]]
    assert clean[0]["messages"][1]["content"] == "好的，已记录。"
    out_text = (tmp_path / "clean.jsonl").read_text()
    assert PHONE not in out_text and ID_CARD not in out_text and CARD not in out_text

    rejects = [json.loads(x) for x in (tmp_path / "clean.rejects.jsonl").read_text().splitlines()]
    assert rejects[0]["line"] == 4 and "invalid JSON" in rejects[0]["reason"] and "raw" not in rejects[0]
    plain = __import__("hashlib").sha256(b'{"messages": [broken').hexdigest()
    assert "sha256" not in rejects[0] and plain not in rejects[0]["line_hmac"]  # keyed, never a plain digest

    report = json.loads((tmp_path / "r.json").read_text())
    assert report["input"]["sha256"].startswith("sha256:") and report["output"]["sha256"].startswith("sha256:")
    assert PHONE not in json.dumps(report, ensure_ascii=False)


def test_missing_fields_go_to_rejects_with_what_the_record_has(tmp_path):
    src = _write(tmp_path / "in.jsonl", [{"body": "x", "id": 1}, {"text": "hello"}])
    res = run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", fields=["text"]))
    assert res.report["counts"]["rejected"] == 1
    rej = json.loads((tmp_path / "o.rejects.jsonl").read_text())
    assert "missing field 'text'" in rej["reason"] and "'body'" in rej["reason"] and "data" not in rej


def test_empty_input_is_an_error_and_leaves_no_output(tmp_path):
    src = _write(tmp_path / "in.jsonl", [])
    with pytest.raises(InputError, match="no records"):
        run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl"))
    assert not (tmp_path / "o.jsonl").exists()


def test_html_report_writes_json_manifest_beside_it(tmp_path):
    src = _write(tmp_path / "in.jsonl", [{"text": f"call {PHONE} now"}])
    res = run_scan(ScanConfig(input=src, report=tmp_path / "r.html"))
    html = (tmp_path / "r.html").read_text()
    assert "<table>" in html and PHONE not in html
    assert json.loads((tmp_path / "r.json").read_text())["counts"]["entities"] == {"PHONE": 1}
    assert res.paths == {"report_html": str(tmp_path / "r.html"), "report_json": str(tmp_path / "r.json")}


def test_workers_give_identical_outputs(tmp_path):
    from privtune.demo.corpus import generate

    src = _write(tmp_path / "in.jsonl", list(generate(300, seed=2)))
    run_scan(ScanConfig(input=src, out=tmp_path / "a.jsonl", findings=tmp_path / "fa.jsonl"))
    run_scan(ScanConfig(input=src, out=tmp_path / "b.jsonl", findings=tmp_path / "fb.jsonl", workers=2))
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert (tmp_path / "fa.jsonl").read_bytes() == (tmp_path / "fb.jsonl").read_bytes()


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "privtune.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**__import__("os").environ, "PRIVTUNE_SCAN_KEY": KEY})


def test_cli_gate_exit_code_and_clear_errors(tmp_path):
    src = _write(tmp_path / "in.jsonl", [{"text": f"身份证{ID_CARD}"}, {"text": "hi"}])
    ok = _cli("scan", str(src), "--out", str(tmp_path / "o.jsonl"), "--fail-on", "SECRET>0", "-q", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    bad = _cli("scan", str(src), "--out", str(tmp_path / "o.jsonl"), "--fail-on", "ID_CARD>0", "-q", cwd=tmp_path)
    assert bad.returncode == 3 and "gate failed" in bad.stderr and "ID_CARD>0" in bad.stderr
    assert (tmp_path / "o.jsonl").exists()  # outputs are written even when the gate fails
    missing = _cli("scan", str(tmp_path / "nope.jsonl"), cwd=tmp_path)
    assert missing.returncode == 2 and "file not found" in missing.stderr and "Traceback" not in missing.stderr
    gb = tmp_path / "gb.jsonl"
    gb.write_bytes('{"text": "客户"}\n'.encode("gb18030"))
    # An explicit but wrong encoding: every record rejected, so the run fails with the hint.
    enc = _cli("scan", str(gb), "--out", str(tmp_path / "g.jsonl"), "--encoding", "utf-8", cwd=tmp_path)
    assert enc.returncode == 2 and "1 of 1 records rejected" in enc.stderr and "Traceback" not in enc.stderr
    assert "--encoding" in enc.stderr and "--encoding" in (tmp_path / "g.rejects.jsonl").read_text()
    sniffed = _cli("scan", str(gb), "--out", str(tmp_path / "g.jsonl"), "-q", cwd=tmp_path)
    assert sniffed.returncode == 0 and "assumed gb18030" in sniffed.stderr


def test_report_files_name_no_path_of_the_machine(tmp_path, monkeypatch):
    # report.json kept every path as given: the input, the output and the scan key's path under
    # the user's home (~/.config/privtune/scan.key) went into CI artefacts and the model card's links.
    monkeypatch.delenv("PRIVTUNE_SCAN_KEY", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    src = _write(data / "raw.jsonl", [{"text": "call 13812345678"}, {"text": "{broken"}])
    src.write_text(src.read_text(encoding="utf-8") + "{broken\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    cfg = ScanConfig(input=src.resolve(), out=(out_dir / "clean.jsonl").resolve(), report=(out_dir / "r.html").resolve(),
                     policy="pseudonymise", key_file=(tmp_path / "home" / "scan.key").resolve(), max_rejected="5")
    res = run_scan(cfg)
    for name in ("r.json", "r.html"):
        text = (out_dir / name).read_text(encoding="utf-8")
        assert str(tmp_path) not in text, name
    report = json.loads((out_dir / "r.json").read_text(encoding="utf-8"))
    assert (report["input"]["path"], report["output"]["path"]) == ("raw.jsonl", "clean.jsonl")
    assert report["key"]["source"] == "scan.key" and report["rejects_file"] == "clean.rejects.jsonl"
    assert res.report["input"]["path"] == str(src.resolve())  # errors shown to the user keep the path as given
