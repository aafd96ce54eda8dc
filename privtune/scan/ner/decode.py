"""Viterbi for a BIOES linear-chain CRF as span gains (the loops are compiled: see kernels.py).

Any well-formed BIOES path is "O everywhere" plus non-overlapping entity spans; its score is
the all-O score plus one *gain* per span (plus a correction where two spans touch). A span on
the best path has a positive gain, else dropping it would score higher. So we (1) compute the
gain of every (start, end, type) from cumulative sums -- for long strings only at the ends
where a running maximum of the starts says a positive gain is possible; (2) drop every
candidate that contains another with at least its gain (swapping them cannot lower a path's
score, touching corrections aside); (3) pick the best set of the few survivors with a small
dynamic programme. The result equals textbook Viterbi except when two touching spans only pay off
together, a span exceeds ``max_len``, or the best path is not well-formed (a CRF has no start
transition, so it may open with an E); tests/scan/test_ner.py compares the two.
"""

from __future__ import annotations

import numpy as np

Cand = tuple[int, int, int, float]  # (start, end exclusive, type index, gain over all-O)

# Up to this length every (start, end) pair is scored, with the length constants rounded to
# float32 and added last; longer strings add them in float64 before the end's share. Kept as
# the numpy decoder had it (the faster path there), so that gains stay bit-for-bit the same.
_GRID_MAX = 96


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
        # The kernel's tables: constants also as float32 (short strings' grid read them so),
        # first / last tag of a span by (type, is single character), transitions as an array.
        self._const_f32 = self.const.astype(np.float32)
        self._first = np.array([self.tag_b, self.tag_s], dtype=np.int64).T.copy()
        self._last = np.array([self.tag_e, self.tag_s], dtype=np.int64).T.copy()
        self._adjacent = np.array(self.adjacent, dtype=np.float64)
        from privtune.scan.ner.kernels import (  # numba: with the model only
            decode_spans, decode_spans_many, spans_over, spans_over_regions,
        )

        self._decode = decode_spans
        self._decode_many = decode_spans_many
        self._spans_over = spans_over
        self._spans_over_regions = spans_over_regions
        self._type_tables: dict[int, np.ndarray] = {}

    def spans_over(self, gains: np.ndarray, typ: int, lengths: tuple[int, int], min_gain: float) -> list[Cand]:
        """Every ``typ`` span with a length in ``lengths`` (inclusive, >= 2) whose gain over all-O
        is at least ``min_gain``, chosen or not, in a string decoded alone (``gains`` of shape
        ``(n, 4K)``): what the decoder adds up for each such span."""
        tables = self._tables(typ)
        longest = min(lengths[1], self.max_len)
        # A buffer per call (the tagger may run in several threads; the kernel drops the GIL).
        out = np.empty((gains.shape[0] * longest, 3), dtype=np.float64)
        k = self._spans_over(gains, typ, tables, lengths[0], longest, min_gain, out)
        return [(int(s), int(e), typ, g) for s, e, g in out[:k].tolist()]

    def spans_over_regions(self, gains: np.ndarray, starts: list[int], sizes: list[int], typ: int,
                           lengths: tuple[int, int], min_gain: float) -> list[list[Cand]]:
        """`spans_over` of each region ``gains[starts[r] : starts[r] + sizes[r]]`` (each decoded
        alone), in one compiled call: the same candidates, region by region."""
        tables = self._tables(typ)
        longest = min(lengths[1], self.max_len)
        out = np.empty((sum(sizes) * longest, 3), dtype=np.float64)
        counts = np.empty(len(starts), dtype=np.int64)
        k = self._spans_over_regions(gains, np.array(starts, dtype=np.int64), np.array(sizes, dtype=np.int64), typ,
                                     tables, lengths[0], longest, min_gain, out, counts)
        rows, found, i = out[:k].tolist(), [], 0
        for c in counts.tolist():
            found.append([(int(s), int(e), typ, g) for s, e, g in rows[i : i + c]])
            i += c
        return found

    def _tables(self, typ: int) -> np.ndarray:
        """The kernel's table of ``typ`` (see ``kernels.spans_over``), built once."""
        tables = self._type_tables.get(typ)
        if tables is None:
            cols = slice(4 * typ, 4 * typ + 3)  # B, I, E
            parts = (self.bias[cols, 0], self.no_left[cols], self.no_right[cols], self.const[:, typ])
            tables = self._type_tables[typ] = np.ascontiguousarray(np.concatenate(parts), dtype=np.float64)
        return tables

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
        if starts is None or ends is None:
            starts, ends = [0], [n]
        out = self._decode(
            gains, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64), self.bias, self.no_left,
            self.no_right, self.const, self._const_f32, self.const_max, _GRID_MAX, self._first, self._last,
            self._adjacent,
        )  # fmt: skip
        return list(zip(*(a.tolist() for a in out)))

    def spans_from_gains_many(self, gains: np.ndarray,
                              texts: list[tuple[int, int, list[int], list[int]]]) -> list[list[Cand]]:
        """`spans_from_gains` of each text ``(first row, end row, starts, ends)`` of ``gains``
        (``starts`` / ``ends`` in the text's own rows), each decoded alone, in one compiled call:
        the same spans and gains, text by text."""
        first = np.array([a for a, _, _, _ in texts], dtype=np.int64)
        last = np.array([b for _, b, _, _ in texts], dtype=np.int64)
        bounds = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum([len(s) for _, _, s, _ in texts], out=bounds[1:])
        starts = np.array([x for _, _, s, _ in texts for x in s], dtype=np.int64)
        ends = np.array([x for _, _, _, e in texts for x in e], dtype=np.int64)
        out, counts = self._decode_many(
            gains, first, last, bounds, starts, ends, self.bias, self.no_left, self.no_right, self.const,
            self._const_f32, self.const_max, _GRID_MAX, self._first, self._last, self._adjacent,
        )  # fmt: skip
        spans, found, i = out.tolist(), [], 0
        for c in counts.tolist():
            found.append([(int(s), int(e), int(t), g) for s, e, t, g in spans[i : i + c]])
            i += c
        return found
