"""Issue 11.4: the rejects side file holds where, why and a hash — raw content (personal data)
only with --rejects-raw, then 0600 and announced loudly."""

import json
import os
import stat
import subprocess
import sys

import pytest

from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan

from scan_helpers import KEY

EMAIL = "bob@example.com"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def _input(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(f'{{"text": "mail {EMAIL} now"}}\n{{"text": "mail {EMAIL}\n{{"body": "{EMAIL}"}}\n', encoding="utf-8")
    return src


def test_rejects_file_holds_no_raw_content_by_default(tmp_path):
    res = run_scan(ScanConfig(input=_input(tmp_path), out=tmp_path / "o.jsonl", fields=["text"], max_rejected="100%"))
    text = (tmp_path / "o.rejects.jsonl").read_text(encoding="utf-8")
    assert EMAIL not in text and res.report["counts"]["rejected"] == 2
    entries = [json.loads(x) for x in text.splitlines()]
    assert [sorted(e) for e in entries] == [["line", "reason", "record", "sha256"]] * 2
    assert [e["line"] for e in entries] == [2, 3] and all(e["sha256"].startswith("sha256:") for e in entries)
    assert not any(n.startswith("WARNING") for n in res.notices)


def test_rejects_raw_is_opt_in_private_and_loud(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "privtune.cli", "scan", str(_input(tmp_path)), "--out", str(tmp_path / "o.jsonl"),
         "--fields", "text", "--max-rejected", "2", "--rejects-raw", "-q"],
        capture_output=True, text=True, env={**os.environ, "PRIVTUNE_SCAN_KEY": KEY})
    assert run.returncode == 0, run.stderr
    assert "WARNING" in run.stderr and "RAW content" in run.stderr
    path = tmp_path / "o.rejects.jsonl"
    entries = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert EMAIL in entries[0]["raw"] and entries[1]["data"] == {"body": EMAIL}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
