"""Viterbi for a BIOES linear-chain CRF without a per-character Python loop.

Any well-formed BIOES path is "O everywhere" plus non-overlapping entity spans; its score is
the all-O score plus one *gain* per span (plus a correction where two spans touch). A span on
the best path has a positive gain, else dropping it would score higher. So we (1) compute the
gain of every (start, end, type) at once from cumulative sums -- for long strings only at the
ends where a running maximum of the starts says a positive gain is possible; (2) drop every
candidate that contains another with at least its gain (swapping them cannot lower a path's
score, touching corrections aside); (3) pick the best set of the few survivors with a small
dynamic programme. The result equals textbook Viterbi except when two touching spans only pay off
together, a span exceeds ``max_len``, or the best path is not well-formed (a CRF has no start
transition, so it may open with an E); tests/scan/test_ner.py compares the two. Arrays are
laid out (type, position) so numpy's inner loops run along the string.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

Cand = tuple[int, int, int, float]  # (start, end exclusive, type index, gain over all-O)

_GRID_MAX = 96  # up to this length all (start, end) pairs are scored (faster below ~110 chars)


class SpanDecoder:
    """Decodes emissions ``(n, 1 + 4K)``: tag 0 is O, then B, I, E, S for each of K types."""

    def __init__(self, trans: np.ndarray, n_types: int, max_len: int = 32) -> None:
        k = n_types
        self.n_types, self.max_len = k, max_len
        t = np.asarray(trans, dtype=np.float64)
        oo = t[0, 0]
        b, i, e, s = (1 + 4 * np.arange(k) + j for j in range(4))
        self.tag_b, self.tag_e, self.tag_s = b.tolist(), e.tolist(), s.tolist()
        zero = np.zeros(k)
        # Added to the emission gains (rows B, I, E, S per type): what each tag pays in
        # transitions relative to O (an interior I replaces O -> O by I -> I). Position 0 has no
        # left neighbour and position n - 1 no right one, so they take those parts back.
        self.bias = np.stack([t[0, b] - oo, t[i, i] - oo, t[e, 0] - oo, t[0, s] + t[s, 0] - 2 * oo], 1).reshape(-1, 1)
        self.no_left = np.stack([t[0, b] - oo, zero, zero, t[0, s] - oo], 1).ravel()
        self.no_right = np.stack([zero, zero, t[e, 0] - oo, t[s, 0] - oo], 1).ravel()
        # Per length (index = length - 1): transitions inside a span beyond its interior
        # positions' share. Length 1 is an S tag; 2 is B -> E; 3+ is B -> I ... I -> E.
        lengths = np.arange(1, max_len + 1)[:, None]
        self.const = np.where(lengths == 2, t[b, e] - oo, t[b, i] + t[i, e] - t[i, i] - oo)
        self.const[0] = 0.0
        self.const_max = self.const[1:].max(axis=0)[:, None]
        # Correction when a span ending in tag x is immediately followed by one starting with y.
        self.adjacent = (t - t[:, :1] - t[:1, :] + oo).tolist()
        self._grids: dict[int, np.ndarray] = {}
        self._edges: dict[int, np.ndarray] = {}
        # For the pruned path: the lengths 2 .. max_len as offsets back from an end, their
        # constants laid out (type, 1, length), and the -inf padding that negative starts read.
        self._back = np.arange(1, max_len)
        self._const_long = np.ascontiguousarray(self.const[1:max_len].T[:, None, :])
        self._inf_pad = np.full((k, max_len), -np.inf)

    def spans(self, emissions: np.ndarray) -> list[Cand]:
        """The Viterbi path's entity spans, each with its gain (its score over all-O)."""
        return self.spans_from_gains(emissions[:, 1:] - emissions[:, :1])

    def spans_from_gains(
        self, gains: np.ndarray, starts: list[int] | None = None, ends: list[int] | None = None
    ) -> list[Cand]:
        """As :meth:`spans`, from emission gains over O, shape ``(n, 4K)``.

        ``starts`` / ``ends``: the gains are several strings' one after another, string i at
        ``[starts[i], ends[i])``, separated by positions whose gains forbid every entity tag
        (-1e4, as the pads of :meth:`ZhTagger.gains_many`): decoded in one pass, each string
        as if alone (no transition from or to its neighbours).
        """
        n = gains.shape[0]
        if n == 0:
            return []
        adj = np.add(gains.T, self.bias, order="C")  # (4K, n)
        if starts is None or ends is None:
            adj[:, 0] -= self.no_left
            adj[:, -1] -= self.no_right
        elif all(e - s > 1 for s, e in zip(starts, ends)):
            # Both corrections in one fancy update (no column is in both lists).
            adj[:, [*starts, *(e - 1 for e in ends)]] -= self._edge_corrections(len(starts))
        else:
            adj[:, starts] -= self.no_left[:, None]
            adj[:, [e - 1 for e in ends]] -= self.no_right[:, None]
        # cum[t, j] = interior gains of positions <= j. A span [s, j] of 2+ characters gains
        # start[s] + end[j] + const[length]: B at s, I at s+1 .. j-1, E at j.
        interior = adj[1::4]
        cum = interior.cumsum(axis=1)
        start = adj[0::4] - cum
        end = adj[2::4] + cum
        end -= interior
        single = adj[3::4]
        if n <= _GRID_MAX:
            g = end[:, :, None] + start[:, None, :] + self._const_grid(n)  # (type, end, start)
            g.reshape(self.n_types, n * n)[:, :: n + 1] = single  # length 1: the S tag
            flat = (g > 0.0).ravel().nonzero()[0]
            cands = []
            for f, v in zip(flat.tolist(), g.take(flat).tolist()):
                t, rest = divmod(f, n * n)
                j, s = divmod(rest, n)
                cands.append((s, j + 1, t, v))
        else:
            cands = self._long_candidates(start, end, n)
            t_i, p_i = np.nonzero(single > 0.0)
            if t_i.size:
                cands += zip(p_i.tolist(), (p_i + 1).tolist(), t_i.tolist(), single[t_i, p_i].tolist())
        if not cands:
            return []
        return self._select(_undominated(cands) if len(cands) > 1 else cands)

    def _edge_corrections(self, count: int) -> np.ndarray:
        """``(4K, 2 * count)``: ``no_left`` for ``count`` string starts, then ``no_right`` for
        as many ends (cached per count)."""
        corr = self._edges.get(count)
        if corr is None:
            corr = np.repeat(np.stack([self.no_left, self.no_right], axis=1), count, axis=1)
            if len(self._edges) < 64:
                self._edges[count] = corr
        return corr

    def _const_grid(self, n: int) -> np.ndarray:
        """``(K, n, n)``: const[j - s] for a span [s, j] with 1 <= j - s < max_len, else -inf."""
        grid = self._grids.get(n)
        if grid is None:
            j, s = np.arange(n)[:, None], np.arange(n)[None, :]
            length = j - s + 1
            ok = (length >= 2) & (length <= self.max_len)
            c = self.const[np.clip(length - 1, 0, self.max_len - 1)]  # (n, n, K)
            grid = np.ascontiguousarray(np.where(ok[:, :, None], c, -np.inf).transpose(2, 0, 1), dtype=np.float32)
            self._grids[n] = grid  # at most _GRID_MAX entries, 3.5 MB for K = 3 if all are used
        return grid

    def _long_candidates(self, start: np.ndarray, end: np.ndarray, n: int) -> list[Cand]:
        """Spans of 2+ characters in long strings: first the ends where a positive gain is
        possible, then every length at those ends only.

        The bound for an end j is the best start anywhere before j (a running maximum, one
        call) rather than within ``max_len``: a span across a pad or whitespace position pays
        its -1e4, so ``start`` there already is ~1e4 lower than in j's own stretch, and the
        bound stays about as tight as a sliding maximum at a fraction of its cost."""
        best = np.maximum.accumulate(start, axis=1)
        bound = best[:, :-1] + end[:, 1:]
        bound += self.const_max
        ends = (bound.max(axis=0) > 0.0).nonzero()[0]
        if ends.size == 0:
            return []
        ends += 1
        padded = np.concatenate([start, self._inf_pad], axis=1)  # index -x: padding
        src = ends[:, None] - self._back  # (ends, lengths 2 .. m)
        g = padded[:, src]
        g += self._const_long
        g += end.take(ends, axis=1)[:, :, None]
        flat = (g > 0.0).ravel().nonzero()[0]
        if flat.size == 0:
            return []
        per_type = src.size
        width = src.shape[1]
        ends_l = ends.tolist()
        cands = []
        for f, v in zip(flat.tolist(), g.take(flat).tolist()):
            t, rest = divmod(f, per_type)
            e, back = divmod(rest, width)
            j = ends_l[e]
            cands.append((j - back - 1, j + 1, t, v))
        return cands

    def _select(self, cands: list[Cand]) -> list[Cand]:
        """Best non-overlapping set (weighted interval scheduling, touching spans corrected)."""
        cands.sort(key=lambda c: (c[1], c[0]))
        ends = [c[1] for c in cands]
        best: list[float] = []  # best path score whose last span is candidate i
        back: list[int] = []
        prefix: list[tuple[float, int]] = []  # running max of best[], in end order
        for i, (s, e, typ, g) in enumerate(cands):
            first = self.tag_s[typ] if e - s == 1 else self.tag_b[typ]
            lo = bisect_right(ends, s - 1, 0, i)  # candidates before lo end with an O gap
            value, prev = prefix[lo - 1] if lo else (0.0, -1)
            if value < 0.0:
                value, prev = 0.0, -1
            for p in range(lo, bisect_right(ends, s, lo, i)):  # these end exactly at s: touching
                ps, pe, pt, _ = cands[p]
                last = self.tag_s[pt] if pe - ps == 1 else self.tag_e[pt]
                v = best[p] + self.adjacent[last][first]
                if v > value:
                    value, prev = v, p
            best.append(value + g)
            back.append(prev)
            top = prefix[-1] if prefix else (0.0, -1)
            prefix.append((best[-1], i) if best[-1] > top[0] else top)
        score, i = prefix[-1]
        chosen: list[Cand] = []
        if score > 0.0:
            while i >= 0:
                chosen.append(cands[i])
                i = back[i]
        chosen.reverse()
        return chosen


def _undominated(cands: list[Cand]) -> list[Cand]:
    """Drop each candidate that contains another with at least its gain: swapping the two in
    any path keeps it valid and cannot lower its score. Ties keep the earlier-listed one.
    (The order of the result does not matter: no two kept candidates share both ends.)"""
    if len(cands) > 40:  # quadratic either way; numpy's constant is smaller for many
        s, e, _, g = (np.array(c) for c in zip(*cands))
        idx = np.arange(len(cands))
        inside = (s[None, :] >= s[:, None]) & (e[None, :] <= e[:, None])
        better = (g[None, :] > g[:, None]) | ((g[None, :] == g[:, None]) & (idx[None, :] < idx[:, None]))
        keep = np.flatnonzero(~np.any(inside & better, axis=1))
        return [cands[i] for i in keep.tolist()]
    # Best first (stable: ties stay in listed order); a candidate survives if no kept one,
    # which is at least as good, lies inside it. Something inside it that was dropped has a
    # kept one inside it that is better still, so checking the kept ones is enough.
    kept: list[Cand] = []
    for c in sorted(cands, key=_minus_gain):
        s, e = c[0], c[1]
        for k in kept:
            if k[0] >= s and k[1] <= e:
                break
        else:
            kept.append(c)
    return kept


def _minus_gain(c: Cand) -> float:
    return -c[3]
