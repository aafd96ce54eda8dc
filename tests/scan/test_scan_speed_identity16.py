"""Speed round 16 (issue 12 item 4): the taggers' work for a whole scan chunk in one call, with
the results each text gets alone.

* `zh_batch.chunk_gains`: the Chinese tagger's emission gains of every text of a chunk from one
  hashing call; each text's slice must equal, bit for bit, what `ZhTagger._decode_regions`
  computes for it alone (`gains` of one region, `gains_many` of several).
* `EnTagger.prepare_chunk`: the English tagger's lines of a chunk, their words tagged in one
  compiled call (`en_kernels.tag_lines`); labels and marginals bit for bit `_tag`'s of each line.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from privtune.demo.corpus import generate
from privtune.io import text_fields
from privtune.scan.analyzer import Analyzer
from privtune.scan.ner import en_crf, model, zh_batch
from privtune.scan.ner.model import get_tagger, zh_regions

_ZH_TEXTS = [
    "收件人欧阳娜娜，地址是上海市浦东新区世纪大道100号。",
    "好的，谢谢。",
    "客户 李雷 from 华为，电话 13812345678\n王小明住在北京市朝阳区",
    "王小明\x00住在北京市朝阳区",  # a NUL of its own: the chunk's pads are then explicit positions
    "Order 42 shipped to Berlin.",  # no Chinese: no entry
    "医生你好，我叫廖婷婷。\n\n  需要带什么材料吗？ \t 请携带身份证。",
    "😀王芳😀 说 “好” ，👍",
    "阿里巴巴集团和腾讯公司都在杭州。" * 300,  # over MAX_TEXT_CHARS: left to the text's own call
]


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = list("王李张伟娜欧阳北京市区路号公司银行的了。，：（）说是在") + list("0123456789 AZaz@-.\t\n\u3000") + ["\x00", "😀"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(n)]


def _alone(text: str) -> tuple[list[tuple[int, str]], np.ndarray] | None:
    """What `_decode_regions` computes for ``text`` without a chunk's gains."""
    tagger = get_tagger()
    regions = zh_regions(text)
    if not regions:
        return None
    if len(regions) == 1:
        return regions, tagger.gains(regions[0][1])
    return regions, tagger.gains_many([c for _, c in regions])[0]


@pytest.mark.parametrize("texts", [_ZH_TEXTS, _random_texts(300, 1), _ZH_TEXTS[:2] + _ZH_TEXTS[:2]])
def test_chunk_gains_equal_each_texts_own_bit_for_bit(texts: list[str], monkeypatch) -> None:
    got = zh_batch.chunk_gains(get_tagger(), texts)
    for text in texts:
        want = _alone(text)
        if want is None or len(text) > zh_batch.MAX_TEXT_CHARS:
            assert text not in got
            continue
        regions, gains = got[text]
        assert regions == want[0]
        assert gains.dtype == want[1].dtype and np.array_equal(gains, want[1])
    # Several hashing calls when the chunk is long: the same slices.
    monkeypatch.setattr(zh_batch, "MAX_CALL_CHARS", 50)
    small = zh_batch.chunk_gains(get_tagger(), texts)
    assert small.keys() == got.keys()
    assert all(np.array_equal(small[t][1], got[t][1]) for t in got)


def test_tag_with_a_chunks_gains_is_tag_alone() -> None:
    tagger = get_tagger()
    texts = _ZH_TEXTS + _random_texts(200, 2)
    alone = [tagger.tag(t) for t in texts]
    tagger.prepare_chunk(texts)
    try:
        assert len(tagger._chunk_gains) > 150
        assert [tagger.tag(t) for t in texts] == alone
    finally:
        tagger.prepare_chunk(None)
    assert tagger._chunk_gains == {}


def test_the_zh_sweep_uses_the_chunks_gains_and_forgets_them(monkeypatch) -> None:
    """During `analyze_records` the Chinese model hashes no text of the chunk on its own (its
    gains came from the chunk's one call), the spans are `analyze_many`'s, and afterwards
    nothing of the chunk is held."""
    analyzer = Analyzer()
    records = [[t for _, t in text_fields(r)] for r in generate(120, seed=5)]
    records += [["客户 李雷 from 华为", "王小明的电话是13812345678"], [""], ["好的，谢谢。"]]
    want = [analyzer.analyze_many(texts) for texts in records]
    tagger = get_tagger()
    model._LAST = ("", [])  # no text answered from the one-entry cache

    def alone(*_args, **_kw):
        raise AssertionError("a text hashed on its own")

    monkeypatch.setattr(tagger, "gains", alone)
    monkeypatch.setattr(tagger, "gains_many", alone)
    assert analyzer.analyze_records(records) == want
    assert tagger._chunk_gains == {}


def test_a_chunk_without_chinese_loads_no_model(monkeypatch) -> None:
    monkeypatch.setattr(model, "_TAGGER", None)
    zh_batch.prepare_chunk(["Order 42 shipped.", ""])
    zh_batch.prepare_chunk(None)
    assert model._TAGGER is None


_EN_TEXTS = [
    "Order 2023120354318320 hasn't arrived. Recipient Norma Fisher, phone (977) 630-0663.",
    "Can I get the shipping fee back?\nYes, it will be refunded to the card ending 9486.",
    "honestly gelu is the funniest person i know",
    "Tomasz: you saved me!\n\nDear Krisztina Vámos,\nthe Halvorsen novel is in.",
    "@dana_k lol ask marek",
    "客户 李雷 from Huawei Technologies 的 John Smith",
    "Zxqwv Plorbt Grindelwaldsson met Oyelaran at Acme Ltd. in Hauptstraße 12, 10115 Berlin",
    "A",
    "x " * 3000 + "Bob Smith",  # over PREPARE_MAX_CHARS: tagged as its own `spans` call reaches it
]


def _lines(texts: list[str]) -> list[list[str]]:
    return [w for t in texts for seg in t.split("\n") if seg.strip() and (w := en_crf._line_words(seg))]


def test_tag_many_equals_tag_of_each_line_bit_for_bit() -> None:
    tagger = en_crf.get_tagger()
    demo = [t for r in generate(60, seed=9) for _, t in text_fields(r)]
    rng = random.Random(4)
    made_up = [["".join(rng.choice("bcdfghklmnprstvzaeiou") for _ in range(rng.randint(1, 9))).title()
                for _ in range(rng.randint(1, 12))] for _ in range(40)]  # words the table has not seen
    lines = _lines(_EN_TEXTS + demo) + made_up + [["Bob"]]
    many = tagger._tag_many(lines)
    assert len(many) == len(lines) > 100
    for words, (path, marg) in zip(lines, many):
        want_path, want_marg = tagger._tag(words)
        assert path.tolist() == want_path.tolist()
        assert marg.tobytes() == want_marg.tobytes()


def test_spans_with_a_chunks_lines_are_spans_alone() -> None:
    tagger = en_crf.get_tagger()
    texts = _EN_TEXTS + [t for r in generate(80, seed=11) for _, t in text_fields(r)]
    en_crf.forget_lines()
    alone = [tagger.spans(t) for t in texts]
    en_crf.forget_lines()
    tagger.prepare_chunk(texts)
    try:
        assert len(tagger._chunk_lines) > 100
        assert "x " * 3000 + "Bob Smith" not in tagger._chunk_lines
        assert [tagger.spans(t) for t in texts] == alone
    finally:
        tagger.prepare_chunk(None)
    assert tagger._chunk_lines == {}


def test_the_models_sweep_uses_the_chunks_lines_and_forgets_them(monkeypatch) -> None:
    """During `analyze_records` the English tagger tags no line on its own (the chunk's lines
    were tagged in one call), the spans are `analyze_many`'s, and afterwards nothing of the
    chunk is held."""
    analyzer = Analyzer()
    records = [[t for _, t in text_fields(r)] for r in generate(120, seed=6)] + [[t] for t in _EN_TEXTS[:-1]]
    en_crf.forget_lines()
    want = [analyzer.analyze_many(texts) for texts in records]
    tagger = en_crf.get_tagger()
    en_crf.forget_lines()
    en_crf._LAST = ("", [])

    def alone(*_args, **_kw):
        raise AssertionError("a line tagged on its own")

    monkeypatch.setattr(tagger, "_tag", alone)
    assert analyzer.analyze_records(records) == want
    assert tagger._chunk_lines == {}


def test_a_chunk_without_english_loads_no_english_model(monkeypatch) -> None:
    from privtune.scan.recognizers.en_model import EnModelRecognizer

    monkeypatch.setattr(en_crf, "_TAGGER", None)
    EnModelRecognizer.prepare_chunk(["王小明的电话是13812345678", "", "12 34"])
    EnModelRecognizer.prepare_chunk(None)
    assert en_crf._TAGGER is None
