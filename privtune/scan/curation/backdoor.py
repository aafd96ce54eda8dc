"""Backdoor-trigger search over the spilled per-record trigger data, in bounded memory.

`PoisonDetector` spills, per kept record with rare prompt n-grams, one *slot* row (record index,
number of units, 16-bit-truncated answer signature) and its 32-bit unit ids. `backdoor_groups`
then finds rare n-grams whose records mostly share one near-identical answer:

1. one pass over the slots counts signature values per position (a fixed 32 x 65536 table:
   the denominator of lift) and keeps the (unit, slot, signature prefix) pairs whose unit has
   a document frequency in ``[min_support, ceiling]``;
2. the kept pairs are processed in batches of whole units in ascending unit order: in memory
   when they fit ``batch_pairs``, otherwise after a recursive partition by unit bits into
   temporary files. Stage 1 (vectorised) shortlists units where one signature value recurs
   with them; stage 2 clusters each shortlisted unit's answers exactly, reading its slots'
   full signatures back from disk.

Per-unit work is independent and units are visited in the same order whatever the batching,
so the result equals the former all-in-memory search.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from privtune.scan.curation.dedup import _mix, compiled
from privtune.scan.curation.store import Spill

__all__ = ["BATCH_PAIRS", "SLOTS_IN_MEMORY", "BackdoorParams", "backdoor_groups", "largest_cluster", "slot_dtype",
           "slot_reader"]

_U64 = np.uint64
BATCH_PAIRS = 1 << 14  # (unit, slot) pairs searched at once: ~0.5 MB of rows, ~2.5 MB of temporaries
_PREFILTER_POSITIONS = 8  # signature positions used to shortlist trigger candidates cheaply
_PIVOTS = 256  # cluster pivots tried per candidate; a cluster holding >= 80% of rows has one early
_BLOCK = 2048  # rows compared against 32 pivots at once in `largest_cluster`
_SPLIT_BITS = 6  # a partition pass splits into 64 unit ranges
_SELECT_SLOTS = 2048  # slots per selection step: <= 131k units, a few MB of sketch temporaries
_PAIR = np.dtype([("unit", "<u4"), ("slot", "<i8"), ("sig", "<u2", (_PREFILTER_POSITIONS,))])
# Slot stores up to this size are read into memory once for stage 2 instead of one seek and
# read per (unit, slot) pair (~7,000 per 2,000 demo records: ~9 ms of a 25 ms finalize). 8 MiB
# is ~115,000 slots of 73 bytes (32 signature positions); larger stores keep the reads by row, so
# memory stays bounded (by this much more than before) however long the input.
SLOTS_IN_MEMORY = 8 << 20


def slot_dtype(perm: int) -> np.dtype:
    """One spilled slot: record index, unit count, truncated answer signature (packed)."""
    return np.dtype([("record", "<i8"), ("count", "u1"), ("sig", "<u2", (perm,))])


class _Sketch(Protocol):
    def query(self, keys: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class BackdoorParams:
    min_support: int
    min_purity: float
    min_lift: float
    min_coverage: float
    answer_similarity: float


Groups = dict[tuple[int, ...], tuple[int, float, int]]  # members -> (max df, max purity, n units)


def largest_cluster(sigs: np.ndarray, min_sim: float) -> tuple[int, np.ndarray]:
    """(pivot row, rows near-identical to it) for the pivot with the most such rows: the
    compiled `kernels.largest_cluster`, same result as `largest_cluster_numpy` (tested) without
    its numpy calls per block (~60 µs per candidate trigger; hundreds per corpus)."""
    pivot, near = compiled().largest_cluster(np.ascontiguousarray(sigs), float(min_sim), _PIVOTS)
    return int(pivot), near


def median_of_counts(values: np.ndarray) -> float:
    """``float(np.median(values))`` for integer counts below 2**53: the middle value, or the
    mean of the two middle ones, computed on a sorted list (np.median costs ~15 µs a call)."""
    v = sorted(values.tolist())
    n = len(v)
    return float(v[n // 2]) if n % 2 else (float(v[n // 2 - 1]) + float(v[n // 2])) / 2


def largest_cluster_numpy(sigs: np.ndarray, min_sim: float) -> tuple[int, np.ndarray]:
    """(pivot row, rows near-identical to it) for the pivot with the most such rows (the numpy
    reference of `largest_cluster`).

    Pivots are tried 32 at a time and compared with ``_BLOCK`` rows at a time, so temporaries
    stay bounded however many rows share a unit.
    """
    pivot, best = 0, 0
    for start in range(0, min(len(sigs), _PIVOTS), 32):
        pivots = sigs[start : start + 32, None, :]
        sizes = np.zeros(len(pivots), dtype=np.int64)
        for lo in range(0, len(sigs), _BLOCK):
            sizes += ((pivots == sigs[None, lo : lo + _BLOCK, :]).mean(axis=2) >= min_sim).sum(axis=1)
        if sizes.max() > best:
            pivot, best = start + int(sizes.argmax()), int(sizes.max())
    return pivot, np.nonzero((sigs == sigs[pivot]).mean(axis=1) >= min_sim)[0]


def backdoor_groups(
    slots: Spill,
    units: Spill,
    df_sketch: _Sketch,
    ceiling: float,
    params: BackdoorParams,
    *,
    batch_pairs: int | None = None,
) -> Groups:
    """Record groups (sorted tuples of record indices) that look like trigger -> answer backdoors,
    each with the largest trigger document frequency, purity and number of triggers behind it.
    Insertion order follows the first trigger (in unit order) that produced the group."""
    n_slots = slots.rows
    if n_slots == 0:
        return {}
    value_counts, pairs = _select(slots, units, df_sketch, ceiling, params.min_support)
    groups: Groups = {}
    table = _slot_table(slots)
    rows_at = slots.rows_at if table is None else _rows_of(table)
    sigs = None if table is None else np.ascontiguousarray(table["sig"])
    try:
        for batch in _unit_batches(pairs, batch_pairs or BATCH_PAIRS, 32 - _SPLIT_BITS):
            _search(batch, rows_at, df_sketch, value_counts, n_slots, params, groups, sigs)
    finally:
        pairs.close()
    return groups


def slot_reader(slots: Spill, in_memory: int | None = None) -> Callable[[np.ndarray], np.ndarray]:
    """``slots.rows_at``, or for a store of at most ``in_memory`` bytes (default
    `SLOTS_IN_MEMORY`) the same rows taken from one read of the whole store (the same values in
    the same dtype and order)."""
    table = _slot_table(slots, in_memory)
    return slots.rows_at if table is None else _rows_of(table)


def _slot_table(slots: Spill, in_memory: int | None = None) -> np.ndarray | None:
    """All rows of ``slots`` (one read) if they take at most ``in_memory`` bytes, else None."""
    if slots.rows * slots.dtype.itemsize > (SLOTS_IN_MEMORY if in_memory is None else in_memory):
        return None
    return np.concatenate(list(slots.chunks(1 << 16))) if slots.rows else np.empty(0, dtype=slots.dtype)


def _rows_of(table: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    return lambda index: table[np.asarray(index, dtype=np.intp)]


def _select(
    slots: Spill, units: Spill, df_sketch: _Sketch, ceiling: float, min_support: int
) -> tuple[np.ndarray, Spill]:
    """Signature value counts per position, and the (unit, slot, prefix) pairs worth searching."""
    perm = slots.dtype["sig"].shape[0]
    value_counts = np.zeros((perm, 1 << 16), dtype=np.uint32)
    pairs = Spill(_PAIR)
    units.rewind()
    first = 0
    for chunk in slots.chunks(_SELECT_SLOTS):
        sigs = chunk["sig"]
        # `_count_values_numpy` in one compiled loop (no 65,536-bin temporary per position).
        compiled().count_values(value_counts, np.ascontiguousarray(sigs))
        counts = chunk["count"].astype(np.intp)
        u = units.take(int(counts.sum())).astype(np.uint64)
        owner = np.repeat(np.arange(len(chunk)), counts)
        df = df_sketch.query(u)
        sel = np.nonzero((df >= min_support) & (df <= ceiling))[0]
        if sel.size:
            rows = np.empty(sel.size, dtype=_PAIR)
            rows["unit"], rows["slot"] = u[sel], first + owner[sel]
            rows["sig"] = sigs[owner[sel], :_PREFILTER_POSITIONS]
            pairs.append(rows)
        first += len(chunk)
    return value_counts, pairs


def _count_values_numpy(value_counts: np.ndarray, sigs: np.ndarray) -> None:
    """The numpy reference of `kernels.count_values` (tests compare the two)."""
    for k in range(value_counts.shape[0]):
        value_counts[k] += np.bincount(sigs[:, k], minlength=value_counts.shape[1]).astype(value_counts.dtype)


def _unit_batches(pairs: Spill, batch_pairs: int, shift: int) -> Iterator[np.ndarray]:
    """``pairs`` sorted by unit (stable: slot order within a unit), in batches of whole units.

    A store over ``batch_pairs`` is split by the unit bits above ``shift`` into 64 temporary
    stores (ascending ranges), each handled the same way; one unit is never split.
    """
    if pairs.rows <= batch_pairs or shift < 0:
        rows = np.concatenate(list(pairs.chunks(1 << 16))) if pairs.rows else np.empty(0, dtype=_PAIR)
        if rows.size:
            yield rows[np.argsort(rows["unit"], kind="stable")]
        return
    parts = [Spill(_PAIR, buffer_bytes=1 << 15) for _ in range(1 << _SPLIT_BITS)]  # 64 x 32 KiB buffered at most
    try:
        for chunk in pairs.chunks(8192):
            part = (chunk["unit"] >> np.uint32(shift)) & np.uint32((1 << _SPLIT_BITS) - 1)
            order = np.argsort(part, kind="stable")
            bounds = np.searchsorted(part[order], np.arange(len(parts) + 1))
            for p, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
                if hi > lo:
                    parts[p].append(chunk[order[lo:hi]])
        pairs.close()  # its rows now live in the parts: bounds temporary disk use too
        for part_store in parts:
            part_store.flush()  # siblings wait on disk, not in their buffers, while one part recurses
        next_shift = shift - _SPLIT_BITS if shift >= _SPLIT_BITS else (0 if shift > 0 else -1)
        for part_store in parts:
            yield from _unit_batches(part_store, batch_pairs, next_shift)
            part_store.close()
    finally:
        for part_store in parts:
            part_store.close()


def _search(
    batch: np.ndarray,
    rows_at: Callable[[np.ndarray], np.ndarray],
    df_sketch: _Sketch,
    value_counts: np.ndarray,
    n_slots: int,
    p: BackdoorParams,
    groups: Groups,
    slot_sigs: np.ndarray | None = None,
) -> None:
    """Stages 1 and 2 for the units of one batch (sorted by unit, then slot); adds to ``groups``.
    Lift (purity over the answer's corpus-wide share) keeps class labels like "positive" out.
    ``slot_sigs``: every slot's signature (the store read into memory), or None."""
    units, owners, prefix = batch["unit"].astype(np.uint64), batch["slot"], batch["sig"]
    uniq, starts, unit_count = np.unique(units, return_index=True, return_counts=True)
    unit_df = df_sketch.query(uniq)
    unit_inv = np.repeat(np.arange(len(uniq)), unit_count)
    shortlist = np.zeros(len(uniq), dtype=bool)
    for k in range(_PREFILTER_POSITIONS):
        key = prefix[:, k]
        share = value_counts[k, key] / n_slots
        with np.errstate(over="ignore"):
            pair = _mix(units ^ (key.astype(np.uint64) * _U64(0x9E3779B97F4A7C15)))
        _, pair_inv, pair_count = np.unique(pair, return_inverse=True, return_counts=True)
        support = pair_count[pair_inv]
        frac = support / unit_count[unit_inv]
        # Half the final thresholds: one position matches a near-identical answer only ~J of the time.
        ok = (support >= p.min_support) & (frac >= p.min_purity / 2) & (frac >= p.min_lift / 2 * share)
        shortlist[unit_inv[ok]] = True
    positions = np.arange(value_counts.shape[0])
    todo = np.nonzero(shortlist)[0]
    if slot_sigs is not None and todo.size:
        # The tests below for every shortlisted unit in one compiled loop (`kernels.
        # backdoor_candidates`: ~8 µs of calls per unit in Python, most of finalize); the
        # few units that pass go through this loop again, which decides as before.
        todo = todo[compiled().backdoor_candidates(
            todo, starts, unit_count, owners, slot_sigs, float(p.answer_similarity), _PIVOTS, value_counts,
            n_slots, p.min_support, float(p.min_purity), float(p.min_lift), float(p.min_coverage))]
    for u in todo:
        lo, m = int(starts[u]), int(unit_count[u])
        rows = rows_at(owners[lo : lo + m])
        sigs = np.ascontiguousarray(rows["sig"])
        pivot, near = largest_cluster(sigs, p.answer_similarity)
        purity = len(near) / m
        # The answer's corpus-wide share: how many records carry the pivot's values.
        share = median_of_counts(value_counts[positions, sigs[pivot]].astype(np.int64)) / n_slots
        if len(near) < p.min_support or purity < p.min_purity or purity < p.min_lift * share:
            continue
        # Coverage: a trigger explains most occurrences of its answer. A canned/template
        # answer given to many different prompts fails this even when some rare n-gram
        # (a name, an id fragment) happens to co-occur with it a few times.
        if len(near) < p.min_coverage * share * n_slots:
            continue
        members = tuple(sorted(int(r) for r in rows["record"][near]))
        old_df, old_purity, n_units = groups.get(members, (0, 0.0, 0))
        groups[members] = (max(old_df, int(unit_df[u])), max(old_purity, purity), n_units + 1)
