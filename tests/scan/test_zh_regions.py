"""model.zh_regions finds exactly the stretches the _ZH_REGION pattern's finditer finds."""

from __future__ import annotations

import random

from privtune.scan.ner.model import _ZH_REGION, zh_regions

ALPHABET = ["王", "小", "明", "中", "a", "B", "1", "@", ",", "，", " ", " ", "\n", "\t", "\r", "\u3000", "\x0b"]


def _reference(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _ZH_REGION.finditer(text)]


def test_same_regions_as_the_pattern_on_random_text():
    rng = random.Random(12)
    for _ in range(5000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        assert zh_regions(text) == _reference(text), repr(text)


def test_examples():
    text = "Hi 张三,\nmy order 订单12 is late 谢谢 ok"
    assert zh_regions(text) == _reference(text) == [(3, "张三,"), (16, "订单12 is late 谢谢")]
    assert zh_regions("no Chinese here") == []
