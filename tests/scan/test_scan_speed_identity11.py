"""Round 10 of the scan job's speed-ups (branch scan-speed9): each shortcut against the code it
replaced, on generated texts that reach both sides of every pre-check."""

from __future__ import annotations

import random
import re
import zlib

import numpy as np

from privtune.scan.curation import risk
from privtune.scan.curation.garbage import (
    _BLOB_RE, _CONTROL_RE, _MOJIBAKE_RE, _PAIR_RE, _REPETITIVE, _RULERS, _RUN_RE, _RUN_STRIDE, _compressed_size_floor,
    _looks_encoded, garbage_reasons,
)
from privtune.scan.curation.signatures import _fold_patterns, normalize_folded

# Pieces that reach every branch: words, blob-like runs, runs of one character, rulers, CJK,
# full-width forms, controls, quotes and JSON, SQL and log shapes, whitespace of every kind.
_PIECES = [
    "Order", "refund", " ", "  ", "\n", "\t", "\x0b", "\x1c", "\u3000", "\u00a0", ",", ".", "!", "'", '"', "-", "_",
    "王小明", "你好，", "？", "Ａｂｃ", "１２３", "é", "ß", "İ", "\u00ad", "\u200b", "\ufeff", "\x00", "\x07", "\ufffd",
    "Ã©", "锟斤拷", "a" * 31, "b" * 35, "=" * 40, "-" * 60, "Zx9+/" * 8, "dGhpcyBpcyBhIHRlc3Q" * 3, "0xDEADBEEF" * 5,
    "abcabc" * 20, '{"id": 1, "name": "x", "tier": "gold"}', '[{"a": 1, "b": 2, "c": 3}]', '"key": ',
    "SELECT * FROM users WHERE id = 1;", "2024-01-02 10:11:12 ERROR boom", "Traceback (most recent call last):",
    "HOST=db.local", "[main]\nport = 1\nhost = x\n", "password: hunter2", "special case", "manager override",
]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.choice((0, 1, 2, 4, 9, 25, 70))))


def _garbage_before(text: str) -> tuple[str, ...]:
    """`garbage_reasons` before this round: the blob search on every text, the run list built
    before its test, the 64-character diversity set without the 8-character one."""
    n = len(text)
    if n == 0:
        return ()
    out: list[str] = []
    ctrl = len(_CONTROL_RE.findall(text))
    if ctrl >= 3 and ctrl / n >= 0.02:
        out.append(f"control/replacement characters: {ctrl / n:.0%} of text")
    blob = 0
    if re.search(r"[A-Za-z0-9+/]{32}", text):
        blob = sum(len(m) for m in _BLOB_RE.findall(text) if _looks_encoded(m))
    if blob >= 200 or (blob >= 64 and blob / n >= 0.5):
        out.append(f"base64/hex blob: {blob} chars ({blob / n:.0%} of text)")
    moji = 0 if text.isascii() else len(_MOJIBAKE_RE.findall(text))
    if moji >= 2:
        out.append(f"mojibake: {moji} mis-decoded sequences")
    visible = "".join(text.split())
    maybe_run = _PAIR_RE.search(visible[::_RUN_STRIDE]) is not None
    runs = [(len(m.group(0)), m.group(1) in _RULERS) for m in _RUN_RE.finditer(visible)] if maybe_run else []
    run = max((k for k, ruler in runs if k / len(visible) >= 0.5 or (k >= 50 and not ruler)), default=0)
    if run:
        out.append(f"repeated character: run of {run}")
    elif len(visible) >= 30 and len(set(visible[:64])) <= 3 and len(set(visible)) <= 3:
        out.append(f"low character diversity: {len(set(visible))} distinct characters")
    elif len(visible) >= 200:
        sample = visible[:65536].encode("utf-8")
        if _compressed_size_floor(sample) < _REPETITIVE * len(sample):
            ratio = len(zlib.compress(sample, 1)) / len(sample)
            if ratio < _REPETITIVE:
                out.append(f"highly repetitive: compresses to {ratio:.0%}")
    return tuple(out)


def test_garbage_prechecks_give_the_verdicts_of_before() -> None:
    rng = random.Random(11)
    reasons = set()
    for _ in range(8000):
        text = _text(rng)
        got = garbage_reasons(text)
        assert got == _garbage_before(text), repr(text)
        reasons.update(r.split(":")[0] for r in got)
    # the generated texts reach the blob, run, diversity and repetition verdicts
    assert {"base64/hex blob", "repeated character", "low character diversity", "highly repetitive"} <= reasons
    assert garbage_reasons("x" * 3 + " ab" * 10) == _garbage_before("x" * 3 + " ab" * 10)
    assert garbage_reasons("aab" * 30) == _garbage_before("aab" * 30) == ("low character diversity: 2 distinct characters",)


def test_ascii_fold_is_the_two_substitutions() -> None:
    to_space, dropped = _fold_patterns()

    def before(text: str) -> str:
        return " ".join(dropped.sub("", to_space.sub(" ", text)).split())

    every = "".join(map(chr, range(128)))
    assert normalize_folded(every) == before(every)
    for c in every:
        assert normalize_folded(f"a{c}b") == before(f"a{c}b"), repr(c)
    rng = random.Random(12)
    for _ in range(5000):
        text = "".join(rng.choice(every) for _ in range(rng.choice((0, 1, 5, 40, 200))))
        assert normalize_folded(text) == before(text), repr(text)
    for _ in range(2000):  # not ASCII: the substitutions themselves
        text = _text(rng).casefold()
        assert normalize_folded(text) == before(text), repr(text)


def _dump_kinds_before(texts: list[tuple[str, str]]) -> list[str]:
    """`system_dump_kinds` before: the JSON test on every field; a guard ran its pattern when
    ``any`` of its literals was in the text."""

    def search(pattern, text: str):
        if isinstance(pattern, risk._Needs):
            return pattern.pattern.search(text) if any(n in text for n in pattern.needs) else None
        if isinstance(pattern, risk._AsciiNeeds):
            low = text.lower()
            ok = not text.isascii() or any(n in low for n in pattern.needs)
            return pattern.pattern.search(text) if ok else None
        return pattern.search(text)

    def count(pattern, text: str, needed: int) -> int:
        if search(pattern, text) is None:
            return 0
        bare = pattern if isinstance(pattern, re.Pattern) else pattern.pattern
        return min(needed, sum(1 for _ in bare.finditer(text)))

    kinds: list[str] = []
    joined = "\n".join(t for _, t in texts)
    live = [e for e in risk._DUMP_PATTERNS if search(e[1], joined)] if len(texts) > 1 else risk._DUMP_PATTERNS
    for _, text in texts:
        if risk._is_json_blob(text):
            kinds.append("JSON blob")
        for label, pattern, needed in live:
            if count(pattern, text, needed) >= needed:
                kinds.append(label)
    return sorted(set(kinds))


def test_text_signals_skip_the_json_test_without_a_quote_and_keep_every_kind() -> None:
    rng = random.Random(13)
    seen = set()
    for _ in range(3000):
        texts = [(f"messages[{j}].content", _text(rng)) for j in range(rng.randint(1, 4))]
        dumps, one_off = risk.text_signals(texts)
        assert dumps == risk.system_dump_kinds(texts) == _dump_kinds_before(texts), texts
        assert one_off == risk.one_off_signals(texts)
        seen.update(dumps)
    assert "JSON blob" in seen and "SQL" in seen and len(seen) >= 4
    keyed = [("messages[0].content", "see below"), ("messages[1].content", 'got "a": 1, "b": 2, "c": 3, "d": 4, "e": 5')]
    assert risk.text_signals(keyed)[0] == _dump_kinds_before(keyed) == ["JSON blob"]


def test_summaries_of_a_chunk_are_each_records_summary() -> None:
    """`summarize_many` (answer fields by position) against `summarize` record by record, with
    repeated paths, records of prompts or answers only, and empty fields."""
    from privtune.scan.curation import CurationConfig, summarize, summarize_many

    rng = random.Random(14)
    for cfg in (CurationConfig(), CurationConfig(dedup="off"), CurationConfig(poisoning=False)):
        records = []
        for i in range(300):
            paths = [f"messages[{j}].content" for j in range(rng.randint(1, 5))]
            if rng.random() < 0.1:
                paths.append(paths[0])  # a path twice (--fields naming one field twice)
            texts = [(p, _text(rng)) for p in paths]
            texts = [(p, texts[paths.index(p)][1]) for p in paths]  # one path, one value
            answers = {p for p in paths if rng.random() < 0.5}
            records.append((i, texts, answers))
        got = summarize_many(records, config=cfg)
        for summary, (i, texts, answers) in zip(got, records):
            want = summarize(i, texts, answers, config=cfg)
            for name in ("index", "n_chars", "exact_hash", "prompt_hash", "answer_hash", "garbage"):
                assert getattr(summary, name) == getattr(want, name), (name, texts)
            for name in ("signature", "units", "answer_sig"):
                a, b = getattr(summary, name), getattr(want, name)
                assert (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b)), name


def _dedup_stream(seed: int, n: int) -> list:
    """Summaries whose signatures share most bands (buckets fill to the cap), with exact repeats,
    near duplicates and records unlike any other."""
    from privtune.scan.curation import RecordSummary

    rng = np.random.default_rng(seed)
    base = rng.integers(0, 2**32, 128, dtype=np.uint64)
    hashes = [int(h) for h in rng.integers(0, 2**63, 30, dtype=np.uint64)]
    out = []
    for i in range(n):
        if i % 4 == 0:  # unlike anything: its own bands
            sig = rng.integers(0, 2**32, 128, dtype=np.uint64)
        else:
            sig = base.copy()
            sig[rng.choice(128, rng.integers(0, 128), replace=False)] = rng.integers(0, 2**32, 1, dtype=np.uint64)[0] + i
        ehash = hashes[int(rng.integers(0, len(hashes)))] if i % 5 == 1 else int(rng.integers(0, 2**63))
        out.append(RecordSummary(i, 10, ehash, sig))
    return out


def test_dedup_probe_shortcut_gives_the_verdicts_and_index_of_every_query(monkeypatch) -> None:
    """`Deduplicator` skipping the probe when its `_seen` bytes prove the buckets empty, against
    the same class querying every time; also with a 256-byte mask (many keys share a byte)."""
    from privtune.scan.curation import dedup

    class EveryQuery(dedup.Deduplicator):
        probe_shortcut = False

    for mask in (dedup._SEEN_MASK, 0xFF):
        monkeypatch.setattr(dedup, "_SEEN_MASK", mask)
        fast, ref = dedup.Deduplicator(), EveryQuery()
        probes: list[str] = []
        queried: list[str] = []
        fast._conn().set_trace_callback(lambda sql: probes.append(sql) if sql.startswith("SELECT key, b") else None)
        ref._conn().set_trace_callback(lambda sql: queried.append(sql) if sql.startswith("SELECT key, b") else None)
        kinds = set()
        stream = _dedup_stream(21, 700)
        for s in stream:
            got, want = fast.observe(s.index, s), ref.observe(s.index, s)
            assert got == want, s.index
            kinds.add(got.kind)
        assert kinds == {"unique", "exact", "near"}
        fast.flush()
        ref.flush()
        for table in ("exact", "band", "sig"):
            dump = f"SELECT * FROM {table} ORDER BY 1, 2"
            assert fast._conn().execute(dump).fetchall() == ref._conn().execute(dump).fetchall(), table
        assert fast.counts == ref.counts
        if mask == 0xFF:
            assert len(probes) > 0.95 * len(queried)  # a crowded filter: (nearly) every probe queried
        else:
            assert 50 < len(probes) < 0.8 * len(queried)  # records unlike any other were not
        fast.close()
        ref.close()


def test_message_keys_shortcut_is_the_key_search() -> None:
    from privtune.io.records import CONTENT_KEYS, ROLE_KEYS, message_keys

    def before(message: dict) -> tuple:
        role = next((k for k in ROLE_KEYS if isinstance(message.get(k), str)), None)
        if role is None:  # a null sender (Telegram's deleted account) is a role too (round 7)
            role = next((k for k in ("from", "sender") if k in message and message[k] is None), None)
        content = next((k for k in CONTENT_KEYS if k in message and (role is not None or k in ("content", "value"))), None)
        return role, content

    class Text(str):
        pass

    rng = random.Random(15)
    keys = [*ROLE_KEYS, *CONTENT_KEYS, "id", "name"]
    values = ["user", Text("assistant"), None, 3, {"role": "x"}, ["a"], ""]
    for _ in range(5000):
        message = {k: rng.choice(values) for k in rng.sample(keys, rng.randint(0, 5))}
        assert message_keys(message) == before(message), message


def test_answer_fields_are_found_as_before() -> None:
    from privtune.scan.curation import answer_fields_for

    def before(texts, record=None) -> set:
        answers = {p for p, _ in texts if p in ("output", "completion", "response", "answer")}
        if record is not None:
            for key, role_key in (("messages", "role"), ("conversations", "from")):
                turns = record.get(key)
                if isinstance(turns, list):
                    for i, turn in enumerate(turns):
                        if isinstance(turn, dict) and str(turn.get(role_key, "")).lower() in ("assistant", "gpt", "bot", "model"):
                            prefix = f"{key}[{i}]"
                            answers.update(p for p, _ in texts if p == prefix or p.startswith(prefix + "."))
        return answers

    class Role(str):
        def __str__(self) -> str:
            return "assistant"

    rng = random.Random(16)
    roles = ["user", "Assistant", "GPT", "bot", "model", "system", 7, None, Role("user"), "ASSISTANT "]
    for _ in range(3000):
        key, role_key = rng.choice([("messages", "role"), ("conversations", "from")])
        turns = [{role_key: rng.choice(roles), "content": "x"} if rng.random() < 0.9 else "bare" for _ in range(rng.randint(0, 5))]
        record = {key: turns, "output": "o"}
        paths = [f"{key}[{i}].content" for i in range(len(turns))] + [f"{key}[{i}]" for i in range(len(turns)) if rng.random() < 0.3]
        paths += rng.sample(["output", "answer", "prompt", f"{key}[1].content.text", f"{key}[10].content"], 2)
        texts = [(p, "t") for p in paths]
        assert answer_fields_for(texts, record) == before(texts, record), (texts, record)
        assert answer_fields_for(texts) == before(texts)


def test_listed_high_risk_records_keep_their_excerpts_when_only_those_are_made(tmp_path, monkeypatch) -> None:
    """The scan makes masked excerpts only for its first ``max_flagged_in_report`` high-risk
    records (`RecordProcessor(excerpt_limit=...)`); the report lists the same excerpts as a
    processor that makes one for every record, over several chunks."""
    import json

    from privtune.demo.corpus import generate
    from privtune.io.readers import SourceRecord, iter_records
    from privtune.scan import pipeline
    from privtune.scan.config import ScanConfig
    from privtune.scan.pipeline import run_scan
    from privtune.scan.worker import RecordProcessor

    monkeypatch.setenv("PRIVTUNE_SCAN_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
    monkeypatch.setattr(pipeline, "CHUNK", 7)
    src = tmp_path / "in.jsonl"
    records = [{"text": "plain words, nothing personal"}, *generate(40, seed=3)]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    cfg = ScanConfig(input=src, out=tmp_path / "o.jsonl", max_flagged_in_report=9, report_excerpts=True)
    listed = run_scan(cfg).report["high_risk_records"]
    assert len(listed) == 9 and all(h["excerpt"] for h in listed)
    every = RecordProcessor(cfg, b"\0" * 32)
    items = [it for it in iter_records(src) if isinstance(it, SourceRecord)]
    by_index = {r.index: r for r in every.process_many(items)}
    assert [h["excerpt"] for h in listed] == [by_index[h["record"]].excerpt for h in listed]
    assert all(by_index[r].excerpt for r in by_index)  # without a limit: every record's
    limited = RecordProcessor(cfg, b"\0" * 32, excerpt_limit=3)
    done = [r for k in range(0, len(items), 5) for r in limited.process_many(items[k:k + 5])]
    made = [r.index for r in done if r.excerpt]
    assert made == [r.index for r in done if r.risk.level == "high"][:3]
    assert all(by_index[r.index].excerpt == r.excerpt for r in done if r.excerpt)


def test_multi_row_inserts_write_what_executemany_wrote() -> None:
    from privtune.scan.curation.dedup import _ROWS_PER_INSERT, insert_rows
    from privtune.scan.curation.store import temp_db

    rng = random.Random(17)
    for n in (0, 1, 2, _ROWS_PER_INSERT - 1, _ROWS_PER_INSERT, _ROWS_PER_INSERT + 1, 3 * _ROWS_PER_INSERT + 5):
        rows = [(rng.getrandbits(64) - (1 << 63), rng.randrange(8), i) for i in range(n)]
        blobs = [(i, rng.randrange(10**6), bytes(rng.getrandbits(8) for _ in range(8))) for i in range(n)]
        dbs = []
        for multi in (True, False):
            db = temp_db(1024)
            db.execute("CREATE TABLE band (key INTEGER, b INTEGER, slot INTEGER, PRIMARY KEY (key, b, slot)) WITHOUT ROWID")
            db.execute("CREATE TABLE sig (slot INTEGER PRIMARY KEY, record INTEGER NOT NULL, sig BLOB NOT NULL)")
            db.execute("CREATE TABLE plain (a, b, c)")  # rowid order: insertion order
            if multi:
                insert_rows(db, "band", rows)
                insert_rows(db, "sig", blobs)
                insert_rows(db, "plain", rows)
            else:
                db.executemany("INSERT INTO band VALUES (?, ?, ?)", rows)
                db.executemany("INSERT INTO sig VALUES (?, ?, ?)", blobs)
                db.executemany("INSERT INTO plain VALUES (?, ?, ?)", rows)
            dbs.append(db)
        for sql in ("SELECT * FROM band", "SELECT * FROM sig", "SELECT rowid, * FROM plain"):
            assert dbs[0].execute(sql).fetchall() == dbs[1].execute(sql).fetchall(), (n, sql)
        assert len(dbs[0].execute("SELECT * FROM plain").fetchall()) == n


def test_apply_many_checks_each_type_once_with_applys_results_and_errors() -> None:
    import pytest

    from privtune.scan.anonymize import Anonymizer, load_policy
    from privtune.scan.entities import EntityType, Span

    text = "Ann Lee 13812345678 ann@example.com 13812345678 Ann Lee"
    spans = [Span(0, 7, "PERSON", 0.9, "m"), Span(8, 19, "PHONE", 0.9, "p"), Span(20, 35, "EMAIL", 0.9, "e"),
             Span(36, 47, EntityType.PHONE, 0.9, "p"), Span(48, 55, "PERSON", 0.9, "m")]  # type: ignore[arg-type]
    policies = [load_policy(), load_policy("redact"), load_policy("keep"), load_policy("mask"), load_policy("hmac"),
                load_policy(None, {"per_type": {"PHONE": "keep", "EMAIL": "redact"}})]
    for policy in policies:
        a, b = Anonymizer(policy, b"k" * 32), Anonymizer(policy, b"k" * 32)
        jobs = [(text, spans, None), (text, spans[1:3], {48: ("en_first", "Ann")}), (text, spans[4:], {48: ("en_first", "Ann")})]
        assert b.apply_many(jobs) == [a.apply(t, s, al) for t, s, al in jobs]
    bad = [(text, [Span(0, 7, "PERSON", 0.9, "m"), Span(8, 19, "CREDIT_SCORE", 0.9, "x")], None)]
    with pytest.raises(ValueError) as many:
        Anonymizer(load_policy(), b"k" * 32).apply_many(bad)
    with pytest.raises(ValueError) as one:
        Anonymizer(load_policy(), b"k" * 32).apply(*bad[0])
    assert str(many.value) == str(one.value) == "unknown entity type 'CREDIT_SCORE'"


def test_copy_along_the_updated_paths_is_the_whole_copy_with_the_fields_set() -> None:
    import copy
    import json

    from privtune.io.records import path_key, set_field
    from privtune.scan.record_copies import copy_with, record_copy

    rng = random.Random(18)

    def value(depth: int):
        r = rng.random()
        if depth > 3 or r < 0.4:
            return rng.choice(["x", "王小明", 12, 3.5, None, True, 1234567])
        if r < 0.7:
            return {rng.choice(["a", "b.c", "d[0]", "e\\\\f", "消息"]) + str(k): value(depth + 1) for k in range(rng.randint(0, 3))}
        return [value(depth + 1) for _ in range(rng.randint(0, 3))]

    def leaves(v, path: str):
        if isinstance(v, dict):
            for k, x in v.items():
                yield from leaves(x, f"{path}.{path_key(k)}" if path else path_key(k))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                yield from leaves(x, f"{path}[{i}]")
        else:
            yield path

    done = 0
    for _ in range(3000):
        record = {"k" + str(i): value(0) for i in range(rng.randint(1, 4))}
        paths = list(leaves(record, ""))
        updates = [(p, rng.choice(["[PERSON]", 7, "new"])) for p in rng.sample(paths, rng.randint(0, min(4, len(paths))))]
        before = copy.deepcopy(record)
        want = record_copy(record)
        for p, v in updates:
            set_field(want, p, v)
        got = copy_with(record, updates)
        assert got is not None
        assert json.dumps(got) == json.dumps(want) and got == want, (record, updates)
        assert record == before  # the input is left as it was
        done += bool(updates)
    assert done > 2000
    assert copy_with({"a": ({"b": "x"},)}, [("a[0].b", "y")]) is None  # a tuple on the path: the caller copies


def test_minhash_with_cached_constant_slices_is_the_numpy_minhash() -> None:
    from privtune.scan.curation.signatures import minhash, shingle_hashes, text_minhash

    rng = random.Random(20)
    for _ in range(400):
        text = _text(rng) or "x"
        for num_perm in (16, 64, 128, 256, 64, 1):  # sizes interleaved: each keeps its own slices
            n = rng.choice((1, 2, 4, 5))
            assert np.array_equal(text_minhash(text, n, num_perm), minhash(shingle_hashes(text, n), num_perm)), (text, n)
