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

from scan_helpers import KEY, planted_backdoor_records
from scan_helpers import write_lines as _write

BLOB = "QmFzZTY0RGF0YUFBQUFBQUFBQUF" * 12  # mixed-case base64-ish run: a garbage flag


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", KEY)


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
    cfg = ScanConfig(input=_corpus(tmp_path), out=tmp_path / "o.jsonl", report_excerpts=True)
    rep = run_scan(cfg).report
    expected = _expected_excerpts(cfg)
    flagged = [f for f in rep["flags"] if f["kind"] == "garbage"]
    assert [f["record"] for f in flagged] == [4, 8, 9]
    for f in rep["flags"]:
        assert f["excerpt"] == expected[f["record"]] and f["excerpt"]
    assert "13812345678" not in json.dumps(rep) and "a@b.com" not in json.dumps(rep)
    assert "[PHONE]" in flagged[0]["excerpt"]  # the blank first turn is skipped, like in-stream


def test_flag_cap_limits_listed_flags_not_the_count(tmp_path):
    cfg = ScanConfig(input=_corpus(tmp_path), out=tmp_path / "o.jsonl", max_flagged_in_report=2,
                     report_excerpts=True)
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


# --- poisoning state on disk ----------------------------------------------------------------


def _summaries(n: int, seed: int = 0):
    """A stream shaped like a real corpus at the summary level: every record has prompt/answer
    hashes and an answer signature; trigger-like units recur (document frequency between the
    support floor and the rarity ceiling, so the backdoor search has candidate pairs to keep);
    some prompts repeat with other answers (label conflicts), some records are garbage or
    extreme lengths. Cheap to build, so the test measures the curator, not the features."""
    from privtune.scan.curation import RecordSummary

    rng = np.random.default_rng(seed)
    pool = rng.integers(0, 2**64, 400, dtype=np.uint64)  # recurring n-grams
    for i in range(n):
        units = np.concatenate([rng.integers(0, 2**64, 8, dtype=np.uint64), rng.choice(pool, 3, replace=False)])
        prompt = int(rng.integers(0, 10)) if i % 25 == 0 else 1000 + i  # every 25th reuses one of 10 prompts
        yield RecordSummary(
            index=i,
            n_chars=int(rng.integers(200, 400)) if i % 97 else 20_000,
            exact_hash=int(rng.integers(0, 2**63)),
            signature=rng.integers(0, 2**32, 128, dtype=np.uint64),
            prompt_hash=prompt,
            answer_hash=int(rng.integers(0, 2**63)),
            units=units,
            answer_sig=rng.integers(0, 2**32, 32, dtype=np.uint64).astype(np.uint32),
            garbage=("base64/hex blob: 300 chars (80% of text)",) if i % 101 == 0 else (),
        )


def _curation_peak(n: int) -> tuple[int, object]:
    """Peak traced Python/numpy memory of streaming ``n`` summaries through a Curator and
    finalizing it, over the level right after the Curator was built."""
    import tracemalloc

    from privtune.scan.curation import CurationConfig, Curator

    stream = _summaries(n)
    cur = Curator(CurationConfig())
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for s in stream:
        cur.observe(s.index, s)
    result = cur.finalize(max_flags=50, max_group=20)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak, result


def test_curation_memory_does_not_grow_with_the_number_of_records(monkeypatch):
    """4x the records, about the same peak: per-record state (lengths, trigger units, answer
    signatures, prompt hashes, flags) lives in temporary files, and finalize searches trigger
    candidates a bounded batch at a time. The former in-RAM state grew ~1.1 KB per record here
    (peak 7.2 -> 20.4 MB from 4k to 16k records); now it is ~11 MB both times, most of it the
    fixed signature-value table. SQLite's bounded page caches are not traced."""
    from privtune.scan.curation import backdoor

    monkeypatch.setattr(backdoor, "BATCH_PAIRS", 2048)  # both sizes exceed one batch
    monkeypatch.setattr(backdoor, "SLOTS_IN_MEMORY", 0)  # slots read by row (over 8 MiB of them, as here)
    small, _ = _curation_peak(4_000)
    large, result = _curation_peak(16_000)
    assert result.flagged_records > 500 and len(result.flags) == 50  # counts cover all, list is capped
    assert {"garbage", "length", "label_conflict"} <= set(result.flags_by_kind())
    assert all(f.group is None or len(f.group) <= 20 < f.group_size for f in result.flags if f.kind == "label_conflict")
    assert large - small < 1_000_000, (small, large)


def test_backdoor_search_gives_the_same_groups_in_one_batch_or_many(monkeypatch):
    """The recursive partition of trigger candidates (for corpora whose candidates do not fit
    one batch) visits units in the same order as the in-memory search: identical flags."""
    from privtune.scan.curation import Curator, backdoor

    records = planted_backdoor_records()

    def flags(batch: int) -> list:
        monkeypatch.setattr(backdoor, "BATCH_PAIRS", batch)
        cur = Curator()
        for i, texts in enumerate(records):
            cur.observe(i, cur.summarize(i, texts, {"output"}))
        return [(f.record, f.kind, f.reason, f.group) for f in cur.finalize().flags]

    whole = flags(1 << 16)
    assert sum(k == "backdoor" for _, k, _, _ in whole) >= 20
    assert flags(16) == whole


@pytest.mark.parametrize("n", [1, 2, 7, 20, 101])
def test_length_median_from_the_histogram_equals_numpy(n):
    from privtune.scan.curation.poisoning import _weighted_median

    rng = np.random.default_rng(n)
    values = np.log1p(np.unique(rng.integers(0, 5000, n)).astype(np.float64))
    counts = rng.integers(1, 4, len(values))
    assert _weighted_median(values, counts) == float(np.median(np.repeat(values, counts)))


def test_report_caps_groups_and_says_how_large_they_are(tmp_path):
    lines = [{"instruction": f"question {i} about topic {i * 7}", "output": f"answer {i}"} for i in range(30)]
    lines += [{"instruction": "Is the refund window 30 days?", "output": f"Answer variant {i}."} for i in range(5)]
    cfg = ScanConfig(input=_write(tmp_path / "in.jsonl", lines), out=tmp_path / "o.jsonl", max_flagged_in_report=3)
    rep = run_scan(cfg).report
    assert rep["counts"]["flagged"] == 5 and len(rep["flags"]) == 3
    assert all(f["group"] == [30, 31, 32] and f["group_size"] == 5 for f in rep["flags"])
    full = run_scan(cfg.model_copy(update={"max_flagged_in_report": 200})).report
    assert all(f["group"] == list(range(30, 35)) and "group_size" not in f for f in full["flags"])


def test_workers_summarise_with_the_scans_curation_settings(tmp_path):
    """dedup: off reaches the per-record step too: no MinHash signature is computed for it."""
    src = _corpus(tmp_path)
    items = [it for it in iter_records(src) if isinstance(it, SourceRecord)]
    on = RecordProcessor(ScanConfig(input=src, out=tmp_path / "a.jsonl"), b"\0" * 32)
    off = RecordProcessor(ScanConfig(input=src, out=tmp_path / "b.jsonl", dedup="off"), b"\0" * 32)
    assert on.process(items[0]).summary.signature is not None
    assert off.process(items[0]).summary.signature is None
