"""record_copies.record_copy: the copy a scan rewrites must never share a container with the input."""

from __future__ import annotations

import datetime as dt

from privtune.io.records import set_field
from privtune.scan.record_copies import record_copy


def test_copy_equals_and_rewriting_it_leaves_the_original_alone():
    rec = {"messages": [{"role": "user", "content": "Hi, I'm Anna"}, {"role": "assistant", "content": "Hello"}],
           "meta": {"tags": ["a", "b"], "score": 1.5, "ok": True, "none": None}}
    new = record_copy(rec)
    assert new == rec
    set_field(new, "messages[0].content", "Hi, I'm <PERSON>")
    new["meta"]["tags"].append("c")
    assert rec["messages"][0]["content"] == "Hi, I'm Anna"
    assert rec["meta"]["tags"] == ["a", "b"]


def test_other_mutable_values_are_deep_copied():
    class Box:
        def __init__(self) -> None:
            self.items = [1]

    rec = {"when": dt.date(2024, 1, 2), "box": Box(), "pair": (1, [2])}
    new = record_copy(rec)
    assert new["when"] == rec["when"]
    assert new["box"] is not rec["box"] and new["box"].items == [1]
    new["pair"][1].append(3)
    assert rec["pair"] == (1, [2])
