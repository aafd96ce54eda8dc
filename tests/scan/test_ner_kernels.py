"""The tagger's compiled emission loop hashes exactly as training's numpy ``feature_ids`` does.

Training (tools/train_ner.py) reads features through ``features.feature_ids``; inference uses
``hash_kernels.hashed_gains``. Any drift between the two would silently degrade the model, so the
gains are compared bit for bit on arbitrary strings (CJK, full-width, astral, NUL, spaces).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.scan.ner import features
from privtune.scan.ner.model import get_tagger

_ALPHABET = st.one_of(
    st.sampled_from("王李张伟娜欧阳北京市区路号公司银行的了。，：（）"),
    st.sampled_from("0123456789 AZaz@-.\t\n\x00\u3000"),
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),  # full-width ASCII
    st.characters(min_codepoint=0x1F600, max_codepoint=0x1F64F),  # above the BMP
    st.characters(blacklist_categories=("Cs",)),
)


def _reference(text: str, pads: np.ndarray | None, nul_pads: bool) -> np.ndarray:
    tagger = get_tagger()
    ids = features.feature_ids(text, tagger.bits, pads, nul_pads=nul_pads)
    dense = tagger.gain_rows[tagger.row_of]  # the table as one row per hash bucket
    return np.add.reduce(dense.take(ids, axis=0), axis=0)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.view(np.uint32), b.view(np.uint32))


@settings(max_examples=300, deadline=None)
@given(st.text(_ALPHABET, max_size=160), st.data())
def test_hashed_gains_equal_numpy_features_bit_for_bit(text, data):
    tagger = get_tagger()
    cp = features.codepoints(text)
    none = np.zeros(0, dtype=np.int64)
    assert _same_bits(tagger._hashed_gains(cp, none, features.TABLE), _reference(text, None, False))
    assert _same_bits(tagger._hashed_gains(cp, none, features.NUL_PAD_TABLE), _reference(text, None, True))
    if text:
        pads = np.array(sorted(data.draw(st.sets(st.integers(0, len(text) - 1), max_size=6))), dtype=np.int64)
        assert _same_bits(tagger._hashed_gains(cp, pads, features.TABLE), _reference(text, pads, False))


def test_hashed_gains_other_tag_counts_take_the_generic_loop():
    # The shipped model has 12 gain columns (a register-held fast path); other models use the
    # generic loop, which must sum the same way.
    from privtune.scan.ner.hash_kernels import hashed_gains

    bits = 12
    weights = np.random.default_rng(0).normal(size=(1 << bits, 8)).astype(np.float32)
    text = "王小明住在北京市朝阳区。Acme Ltd. 123\x00好"
    ids = features.feature_ids(text, bits)
    got = hashed_gains(
        features.codepoints(text), np.zeros(0, dtype=np.int64), features.TABLE, *features.HASH_CONSTANTS,
        features.RADIUS, features.SPAN, 64 - bits, np.arange(1 << bits, dtype=np.int32), weights,
    )  # fmt: skip
    assert _same_bits(got, np.add.reduce(weights.take(ids, axis=0), axis=0))


def test_unused_buckets_read_a_zero_row_and_used_ones_their_own():
    # The tagger keeps only the model's used hash buckets: row_of maps a bucket to its row of
    # gain_rows, and every other bucket to row 0, which must be all zeros.
    tagger = get_tagger()
    assert not tagger.gain_rows[0].any() and tagger.row_of.shape == (1 << tagger.bits,)
    used = np.flatnonzero(tagger.row_of)
    assert len(used) == len(tagger.gain_rows) - 1 and sorted(tagger.row_of[used]) == list(range(1, len(used) + 1))
