"""Speed round 17 (issue 12 item 4): the scan's collector setting over its whole loop."""

from __future__ import annotations

import gc
import json

import pytest

from privtune.demo.corpus import generate
from privtune.scan.collector import YOUNG_THRESHOLD
from privtune.scan.config import ScanConfig
from privtune.scan.curation import Curator
from privtune.scan.pipeline import run_scan

from scan_helpers import KEY


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def test_scan_loop_runs_under_the_chunks_collector_setting(tmp_path, monkeypatch) -> None:
    """Between chunks (curation, writing) the young threshold stays where the chunks raise it;
    the host's setting is back after the scan, also after an error, and a disabled collector
    is left alone."""
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in generate(12, seed=3)), encoding="utf-8")
    cfg = ScanConfig(input=src, out=tmp_path / "clean.jsonl", findings=tmp_path / "f.jsonl",
                     report=tmp_path / "r.json", workers=1)
    seen: list[int] = []
    inner = Curator.observe_many

    def spy(self, items):
        seen.append(gc.get_threshold()[0])
        return inner(self, items)

    monkeypatch.setattr(Curator, "observe_many", spy)
    old = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        first = run_scan(cfg)
        assert seen == [YOUNG_THRESHOLD] and gc.get_threshold() == (700, 10, 10)
        assert first.report["counts"]["records_in"] == 12
        monkeypatch.setattr(Curator, "observe_many", lambda self, items: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            run_scan(cfg)
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(0, 10, 10)
        monkeypatch.setattr(Curator, "observe_many", spy)
        run_scan(cfg)
        assert seen[-1] == 0 and gc.get_threshold() == (0, 10, 10)
    finally:
        gc.set_threshold(*old)
