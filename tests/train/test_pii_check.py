"""Training on data no scan report vouches for: a sample is checked and the console warned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan
from privtune.train.pii_check import unscanned_pii_warning

ROWS = [{"messages": [{"role": "user", "content": f"我是王小明，手机1381234{i:04d}，邮箱 w{i}@qq.com"},
                      {"role": "assistant", "content": "好的"}]} for i in range(5)]


def _texts(rows: list[dict]) -> list[str]:
    return ["\n".join(m["content"] for m in r["messages"]) for r in rows]


def test_raw_data_is_named_and_scanned_data_is_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw.jsonl"
    raw.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8")
    warning = unscanned_pii_warning(raw, None, _texts(ROWS))
    assert warning is not None and "names the training data" in warning and "holds identifiers" in warning
    assert not any(ch.isdigit() for ch in warning) and "qq.com" not in warning  # no counts, no values
    # `privtune scan --out` now writes its report beside the output by default: train finds it
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
    run_scan(ScanConfig(input=raw, out=tmp_path / "clean.jsonl"))
    assert (tmp_path / "clean.scan-report.json").exists()
    clean = [json.loads(x) for x in (tmp_path / "clean.jsonl").read_text(encoding="utf-8").splitlines()]
    assert unscanned_pii_warning(tmp_path / "clean.jsonl", None, _texts(clean)) is None
    assert unscanned_pii_warning(raw, None, ["no identifiers here", "谢谢"]) is None
