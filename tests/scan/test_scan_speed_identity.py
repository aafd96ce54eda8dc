"""Speed-ups of the scan job must not change its outputs: pinned digests and signatures."""

from __future__ import annotations

import hashlib
import hmac
import random
import re

import numpy as np
import pytest

from privtune.scan.anonymize.operators import keyed_digest
from privtune.scan.curation import CurationConfig, summarize
from privtune.scan.curation.dedup import minhash, normalize, shingle_hashes, text_minhash
from privtune.scan.curation.poisoning import ANSWER_PERM, _prompt_units_numpy, _unit_spans, prompt_units

KEY = b"k" * 32


def test_keyed_digest_is_hmac_sha256_of_label_and_value() -> None:
    # Pinned: every surrogate and token is seeded by these bytes, so they must never move.
    assert keyed_digest(KEY, "PERSON", "jane roe").hex() == (
        "984d82a9558a9a4b263a7821e99c0ca0801262c9964fcc16026eeca5660589b2"
    )
    assert keyed_digest(KEY, "PERSON/cn-surname", "王").hex() == (
        "6d8df8c8d4438f785f718e633aa1d961b33a5045d094bc2dfebcc850fd7d5906"
    )
    for label, value in [("PHONE", "13800138000"), ("EMAIL", ""), ("ADDRESS#2", "北京市 1 号")]:
        ref = hmac.new(KEY, f"{label}:{value}".encode(), hashlib.sha256).digest()
        assert keyed_digest(KEY, label, value) == ref


# --- MinHash: the compiled fused kernel against the numpy reference ---------------------------

_ALPHABET = "ab cdEF 12 ３４,.!？。张王小明北京市\u0301\u0308é\u200b\U0001f600\n\t-_"


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [""] + ["".join(rng.choice(_ALPHABET) for _ in range(rng.choice([1, 2, 3, 5, 40, 400])))
                   for _ in range(count)]


@pytest.mark.parametrize(("n", "num_perm"), [(4, 128), (4, 32), (1, 16), (3, 256), (16, 64)])
def test_text_minhash_is_bit_identical_to_numpy_reference(n: int, num_perm: int) -> None:
    for text in _texts(n * 1000 + num_perm, 60):
        ref = minhash(shingle_hashes(text, n), num_perm)
        got = text_minhash(text, n, num_perm)
        if ref is None:
            assert got is None
        else:
            assert got.dtype == np.uint64 and np.array_equal(got, ref)


def _reference_answer_sig(answer: str) -> np.ndarray | None:
    # The pre-kernel answer signature: normalise the joined answer, mask digits, numpy MinHash.
    sig = minhash(shingle_hashes(re.sub(r"\d", "0", normalize(answer))), ANSWER_PERM)
    return None if sig is None else sig.astype(np.uint32)


def test_summary_signatures_unchanged() -> None:
    texts = _texts(7, 120)
    rng = random.Random(3)
    cfg = CurationConfig()
    for i in range(80):
        fields = [(f"messages[{j}].content", rng.choice(texts)) for j in range(rng.choice([1, 2, 3, 4]))]
        answers = {p for p, _ in fields if rng.random() < 0.5}
        s = summarize(i, fields, answers, config=cfg)
        joined = "\x1f".join(x for x in (normalize(t) for _, t in fields) if x)
        ref = minhash(shingle_hashes(joined, cfg.shingle_size), cfg.num_perm)
        assert (s.signature is None) == (ref is None)
        assert ref is None or np.array_equal(s.signature, ref)
        answer = [t for p, t in fields if p in answers]
        if answer and len(answer) < len(fields):
            ref_a = _reference_answer_sig("\n".join(answer))
            assert (s.answer_sig is None) == (ref_a is None)
            assert ref_a is None or (s.answer_sig.dtype == np.uint32 and np.array_equal(s.answer_sig, ref_a))


_UNIT_ALPHABET = "ab cd EF 12 ⊕⊕ ,.!？。张王小明北京市东路號 \u0301é\U0001f600\U00020000cf_zz\n"


def test_prompt_units_kernel_is_bit_identical_to_numpy_reference() -> None:
    rng = random.Random(11)
    texts = ["", " ", "⊕", "张", "张王", "张王小", "cf_zz trigger"] + [
        "".join(rng.choice(_UNIT_ALPHABET) for _ in range(rng.choice([2, 5, 30, 300]))) for _ in range(300)
    ]
    for text in texts:
        folded, spans, runs = _unit_spans(text)
        assert np.array_equal(prompt_units(text), _prompt_units_numpy(folded, spans, runs)), text


def test_risk_match_count_stops_at_needed() -> None:
    from privtune.scan.curation.risk import _count

    pattern = re.compile(r"\bERROR\b")
    assert [_count(pattern, "ERROR x ERROR y ERROR", k) for k in (1, 2, 5)] == [1, 2, 3]
    assert [_count(pattern, "no errors here", k) for k in (1, 2)] == [0, 0]


def test_blob_prefilter_never_hides_a_blob() -> None:
    from privtune.scan.curation.garbage import _BLOB_CHARS_RE, _BLOB_RE, garbage_reasons

    rng = random.Random(5)
    pieces = ["0x", "deadBEEF", "a1B2", "+/", "==", " ", "\n", "Zz9", "张三", "-", "0123456789abcdef"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        if _BLOB_RE.findall(text):
            assert any(len(r) >= 32 for r in _BLOB_CHARS_RE.findall(text)), text
    blob = "QmFzZTY0IGJsb2IgaGVyZQ1x2Y3Z" * 10
    assert garbage_reasons(f"see {blob} end") == (f"base64/hex blob: {len(blob)} chars (97% of text)",)


def test_blob_run_search_equals_the_longest_run_test() -> None:
    # garbage_reasons asks "is some run of blob characters 32+ long?" with one search for 32 in
    # a row instead of the longest of all runs; same answer.
    from privtune.scan.curation.garbage import _BLOB_CHARS_RE, _BLOB_RUN32_RE, garbage_reasons

    rng = random.Random(6)
    pieces = ["a", "B9", "+/", "x" * 7, "0123456789abcdef", " ", "\n", "张", "=", "-", "Q" * 31, "Q" * 32]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        longest = max(map(len, _BLOB_CHARS_RE.findall(text)), default=0)
        assert bool(_BLOB_RUN32_RE.search(text)) == (longest >= 32), text
    assert garbage_reasons("ab" * 40) == ("low character diversity: 2 distinct characters",)
    assert garbage_reasons("ab" * 40 + "c") == ("low character diversity: 3 distinct characters",)
    assert garbage_reasons("ab" * 40 + "cd") == ()


@pytest.mark.parametrize("width_log2", [3, 8, 21])
def test_count_min_kernel_matches_numpy_update(width_log2: int) -> None:
    from privtune.scan.curation.poisoning import CountMinSketch

    rng = np.random.default_rng(width_log2)
    fast, ref = CountMinSketch(width_log2), CountMinSketch(width_log2)
    pool = rng.integers(0, 2**63, 300, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    for _ in range(200):  # narrow tables make keys share cells: the later write must win, as in numpy
        keys = np.unique(rng.choice(pool, rng.integers(0, 40)))
        got, want = fast.add(keys), ref.add_numpy(keys)
        assert got.dtype == want.dtype and np.array_equal(got, want)
        assert np.array_equal(fast.table, ref.table)
    assert np.array_equal(fast.query(pool), ref.query(pool))


def test_system_dump_prefilter_finds_the_same_kinds() -> None:
    from privtune.scan.curation.risk import _DUMP_PATTERNS, _count, _is_json_blob, system_dump_kinds

    def reference(texts: list[tuple[str, str]]) -> list[str]:
        kinds = []
        for _, text in texts:
            if _is_json_blob(text):
                kinds.append("JSON blob")
            kinds += [label for label, pattern, needed in _DUMP_PATTERNS if _count(pattern, text, needed) >= needed]
        return sorted(set(kinds))

    pieces = [
        "Traceback (most recent call last):\n", '  File "app.py", line 3\n', "    at com.x.Y(Y.java:12)\n",
        "    at f (/srv/app.js:1:2)\n", "PATH=/bin\n", "HOME=/root\n", "export API_KEY=abc\n", "[db]\n",
        "host = x\n", "port: 5432\n", "user=me\n", "password: pw\n", "hello there ", "我的订单", "\n",
        "SELECT a FROM t", "select * from users where id=1", "ERROR ", "2024-01-02 10:11:12 ERROR boom\n",
    ]
    rng = random.Random(9)
    for _ in range(1500):
        texts = [(f"f{j}", "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))) for j in range(rng.randint(1, 4))]
        assert system_dump_kinds(texts) == reference(texts), texts


def test_dedup_band_index_same_as_one_insert_per_band() -> None:
    from privtune.scan.curation import RecordSummary
    from privtune.scan.curation.dedup import _BAND_CAP, Deduplicator

    class PerBand(Deduplicator):  # the index as it was built before: one INSERT per band
        probe_shortcut = False  # (and every probe a query)

        def _index(self, index: int, sig: np.ndarray, keys: list[int] | None = None,
                   counts: list[int] | None = None) -> None:  # counts: the probe's, ignored here
            db = self._conn()
            slot = self._n_slots
            self._n_slots += 1
            db.execute("INSERT INTO sig VALUES (?, ?, ?)", (slot, index, sig.astype("<u2").tobytes()))
            db.executemany(
                "INSERT INTO band SELECT ?1, ?2, ?3 WHERE (SELECT count(*) FROM band WHERE key = ?1 AND b = ?2) < ?4",
                [(key, b, slot, _BAND_CAP) for b, key in enumerate(self._band_keys(sig))],
            )

    rng = np.random.default_rng(2)
    base = rng.integers(0, 2**32, 128, dtype=np.uint64)
    fast, ref = Deduplicator(), PerBand()
    for i in range(500):
        sig = base.copy()  # many records share most bands: buckets fill up to the cap
        sig[rng.choice(128, rng.integers(5, 60), replace=False)] = rng.integers(0, 2**32, 1, dtype=np.uint64)[0] + i
        summary = RecordSummary(i, 10, int(rng.integers(0, 2**63)), sig)
        assert fast.observe(i, summary) == ref.observe(i, summary)
    fast.flush()  # index rows staged in memory (round 4) go to SQLite
    dump = "SELECT key, b, slot FROM band ORDER BY key, b, slot"
    assert fast._conn().execute(dump).fetchall() == ref._conn().execute(dump).fetchall()
    assert fast.counts == ref.counts and fast.counts["unique"] > _BAND_CAP and fast.counts["near"] > 0
    full = "SELECT max(c) FROM (SELECT count(*) c FROM band GROUP BY key, b)"
    assert fast._conn().execute(full).fetchone()[0] == _BAND_CAP  # some buckets did hit the cap


def test_risk_patterns_behind_a_first_character_lookahead_match_as_before() -> None:
    import re as _re

    from privtune.scan.curation import risk

    inner = [p.pattern if isinstance(p, (risk._Needs, risk._AsciiNeeds)) else p for _, p, _ in risk._DUMP_PATTERNS]
    wrapped = [risk._ONE_OFF_STRONG.pattern, risk._SPECIAL_CASE.pattern] + [p for p in inner if p.pattern.startswith("(?=[")]
    assert len(wrapped) == 4
    guarded = [p for _, p, _ in risk._DUMP_PATTERNS if isinstance(p, risk._Needs)]
    assert len(guarded) == 7  # one since round 3, six more in round 4 (tests there)

    def reference(p: _re.Pattern[str]) -> _re.Pattern[str]:
        # The pattern as it was: the source inside "(?=[...])(?:" ... ")", same flags.
        return _re.compile(p.pattern[p.pattern.index("])(?:") + 5 : -1], p.flags)

    words = ["exception", "EXCEPTIONAL", "ExCeption", "special case", "SPECIAL CASE", "one-time", "one off",
             "One Time", "outside the policy", "Outside our warranty", "make an exception", "make a one-time exception",
             "escalated to the manager", "Manager Override", "one-time courtesy", "例外", "特殊情况", "个案", "特例",
             "不符合政策", "超出保修", "特殊处理", "破例", "一次性补偿", "投诉升级", "SELECT a FROM t", "select * from t;",
             "Insert Into t (", "update t set a = 1", "DELETE FROM x", "create table t (", "DROP TABLE y",
             "host: db", "PORT = 1", "user=me", "password :x", "\n", " ", "-", "x", "nonexception", "someone",
             "ſpecial caſe", "ONE-TİME", "outſide", "\u212aey", "一", "eso", "o", "e", "s", "：", "＝"]
    rng = random.Random(31)
    for _ in range(3000):
        text = "".join(rng.choice(words) + rng.choice(["", " ", "\n", ", ", "x"]) for _ in range(rng.randint(0, 8)))
        for p in wrapped:
            ref = reference(p)
            assert [m.span() for m in p.finditer(text)] == [m.span() for m in ref.finditer(text)], (p.pattern, text)
            got, want = p.search(text), ref.search(text)
            assert (got and got.span()) == (want and want.span())
        for g in guarded:
            assert [m.span() for m in g.finditer(text)] == [m.span() for m in g.pattern.finditer(text)]
            assert bool(g.search(text)) == bool(g.pattern.search(text))


def test_compiled_unique_is_numpys() -> None:
    from privtune.scan.curation.kernels import unique_sorted

    rng = np.random.default_rng(4)
    for size in [0, 1, 2, 5, 40, 300]:
        for high in [3, 2**32, 2**63]:
            x = rng.integers(0, high, size, dtype=np.uint64)
            got = unique_sorted(x)
            assert got.dtype == np.uint64 and np.array_equal(got, np.unique(x))


def test_normalize_by_two_substitutions_equals_the_translate_table() -> None:
    import unicodedata

    from privtune.scan.curation.dedup import _fold_table, normalize

    def reference(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().translate(_fold_table()).split())

    # Every BMP character alone and between letters, astral ones, and random mixtures.
    for cp in range(0x10000):
        ch = chr(cp)  # lone surrogates included: json.loads can produce them
        assert normalize(f"a{ch}b") == reference(f"a{ch}b"), hex(cp)
    rng = random.Random(12)
    pool = [chr(c) for c in (0x1F600, 0x20000, 0x1D400, 0xE0001)] + list(_ALPHABET) + ["\u200b", "\u00ad", "\ufeff", "！"]
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        assert normalize(text) == reference(text), text


def test_dedup_insert_first_gives_the_verdicts_and_index_of_lookup_first() -> None:
    from privtune.scan.curation import RecordSummary
    from privtune.scan.curation.dedup import UNIQUE, Deduplicator, _signed

    class LookupFirst(Deduplicator):  # observe as it was: look the exact hash up, insert if kept
        probe_shortcut = False  # (and every probe a query)

        def observe(self, index: int, summary: RecordSummary):  # type: ignore[no-untyped-def]
            ehash = _signed(summary.exact_hash)
            db = self._conn()
            row = db.execute("SELECT record FROM exact WHERE h = ?", (ehash,)).fetchone()
            if row is not None:
                result = type(UNIQUE)("exact", row[0], 1.0)
            else:
                result = self._classify(ehash, summary.signature, True)
            self.counts[result.kind] += 1
            if result.kind == "unique":
                db.execute("INSERT INTO exact VALUES (?, ?)", (ehash, index))
                if self.near and summary.signature is not None:
                    self._index(index, summary.signature, self._probe_keys)
            return result

    rng = np.random.default_rng(8)
    base = rng.integers(0, 2**32, 128, dtype=np.uint64)
    hashes = [int(h) for h in rng.integers(0, 2**64 - 1, 40, dtype=np.uint64)]  # few: many exact repeats
    fast, ref = Deduplicator(), LookupFirst()
    kinds = set()
    for i in range(600):
        sig = base.copy()
        sig[rng.choice(128, rng.integers(0, 128), replace=False)] = rng.integers(0, 2**32, 1, dtype=np.uint64)[0] + i
        summary = RecordSummary(i, 10, hashes[int(rng.integers(0, len(hashes)))] if i % 3 else int(rng.integers(0, 2**63)), sig)
        got, want = fast.observe(i, summary), ref.observe(i, summary)
        assert got == want, i
        kinds.add(got.kind)
    assert kinds == {"unique", "exact", "near"}
    fast.flush()  # index rows staged in memory (round 4) go to SQLite
    for table in ("exact", "band", "sig"):
        dump = f"SELECT * FROM {table} ORDER BY 1, 2"
        assert fast._conn().execute(dump).fetchall() == ref._conn().execute(dump).fetchall(), table
    with pytest.raises(ValueError):  # a bad signature leaves no trace in the index
        fast.observe(600, RecordSummary(600, 10, 12345, np.zeros(3, dtype=np.uint64)))
    assert fast._conn().execute("SELECT count(*) FROM exact WHERE h = 12345").fetchone()[0] == 0


def test_compiled_largest_cluster_and_median_equal_numpys() -> None:
    from privtune.scan.curation.backdoor import _PIVOTS, largest_cluster, largest_cluster_numpy, median_of_counts

    rng = np.random.default_rng(10)
    for trial in range(300):
        m = int(rng.choice([1, 2, 5, 33, 70, _PIVOTS + 40]))
        n_answers = int(rng.integers(1, 6))
        answers = rng.integers(0, 4, (n_answers, 32)).astype(np.uint16)  # few values: many ties
        sigs = answers[rng.integers(0, n_answers, m)].copy()
        noise = rng.random((m, 32)) < rng.choice([0.0, 0.1, 0.4])
        sigs[noise] = rng.integers(0, 4, int(noise.sum())).astype(np.uint16)
        for min_sim in (0.6, 0.8, 1.0, 0.5 + 1 / 64):
            p1, near1 = largest_cluster(sigs, min_sim)
            p2, near2 = largest_cluster_numpy(sigs, min_sim)
            assert p1 == p2 and np.array_equal(near1, near2), (trial, min_sim)
    for n in (1, 2, 31, 32):
        for _ in range(50):
            values = rng.integers(0, int(rng.choice([3, 2**20, 2**32])), n).astype(np.int64)
            assert median_of_counts(values) == float(np.median(values))


def test_zlib_size_floor_holds_and_garbage_verdicts_do_not_move() -> None:
    import zlib

    from privtune.scan.curation import garbage
    from privtune.scan.curation.garbage import _compressed_size_floor, garbage_reasons

    rng = random.Random(21)
    words = ["the", "order", "张三", "退款", "ERROR", "0x1f", "==", "abc" * 5, "订单号", "é", "\u200b", "x" * 40]
    samples = []
    for _ in range(1500):
        kind = rng.random()
        if kind < 0.4:  # prose-like
            text = " ".join(rng.choice(words) for _ in range(rng.randint(40, 600)))
        elif kind < 0.7:  # repetitive: a short unit many times, a little noise
            unit = "".join(rng.choice("abcdef张三0123") for _ in range(rng.randint(1, 12)))
            text = unit * rng.randint(20, 400) + "".join(rng.choice(words) for _ in range(rng.randint(0, 5)))
        else:  # random bytes-ish characters: many distinct values
            text = "".join(chr(rng.randint(33, 0x2FF)) for _ in range(rng.randint(50, 1500)))
        samples.append(text)
    for text in samples:
        data = "".join(text.split())[:65536].encode("utf-8")
        assert len(zlib.compress(data, 1)) >= _compressed_size_floor(data), text[:60]

    def reference(text: str) -> tuple[str, ...]:  # always compress, as before the floor
        saved = garbage._compressed_size_floor
        garbage._compressed_size_floor = lambda sample: 0.0  # type: ignore[assignment]
        try:
            return garbage_reasons(text)
        finally:
            garbage._compressed_size_floor = saved

    flagged = 0
    for text in samples:
        got = garbage_reasons(text)
        assert got == reference(text), text[:60]
        flagged += any(r.startswith("highly repetitive") for r in got)
    assert flagged > 10  # the fuzz does reach the verdict both ways


def test_run_prefilter_never_hides_a_run() -> None:
    from privtune.scan.curation.garbage import _PAIR_RE, _RUN_RE, _RUN_STRIDE, garbage_reasons

    rng = random.Random(17)
    for _ in range(4000):
        parts = [rng.choice(["a", "b", "张", "=", "-", "ab", "x" * rng.randint(1, 45), "=" * rng.randint(20, 60)])
                 for _ in range(rng.randint(1, 12))]
        visible = "".join(parts)
        if _RUN_RE.search(visible):
            assert _PAIR_RE.search(visible[::_RUN_STRIDE]), visible
    # Verdicts as the code before the prefilter gave them.
    assert garbage_reasons("ok" + "!" * 30) == ("repeated character: run of 30",)
    assert garbage_reasons("=" * 50 + "see the table below for the numbers") == ("repeated character: run of 50",)
    assert garbage_reasons("a" * 14 + "b" + "c" * 60 + " words here to pad") == ("repeated character: run of 60",)
