"""Round 5 of the scan job's speed-ups (branch scan-speed4): each memo or fast path against the
code it replaced, on varied inputs (repeated lines, memo overflow, offsets, mixed scripts)."""

from __future__ import annotations

import random

import pytest

from privtune.demo.corpus import generate
from privtune.io import text_fields


def _old_en_spans(tagger, text: str) -> list[tuple[int, int, str, float]]:
    """`EnTagger.spans` before the line memo (main eb13bf1), verbatim but for the names."""
    from privtune.scan.ner.en_crf import _CJK_CHAR, _LINES, _TOKEN_NO_CJK, TOKEN, _decode, _worth_tagging

    out: list[tuple[int, int, str, float]] = []
    for line in _LINES.finditer(text):
        seg = line.group()
        if not _worth_tagging(seg):
            continue
        words = (TOKEN if _CJK_CHAR.search(seg) else _TOKEN_NO_CJK).findall(seg)
        path, marg = tagger._tag(words)
        found = (path != tagger._outside).nonzero()[0]
        if not found.size:
            continue
        base, pos, toks = line.start(), 0, []
        for w in words[: found[-1] + 3]:  # +3 since round 4 of English NER (a name's suffix / last word)
            pos = seg.index(w, pos)
            toks.append((base + pos, base + pos + len(w), w))
            pos += len(w)
        out += _decode(toks, [tagger.labels[p] for p in path[: len(toks)]], marg[: len(toks)].tolist())
    return out


def _english_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = ["\n".join(t for _, t in text_fields(r)) for r in generate(n, seed=seed)]
    extra = ["Dear Oyelaran,\nDear Oyelaran,\n\nThanks, Oyelaran", "Tomasz: you saved me!\r\nTomasz: you saved me!",
             "客户 Krisztina Vámos 来电\nKrisztina Vámos listed her top picks", "x" * 500 + " Norma Fisher\n" + "Norma Fisher",
             "", "\n\n", "ask ryan about it\nask ryan about it", "@dana_k lol ask marek"]
    # Lines moved around: the same line at other offsets and in other texts.
    lines = [ln for t in texts[:200] for ln in t.split("\n") if ln]
    mixed = ["\n".join(rng.choice(lines) for _ in range(rng.randint(1, 6))) for _ in range(300)]
    return texts + extra + mixed


def test_en_line_memo_gives_the_unmemoised_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    from privtune.scan.ner import en_crf

    tagger = en_crf.EnTagger()
    texts = _english_texts(600, seed=4)
    for size in (3, en_crf.LINE_MEMO_SIZE):  # 3: the memo fills and is cleared over and over
        monkeypatch.setattr(en_crf, "LINE_MEMO_SIZE", size)
        tagger._line_memo.clear()
        for _ in range(2):  # second pass: every short line from the memo (when it is big enough)
            for t in texts:
                assert tagger.spans(t) == _old_en_spans(tagger, t), t
        assert len(tagger._line_memo) <= size
    assert all(len(k) <= en_crf.LINE_MEMO_CHARS and "\n" not in k for k in tagger._line_memo)


def _old_analyze(analyzer, text: str) -> list:
    """`Analyzer.analyze` before the plan held bound methods (main eb13bf1)."""
    from privtune.scan.analyzer import resolve_overlaps

    if not text:
        return []
    plan = analyzer._plan or analyzer._build_plan()
    searches, threshold = plan.searches, plan.threshold
    spans = []
    fired = [None] * len(searches)
    for trig, rec in plan.steps:
        if trig >= 0:
            hit = fired[trig]
            if hit is None:
                if trig in plan.group_members:
                    for k, f in zip(plan.group_members, plan.group.fired(text)):
                        fired[k] = f
                    hit = fired[trig]
                else:
                    hit = fired[trig] = searches[trig](text) is not None
            if not hit:
                continue
        for s in rec.analyze(text):
            t = threshold.get(s.type)
            if t is not None and s.score >= t:
                spans.append(s)
    return resolve_overlaps(spans)


def test_analyzer_plan_calls_give_the_old_loops_spans() -> None:
    from privtune.scan.analyzer import Analyzer

    texts = _english_texts(300, seed=6)
    texts += ["C00000", "ecommerce", "user", "13812345678", "password: hunter2", "dob 1990-01-02 key=abc",
              "token sk-abcdefghijklmnopqrstuvwx 出生 1990年", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
              "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----", "GB82WEST12345698765432"]
    for analyzer in (Analyzer(), Analyzer(types=["PERSON", "PHONE", "SECRET"], min_score=0.8),
                     Analyzer(min_score_by_type={"ADDRESS": 0.95, "PERSON": 0.3})):
        for t in texts:
            assert analyzer.analyze(t) == _old_analyze(analyzer, t), t


def test_each_scan_starts_with_an_empty_line_memo(tmp_path) -> None:
    """A scan saves only what its own input repeats: a repeated scan of one file in one
    process (a benchmark's) must not find the last scan's lines remembered."""
    from privtune.scan.config import ScanConfig
    from privtune.scan.ner import en_crf
    from privtune.scan.worker import RecordProcessor

    en_crf.tag_en("Dear Oyelaran, thanks for calling.\nCan I get the shipping fee back?")
    assert en_crf.get_tagger()._line_memo
    RecordProcessor(ScanConfig(input=tmp_path / "in.jsonl", out=tmp_path / "out.jsonl"), b"k" * 32)
    assert not en_crf.get_tagger()._line_memo


_ID_ALPHABET = "0123456789xX -/.ｘＸ０１９\u0660\u0669abcZ王"


def test_id_card_ascii_paths_are_the_per_character_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    from privtune.scan.anonymize import numbers
    from privtune.scan.anonymize._common import ascii_digit, fill_slots
    from privtune.scan.anonymize.surrogates import surrogate

    rng = random.Random(9)
    values = ["110105195802248602", "11010519580224860X", "11010519580224860x", "110105 19580224 860x",
              "110105-580224-861", "１１０１０５１９５８０２２４８６０２", "11010519580224860２", "x", "", "abc"]
    for _ in range(3000):
        v = "".join(rng.choice(_ID_ALPHABET) for _ in range(rng.randint(0, 24)))
        values.append(v)
        core = "".join(ascii_digit(ch) or ch.upper() for ch in v if numbers._is_id_slot(ch))
        assert numbers._id_core(v) == core, v
        new = "".join(rng.choice("0123456789X") for _ in core)
        assert numbers._fill_id_slots(v, new) == fill_slots(v, new, numbers._is_id_slot), v
    for v in values[:10]:  # 18 and 15 slots, odd separators: the same surrogates both ways
        values += [v.replace("0", "9"), "3" + v[1:]]
    fast = [surrogate("ID_CARD", v, b"k" * 32, version=ver, keep_birth_year=kb) for v in values
            for ver in (1, 2) for kb in (False, True)]
    monkeypatch.setattr(numbers, "_id_core",
                        lambda v: "".join(ascii_digit(ch) or ch.upper() for ch in v if numbers._is_id_slot(ch)))
    monkeypatch.setattr(numbers, "_fill_id_slots", lambda v, new: fill_slots(v, new, numbers._is_id_slot))
    slow = [surrogate("ID_CARD", v, b"k" * 32, version=ver, keep_birth_year=kb) for v in values
            for ver in (1, 2) for kb in (False, True)]
    assert fast == slow


def test_level_without_findings_is_risk_from_signals_with_none() -> None:
    from privtune.scan.curation.risk import level_without_findings, risk_from_signals, text_signals

    texts = [[("text", "hello")], [("messages[0].content", "SELECT name FROM users WHERE id = 1;\nDROP TABLE x;")],
             [("a", "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: x"), ("b", "ok")],
             [("a", "经理特批，例外处理，退款给客户"), ("b", "This is a one-time exception: the manager approved a refund")],
             [("a", '{"id": 1, "name": "x", "phone": "1", "email": "e"}')]]
    signals = [text_signals(t) for t in texts] + [(["log lines"], []), ([], ["special case"]), (["a", "b"], ["c"])]
    for sig in signals:
        for shape in ("chat", "sharegpt", "alpaca", "text", "unknown"):
            assert level_without_findings(sig) == risk_from_signals(sig, [], shape).level, (sig, shape)


def _old_iter_side_values(record, skip):
    """`side_fields.iter_side_values` before the keys were carried (main eb13bf1)."""
    from privtune.scan.side_fields import MIN_DIGITS_INT, last_key

    stack = [(k, "", v) for k, v in reversed(record.items())]
    while stack:
        path, parent, value = stack.pop()
        if isinstance(value, str):
            if path not in skip and value.strip():
                yield path, last_key(path), parent, value
        elif isinstance(value, dict):
            key = last_key(path)
            stack.extend((f"{path}.{k}", key, v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            key = last_key(path)
            stack.extend((f"{path}[{i}]", key, v) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) >= MIN_DIGITS_INT:
            if path not in skip:
                yield path, last_key(path), parent, value


def test_side_values_with_carried_keys_are_the_old_walk() -> None:
    from privtune.scan.side_fields import iter_side_values

    rng = random.Random(12)
    # Keys holding path characters (".", "[", "]") are escaped in paths since (tests/scan/
    # test_data_keys.py): the old walk is the reference for every other key.
    keys = ["a", "customer_name", "x1", "phones", "abc", "", "客户电话", "k", "id"]

    def value(depth: int):
        r = rng.random()
        if depth < 4 and r < 0.25:
            return {rng.choice(keys) + str(rng.randint(0, 3)) * rng.randint(0, 1): value(depth + 1)
                    for _ in range(rng.randint(0, 4))}
        if depth < 4 and r < 0.4:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        return rng.choice(["x", " ", "", "王建国", 1234567, -9876543, 12, True, 3.5, None, 10**20, "13812345678"])

    records = [r for r in generate(200, seed=2)]
    records += [{rng.choice(keys): value(0) for _ in range(rng.randint(1, 6))} for _ in range(2000)]
    for r in records:
        paths = [p for p, *_ in _old_iter_side_values(r, set())]
        skip = set(rng.sample(paths, min(len(paths), 2)))
        for s in (set(), skip):
            assert list(iter_side_values(r, s)) == list(_old_iter_side_values(r, s)), r


def test_decimal_digits_are_randbelow_draws() -> None:
    """`KeyedDraws.decimal_digits` and `rand_digits` on it against per-digit `_randbelow` on a
    twin stream, across refills (long runs) and mixed with other draws."""
    from privtune.scan.anonymize._common import _DIGITS, rand_digits
    from privtune.scan.anonymize.keyed_draws import KeyedDraws, keyed_block

    rng = random.Random(3)
    for i in range(300):
        seed = keyed_block(b"k" * 32, "PHONE", str(i))
        a, b = KeyedDraws(seed), KeyedDraws(seed)
        for _ in range(rng.randint(1, 12)):
            n = rng.choice([0, 1, 2, 7, 10, 17, 40, 200])
            kind = rng.random()
            if kind < 0.4:
                assert a.decimal_digits(n) == "".join(_DIGITS[b._randbelow(10)] for _ in range(n))
            elif kind < 0.8:
                first_nonzero = rng.random() < 0.5
                want = "" if n <= 0 else (str(1 + b._randbelow(9) if first_nonzero else b._randbelow(10))
                                          + "".join(_DIGITS[b._randbelow(10)] for _ in range(n - 1)))
                assert rand_digits(a, n, first_nonzero=first_nonzero) == want
            else:  # another kind of draw between digit runs
                top = 10 ** rng.randint(1, 30)
                assert a.randint(0, top) == b.randint(0, top)
            assert (a._pool, a._left, a._block) == (b._pool, b._left, b._block)


def test_occupied_few_and_many_spans_give_the_linear_test() -> None:
    """`propagate._Occupied` tests a few spans one by one and many by bisection: both as the
    plain overlap test, at every (i, j), for span counts either side of the switch."""
    from privtune.scan.entities import Span
    from privtune.scan.propagate import _FEW, _Occupied

    rng = random.Random(13)
    for _ in range(300):
        spans = []
        for _ in range(rng.randint(0, 3 * _FEW)):
            s = rng.randint(0, 60)
            spans.append(Span(s, s + rng.randint(1, 6), "PERSON", 0.9, "t"))
        occ = _Occupied(spans)
        assert (occ.few is None) == (len(spans) > _FEW)
        for i in range(0, 66):
            for j in range(i + 1, min(i + 8, 70)):
                assert occ.hits(i, j) == any(i < k.end and k.start < j for k in spans)


def test_trigger_tests_are_built_once_per_process_and_shared() -> None:
    """A second analyzer (the next scan's, a scan's excerpt pass) reuses the first one's trigger
    tests; analyzers with other recognizer sets get their own, and every one gives the spans
    the old loop gives (`test_analyzer_plan_calls_give_the_old_loops_spans`)."""
    from privtune.scan.analyzer import Analyzer

    a, b = Analyzer(), Analyzer()
    pa, pb = a._build_plan(), b._build_plan()
    assert all(x is y for x, y in zip(pa.searches, pb.searches)) and pa.group is pb.group
    assert pa.group_members == pb.group_members and pa.searches is not pb.searches  # lists of its own
    c = Analyzer(types=["PHONE", "EMAIL"])
    pc = c._build_plan()
    assert len(pc.searches) < len(pa.searches)
    text = "Mail me at a@b.co or call 13812345678, password: x"
    assert c.analyze(text) == _old_analyze(c, text) and a.analyze(text) == _old_analyze(a, text)


def test_span_and_finding_constructors_are_the_generated_ones() -> None:
    """The descriptor-store constructors of `Span` / `Finding` against the dataclass-generated
    ones: same fields, equality, hash, repr, frozenness, `replace`, pickling, and the same
    TypeError messages for a wrong call."""
    import dataclasses
    import pickle

    from privtune.scan.entities import GENERATED_INITS, Finding, Span

    def generated(cls, *args, **kwargs):
        obj = object.__new__(cls)
        GENERATED_INITS[cls](obj, *args, **kwargs)
        return obj

    rng = random.Random(14)
    values = [0, 7, -1, 10**20, True, 0.5, float("nan"), "PERSON", "", "客户", None, (1, 2)]
    for cls, names in ((Span, ("start", "end", "type", "score", "detector")),
                       (Finding, ("record", "field", "start", "end", "type", "score", "detector"))):
        for _ in range(500):
            args = [rng.choice(values) for _ in names]
            fast, slow = cls(*args), generated(cls, *args)
            assert repr(fast) == repr(slow)
            assert all(getattr(fast, n) is getattr(slow, n) for n in names)  # the very objects passed
            if "nan" not in repr(fast):  # NaN != NaN: no dataclass holding one equals another
                assert fast == slow and hash(fast) == hash(slow)
            kw = dict(zip(names, args))
            assert repr(cls(**kw)) == repr(slow)
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(fast, names[0], 1)
        ok = cls(*range(len(names)))
        assert ok == generated(cls, *range(len(names))) and hash(ok) == hash(generated(cls, *range(len(names))))
        assert pickle.loads(pickle.dumps(ok)) == ok and dataclasses.replace(ok, start=99).start == 99
        for bad_args, bad_kwargs in (((), {}), (tuple(range(len(names) - 1)), {}), (tuple(range(len(names) + 1)), {}),
                                     ((), {"nope": 1}), (tuple(range(len(names))), {"start": 1})):
            with pytest.raises(TypeError) as fast_error:
                cls(*bad_args, **bad_kwargs)
            with pytest.raises(TypeError) as slow_error:
                generated(cls, *bad_args, **bad_kwargs)
            assert str(fast_error.value) == str(slow_error.value)
