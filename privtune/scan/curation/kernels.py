"""Compiled (numba) per-record curation loops: MinHash of a text's shingles (`shingle_minhash`),
trigger-unit hashes (`unit_hashes`) and the count-min sketch update (`cms_add`).

MinHash: `shingle_hashes` + `minhash` fused.
The numpy pair builds a (num_perm x shingles) uint64 temporary per record and walks it three
times (multiply, add, row minimum): ~60 µs for a 300-character record on the scan's 2-core
machine, a quarter of the curation summary. This loop does the same wrapping uint64 arithmetic
mod 2**64 in the same order (n-gram polynomial, SplitMix64 finaliser, ``a*x + b``, minimum,
``>> 32``), so its signatures are bit-for-bit those of `dedup.minhash(dedup.shingle_hashes(...))`;
tests/scan/test_scan_speed_identity.py checks it and the other two kernels against their numpy
versions likewise. Imported lazily (numba is heavy) and cached on
disk (``cache=True``) like the NER kernels.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)


@njit(cache=True, nogil=True)
def shingle_minhash(cp: np.ndarray, n: int, pos_mult: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signature (uint64 values < 2^32) over the ``n``-grams of code points ``cp`` (``n`` already
    clipped to 1..len(cp)); ``a``/``b`` are the first num_perm permutation constants."""
    k = cp.shape[0] - n + 1
    n_perm = a.shape[0]
    # The shingles' mixed hashes first, then one minimum per permutation over all of them: that
    # inner loop is a plain reduction the compiler turns into vector multiplies and minimums
    # (the loop over permutations inside the loop over shingles stayed scalar; ~1.6x slower).
    xs = np.empty(k, dtype=np.uint64)
    nn = np.uint64(n)
    for i in range(k):
        h = np.uint64(cp[i]) * pos_mult[0]
        for j in range(1, n):
            h = h + np.uint64(cp[i + j]) * pos_mult[j]
        x = h + nn
        x = x ^ (x >> _S30)
        x = x * _M1
        x = x ^ (x >> _S27)
        x = x * _M2
        xs[i] = x ^ (x >> _S31)
    sig = np.empty(n_perm, dtype=np.uint64)
    for p in range(n_perm):
        ap = a[p]
        bp = b[p]
        m = np.uint64(0xFFFFFFFFFFFFFFFF)
        for i in range(k):
            v = ap * xs[i] + bp
            if v < m:
                m = v
        sig[p] = m >> _S32
    return sig


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, nogil=True)
def unit_hashes(cp: np.ndarray, spans: np.ndarray, cjk_runs: np.ndarray, base: np.uint64,
                base_inv: np.uint64) -> np.ndarray:
    """`units._span_hashes` of ``spans`` (k x 2: start, end) followed by those of every CJK
    2- and 3-gram inside ``cjk_runs`` (m x 2), bit for bit: the same prefix sums Q[i] =
    sum c_j B^-j, ``(Q[e] - Q[s]) * B^(e-1)``, length salt and SplitMix64 finaliser."""
    n = cp.shape[0]
    q = np.zeros(n + 1, dtype=np.uint64)
    pw = np.empty(n + 1, dtype=np.uint64)
    inv = np.uint64(1)
    p = np.uint64(1)
    for i in range(n):
        q[i + 1] = q[i] + np.uint64(cp[i]) * inv
        pw[i] = p
        inv = inv * base_inv
        p = p * base
    pw[n] = p
    total = spans.shape[0]
    for r in range(cjk_runs.shape[0]):
        length = cjk_runs[r, 1] - cjk_runs[r, 0]
        total += max(length - 1, 0) + max(length - 2, 0)
    out = np.empty(total, dtype=np.uint64)
    k = 0
    for r in range(spans.shape[0]):
        out[k] = _span_hash(q, pw, spans[r, 0], spans[r, 1])
        k += 1
    for r in range(cjk_runs.shape[0]):
        s0, e0 = cjk_runs[r, 0], cjk_runs[r, 1]
        for s in range(s0, e0 - 1):
            out[k] = _span_hash(q, pw, s, s + 2)
            k += 1
        for s in range(s0, e0 - 2):
            out[k] = _span_hash(q, pw, s, s + 3)
            k += 1
    return out


@njit(cache=True, nogil=True)
def unique_sorted(x: np.ndarray) -> np.ndarray:
    """``np.unique(x)`` for a 1-d array (sorted ascending, each value once), without its
    ~5 µs of Python-level overhead on the few dozen values a record has."""
    if x.shape[0] == 0:
        return x.copy()
    s = np.sort(x)
    out = np.empty_like(s)
    out[0] = s[0]
    k = 1
    for i in range(1, s.shape[0]):
        if s[i] != out[k - 1]:
            out[k] = s[i]
            k += 1
    return out[:k].copy()


@njit(cache=True, nogil=True)
def unit_hash_set(cp: np.ndarray, spans: np.ndarray, cjk_runs: np.ndarray, base: np.uint64,
                  base_inv: np.uint64) -> np.ndarray:
    """``np.unique(unit_hashes(...))`` in one call."""
    return unique_sorted(unit_hashes(cp, spans, cjk_runs, base, base_inv))


@njit(cache=True, inline="always")
def _span_hash(q: np.ndarray, pw: np.ndarray, s: int, e: int) -> np.uint64:
    x = ((q[e] - q[s]) * pw[e - 1]) ^ (np.uint64(e - s) * _GOLDEN)
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


@njit(cache=True, nogil=True)
def cms_add(table: np.ndarray, mult: np.ndarray, shift: np.uint64, keys: np.ndarray) -> np.ndarray:
    """`poisoning.CountMinSketch.add` in place, with numpy's semantics exactly: every estimate is
    read from the table as it was before the call, then cells are written in key order with
    ``max(cell as read, new estimate)``, so of two keys sharing a cell the later write wins."""
    depth = table.shape[0]
    n = keys.shape[0]
    cells = np.empty((depth, n), dtype=np.intp)
    old = np.empty((depth, n), dtype=np.uint32)
    new = np.empty(n, dtype=np.uint64)
    cap = np.uint64(0xFFFFFFFF)
    for k in range(n):
        est = np.uint64(0xFFFFFFFFFFFFFFFF)
        for r in range(depth):
            c = np.intp((keys[k] * mult[r]) >> shift)
            cells[r, k] = c
            v = table[r, c]
            old[r, k] = v
            if np.uint64(v) < est:
                est = np.uint64(v)
        new[k] = min(est + np.uint64(1), cap)
    for k in range(n):
        nk = np.uint32(new[k])
        for r in range(depth):
            table[r, cells[r, k]] = max(old[r, k], nk)
    return new


@njit(cache=True, nogil=True)
def _agrees(sigs: np.ndarray, a: int, b: int, min_sim: float) -> bool:
    """Rows a and b agree on a share >= ``min_sim`` of positions (``count / width``, the value
    numpy's mean of the boolean row gives)."""
    w = sigs.shape[1]
    c = 0
    for j in range(w):
        if sigs[a, j] == sigs[b, j]:
            c += 1
    return c / w >= min_sim


@njit(cache=True, nogil=True)
def largest_cluster(sigs: np.ndarray, min_sim: float, max_pivots: int) -> tuple[int, np.ndarray]:
    """`backdoor.largest_cluster_numpy` in one loop: of the first ``max_pivots`` rows, the one
    with the most rows agreeing with it on a share >= ``min_sim`` of positions (the first such
    row on ties), and those rows; every comparison comes out as numpy's does."""
    m = sigs.shape[0]
    pivot, best = 0, 0
    for pv in range(min(m, max_pivots)):
        size = 0
        for r in range(m):
            if _agrees(sigs, pv, r, min_sim):
                size += 1
        if size > best:
            pivot, best = pv, size
    near = np.empty(m, dtype=np.intp)
    k = 0
    for r in range(m):
        if _agrees(sigs, pivot, r, min_sim):
            near[k] = r
            k += 1
    return pivot, near[:k].copy()


@njit(cache=True, nogil=True)
def band_keys(sig: np.ndarray, bands: int, rows: int, mult: np.ndarray) -> np.ndarray:
    """`dedup.Deduplicator._band_keys` before its int64 view: per band, the wrapping uint64 sum
    of ``sig[b*rows + r] * mult[r]`` (integer sums mod 2**64 do not depend on their order, so
    this is numpy's ``(rows * mult).sum(axis=1, dtype=uint64)`` exactly)."""
    out = np.empty(bands, dtype=np.uint64)
    for b in range(bands):
        acc = np.uint64(0)
        for r in range(rows):
            acc += np.uint64(sig[b * rows + r]) * mult[r]
        out[b] = acc
    return out


@njit(cache=True, nogil=True)
def rare_units(units: np.ndarray, table: np.ndarray, mult: np.ndarray, shift: np.uint64, ceiling: float,
               max_units: int) -> np.ndarray:
    """`poisoning.PoisonDetector._observe_units`' arithmetic in one call: the distinct unit ids
    (``units >> 32``, ascending), counted once each in the sketch (`cms_add`), those whose new
    document frequency is at most ``ceiling``, the first ``max_units`` of them (ascending, as
    the numpy code's ``np.sort(rare)[:max_units]`` of an ascending array), as uint32."""
    ids = np.empty(units.shape[0], dtype=np.uint64)
    for i in range(units.shape[0]):
        ids[i] = units[i] >> _S32
    distinct = unique_sorted(ids)
    df = cms_add(table, mult, shift, distinct)
    out = np.empty(min(distinct.shape[0], max_units), dtype=np.uint32)
    k = 0
    for i in range(distinct.shape[0]):
        if k == out.shape[0]:
            break
        if np.float64(df[i]) <= ceiling:
            out[k] = np.uint32(distinct[i])
            k += 1
    return out[:k].copy()


# Character classes of `units.char_classes` (bits): in the CJK ranges, \w, \s.
_IN_CJK, _WORD, _SPACE = 1, 2, 4


@njit(cache=True, nogil=True)
def folded_unit_hash_set(cp: np.ndarray, classes: np.ndarray, base: np.uint64, base_inv: np.uint64) -> np.ndarray:
    """`units.prompt_units` of an already folded prompt (code points ``cp``, all < 65,536),
    tokenised here instead of by ``_UNIT_RE.finditer`` in Python, the same tokens: at each
    position the first alternative of ``([CJK]+)|([^\\W CJK]+)|([^\\w\\s]+)`` that matches,
    as long as it runs (so a non-word character of the CJK ranges joins a CJK run when it
    starts one, a symbol run when it continues one); whitespace is skipped without ending a
    word pair. Then `unit_hash_set` of the spans and CJK runs `_unit_spans` would give."""
    n = cp.shape[0]
    spans = np.empty((2 * n + 1, 2), dtype=np.int64)
    runs = np.empty((n + 1, 2), dtype=np.int64)
    ns = 0
    nr = 0
    prev_start = -1
    i = 0
    while i < n:
        c = classes[cp[i]]
        j = i + 1
        if c & _IN_CJK:
            while j < n and classes[cp[j]] & _IN_CJK:
                j += 1
            kind = 1
        elif c & _WORD:
            while j < n and (classes[cp[j]] & (_WORD | _IN_CJK)) == _WORD:
                j += 1
            kind = 2
        elif c & _SPACE:
            i = j
            continue
        else:
            while j < n and not classes[cp[j]] & (_WORD | _SPACE):
                j += 1
            kind = 3
        if kind == 2:
            spans[ns, 0] = i
            spans[ns, 1] = j
            ns += 1
            if prev_start >= 0:
                spans[ns, 0] = prev_start
                spans[ns, 1] = j
                ns += 1
            prev_start = i
        else:
            prev_start = -1
            if kind == 3 or j - i < 3:
                spans[ns, 0] = i
                spans[ns, 1] = j
                ns += 1
            else:
                runs[nr, 0] = i
                runs[nr, 1] = j
                nr += 1
        i = j
    return unit_hash_set(cp, spans[:ns], runs[:nr], base, base_inv)


@njit(cache=True, nogil=True)
def cms_query(table: np.ndarray, mult: np.ndarray, shift: np.uint64, keys: np.ndarray) -> np.ndarray:
    """`poisoning.CountMinSketch.query` (numpy: ``table[rows, cells].min(axis=0)``): each key's
    smallest cell over the rows, without the (depth x keys) index and gather temporaries."""
    depth = table.shape[0]
    out = np.empty(keys.shape[0], dtype=np.uint32)
    for k in range(keys.shape[0]):
        est = table[0, np.intp((keys[k] * mult[0]) >> shift)]
        for r in range(1, depth):
            v = table[r, np.intp((keys[k] * mult[r]) >> shift)]
            if v < est:
                est = v
        out[k] = est
    return out


@njit(cache=True, nogil=True)
def count_values(counts: np.ndarray, sigs: np.ndarray) -> None:
    """``counts[k] += np.bincount(sigs[:, k], minlength=counts.shape[1]).astype(counts.dtype)``
    for every column k, in place (integer counts: the same table in any order), without a
    65,536-bin temporary per column."""
    for i in range(sigs.shape[0]):
        for k in range(sigs.shape[1]):
            counts[k, sigs[i, k]] += 1


@njit(cache=True, nogil=True)
def backdoor_candidates(  # noqa: PLR0913 (the search's arrays and thresholds)
    todo: np.ndarray, starts: np.ndarray, counts: np.ndarray, owners: np.ndarray, sigs: np.ndarray,
    min_sim: float, max_pivots: int, value_counts: np.ndarray, n_slots: int, min_support: int,
    min_purity: float, min_lift: float, min_coverage: float,
) -> np.ndarray:
    """Which shortlisted units (``todo``) pass `backdoor._search`'s stage-2 tests: their slots'
    signatures (``sigs[owners[starts[u] : starts[u] + counts[u]]]``), `largest_cluster`, purity,
    the pivot answer's corpus share (median of its per-position value counts, as
    `backdoor.median_of_counts`) and the support / purity / lift / coverage thresholds, each
    in the float64 arithmetic and order of the Python loop."""
    keep = np.zeros(todo.shape[0], dtype=np.bool_)
    perm = sigs.shape[1]
    vals = np.empty(perm, dtype=np.int64)
    for q in range(todo.shape[0]):
        u = todo[q]
        lo, m = starts[u], counts[u]
        rows = np.empty((m, perm), dtype=sigs.dtype)
        for i in range(m):
            rows[i, :] = sigs[owners[lo + i]]
        pivot, near = largest_cluster(rows, min_sim, max_pivots)
        k = near.shape[0]
        purity = k / m
        for j in range(perm):
            vals[j] = value_counts[j, rows[pivot, j]]
        vals.sort()
        h = perm // 2
        median = np.float64(vals[h]) if perm % 2 else (np.float64(vals[h - 1]) + np.float64(vals[h])) / 2
        share = median / n_slots
        if k < min_support or purity < min_purity or purity < min_lift * share:
            continue
        if k < min_coverage * share * n_slots:
            continue
        keep[q] = True
    return keep
