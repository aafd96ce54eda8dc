"""`privtune scan --source/--require-source` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml


def _scan(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    data = tmp_path / "in.jsonl"
    data.write_text('{"text": "Call Alice Smith at alice@example.com"}\n{"text": "hello"}\n', encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "privtune.cli", "scan", str(data), "-o", str(tmp_path / "out.jsonl"),
                           "--report", str(tmp_path / "r.json"), "--policy", "redact", "-q", *extra],
                          capture_output=True, text=True, timeout=300)


def test_source_recorded_and_required(tmp_path: Path) -> None:
    manifest = tmp_path / "dataset.yaml"
    manifest.write_text(yaml.safe_dump({
        "source": "support inbox", "owner": "Care team", "collection_period": {"start": "2025-01-01", "end": "2025-02-01"},
        "legal_basis": "contract", "retention": "12 months", "allowed_uses": ["fine-tuning"]}), encoding="utf-8")
    ok = _scan(tmp_path, "--source", str(manifest), "--require-source")
    assert ok.returncode == 0, ok.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["source"]["manifest"]["owner"] == "Care team" and report["gate"]["passed"]
    missing = _scan(tmp_path, "--require-source")
    assert missing.returncode == 3 and "require_source" in missing.stderr
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["source"] is None
    manifest.write_text("source: [unclosed\n", encoding="utf-8")
    bad = _scan(tmp_path, "--source", str(manifest))
    assert bad.returncode == 2 and "dataset.yaml" in bad.stderr and "Traceback" not in bad.stderr
