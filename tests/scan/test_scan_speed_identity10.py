"""Round 9 of the scan job's speed-ups (branch scan-speed8): each fast path against the code it
replaced, on generated inputs."""

from __future__ import annotations

import numpy as np

from scan_helpers import planted_backdoor_records


def test_slot_reader_in_memory_equals_rows_at() -> None:
    """The slots read once into memory give the rows `Spill.rows_at` reads one by one: same
    dtype, same bytes, in the order asked (repeats, empty requests, the last row)."""
    from privtune.scan.curation.backdoor import slot_dtype, slot_reader
    from privtune.scan.curation.store import Spill

    rng = np.random.default_rng(9)
    spill = Spill(slot_dtype(32), buffer_bytes=512)  # several flushes: rows on disk and in the buffer
    rows = np.zeros(777, dtype=slot_dtype(32))
    rows["record"] = rng.integers(0, 1 << 40, len(rows))
    rows["count"] = rng.integers(0, 256, len(rows))
    rows["sig"] = rng.integers(0, 1 << 16, (len(rows), 32))
    for lo in range(0, len(rows), 50):
        spill.append(rows[lo : lo + 50])
    in_memory, by_row = slot_reader(spill), slot_reader(spill, in_memory=0)
    assert by_row == spill.rows_at
    requests = [np.array([], dtype=np.int64), np.array([776]), np.array([3, 3, 0, 500]),
                *(rng.integers(0, len(rows), rng.integers(1, 40)) for _ in range(200))]
    for index in requests:
        a, b = in_memory(index), spill.rows_at(index)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes() == rows[index].tobytes()
    spill.close()


def test_backdoor_groups_same_with_slots_in_memory_or_read_by_row(monkeypatch) -> None:
    """Whole curation: the flags (backdoor groups included) are the same whichever reader
    stage 2 uses."""
    from privtune.scan.curation import Curator, backdoor

    records = planted_backdoor_records()

    def flags(in_memory: int) -> list:
        monkeypatch.setattr(backdoor, "SLOTS_IN_MEMORY", in_memory)
        cur = Curator()
        for i, texts in enumerate(records):
            cur.observe(i, cur.summarize(i, texts, {"output"}))
        return [(f.record, f.kind, f.reason, f.group, f.group_size) for f in cur.finalize().flags]

    whole = flags(8 << 20)
    assert sum(k == "backdoor" for _, k, *_ in whole) >= 20
    assert flags(0) == whole


def test_count_values_kernel_equals_bincounts() -> None:
    """`kernels.count_values` adds what the per-position bincounts added (repeated values, the
    largest value, chunks added to a table that already holds counts)."""
    from privtune.scan.curation.backdoor import _count_values_numpy
    from privtune.scan.curation.signatures import compiled

    rng = np.random.default_rng(10)
    fast = np.zeros((32, 1 << 16), dtype=np.uint32)
    ref = fast.copy()
    for n in (0, 1, 5, 2048, 300):
        sigs = rng.integers(0, 1 << 16, (n, 32)).astype(np.uint16)
        sigs[: n // 3, 4] = 7  # many equal values in one position
        if n:
            sigs[0, :] = 0xFFFF
        compiled().count_values(fast, sigs)
        _count_values_numpy(ref, sigs)
        assert np.array_equal(fast, ref)


def test_cms_query_kernel_equals_numpy() -> None:
    """`CountMinSketch.query` (compiled) = `query_numpy`: values and dtype, for keys added once,
    many times, never, and colliding in a narrow sketch."""
    from privtune.scan.curation.poisoning import CountMinSketch

    rng = np.random.default_rng(11)
    for width in (6, 12, 21):
        sketch = CountMinSketch(width_log2=width)
        keys = rng.integers(0, 2**63, 3000, dtype=np.uint64) * np.uint64(2) + rng.integers(0, 2, 3000, dtype=np.uint64)
        for lo in range(0, 3000, 250):
            sketch.add(np.unique(keys[lo : lo + 500]))
        asked = np.concatenate([keys, rng.integers(0, 2**63, 500, dtype=np.uint64), np.array([0, 2**64 - 1], dtype=np.uint64)])
        a, b = sketch.query(asked), sketch.query_numpy(asked)
        assert a.dtype == b.dtype and np.array_equal(a, b)
        assert sketch.query(np.empty(0, dtype=np.uint64)).shape == (0,)


def test_analyze_records_runs_under_the_scans_collector_setting(monkeypatch) -> None:
    """`Analyzer.analyze_records` raises the young threshold as `process_many` does, restores
    the host's setting after (also after an error), leaves a disabled collector alone, and its
    spans are `analyze_many`'s."""
    import gc

    import pytest

    from privtune.demo.corpus import generate
    from privtune.scan.analyzer import Analyzer
    from privtune.scan.collector import YOUNG_THRESHOLD

    analyzer = Analyzer()
    records = [[m["content"] for m in r["messages"]] for r in generate(40, seed=10)]
    seen: list[int] = []
    inner = analyzer._analyze_records

    def spy(recs):
        seen.append(gc.get_threshold()[0])
        return inner(recs)

    monkeypatch.setattr(analyzer, "_analyze_records", spy)
    old = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        assert analyzer.analyze_records(records) == [analyzer.analyze_many(t) for t in records]
        assert seen == [YOUNG_THRESHOLD] and gc.get_threshold() == (700, 10, 10)
        monkeypatch.setattr(analyzer, "_analyze_records", lambda recs: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            analyzer.analyze_records(records)
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(0, 10, 10)
        monkeypatch.setattr(analyzer, "_analyze_records", spy)
        analyzer.analyze_records(records[:3])
        assert seen[-1] == 0 and gc.get_threshold() == (0, 10, 10)
    finally:
        gc.set_threshold(*old)


def _line_spans_before(tagger, seg: str) -> list:
    """`EnTagger.line_spans` as it was (numpy ``nonzero`` for the last tagged token)."""
    from privtune.scan.ner.en_crf import _CJK_CHAR, _TOKEN_NO_CJK, TOKEN, _decode, _worth_tagging

    if not _worth_tagging(seg):
        return []
    words = (TOKEN if _CJK_CHAR.search(seg) else _TOKEN_NO_CJK).findall(seg)
    path, marg = tagger._tag(words)
    found = (path != tagger._outside).nonzero()[0]
    if not found.size:
        return []
    pos, toks = 0, []
    for w in words[: found[-1] + 3]:  # two more tokens, as en-ner4's `_name_tail` reads them
        pos = seg.index(w, pos)
        toks.append((pos, pos + len(w), w))
        pos += len(w)
    return _decode(toks, [tagger.labels[p] for p in path[: len(toks)]], marg[: len(toks)].tolist())


def test_en_line_spans_equal_the_numpy_last_token() -> None:
    """`EnTagger.line_spans` (last tagged token found on the path as a list) gives the spans the
    numpy version gave: lines with names at the start, middle and end, none, CJK around."""
    from privtune.demo.corpus import generate
    from privtune.scan.ner.en_crf import get_tagger

    tagger = get_tagger()
    lines = [m["content"] for r in generate(300, seed=12) for m in r["messages"]]
    lines += ["Maria", "Thanks, Maria", "Maria Garcia called Bob Smith yesterday", "ok", "Hello there",
              "客户 John Smith 来自 Acme Corp", "@dana_k ask marek", "I met Krisztina Vámos in Berlin.", "Ask ryan"]
    hits = 0
    for seg in lines:
        new = tagger.line_spans(seg)
        assert new == _line_spans_before(tagger, seg), seg
        hits += bool(new)
    assert hits > 100


def _passes_before(u, starts, counts, owners, sigs, value_counts, n_slots, p) -> bool:
    """`backdoor._search`'s stage-2 tests for unit ``u`` as the Python loop makes them."""
    from privtune.scan.curation.backdoor import largest_cluster, median_of_counts

    lo, m = int(starts[u]), int(counts[u])
    rows = np.ascontiguousarray(sigs[owners[lo : lo + m]])
    pivot, near = largest_cluster(rows, p.answer_similarity)
    purity = len(near) / m
    share = median_of_counts(value_counts[np.arange(value_counts.shape[0]), rows[pivot]].astype(np.int64)) / n_slots
    if len(near) < p.min_support or purity < p.min_purity or purity < p.min_lift * share:
        return False
    return not len(near) < p.min_coverage * share * n_slots


def test_backdoor_candidates_kernel_decides_as_the_python_loop() -> None:
    """`kernels.backdoor_candidates` keeps exactly the units the loop's tests pass, under
    thresholds that make each test decide (support, purity, lift, coverage) and exact ties."""
    from privtune.scan.curation.backdoor import _PIVOTS, BackdoorParams
    from privtune.scan.curation.signatures import compiled

    rng = np.random.default_rng(13)
    n_slots = 600
    answers = rng.integers(0, 1 << 16, (6, 32)).astype(np.uint16)
    sigs = rng.integers(0, 1 << 16, (n_slots, 32)).astype(np.uint16)
    for i in range(n_slots):  # a third of the slots near-copies of one of 6 answers
        if i % 3 == 0:
            sigs[i] = answers[i % 6]
            flip = rng.integers(0, 32, rng.integers(0, 12))
            sigs[i, flip] = rng.integers(0, 1 << 16, len(flip))
    value_counts = np.zeros((32, 1 << 16), dtype=np.uint32)
    compiled().count_values(value_counts, sigs)
    counts = rng.integers(1, 40, 300)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    owners = rng.integers(0, n_slots, int(counts.sum())).astype(np.int64)
    for u in range(0, 300, 4):  # units whose slots mostly share an answer
        owners[starts[u] : starts[u] + counts[u]] = rng.choice(np.arange(u % 6 * 3, n_slots, 18), counts[u])
    todo = np.arange(300, dtype=np.int64)
    decided = set()
    for support, purity, lift, coverage, sim in [(3, 0.6, 3.0, 0.5, 0.8), (1, 0.0, 0.0, 0.0, 0.8),
                                                 (5, 0.8, 10.0, 0.2, 0.6), (2, 0.5, 1.0, 0.9, 0.9),
                                                 (8, 0.3, 0.5, 0.1, 0.7), (3, 0.75, 2.0, 0.0, 0.8)]:
        p = BackdoorParams(support, purity, lift, coverage, sim)
        keep = compiled().backdoor_candidates(todo, starts, counts.astype(np.int64), owners, sigs, float(sim), _PIVOTS,
                                              value_counts, n_slots, support, float(purity), float(lift), float(coverage))
        ref = [_passes_before(u, starts, counts, owners, sigs, value_counts, n_slots, p) for u in todo]
        assert keep.tolist() == ref
        decided |= {sum(ref), len(ref) - sum(ref)}
    assert len(decided) > 3  # the parameter sets pass different numbers of units
