"""Cross-record scan state stays bounded: excerpts recomputed only for listed flags, a compact
dedup index with the old semantics, poisoning arrays outside the Python heap."""

import json
from pathlib import Path

import numpy as np
import pytest

from privtune.io.readers import SourceRecord, iter_records
from privtune.scan.config import ScanConfig
from privtune.scan.pipeline import run_scan
from privtune.scan.worker import RecordProcessor

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
BLOB = "QmFzZTY0RGF0YUFBQUFBQUFBQUF" * 12  # mixed-case base64-ish run: a garbage flag


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


def _write(path: Path, lines: list) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    return path


def _corpus(tmp_path: Path) -> Path:
    lines: list = [{"text": f"plain note number {i} about the weather"} for i in range(6)]
    lines.insert(2, '{"text": broken')  # a rejected line shifts record indices against lines
    lines.insert(4, {"messages": [{"role": "user", "content": "   "},
                                  {"role": "user", "content": f"call 13812345678 or mail a@b.com {BLOB}"}]})
    lines.append({"text": f"Alice Smith, 555-123-4567, token {BLOB}"})
    lines.append({"text": f"another {BLOB} 8888"})
    return _write(tmp_path / "in.jsonl", lines)


def _expected_excerpts(cfg: ScanConfig) -> dict[int, str]:
    proc = RecordProcessor(cfg, b"\0" * 32)
    return {it.index: proc.process(it).excerpt for it in iter_records(cfg.input) if isinstance(it, SourceRecord)}


def test_flag_excerpts_match_the_in_stream_excerpt(tmp_path):
    cfg = ScanConfig(input=_corpus(tmp_path), out=tmp_path / "o.jsonl")
    rep = run_scan(cfg).report
    expected = _expected_excerpts(cfg)
    flagged = [f for f in rep["flags"] if f["kind"] == "garbage"]
    assert [f["record"] for f in flagged] == [4, 8, 9]
    for f in rep["flags"]:
        assert f["excerpt"] == expected[f["record"]] and f["excerpt"]
    assert "13812345678" not in json.dumps(rep) and "a@b.com" not in json.dumps(rep)
    assert "[PHONE]" in flagged[0]["excerpt"]  # the blank first turn is skipped, like in-stream


def test_flag_cap_limits_listed_flags_not_the_count(tmp_path):
    cfg = ScanConfig(input=_corpus(tmp_path), out=tmp_path / "o.jsonl", max_flagged_in_report=2)
    rep = run_scan(cfg).report
    assert len(rep["flags"]) == 2 and rep["counts"]["flagged"] == 3
    assert [f["record"] for f in rep["flags"]] == [4, 8]
    assert all(f["excerpt"] for f in rep["flags"])


def _sig(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 2**32, 128, dtype=np.uint64)


def test_dedup_index_semantics_first_occurrence_threshold_and_close():
    from privtune.scan.curation import RecordSummary
    from privtune.scan.curation.dedup import Deduplicator

    rng = np.random.default_rng(0)
    d = Deduplicator(0.85, 128)
    base = _sig(rng)
    near = base.copy()
    near[:10] = _sig(rng)[:10]  # 118/128 equal: estimated J 0.92 >= 0.85
    far = base.copy()
    far[:30] = _sig(rng)[:30]  # 98/128 equal: 0.77 < 0.85
    big = (1 << 64) - 5  # exact hashes above 2^63 must survive the signed SQLite column
    verdicts = [d.observe(i, RecordSummary(i, 10, h, s)) for i, (h, s) in enumerate(
        [(big, base), (1, near), (big, _sig(rng)), (2, far), (3, near.copy())])]
    assert [(v.kind, v.duplicate_of) for v in verdicts] == [
        ("unique", None), ("near", 0), ("exact", 0), ("unique", None), ("near", 0)]
    assert verdicts[1].similarity == round(118 / 128, 4)
    assert d.counts == {"unique": 2, "exact": 1, "near": 2}
    d.close()
    with pytest.raises(RuntimeError):
        d.observe(9, RecordSummary(9, 10, 7, base))


def test_dedup_keeps_no_per_record_python_objects():
    """Python-heap growth for 20k indexed records stays far below the old ~0.9 KB/record."""
    import tracemalloc

    from privtune.scan.curation import RecordSummary
    from privtune.scan.curation.dedup import Deduplicator

    rng = np.random.default_rng(1)
    sigs = rng.integers(0, 2**32, (20_000, 128), dtype=np.uint64)
    d = Deduplicator(0.85, 128, cache_kib=1024)
    for i in range(500):
        d.observe(i, RecordSummary(i, 10, i, sigs[i]))
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(500, 20_000):
        d.observe(i, RecordSummary(i, 10, i, sigs[i]))
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert d.counts["unique"] == 20_000
    assert grown < 200_000, grown  # old dict/list index: ~17 MB here
    d.close()
