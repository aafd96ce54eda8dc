"""Compiled (numba) inference for the English word CRF: emissions from per-word weight rows,
Viterbi and the marginals of the best path. Same model, same numbers as crfsuite's tagger
(tests/scan/test_en_model.py compares them); ~one compiled call per line instead of handing
~20 feature strings per token to crfsuite. Imported with the tagger only."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def tag_line(  # noqa: PLR0913 (the model's arrays, passed rather than captured as globals)
    ids: np.ndarray, shapes: np.ndarray, own: np.ndarray, ctx: np.ndarray, offsets: np.ndarray,
    pad: np.ndarray, bos: np.ndarray, eos: np.ndarray, pair: np.ndarray, trans: np.ndarray,
    line: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Best label path of a line of word ids and each position's marginal probability.
    ``line``: weights of the features every token of this line has (e.g. "no capital here")."""
    n = ids.shape[0]
    L = trans.shape[0]
    E = np.zeros((n, L))
    for i in range(n):
        w = ids[i]
        for b in range(L):
            E[i, b] = own[w, b] + line[b]
        for q in range(offsets.shape[0]):
            j = i + offsets[q]
            if 0 <= j < n:
                for b in range(L):
                    E[i, b] += ctx[q, ids[j], b]
            else:
                for b in range(L):
                    E[i, b] += pad[q, b]
        prev = shapes[i - 1] if i > 0 else 0  # shape id 0 stands for "^" (line start)
        for b in range(L):
            E[i, b] += pair[prev, shapes[i], b]
    for b in range(L):
        E[0, b] += bos[b]
        E[n - 1, b] += eos[b]
    # Viterbi
    score = np.empty((n, L))
    back = np.zeros((n, L), dtype=np.int64)
    for b in range(L):
        score[0, b] = E[0, b]
    for i in range(1, n):
        for b in range(L):
            best = -1e300
            arg = 0
            for a in range(L):
                v = score[i - 1, a] + trans[a, b]
                if v > best:
                    best = v
                    arg = a
            score[i, b] = best + E[i, b]
            back[i, b] = arg
    path = np.empty(n, dtype=np.int64)
    path[n - 1] = np.argmax(score[n - 1])
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    # Forward-backward for the marginals, in probability space with each step rescaled to sum 1
    # (n*L exponentials instead of the log-sum-exp recursion's 2*n*L*L; same values to ~1e-12).
    expT = np.exp(trans)
    P = np.empty((n, L))  # exp(E[i] - max E[i]): one entry is 1, none underflows the sums
    for i in range(n):
        m = E[i, 0]
        for b in range(1, L):
            m = max(m, E[i, b])
        for b in range(L):
            P[i, b] = np.exp(E[i, b] - m)
    fw = np.empty((n, L))
    bw = np.empty((n, L))
    s = 0.0
    for b in range(L):
        fw[0, b] = P[0, b]
        s += P[0, b]
    for b in range(L):
        fw[0, b] /= s
    for i in range(1, n):
        s = 0.0
        for b in range(L):
            v = 0.0
            for a in range(L):
                v += fw[i - 1, a] * expT[a, b]
            fw[i, b] = v * P[i, b]
            s += fw[i, b]
        for b in range(L):
            fw[i, b] /= s
    for a in range(L):
        bw[n - 1, a] = 1.0
    for i in range(n - 2, -1, -1):
        s = 0.0
        for a in range(L):
            v = 0.0
            for b in range(L):
                v += expT[a, b] * P[i + 1, b] * bw[i + 1, b]
            bw[i, a] = v
            s += v
        for a in range(L):
            bw[i, a] /= s
    marg = np.empty(n)
    for i in range(n):
        z = 0.0
        for b in range(L):
            z += fw[i, b] * bw[i, b]
        marg[i] = fw[i, path[i]] * bw[i, path[i]] / z
    return path, marg


@njit(cache=True, nogil=True)
def tag_lines(  # noqa: PLR0913 (as tag_line, for many lines)
    ids: np.ndarray, shapes: np.ndarray, bounds: np.ndarray, own: np.ndarray, ctx: np.ndarray,
    offsets: np.ndarray, pad: np.ndarray, bos: np.ndarray, eos: np.ndarray, pair: np.ndarray, trans: np.ndarray,
    lines: np.ndarray, paths: np.ndarray, margs: np.ndarray,
) -> None:
    """`tag_line` of each line ``k``: words ``ids[bounds[k]:bounds[k + 1]]`` (and their shapes),
    line features ``lines[k]``; its path and marginals written to the same positions of
    ``paths`` and ``margs``. One compiled call for a scan chunk's lines, each computed as alone."""
    for k in range(bounds.shape[0] - 1):
        a, b = bounds[k], bounds[k + 1]
        path, marg = tag_line(ids[a:b], shapes[a:b], own, ctx, offsets, pad, bos, eos, pair, trans, lines[k])
        paths[a:b] = path
        margs[a:b] = marg
