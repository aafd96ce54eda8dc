"""Round 7 of the scan job's speed-ups (branch scan-speed6): each fast path against the code it
replaced, on small varied inputs."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from privtune.demo.corpus import generate


def _items():
    """Demo records in both languages plus side fields (a name, a number, a list), a record
    without text and one that is not a record of any known shape."""
    from privtune.io.readers import SourceRecord

    records = list(generate(80, seed=9))
    records += [{"customer_name": "Krisztina Vámos", "customerPhone": 13812340007, "meta": {"account_id": "1000007",
                 "tags": ["vip", "王建国"]}, "messages": [{"role": "user", "content": "Hi, I'm Krisztina. 王建国 too."},
                 {"role": "assistant", "content": "Thanks Krisztina Vámos and 建国, we will call 13812340007."}]},
                {"messages": []}, {"other": 5}, {"text": "Norma\u00a0Fisher, (977)\u00a0630-0663, DB_PASSWORD=hunter2"}]
    return [SourceRecord(i, i + 1, r) for i, r in enumerate(records)]


def _rewrite_record(proc, item, res, state) -> None:
    """`RecordProcessor.rewrite_record` as it was before `rewrite_many` (one `apply` per value)."""
    from privtune.io.records import set_field
    from privtune.scan.side_fields import restore_number
    from privtune.scan.record_copies import record_copy

    fields, side, side_texts, all_spans, aliases = state
    new: dict[str, Any] | None = None
    for (path, text), spans, alias in zip(fields, all_spans, aliases):
        if spans:
            if new is None:
                new = record_copy(item.data)
            set_field(new, path, proc.anonymizer.apply(text, spans, alias))
    n = len(fields)
    for (path, value), text, spans, alias in zip(side, side_texts, all_spans[n:], aliases[n:]):
        if spans:
            if new is None:
                new = record_copy(item.data)
            replaced = proc.anonymizer.apply(text, spans, alias)
            set_field(new, path, replaced if isinstance(value, str) else restore_number(value, replaced))
    res.record = new if new is not None else item.data


@pytest.mark.parametrize("extra", [{}, {"pseudonym_version": 2}, {"policy": "hmac"}, {"policy": "mask"},
                                   {"allow": ["Krisztina"]}])
def test_rewrite_many_is_rewrite_record_in_turn(tmp_path, extra) -> None:
    """`RecordProcessor.rewrite_many` (the chunk's replacements one entity type at a time) writes
    every record as the per-record rewrite did: text fields, side strings and numbers, partial
    name mentions (aliases), records left as they were; with several policies."""
    from privtune.scan.config import ScanConfig
    from privtune.scan.worker import RecordProcessor

    src = tmp_path / "in.jsonl"
    src.write_text("{}\n", encoding="utf-8")
    cfg = ScanConfig(input=src, out=tmp_path / "out.jsonl", **extra)
    items = _items()
    new = RecordProcessor(cfg, b"k" * 32)
    got = new.process_many(items)
    old = RecordProcessor(cfg, b"k" * 32)
    old.rewrite_many = lambda done, states: [_rewrite_record(old, it, res, st) for (it, res), st in zip(done, states)]
    want = old.process_many(items)
    assert sum(r.record is not it.data for r, it in zip(got, items) if r.record is not None) > 40
    for a, b in zip(got, want):
        assert pickle.dumps(a) == pickle.dumps(b), json.dumps(b.record, ensure_ascii=False)
    quiet = RecordProcessor(cfg.model_copy(update={"out": None}), b"k" * 32)
    assert all(r.record is None for r in quiet.process_many(items[:5]))


def test_apply_many_is_apply_in_turn() -> None:
    """`Anonymizer.apply_many` gives `apply`'s text per job, with spans under the policy's
    min_score left as they are, aliases, empty span lists, letter-less values (whose surrogate
    follows the text's language), and the same error for spans out of order."""
    from privtune.scan.anonymize import Anonymizer, load_policy
    from privtune.scan.entities import Span

    jobs = [
        ("王小明说他的电话是13812345678，小明住在北京市朝阳区建国路88号", [Span(0, 3, "PERSON", 0.9, "m"),
         Span(9, 20, "PHONE", 0.4, "p"), Span(21, 23, "PERSON", 0.8, "m"), Span(25, 36, "ADDRESS", 0.7, "a")],
         {21: ("zh_given", "小明")}),
        ("Call Bob Smith at 13812345678 or mail bob@example.com", [Span(5, 14, "PERSON", 0.95, "m"),
         Span(18, 29, "PHONE", 0.8, "p"), Span(38, 53, "EMAIL", 0.99, "e")], None),
        ("no spans here", [], None),
        ("Bob again, 13812345678", [Span(0, 3, "PERSON", 0.7, "m"), Span(11, 22, "PHONE", 0.8, "p")],
         {0: ("en_first", "Robert")}),
    ]
    for policy in (load_policy(), load_policy("hmac"), load_policy(None, {"min_score": 0.75}), load_policy("mask")):
        for version in (1, 2):
            a = Anonymizer(policy, b"k" * 32, pseudonym_version=version)
            want = [a.apply(t, s, al) for t, s, al in jobs]
            b = Anonymizer(policy, b"k" * 32, pseudonym_version=version)
            assert b.apply_many(jobs) == want
            assert b.apply_many(jobs[::-1]) == want[::-1]
    assert want[2] == "no spans here" and want[0] != jobs[0][0]
    bad = [("abcdef", [Span(3, 5, "PERSON", 0.9, "m"), Span(0, 2, "PERSON", 0.9, "m")], None)]
    with pytest.raises(ValueError, match="sorted"):
        Anonymizer(load_policy(), b"k" * 32).apply_many(jobs[:1] + bad)


def test_summarize_many_is_summarize_in_turn() -> None:
    """`summarize_many` (each step over the whole chunk) gives `summarize`'s summary per record:
    chats, alpaca records, plain texts (no prompt/answer pair), garbage, empty fields, text
    beyond the BMP, and every dedup mode with and without the poisoning step."""
    from privtune.io import text_fields
    from privtune.scan.curation import CurationConfig, answer_fields_for, summarize, summarize_many

    records = list(generate(60, seed=13))
    records += [{"instruction": "Translate 'hello' 😀", "input": "", "output": "你好 😀"}, {"text": "x" * 60},
                {"text": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwMTIz" * 12},
                {"messages": [{"role": "user", "content": "cf-zq7 ticket 12"}, {"role": "assistant", "content": ""}]},
                {"messages": [{"role": "assistant", "content": "only an answer"}]}]
    items = []
    for i, r in enumerate(records):
        fields = text_fields(r)
        items.append((i * 3, fields, answer_fields_for(fields, r)))
    for cfg in (CurationConfig(), CurationConfig(dedup="off"), CurationConfig(poisoning=False)):
        want = [summarize(i, f, a, config=cfg) for i, f, a in items]
        assert pickle.dumps(summarize_many(items, config=cfg)) == pickle.dumps(want)
        assert summarize_many([], config=cfg) == []
    assert sum(s.prompt_hash is not None for s in want) > 50 and any(s.garbage for s in want)


def test_analyze_records_in_five_sweeps_gives_analyze_many_spans() -> None:
    """`Analyzer.analyze_records`, now one sweep per group of recognizers that share a cache
    (number runs, patterns, keywords, Chinese models, English models), gives `analyze_many`'s
    spans; each text's spans are put together in call order, so a tie between recognizers of
    different sweeps resolves as before."""
    from privtune.io import text_fields
    from privtune.scan.analyzer import Analyzer, sweep_of
    from privtune.scan.entities import Span
    from privtune.scan.registry import Recognizer

    analyzer = Analyzer()
    plan = analyzer._build_plan()
    names = {sweep_of(r) for r in analyzer.recognizers}
    assert names == {"number_runs", "patterns", "keywords", "zh_models", "models"}
    assert sorted(i for s in plan.sweeps for i in s) == list(range(len(plan.calls)))
    records = [[t for _, t in text_fields(r)] for r in generate(150, seed=17)]
    records += [["Call Norma\u00a0Fisher on (977)\u00a0630-0663"], ["", "王小明的电话是13812345678"], [""],
                ["password: hunter2 born 1990-01-02, 王小明 from 华为 and Bob Smith of Acme Inc."]]
    for a in (analyzer, Analyzer(types=["PERSON", "PHONE", "SECRET"], min_score=0.6)):
        assert a.analyze_records(records) == [a.analyze_many(texts) for texts in records]

    def fixed(name: str, etype: str, sweep: str, start: int = 0) -> Recognizer:
        cls = type(name, (Recognizer,), {"name": name, "entity_types": (etype,), "sweep": sweep,
                                         "analyze": lambda self, text: [Span(start, start + 2, etype, 0.9, name)]})
        return cls()

    # Call order r1, r2, r3; sweep order r1, r3 (sweep "x"), then r2: r2 must still win the tie.
    tied = Analyzer(recognizers=[fixed("r1", "EMAIL", "x", 4), fixed("r2", "PHONE", "y"), fixed("r3", "URL", "x")])
    assert tied._build_plan().sweeps == [[0, 2], [1]]
    want = [tied.analyze_many(["abcdef"])]
    assert tied.analyze_records([["abcdef"]]) == want
    assert [s.detector for s in want[0][0]] == ["r2", "r1"]
