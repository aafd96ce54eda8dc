"""Masked excerpts in the scan report are opt-in (`report_excerpts`, `--report-excerpts`): by
default the shareable report holds no training text at all, not even masked."""

import json

import pytest
from typer.testing import CliRunner

from privtune.cli import app
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan

from scan_helpers import KEY
from scan_helpers import write_lines as _write

# Plain words, not PII: a masked excerpt keeps them, so they show whether training text got out.
MARKER = "QUOKKAPLANT"
BLOB = "QmFzZTY0RGF0YUFBQUFBQUFBQUF" * 12  # a garbage flag


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def _corpus(tmp_path):
    lines = [{"text": f"plain note {i} about the weather"} for i in range(5)]
    lines.append({"text": f"{MARKER} AKIAQ3EGRVJ5TUWXYZ7N Alice Smith, 555-123-4567, ID 11010519491231002X, token {BLOB}"})
    return _write(tmp_path / "in.jsonl", lines)


def _report_texts(out_dir):
    return "".join(p.read_text(encoding="utf-8") for p in out_dir.iterdir() if "report" in p.name)


def test_default_report_holds_no_training_text(tmp_path):
    cfg = ScanConfig(input=_corpus(tmp_path), out=tmp_path / "o.jsonl", report=tmp_path / "report.html")
    rep = run_scan(cfg).report
    assert rep["high_risk_records"] and rep["flags"]  # the record is listed, by index and reason
    assert all(h["excerpt"] == "" for h in rep["high_risk_records"])
    assert all(f["excerpt"] == "" for f in rep["flags"])
    assert rep["settings"]["report_excerpts"] is False
    written = _report_texts(tmp_path)
    assert MARKER not in written and "weather" not in written
    assert "--report-excerpts" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_excerpts_when_asked_are_masked(tmp_path):
    cfg = ScanConfig(input=_corpus(tmp_path), out=tmp_path / "o.jsonl", report_excerpts=True)
    rep = run_scan(cfg).report
    excerpt = rep["high_risk_records"][0]["excerpt"]
    assert excerpt.startswith(MARKER) and "[PERSON]" in excerpt
    dumped = json.dumps(rep, ensure_ascii=False)
    assert "555-123-4567" not in dumped and "11010519491231002X" not in dumped and "Alice" not in dumped and "AKIAQ3EGRVJ5TUWXYZ7N" not in dumped


def test_cli_flag_turns_excerpts_on(tmp_path):
    src = _corpus(tmp_path)
    runner = CliRunner()
    for extra, present in (([], False), (["--report-excerpts"], True)):
        report = tmp_path / f"r{int(present)}.json"
        res = runner.invoke(app, ["scan", str(src), "--out", str(tmp_path / "o.jsonl"), "--report", str(report),
                                  "--quiet", *extra])
        assert res.exit_code == 0, res.output
        assert (MARKER in report.read_text(encoding="utf-8")) is present
