"""Compiled (numba) hashed-feature emission gains of the Chinese tagger.

The numpy version (``features.feature_ids`` + a weight gather) took many small array calls per
string; this loop does the same arithmetic in the same order (uint64 hashing mod 2**64, float32
sums template by template), so its results are bit-for-bit those of the numpy code;
tests/scan/test_ner_kernels.py checks it. The span decoder's loops are in ``kernels``.

Compiled on first use and cached on disk (``cache=True``); numba is imported only when the
tagger is loaded, never by ``import privtune``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_PAD_CHAR = np.uint64(0x110000)  # features._PAD_CHAR: the padding's "character"


@njit(cache=True, nogil=True)
def hashed_gains(  # noqa: PLR0913 (the model's arrays, passed rather than captured as globals)
    cp: np.ndarray,
    pad_pos: np.ndarray,
    table: np.ndarray,
    a_row: np.ndarray,
    a_shift: np.ndarray,
    a_coef: np.ndarray,
    t_row: np.ndarray,
    t_shift: np.ndarray,
    salts: np.ndarray,
    radius: int,
    span: int,
    shift: int,
    row_of: np.ndarray,
    weights: np.ndarray,
) -> np.ndarray:
    """Emission gains ``(n, tags)`` float32 of code points ``cp``: feature ids as
    ``features.feature_ids`` computes them (``pad_pos`` read as padding), each row the sum of
    the ids' weight rows ``weights[row_of[id]]`` in template order (as ``np.add.reduce`` over
    the gathered rows)."""
    n = cp.shape[0]
    width = n + 2 * radius
    stride = width + span
    chan = np.zeros((2, stride), dtype=np.uint64)
    for c in range(stride):
        chan[0, c] = _PAD_CHAR  # class row stays 0: PAD
    for p in range(n):
        c = min(np.int64(cp[p]), 0xFFFF)  # above the BMP reads U+FFFF (take's mode="clip")
        chan[0, radius + p] = table[0, c]
        chan[1, radius + p] = table[1, c]
    for q in range(pad_pos.shape[0]):
        chan[0, radius + pad_pos[q]] = _PAD_CHAR
        chan[1, radius + pad_pos[q]] = 0
    n_pat = a_row.shape[1]
    pat = np.empty((n_pat, width), dtype=np.uint64)
    for j in range(n_pat):
        r0, r1, r2 = a_row[0, j, 0], a_row[1, j, 0], a_row[2, j, 0]
        s0, s1, s2 = a_shift[0, j, 0], a_shift[1, j, 0], a_shift[2, j, 0]
        k0, k1, k2 = a_coef[0, j, 0], a_coef[1, j, 0], a_coef[2, j, 0]
        for c in range(width):  # wraps mod 2**64, as the numpy code does on purpose
            pat[j, c] = chan[r0, c + s0] * k0 + chan[r1, c + s1] * k1 + chan[r2, c + s2] * k2
    n_tpl = t_row.shape[0]
    n_tags = weights.shape[1]
    out = np.empty((n, n_tags), dtype=np.float32)
    sh = np.uint64(shift)
    if n_tags == 12:  # the shipped model (3 types x BIES): sums held in registers, ~25% faster
        w = weights
        # Every feature's row first, template by template: independent loads from row_of that
        # the CPU overlaps, instead of one row_of -> weights chain per feature.
        rows = np.empty((n, n_tpl), dtype=np.int32)
        for t in range(n_tpl):
            tr, ts, salt = t_row[t, 0], t_shift[t, 0], salts[t, 0]
            for p in range(n):
                rows[p, t] = row_of[(pat[tr, p + ts] + salt) >> sh]
        for p in range(n):
            i = rows[p, 0]
            a0, a1, a2, a3, a4, a5 = w[i, 0], w[i, 1], w[i, 2], w[i, 3], w[i, 4], w[i, 5]
            a6, a7, a8, a9, a10, a11 = w[i, 6], w[i, 7], w[i, 8], w[i, 9], w[i, 10], w[i, 11]
            for t in range(1, n_tpl):
                i = rows[p, t]
                a0, a1, a2, a3 = a0 + w[i, 0], a1 + w[i, 1], a2 + w[i, 2], a3 + w[i, 3]
                a4, a5, a6, a7 = a4 + w[i, 4], a5 + w[i, 5], a6 + w[i, 6], a7 + w[i, 7]
                a8, a9, a10, a11 = a8 + w[i, 8], a9 + w[i, 9], a10 + w[i, 10], a11 + w[i, 11]
            out[p, 0], out[p, 1], out[p, 2], out[p, 3], out[p, 4], out[p, 5] = a0, a1, a2, a3, a4, a5
            out[p, 6], out[p, 7], out[p, 8], out[p, 9], out[p, 10], out[p, 11] = a6, a7, a8, a9, a10, a11
        return out
    for p in range(n):
        for t in range(n_tpl):
            i = row_of[(pat[t_row[t, 0], p + t_shift[t, 0]] + salts[t, 0]) >> sh]
            if t == 0:
                for k in range(n_tags):
                    out[p, k] = weights[i, k]
            else:
                for k in range(n_tags):
                    out[p, k] += weights[i, k]
    return out
