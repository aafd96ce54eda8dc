"""Compiled (numba) inner loops of the Chinese tagger's span-gain decoder (the hashed-feature
emission gains are in ``hash_kernels``).

The numpy versions (``features.feature_ids`` + a weight gather, and the vectorised decoder this
module replaced) took ~45 small array calls per string: per-call overhead, not arithmetic, was
most of their cost. These loops do the same arithmetic in the same order (uint64 hashing mod
2**64, float32 sums template by template, float64 span gains with the same association), so
their results are bit-for-bit those of the numpy code; tests/scan/test_ner_kernels.py checks it.

Compiled on first use and cached on disk (``cache=True``); numba is imported only when the
tagger is loaded, never by ``import privtune``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Up to this many candidates the dominance test compares every pair (natural text has a few per
# string); beyond it, the interval programme below, linear in the string's length. A run of
# one repeated character ("张张张…") makes every (start, end) a candidate: pairwise, 1,000
# characters took 2.5 s and 200,000 would take days.
_PAIRWISE_MAX = 256


@njit(cache=True, nogil=True)
def _undominated(cs: list, ce: list, cg: list, n: int) -> list:
    """Indices of the candidates that contain no better one, as the pairwise test decides.

    Order candidates by the key (gain, then earlier index). best[s] holds, for the current
    length, the best key among candidates inside [s, s + length): its own candidates, and the
    best inside [s, s + length - 1) and [s + 1, s + length) from the previous length. A
    candidate is kept when it is itself the best inside its own interval.
    """
    m = len(cs)
    max_len = 0
    for c in range(m):
        if ce[c] - cs[c] > max_len:
            max_len = ce[c] - cs[c]
    # Candidates by length (counting sort), each length's in index order.
    first = np.zeros(max_len + 2, dtype=np.int64)
    for c in range(m):
        first[ce[c] - cs[c] + 1] += 1
    for length in range(1, max_len + 2):
        first[length] += first[length - 1]
    by_len = np.empty(m, dtype=np.int64)
    fill = first.copy()
    for c in range(m):
        length = ce[c] - cs[c]
        by_len[fill[length]] = c
        fill[length] += 1
    best_g = np.full(n + 1, -np.inf)
    best_i = np.full(n + 1, -1, dtype=np.int64)
    new_g = np.empty(n + 1)
    new_i = np.empty(n + 1, dtype=np.int64)
    dominated = np.zeros(m, dtype=np.bool_)
    for length in range(1, max_len + 1):
        for s in range(n - length + 1):
            g, i = best_g[s], best_i[s]
            g2, i2 = best_g[s + 1], best_i[s + 1]
            if i2 >= 0 and (g2 > g or (g2 == g and (i < 0 or i2 < i))):
                g, i = g2, i2
            new_g[s], new_i[s] = g, i
        for p in range(first[length], first[length + 1]):
            c = by_len[p]
            s = cs[c]
            if new_i[s] < 0 or cg[c] > new_g[s] or (cg[c] == new_g[s] and c < new_i[s]):
                new_g[s], new_i[s] = cg[c], c
        for p in range(first[length], first[length + 1]):
            c = by_len[p]
            dominated[c] = new_i[cs[c]] != c
        for s in range(n - length + 1):
            best_g[s], best_i[s] = new_g[s], new_i[s]
        best_g[n - length + 1], best_i[n - length + 1] = -np.inf, -1
    keep = []
    for c in range(m):
        if not dominated[c]:
            keep.append(c)
    return keep


@njit(cache=True, nogil=True)
def decode_spans(  # noqa: PLR0913, PLR0912, PLR0915 (one pass over the decoder's tables)
    gains: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    bias: np.ndarray,
    no_left: np.ndarray,
    no_right: np.ndarray,
    const: np.ndarray,
    const_f32: np.ndarray,
    const_max: np.ndarray,
    grid_max: int,
    tag_first: np.ndarray,
    tag_last: np.ndarray,
    adjacent: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The decoder's chosen spans as arrays (start, end, type, gain); see ``SpanDecoder``."""
    n, n_tags = gains.shape
    k = n_tags // 4
    max_len = const.shape[0]
    adj = np.empty((n_tags, n), dtype=np.float64)
    for r in range(n_tags):
        b = bias[r, 0]
        for p in range(n):
            adj[r, p] = np.float64(gains[p, r]) + b
    for i in range(starts.shape[0]):  # no_left at every start, then no_right at every end
        for r in range(n_tags):
            adj[r, starts[i]] -= no_left[r]
    for i in range(ends.shape[0]):
        for r in range(n_tags):
            adj[r, ends[i] - 1] -= no_right[r]
    # start[t, s] + end[t, j] + const: the gain of a span [s, j] of 2+ characters.
    start = np.empty((k, n), dtype=np.float64)
    end = np.empty((k, n), dtype=np.float64)
    for t in range(k):
        cum = 0.0
        for p in range(n):
            interior = adj[4 * t + 1, p]
            cum += interior
            start[t, p] = adj[4 * t, p] - cum
            end[t, p] = (adj[4 * t + 2, p] + cum) - interior
    cs = []
    ce = []
    ct = []
    cg = []
    if n <= grid_max:  # every (start, end), in (type, end, start) order
        for t in range(k):
            for j in range(n):
                for s in range(max(0, j - max_len + 1), j + 1):
                    if s == j:
                        g = adj[4 * t + 3, j]
                    else:
                        g = (end[t, j] + start[t, s]) + np.float64(const_f32[j - s, t])
                    if g > 0.0:
                        cs.append(s)
                        ce.append(j + 1)
                        ct.append(t)
                        cg.append(g)
    else:
        # Ends where a positive gain is possible: bounded by the best start before them.
        ok = np.zeros(n, dtype=np.bool_)
        for t in range(k):
            best = start[t, 0]
            for i in range(n - 1):
                if start[t, i] > best:
                    best = start[t, i]
                if (best + end[t, i + 1]) + const_max[t, 0] > 0.0:
                    ok[i + 1] = True
        for t in range(k):
            for j in range(1, n):
                if not ok[j]:
                    continue
                for back in range(1, max_len):
                    s = j - back
                    if s < 0:
                        continue  # reads the -inf padding: never positive
                    g = (start[t, s] + const[back, t]) + end[t, j]
                    if g > 0.0:
                        cs.append(s)
                        ce.append(j + 1)
                        ct.append(t)
                        cg.append(g)
        for t in range(k):
            for p in range(n):
                g = adj[4 * t + 3, p]
                if g > 0.0:
                    cs.append(p)
                    ce.append(p + 1)
                    ct.append(t)
                    cg.append(g)
    m = len(cs)
    # Dominance: drop a candidate containing a better one (higher gain, ties: listed earlier).
    keep = []
    if m <= _PAIRWISE_MAX:
        for a in range(m):
            dominated = False
            for b in range(m):
                if (
                    b != a and cs[b] >= cs[a] and ce[b] <= ce[a]
                    and (cg[b] > cg[a] or (cg[b] == cg[a] and b < a))
                ):  # fmt: skip
                    dominated = True
                    break
            if not dominated:
                keep.append(a)
    else:
        keep = _undominated(cs, ce, cg, n)
    # Weighted interval scheduling over the survivors in (end, start) order (unique pairs).
    q = len(keep)
    order = np.empty(q, dtype=np.int64)
    key = np.empty(q, dtype=np.int64)
    for i in range(q):
        key[i] = ce[keep[i]] * (n + 1) + cs[keep[i]]
    idx = np.argsort(key)
    for i in range(q):
        order[i] = keep[idx[i]]
    best_v = np.empty(q, dtype=np.float64)
    back_i = np.empty(q, dtype=np.int64)
    pre_v = np.empty(q, dtype=np.float64)
    pre_i = np.empty(q, dtype=np.int64)
    lo = 0  # first candidate ending at or after the current start (ends are sorted)
    for i in range(q):
        c = order[i]
        s, e, typ = cs[c], ce[c], ct[c]
        first = tag_first[typ, 1] if e - s == 1 else tag_first[typ, 0]
        lo = 0
        hi = i
        while lo < hi:  # bisect_right(ends, s - 1, 0, i)
            mid = (lo + hi) // 2
            if ce[order[mid]] > s - 1:
                hi = mid
            else:
                lo = mid + 1
        if lo > 0:
            value, prev = pre_v[lo - 1], pre_i[lo - 1]
        else:
            value, prev = 0.0, -1
        if value < 0.0:
            value, prev = 0.0, -1
        p = lo
        while p < i and ce[order[p]] <= s:  # these end exactly at s: touching
            pc = order[p]
            last = tag_last[ct[pc], 1] if ce[pc] - cs[pc] == 1 else tag_last[ct[pc], 0]
            v = best_v[p] + adjacent[last, first]
            if v > value:
                value, prev = v, p
            p += 1
        best_v[i] = value + cg[c]
        back_i[i] = prev
        if i > 0 and not best_v[i] > pre_v[i - 1]:
            pre_v[i], pre_i[i] = pre_v[i - 1], pre_i[i - 1]
        elif i > 0 or best_v[i] > 0.0:
            pre_v[i], pre_i[i] = best_v[i], i
        else:
            pre_v[i], pre_i[i] = 0.0, -1
    chosen = []
    if q > 0 and pre_v[q - 1] > 0.0:
        i = pre_i[q - 1]
        while i >= 0:
            chosen.append(order[i])
            i = back_i[i]
    r = len(chosen)
    out_s = np.empty(r, dtype=np.int64)
    out_e = np.empty(r, dtype=np.int64)
    out_t = np.empty(r, dtype=np.int64)
    out_g = np.empty(r, dtype=np.float64)
    for i in range(r):
        c = chosen[r - 1 - i]
        out_s[i], out_e[i], out_t[i], out_g[i] = cs[c], ce[c], ct[c], cg[c]
    return out_s, out_e, out_t, out_g


@njit(cache=True, nogil=True)
def spans_over(
    gains: np.ndarray, typ: int, tables: np.ndarray, min_len: int, max_len: int, min_gain: float, out: np.ndarray
) -> int:
    """Every ``typ`` span of ``min_len`` .. ``max_len`` (>= 2) characters whose gain over all-O
    is at least ``min_gain``, chosen by the decoder or not, in a string decoded alone: written
    as (start, end, gain) rows of ``out`` (at least ``n * max_len`` rows), their number
    returned (the caller's buffer: returning new arrays costs more per call than the loop).
    The gain is what :func:`decode_spans` adds up for the span.
    ``tables`` (one array: fewer arguments to type-check per call) holds, for ``typ``'s B, I
    and E tags, the decoder's ``bias`` (0-2), ``no_left`` (3-5) and ``no_right`` (6-8), then
    its length constants ``const[:, typ]`` (9 on)."""
    n = gains.shape[0]
    rb = 4 * typ
    k = 0
    # No scratch arrays (an allocation costs about what the loop does on a chat line): each
    # tag's score is read with its bias, and the first / last position's corrections, inline.
    for s in range(n):
        first = np.float64(gains[s, rb]) + tables[0]
        if s == 0:
            first -= tables[3]
        if s == n - 1:
            first -= tables[6]
        mid = 0.0
        for length in range(2, max_len + 1):
            e = s + length
            if e > n:
                break
            if length > 2:
                q = e - 2
                inner = np.float64(gains[q, rb + 1]) + tables[1]
                if q == 0:
                    inner -= tables[4]
                if q == n - 1:
                    inner -= tables[7]
                mid += inner
            if length >= min_len:
                last = np.float64(gains[e - 1, rb + 2]) + tables[2]
                if e - 1 == 0:
                    last -= tables[5]
                if e - 1 == n - 1:
                    last -= tables[8]
                g = first + last + mid + tables[8 + length]
                if g >= min_gain:
                    out[k, 0] = s
                    out[k, 1] = e
                    out[k, 2] = g
                    k += 1
    return k


@njit(cache=True, nogil=True)
def spans_over_regions(  # noqa: PLR0913
    gains: np.ndarray, starts: np.ndarray, lengths: np.ndarray, typ: int, tables: np.ndarray, min_len: int,
    max_len: int, min_gain: float, out: np.ndarray, counts: np.ndarray,
) -> int:
    """:func:`spans_over` of each region ``gains[starts[r] : starts[r] + lengths[r]]`` (each
    decoded alone), one after another in ``out`` (at least ``sum(lengths) * max_len`` rows);
    ``counts[r]``: region r's number of rows; the total returned. One compiled call for a
    text's regions instead of one per region (a call's argument checks cost ~1-2 µs, about what
    the loop costs on a chat line): the same function on the same rows, so the same numbers."""
    k = 0
    for r in range(starts.shape[0]):
        o = starts[r]
        got = spans_over(gains[o : o + lengths[r]], typ, tables, min_len, max_len, min_gain, out[k:])
        counts[r] = got
        k += got
    return k


@njit(cache=True, nogil=True)
def decode_spans_many(  # noqa: PLR0913 (decode_spans' tables)
    gains: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    bounds: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    bias: np.ndarray,
    no_left: np.ndarray,
    no_right: np.ndarray,
    const: np.ndarray,
    const_f32: np.ndarray,
    const_max: np.ndarray,
    grid_max: int,
    tag_first: np.ndarray,
    tag_last: np.ndarray,
    adjacent: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`decode_spans` of each text i, decoded alone: its gains ``gains[first[i] : last[i]]``,
    its strings ``starts`` / ``ends[bounds[i] : bounds[i + 1]]`` (offsets in its own rows). One
    compiled call for a chunk's texts instead of one per text (a call's argument checks and
    the wrapper cost ~11 µs, more than the decoding of a chat line): the same function on the
    same rows, so the same spans and gains. Returns ``(spans, counts)``: rows (start, end,
    type, gain) one text after another, and each text's number of rows."""
    n_text = first.shape[0]
    counts = np.empty(n_text, dtype=np.int64)
    found = []
    total = 0
    for i in range(n_text):
        got = decode_spans(
            gains[first[i] : last[i]], starts[bounds[i] : bounds[i + 1]], ends[bounds[i] : bounds[i + 1]], bias,
            no_left, no_right, const, const_f32, const_max, grid_max, tag_first, tag_last, adjacent,
        )  # fmt: skip
        counts[i] = got[0].shape[0]
        total += got[0].shape[0]
        found.append(got)
    out = np.empty((total, 4), dtype=np.float64)
    k = 0
    for i in range(n_text):
        s, e, t, g = found[i]
        for j in range(s.shape[0]):
            out[k, 0], out[k, 1], out[k, 2], out[k, 3] = s[j], e[j], t[j], g[j]
            k += 1
    return out, counts
