"""Speed round 20 (issue 12 item 4): the Chinese decoder's calls for a whole hashing batch.

`zh_batch` hashes a chunk's texts in one call; each text was then decoded in two compiled calls
of its own (`SpanDecoder.spans_from_gains`, `spans_over` / `spans_over_regions` for the PERSON
candidates: ~11 + ~5 µs of call overhead per text). Now both run once per batch
(`SpanDecoder.spans_from_gains_many`, one `spans_over_regions` over every region): each text
and region is still decoded alone from the same rows, so spans, gains and scores must equal
the per-text calls' exactly.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from privtune.demo.corpus import generate
from privtune.io import text_fields
from privtune.scan.ner import features, zh_batch
from privtune.scan.ner.model import get_tagger, zh_regions

_TEXTS = [
    "收件人欧阳娜娜，地址是上海市浦东新区世纪大道100号。",
    "好的，谢谢。",
    "客户 李雷 from 华为，电话 13812345678\n王小明住在北京市朝阳区",
    "王小明\x00住在北京市朝阳区",
    "医生你好，我叫廖婷婷。\n\n  需要带什么材料吗？ \t 请携带身份证。",
    "😀王芳😀 说 “好” ，👍",
    "张" * 300,  # past the decoder's grid: its other path
    "阿里巴巴集团和腾讯公司都在杭州。" * 300,  # over MAX_TEXT_CHARS: not batched
]


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = list("王李张伟娜欧阳北京市区路号公司银行的了。，：（）说是在")
    alphabet += list("0123456789 AZaz@-.\t\n\u3000") + ["\x00", "😀"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(n)]


def _demo_texts(n: int, seed: int) -> list[str]:
    return [t for r in generate(n, seed=seed) for _, t in text_fields(r)]


@pytest.mark.parametrize("seed", [1, 2])
def test_many_texts_decoded_at_once_equal_each_alone(seed: int) -> None:
    """`spans_from_gains_many` over random gains of several texts (one string or several,
    pads between them) is `spans_from_gains` of each text's rows alone, bit for bit."""
    decoder = get_tagger().decoder
    rng = np.random.default_rng(seed)
    texts, parts, row = [], [], 0
    for _ in range(40):
        sizes = [int(x) for x in rng.integers(1, 120 if rng.random() < 0.2 else 12, size=int(rng.integers(1, 4)))]
        starts, ends, pos = [], [], 0
        for s in sizes:
            starts.append(pos)
            ends.append(pos + s)
            pos += s + features.RADIUS
        n = ends[-1]
        g = rng.normal(-1.0, 3.0, size=(n, decoder.n_types * 4)).astype(np.float32)
        for e, s in zip(ends, starts[1:]):
            g[e:s] = -1e4
        gap = int(rng.integers(0, 3))
        parts += [np.full((gap, g.shape[1]), -1e4, dtype=np.float32), g]
        texts.append((row + gap, row + gap + n, starts, ends))
        row += gap + n
    gains = np.concatenate(parts)
    got = decoder.spans_from_gains_many(gains, texts)
    want = [decoder.spans_from_gains(gains[a:b], s, e) for a, b, s, e in texts]
    assert got == want
    assert any(got)
    assert all(type(x) is int for spans in got for c in spans for x in c[:3])


@pytest.mark.parametrize("texts", [_TEXTS, _random_texts(300, 3), _demo_texts(150, 11)])
def test_tag_with_the_batchs_decodes_is_tag_alone(texts: list[str], monkeypatch) -> None:
    """With a chunk prepared, `tag` reads each batched text's spans and PERSON candidates from
    the batch's calls (no decoder call of its own) and returns exactly what it returns alone."""
    tagger = get_tagger()
    alone = {t: [(s.start, s.end, s.type, s.score, s.detector) for s in tagger.tag(t)] for t in texts}
    tagger.prepare_chunk(texts)
    try:
        batched = [t for t in dict.fromkeys(texts) if len(t) <= zh_batch.MAX_TEXT_CHARS and zh_regions(t)]
        assert set(tagger._chunk_decoded) == set(batched)

        def per_text(*_args, **_kw):
            raise AssertionError("a batched text decoded on its own")

        with monkeypatch.context() as m:
            for name in ("spans_from_gains", "spans_over", "spans_over_regions"):
                m.setattr(tagger.decoder, name, per_text)
            got = {t: [(s.start, s.end, s.type, s.score, s.detector) for s in tagger.tag(t)] for t in batched}
        got.update({t: [(s.start, s.end, s.type, s.score, s.detector) for s in tagger.tag(t)]
                    for t in texts if t not in got})
    finally:
        tagger.prepare_chunk(None)
    assert got == alone
    assert tagger._chunk_decoded == {}
