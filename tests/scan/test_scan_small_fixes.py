"""Issue 11.15 (scan parts): reject reasons without "at at", a directory named as a directory,
an allow-list (and system-prompt organisations) left alone, a created scan key announced."""

import json
import os
import subprocess
import sys

import pytest

from privtune.errors import InputError
from privtune.io import iter_records
from privtune.io.readers import detect_format
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan

from scan_helpers import KEY
from scan_helpers import write_lines as _write

SYSTEM = "You are the support assistant of Acme Corp. Be brief."


def _chat(user):
    return {"messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]}


def test_reject_reason_reads_once(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('{"text": "unterminated\n', encoding="utf-8")
    reason = next(iter(iter_records(p))).reason
    assert "at at" not in reason and reason == "invalid JSON: Unterminated string starting at column 10"


def test_empty_directory_says_it_holds_no_data_files(tmp_path, monkeypatch):
    # A folder is scanned as one dataset now (tests/scan/test_scan_folders.py); an empty one says so.
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)
    (tmp_path / "exports").mkdir()
    with pytest.raises(InputError, match="the folder holds no data files"):
        run_scan(ScanConfig(input=tmp_path / "exports"))


def test_directory_elsewhere_is_named_a_directory(tmp_path):
    (tmp_path / "exports").mkdir()
    with pytest.raises(InputError, match="is a directory") as err:
        detect_format(tmp_path / "exports")
    assert "privtune scan DIR" in (err.value.hint or "")


def test_allow_list_and_system_prompt_organisations(tmp_path, monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)
    src = _write(tmp_path / "in.jsonl", [_chat("Hi, I'm John Smith from Globex Corporation, my card is blocked.")])

    def scan(**kw):
        res = run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", findings=tmp_path / "f.jsonl", **kw))
        out = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
        return res, out["messages"][0]["content"], out["messages"][1]["content"]

    _, system, _ = scan()
    assert system != SYSTEM  # default: replaced, as any organisation
    res, system, user = scan(allow=["acme corp."])
    assert system == SYSTEM and "John Smith" not in user and res.report["counts"]["allowed"] >= 1
    assert all(f["field"] != "messages[0].content" for f in map(json.loads, (tmp_path / "f.jsonl").read_text().splitlines()))
    policy = tmp_path / "p.yaml"
    policy.write_text("default: pseudonymise\nallow: [Acme Corp.]\n", encoding="utf-8")
    assert scan(policy=str(policy))[1] == SYSTEM
    res, system, user = scan(keep_system_orgs=True)
    assert system == SYSTEM and "Globex" not in user  # only system turns are exempt


def test_a_created_scan_key_is_announced(tmp_path, monkeypatch):
    monkeypatch.delenv("PRIVTUNE_SCAN_KEY", raising=False)
    src = _write(tmp_path / "in.jsonl", [{"text": "call 13812345678"}])
    key = tmp_path / "keys" / "scan.key"
    run = subprocess.run([sys.executable, "-m", "privtune.cli", "scan", str(src), "--out", str(tmp_path / "o.jsonl"),
                          "--key-file", str(key), "-q"], capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "PRIVTUNE_SCAN_KEY"})
    assert run.returncode == 0, run.stderr
    assert key.exists() and "created a new scan key at" in run.stderr and str(key) in run.stderr.replace("\n", "")
    again = run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", key_file=key))
    assert not any("created" in n for n in again.notices)
