"""Issue 11.5: `--fail-on residual:high` passes a chat whose PII was all pseudonymised and fails
one the policy left in clear; a bare `high` still measures the input."""

import json
import os
import subprocess
import sys

import pytest

from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan

from scan_helpers import KEY
from scan_helpers import write_lines as _write

CHAT = {"messages": [{"role": "user", "content": "你好，我是王建国，手机13812345678，卡被锁了"},
                     {"role": "assistant", "content": "好的，已为您解锁"}]}


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def test_residual_counts_follow_the_policy(tmp_path):
    src = _write(tmp_path / "in.jsonl", [CHAT])
    pseudo = run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", fail_on=["residual:high"]))
    c = pseudo.report["counts"]
    assert c["risk"]["high"] == 1 and c["residual"]["risk"]["high"] == 0 and pseudo.gate_passed
    policy = tmp_path / "p.yaml"
    policy.write_text("default: pseudonymise\nper_type:\n  PHONE: keep\n", encoding="utf-8")
    kept = run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", policy=str(policy), fail_on=["residual:high"]))
    r = kept.report["counts"]["residual"]
    assert r["entities"] == {"PHONE": 1} and r["records_with_pii"] == 1
    assert r["risk"]["high"] == 0 and r["risk"]["medium"] == 1  # the name is gone: no identity dialog left
    assert not run_scan(ScanConfig(input=src, out=tmp_path / "o.jsonl", policy="keep",
                                   fail_on=["residual:high"])).gate_passed


def test_cli_readme_gate_passes_on_a_cleaned_chat_and_bare_high_keeps_its_meaning(tmp_path):
    src = _write(tmp_path / "in.jsonl", [CHAT])

    def scan(*gate):
        return subprocess.run([sys.executable, "-m", "privtune.cli", "scan", str(src), "--out", str(tmp_path / "o.jsonl"),
                               "-q", *gate], capture_output=True, text=True, env={**os.environ, "PRIVTUNE_SCAN_KEY": KEY})

    assert scan("--fail-on", "residual:high", "--fail-on", "SECRET>0").returncode == 0
    bare = scan("--fail-on", "high")
    assert bare.returncode == 3 and "high>0" in bare.stderr
    assert json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))["messages"][0]["content"] != CHAT["messages"][0]["content"]
