"""Round 4 of the scan job's speed-ups: each compiled or batched path against the code it
replaced, on varied inputs (duplicates, shared buckets, saturated sketch cells)."""

from __future__ import annotations

import numpy as np

from privtune.scan.curation.dedup import Deduplicator
from privtune.scan.curation.kernels import rare_units
from privtune.scan.curation.poisoning import PoisonDetector


def test_compiled_band_keys_are_numpys() -> None:
    rng = np.random.default_rng(5)
    for threshold, num_perm in [(0.85, 128), (0.5, 64), (0.95, 16), (0.7, 256)]:
        dedup = Deduplicator(threshold, num_perm)
        for high in [2, 2**16, 2**32]:
            for _ in range(50):
                sig = rng.integers(0, high, num_perm, dtype=np.uint64)
                assert dedup._band_keys(sig) == dedup._band_keys_numpy(sig)
        odd = rng.integers(0, 2**32, num_perm, dtype=np.uint64).astype(np.uint32)  # another dtype
        assert dedup._band_keys(odd) == dedup._band_keys_numpy(odd.astype(np.uint64))
        dedup.close()


def test_compiled_rare_units_are_the_numpy_steps() -> None:
    """Same ids kept and the same sketch afterwards, record after record: repeated units (df
    grows past the ceiling), more than max_units rare ones, a unit set seen again."""
    rng = np.random.default_rng(8)
    fast = PoisonDetector(cms_width_log2=10, max_units_per_record=16)  # a small sketch: shared cells
    ref = PoisonDetector(cms_width_log2=10, max_units_per_record=16)
    common = rng.integers(0, 2**64 - 1, 30, dtype=np.uint64, endpoint=True)
    previous = common[:5]
    for i in range(400):
        parts = [rng.choice(common, rng.integers(0, 20)), rng.integers(0, 2**64 - 1, rng.integers(0, 60), dtype=np.uint64,
                                                                        endpoint=True)]
        if i % 7 == 0:
            parts.append(previous)  # the same units again, and duplicates inside the record
        units = np.concatenate(parts).astype(np.uint64)
        if units.size == 0:
            continue
        ceiling = max(3, 0.01 * (i + 1)) if i % 2 else float(3 + i % 5)
        df = fast._df
        got = rare_units(units, df.table, df.mult[:, 0], df.shift, float(ceiling), fast.max_units)
        want = ref._rare_units_numpy(units, ceiling)
        assert got.dtype == np.uint32 and np.array_equal(got, want), i
        assert np.array_equal(fast._df.table, ref._df.table)
        previous = units[: rng.integers(1, units.size + 1)]
    fast.close()
    ref.close()


def test_finding_lines_are_the_encoders_lines() -> None:
    import random

    from privtune.io.writers import jsonl_line
    from privtune.scan.entities import EntityType, Finding

    rng = random.Random(6)
    fields = ["messages[1].content", "text", 'we"ird\\key\n', "客户.姓名", "\u2028x\x00\x1f", "😀[3]", ""]
    scores = [0.95, 1.0, 0.5, 0.1 + 0.2, 1e-05, 123456789.0, 1e300, 0.0, -0.0, 1, float("nan"), float("inf")]
    for _ in range(2000):
        f = Finding(rng.choice([0, 7, 10**12, True]), rng.choice(fields), rng.randint(0, 999), rng.randint(0, 999),
                    rng.choice(["PERSON", EntityType.PHONE, "x\ty"]), rng.choice(scores),
                    rng.choice(["zh_crf", "field_name", "ünï"]))
        assert f.to_json_line() == jsonl_line(f.to_json()), f


_ALPHABET = ("ab cdEF 12 ３４,.!？。张王小明北京市\u0301\u0308é\u200b\n\t-_・ー〜あア가⊕_x½ﬁ\u3000Ⅻ\u1100\u1161"
             "\U0001f600\U00020000İß")


def _random_text(rng, lengths=(0, 1, 2, 3, 5, 20, 80, 300)) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.choice(lengths)))


def test_compiled_unit_tokeniser_gives_the_regex_units() -> None:
    import random

    from privtune.scan.curation.poisoning import _prompt_units_regex, fold_units_text, prompt_units_folded
    from privtune.scan.curation.units import bmp_code_points

    rng = random.Random(3)
    compiled_path = 0
    for _ in range(6000):
        folded = fold_units_text(_random_text(rng))
        got, want = prompt_units_folded(folded), _prompt_units_regex(folded)
        assert got.dtype == want.dtype == np.uint64 and np.array_equal(got, want), repr(folded)
        compiled_path += bmp_code_points(folded) is not None
    assert 1000 < compiled_path < 6000  # both paths were taken


def test_summary_folds_each_field_once_with_the_same_result() -> None:
    """`summarize` as it was: `normalize` per field and `prompt_units` of the joined prompt."""
    import random

    from privtune.scan.curation import CurationConfig, RecordSummary, summarize
    from privtune.scan.curation.dedup import FIELD_SEP, exact_hash, normalize, text_minhash
    from privtune.scan.curation.garbage import garbage_reasons
    from privtune.scan.curation.poisoning import _prompt_units_regex, answer_signature_of_normalized, fold_units_text

    def reference(index: int, texts: list[tuple[str, str]], answers: set[str]) -> RecordSummary:
        normalized = [normalize(t) for _, t in texts]
        signature = text_minhash(FIELD_SEP.join(n for n in normalized if n))
        n_chars = sum(len(t) for _, t in texts)
        garbage = garbage_reasons("\n".join(t for _, t in texts))
        prompt = [(p, t) for p, t in texts if p not in answers]
        answer = [(p, t) for p, t in texts if p in answers]
        if not (answer and prompt):
            return RecordSummary(index, n_chars, exact_hash(normalized), signature, garbage=garbage)
        by_path = dict(zip((p for p, _ in texts), normalized))
        units = _prompt_units_regex(fold_units_text("\n".join(t for _, t in prompt)))
        answer_sig = answer_signature_of_normalized(" ".join(n for n in (by_path[p] for p, _ in answer) if n))
        return RecordSummary(index, n_chars, exact_hash(normalized), signature, exact_hash([by_path[p] for p, _ in prompt]),
                             exact_hash([by_path[p] for p, _ in answer]), units, answer_sig, garbage)

    def same(a: RecordSummary, b: RecordSummary) -> bool:
        def eq(x, y) -> bool:
            return (x is None and y is None) or (x is not None and y is not None and np.array_equal(x, y))
        return (a.index, a.n_chars, a.exact_hash, a.prompt_hash, a.answer_hash, a.garbage) == (
            b.index, b.n_chars, b.exact_hash, b.prompt_hash, b.answer_hash, b.garbage) and all(
            eq(x, y) for x, y in [(a.signature, b.signature), (a.units, b.units), (a.answer_sig, b.answer_sig)])

    rng = random.Random(10)
    cfg = CurationConfig()
    for i in range(1500):
        texts = [(f"messages[{j}].content", _random_text(rng)) for j in range(rng.randint(1, 5))]
        answers = {p for p, _ in texts if rng.random() < 0.5}
        assert same(summarize(i, texts, answers, config=cfg), reference(i, texts, answers)), texts


def test_staged_index_rows_give_the_verdicts_and_index_of_immediate_writes(monkeypatch) -> None:
    """Index rows wait in memory for STAGE_RECORDS kept records; probes read them there. Same
    verdicts (kind, first occurrence, similarity), same tables, whatever the stage size: exact
    and near duplicates of staged and of stored records, buckets at the cap."""
    import privtune.scan.curation.dedup as dedup
    from privtune.scan.curation import RecordSummary

    rng = np.random.default_rng(12)
    base = rng.integers(0, 2**32, 128, dtype=np.uint64)
    summaries = []
    kept: list[RecordSummary] = []
    for i in range(700):
        roll = rng.random()
        if kept and roll < 0.1:  # an exact copy of an earlier record
            src = kept[int(rng.integers(0, len(kept)))]
            summaries.append(RecordSummary(i, 10, src.exact_hash, src.signature))
            continue
        sig = (base if roll < 0.6 else rng.integers(0, 2**32, 128, dtype=np.uint64)).copy()
        sig[rng.choice(128, rng.integers(2, 40), replace=False)] = rng.integers(0, 2**32, dtype=np.uint64) + i
        s = RecordSummary(i, 10, int(rng.integers(0, 2**63)), sig if roll < 0.97 else None)
        summaries.append(s)
        kept.append(s)
    results, tables = [], []
    for stage in [1, 7, 64, 10_000]:
        monkeypatch.setattr(dedup, "STAGE_RECORDS", stage)
        d = Deduplicator()
        results.append([d.observe(s.index, s) for s in summaries])
        d.flush()
        db = d._conn()
        tables.append([db.execute(q).fetchall() for q in ("SELECT * FROM band ORDER BY 1, 2, 3",
                                                          "SELECT * FROM sig ORDER BY 1", "SELECT * FROM exact ORDER BY 1")])
        d.close()
    assert all(r == results[0] for r in results) and all(t == tables[0] for t in tables)
    kinds = [r.kind for r in results[0]]
    assert kinds.count("near") > 50 and kinds.count("exact") > 30
    full = max(n for n in __import__("collections").Counter((k, b) for k, b, _ in tables[0][0]).values())
    assert full == dedup._BAND_CAP


def test_dump_patterns_behind_literal_guards_match_as_the_bare_patterns() -> None:
    """A guarded dump pattern runs only on text holding one of its literals; on texts built to
    hold them (and not), its search and match count equal the bare pattern's."""
    import random

    from privtune.scan.curation import risk

    guarded = [(p, n) for _, p, n in risk._DUMP_PATTERNS if isinstance(p, (risk._Needs, risk._AsciiNeeds))]
    assert len(guarded) == 8
    pieces = ["SELECT a FROM t", "select * from users where id=1", "INSERT INTO t (a)", "DELETE FROM x;", "DROP TABLE y",
              "update t set a = 1", "Create Table t (", "insert into t values", "delete from t where", "ſelect * from t;",
              "  at com.x.Y(Y.java:12)", "at Foo.bar(Native Method)", "    at f (/app/x.js:1:2)", "at g (a.ts:3:4)",
              "at h (webpack:b.mjs:5:6)", "at Unknown(Unknown Source)", "app.kt:3", ".scala", "İnsert into t (",
              "Traceback (most recent call last):", '  File "a.py", line 3', "File 'a.py', line 3", "PATH=/usr/bin",
              "export HOME=/root", "API_KEY=abc", "[database]", "[server]\n", "host = db\n", "port: 5432\n", "user=me\n",
              "hello there", "我的订单", "\n", " ", "SELECT", "Select x From y", "=", "[", "a[1]", "ſelect", "DROP"]
    rng = random.Random(21)
    for _ in range(4000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", "\n"]) for _ in range(rng.randint(0, 8)))
        for g, needed in guarded:
            assert bool(g.search(text)) == bool(g.pattern.search(text)), (g.pattern.pattern, text)
            assert risk._count(g, text, needed) == risk._count(g.pattern, text, needed)


def test_one_off_phrases_behind_ascii_literal_guards_match_as_the_bare_patterns() -> None:
    import random

    from privtune.scan.curation import risk

    words = ["exception", "EXCEPTIONAL", "ExCeption", "special case", "SPECIAL CASE", "one-time", "one off", "One Time",
             "ONE-OFF", "outside the policy", "Outside our warranty", "make an exception", "make a one-time exception",
             "escalated to the manager", "Escalated To legal", "Manager Override", "manager approval", "one-time courtesy",
             "one time waiver", "例外", "特殊情况", "破例", "一次性补偿", "投诉升级", "phone", "someone", "time", "x",
             "ſpecial caſe", "ONE-TİME", "outſide", "\u212aey", "é", "\n", " ", "-", "one", "onetime", "escalated"]
    rng = random.Random(33)
    ascii_texts = 0
    for _ in range(5000):
        text = "".join(rng.choice(words) + rng.choice(["", " ", "\n", ", ", "x"]) for _ in range(rng.randint(0, 7)))
        ascii_texts += text.isascii()
        for guarded in (risk._ONE_OFF_STRONG, risk._SPECIAL_CASE):
            got, want = guarded.search(text), guarded.pattern.search(text)
            assert (got and got.span()) == (want and want.span()), text
    assert 500 < ascii_texts < 4500


def test_name_part_caches_change_no_surrogate(monkeypatch) -> None:
    """Full names and parts under two keys and both formats, cached part functions against the
    bare ones: same surrogates, and a part cached under one key never answers for another."""
    import random

    from privtune.scan.anonymize import names
    from privtune.scan.anonymize.surrogates import cn_given_surrogate, surrogate

    rng = random.Random(2)
    cn = ["王伟", "李娜", "张小明", "欧阳娜娜", "司马光", "老王", "小李", "王先生", "陈静女士", "约翰·史密斯"]
    en = ["John Smith", "Dr. Jane Roe", "Smith, John", "Mary-Kate O'Brien", "J. R. Tolkien", "ROBERT JONES", "alice",
          "Mr. Brown", "Anna Lee Jr.", "Ming Wei"]
    values = [rng.choice(cn + en) for _ in range(300)] + cn + en
    parts = [names._cn_surname, names._cn_given, names._en_first, names._en_last]
    keys = [bytes(range(32)), bytes(range(1, 33))]

    def run() -> list[str]:
        out = []
        for key in keys:
            for version in (1, 2):
                for v in values:
                    out.append(surrogate("PERSON", v, key, version=version) or "")
                out += [cn_given_surrogate(g, key, version) for g in ("小明", "娜", "建国")]
        return out

    for f in parts:
        f.cache_clear()
    cached = run()
    assert all(f.cache_info().hits > 0 for f in parts)
    for f in parts:
        monkeypatch.setattr(names, f.__name__, f.__wrapped__)
    assert run() == cached


def test_scan_freezes_the_long_lived_objects_once(tmp_path) -> None:
    """After its first chunk a scan moves what is alive (models, lexicons) out of the cyclic
    collector's reach, once per process; a later scan freezes nothing more."""
    import gc
    import json

    from privtune.scan.config import ScanConfig
    from privtune.scan.pipeline import run_scan
    from privtune.scan.collector import freeze_long_lived

    data = tmp_path / "in.jsonl"
    data.write_text("\n".join(json.dumps({"text": f"Call Anna Lee on 138001380{i:02d} please."}) for i in range(5)) + "\n")
    cfg = ScanConfig(input=data, out=tmp_path / "out.jsonl", policy="redact", workers=1)
    run_scan(cfg)
    frozen = gc.get_freeze_count()
    assert frozen > 10_000
    run_scan(cfg)
    freeze_long_lived()
    assert gc.get_freeze_count() <= frozen  # nothing new frozen (frozen objects freed by refcount leave it)


def test_cached_field_paths_parse_as_before() -> None:
    """Field paths parsed once and cached: the same parts, a fresh list for every caller, the
    same error for an empty path, and set/get through them."""
    import re

    import pytest

    from privtune.io.records import get_field, parse_path, set_field

    token = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

    def reference(path: str) -> list:
        return [int(i) if i else n for n, i in token.findall(path)]

    for path in ["text", "messages[3].content", "a.b[0][12].c", "客户.姓名", "conversations[0].value"]:
        first = parse_path(path)
        assert first == reference(path)
        first.append("mutated")
        assert parse_path(path) == reference(path)
    # Empty keys are components since paths escape keys (tests/scan/test_data_keys.py).
    assert parse_path("a..b") == ["a", "", "b"] and parse_path("") == [""] and parse_path("[7]") == ["", 7]
    with pytest.raises(ValueError, match="malformed field path"):
        parse_path("x[")
    record = {"messages": [{"content": "a"}, {"content": "b"}]}
    set_field(record, "messages[1].content", "x")
    assert get_field(record, "messages[1].content") == "x" and record["messages"][0]["content"] == "a"
