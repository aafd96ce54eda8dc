"""Poisoning and outlier flags: backdoor-trigger signatures, label conflicts, extreme lengths
and non-text garbage.

Workers compute per-record features (`prompt_units`, `answer_signature`, and `garbage_reasons`
from `garbage`);
`PoisonDetector` accumulates corpus statistics from them in flat memory and resolves the
corpus-level flags in `finalize`. In RAM: a fixed-size count-min sketch of n-gram document
frequencies and small write buffers. On disk (anonymous temporary files, see `store`): each
record's length, trigger data (`backdoor`), prompt -> answer hashes and the flags themselves
(`flags`). Reasons never quote record text: triggers are reported by frequency, not by value.
"""

from __future__ import annotations

import math
import re
import struct
from typing import TYPE_CHECKING

import numpy as np

from privtune.scan.curation.backdoor import BackdoorParams, backdoor_groups, slot_dtype
from privtune.scan.curation.dedup import _signed, compiled, normalize, text_minhash
from privtune.scan.curation.flags import Flag, FlagStore, FlagSummary
from privtune.scan.curation.garbage import garbage_reasons
from privtune.scan.curation.store import Spill, temp_db
from privtune.scan.curation.units import (  # noqa: F401 - re-exported: the names' old home
    _CJK,
    _UNIT_RE,
    _prompt_units_numpy,
    _prompt_units_regex,
    _span_hashes,
    _unit_spans,
    fold_units_text,
    prompt_units,
    prompt_units_folded,
)

if TYPE_CHECKING:
    from privtune.scan.curation import RecordSummary

__all__ = ["ANSWER_PERM", "CountMinSketch", "Flag", "PoisonDetector", "answer_signature", "answer_signature_of_normalized",
           "garbage_reasons",
           "prompt_units"]

_U64 = np.uint64
ANSWER_PERM = 32  # enough to tell near-identical (J > 0.6) answers from unrelated ones
_LENGTH = np.dtype([("record", "<i8"), ("n", "<i8")])
_LENGTH_ROW = struct.Struct("<qq")
_SLOT_HEAD = struct.Struct("<qB")  # record, unit count; the answer signature follows (see slot_dtype)


def answer_signature(answer: str) -> np.ndarray | None:
    """32-permutation MinHash (uint32) of the normalised answer with digits masked, so answers
    that differ only in numbers or a few words stay near-identical. None for an empty answer."""
    return answer_signature_of_normalized(normalize(answer))


_DIGIT_RE = re.compile(r"\d")
# `_DIGIT_RE.sub("0", text)` without one substitution per digit (~0.1 µs each, ~50 digits in an
# answer with a phone and an order number): on ASCII text ``\d`` is 0-9 (one bytes.translate,
# a C loop; str.translate looks each character up), on other text each run of digits becomes
# as many zeros.
_ASCII_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_DIGIT_RUNS = re.compile(r"\d+")


def _zeros(m: re.Match[str]) -> str:
    return "0" * (m.end() - m.start())


def digits_masked(text: str) -> str:
    """``text`` with every decimal digit (any script, as ``\\d``) replaced by "0"."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_DIGITS_TO_ZERO).decode("ascii")
    return _DIGIT_RUNS.sub(_zeros, text)


def answer_signature_of_normalized(normalized: str) -> np.ndarray | None:
    """`answer_signature` of a text already passed through `normalize` (the scan has each
    field's normalised form at hand: `normalize` of fields joined by a newline equals their
    non-empty normalised forms joined by a space)."""
    sig = text_minhash(digits_masked(normalized), num_perm=ANSWER_PERM)
    return None if sig is None else sig.astype(np.uint32)


# --- corpus statistics ----------------------------------------------------------------------
class CountMinSketch:
    """Count-min sketch with conservative update over 64-bit keys (counts saturate at 2^32-1)."""

    def __init__(self, width_log2: int = 21, depth: int = 4) -> None:
        self.shift = _U64(64 - width_log2)
        rng = np.random.Generator(np.random.PCG64(0xC0FFEE))
        self.mult = ((rng.integers(0, 2**63, depth, dtype=np.uint64) << _U64(1)) | _U64(1))[:, None]
        self.table = np.zeros((depth, 1 << width_log2), dtype=np.uint32)
        self.rows = np.arange(depth)[:, None]

    def _cells(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((keys[None, :] * self.mult) >> self.shift).astype(np.intp)

    def query(self, keys: np.ndarray) -> np.ndarray:
        """Each (uint64) key's estimate: compiled `kernels.cms_query`, the same values and dtype
        as `query_numpy` without its (depth x keys) temporaries (~1 ms per 25,000 keys)."""
        return compiled().cms_query(self.table, self.mult[:, 0], self.shift, np.ascontiguousarray(keys, dtype=np.uint64))

    def query_numpy(self, keys: np.ndarray) -> np.ndarray:
        """The numpy reference of `query` (tests compare the two)."""
        return self.table[self.rows, self._cells(keys)].min(axis=0)

    def add(self, keys: np.ndarray) -> np.ndarray:
        """Count each (distinct) key once; returns the new estimates (compiled `kernels.cms_add`,
        the same table and estimates as `add_numpy`, without its ~10 temporary arrays)."""
        return compiled().cms_add(self.table, self.mult[:, 0], self.shift, np.ascontiguousarray(keys, dtype=np.uint64))

    def add_numpy(self, keys: np.ndarray) -> np.ndarray:
        """The numpy reference of `add` (tests compare the two)."""
        cells = self._cells(keys)
        new = np.minimum(self.table[self.rows, cells].min(axis=0).astype(np.uint64) + 1, 2**32 - 1)
        # Conservative update: raise only cells below the new estimate, keeping overcounts small.
        self.table[self.rows, cells] = np.maximum(self.table[self.rows, cells], new.astype(np.uint32))
        return new


def _weighted_median(values: np.ndarray, counts: np.ndarray) -> float:
    """``np.median`` of the multiset holding ``counts[i]`` copies of ``values[i]`` (``values``
    sorted ascending), computed the way numpy does: the middle value, or the mean of the two."""
    cum = np.cumsum(counts)
    n = int(cum[-1])
    at = lambda k: values[int(np.searchsorted(cum, k, side="right"))]  # noqa: E731 - value of rank k
    middle = [at(n // 2)] if n % 2 else [at(n // 2 - 1), at(n // 2)]
    return float(np.mean(np.array(middle, dtype=np.float64)))


class PoisonDetector:
    """Streams record summaries in input order; call `finalize` once at the end, then `close`.

    Memory is flat in the number of records: besides the count-min sketch (``cms_width_log2``;
    4 x 2^21 cells = 32 MiB by default) it holds write buffers and a SQLite page cache of at
    most ``cache_kib`` KiB. `finalize` adds bounded temporaries (a 32 x 65536 table of
    signature-value counts, trigger candidates ``batch_pairs`` at a time, a histogram of
    distinct record lengths).
    """

    def __init__(
        self,
        *,
        length_z: float = 5.0,
        min_chars: int = 1,
        max_chars: int = 200_000,
        min_support: int = 4,
        min_purity: float = 0.8,
        min_lift: float = 5.0,
        min_coverage: float = 0.5,
        answer_similarity: float = 0.6,
        rare_df_floor: int = 8,
        rare_df_fraction: float = 0.01,
        max_units_per_record: int = 64,
        cms_width_log2: int = 21,
        cache_kib: int = 1024,
        batch_pairs: int | None = None,
    ) -> None:
        self.length_z, self.min_chars, self.max_chars = length_z, min_chars, max_chars
        self.rare_df_floor, self.rare_df_fraction = rare_df_floor, rare_df_fraction
        self.max_units = max_units_per_record
        self._params = BackdoorParams(min_support, min_purity, min_lift, min_coverage, answer_similarity)
        self._batch_pairs = batch_pairs
        self._df = CountMinSketch(cms_width_log2)
        self._n_prompts = 0  # records contributing to document frequencies
        self._lengths = Spill(_LENGTH)  # (record, n_chars) of every observed record
        # Per kept record: up to max_units 32-bit unit ids (collisions among 2^32 ids only blur
        # rarity statistics) and one slot row: record, unit count, 16-bit-truncated answer signature.
        self._units = Spill(np.uint32)
        self._slots = Spill(slot_dtype(ANSWER_PERM))
        self._db = temp_db(cache_kib)
        # First record and answer per prompt hash; gid > 0 once the prompt has conflicting answers.
        self._db.execute("CREATE TABLE prompt (h INTEGER PRIMARY KEY, answer INTEGER NOT NULL, "
                         "record INTEGER NOT NULL, gid INTEGER NOT NULL)")
        self._flags = FlagStore(self._db)
        self._pending = 0
        self._finalized = False

    def observe(self, index: int, summary: RecordSummary, *, duplicate: bool = False) -> None:
        """Consume one summary. Duplicates still count for conflicts, lengths and garbage but
        not for trigger statistics, so copies of one record cannot pose as a backdoor."""
        if self._finalized:
            raise RuntimeError("observe() after finalize()")
        self._lengths.append(_LENGTH_ROW.pack(index, summary.n_chars))
        for reason in summary.garbage:
            self._flags.add(index, "garbage", reason)
        if summary.n_chars < self.min_chars:
            self._flags.add(index, "length", f"{summary.n_chars} chars, below the minimum {self.min_chars}")
        elif summary.n_chars > self.max_chars:
            self._flags.add(index, "length", f"{summary.n_chars} chars, above the cap {self.max_chars}")
        if summary.prompt_hash is not None and summary.answer_hash is not None:
            self._observe_label(index, _signed(summary.prompt_hash), _signed(summary.answer_hash))
        if not duplicate and summary.answer_sig is not None and summary.units.size:
            self._observe_units(index, summary.units, summary.answer_sig)
        self._pending += 1
        if self._pending >= 20_000:  # bounded transaction; journaling is off anyway
            self._db.execute("COMMIT")
            self._db.execute("BEGIN")
            self._pending = 0

    def _observe_label(self, index: int, prompt: int, answer: int) -> None:
        """A prompt's group starts at the first answer that differs from its first record's;
        from then on every record with that prompt joins it (hashes are signed 64-bit)."""
        db = self._db
        if db.execute("INSERT OR IGNORE INTO prompt VALUES (?, ?, ?, 0)", (prompt, answer, index)).rowcount:
            return  # the first record with this prompt
        row = db.execute("SELECT answer, record, gid FROM prompt WHERE h = ?", (prompt,)).fetchone()
        first_answer, first, gid = row
        if gid:
            self._flags.add_members(gid, [(index, answer)])
        elif first_answer != answer:
            gid = self._flags.new_group([(first, first_answer), (index, answer)])
            db.execute("UPDATE prompt SET gid = ? WHERE h = ?", (gid, prompt))

    def _observe_units(self, index: int, units: np.ndarray, answer_sig: np.ndarray) -> None:
        self._n_prompts += 1
        ceiling = max(self.rare_df_floor, self.rare_df_fraction * self._n_prompts)
        # Document frequency only grows, so a unit already above the ceiling can never be rare:
        # dropping it now is what keeps per-record storage small. The lowest max_units ids are
        # kept (hash order: the same units win in every record). One compiled call
        # (`kernels.rare_units`) does what `_rare_units_numpy` does in ~10 numpy calls.
        df = self._df
        rare = compiled().rare_units(np.ascontiguousarray(units, dtype=np.uint64), df.table, df.mult[:, 0], df.shift,
                                     float(ceiling), self.max_units)
        if rare.size == 0:
            return
        self._units.append(rare)
        self._slots.append(_SLOT_HEAD.pack(index, rare.size) + answer_sig.astype("<u2").tobytes())

    def _rare_units_numpy(self, units: np.ndarray, ceiling: float) -> np.ndarray:
        """The numpy reference of `kernels.rare_units` (tests compare the two); updates the sketch."""
        units = compiled().unique_sorted(units >> _U64(32))
        df = self._df.add_numpy(units)
        rare = units[df <= ceiling]
        if rare.size > self.max_units:
            rare = np.sort(rare)[: self.max_units]
        return rare.astype(np.uint32)

    def finalize(self, limit: int | None = None, group_limit: int | None = None) -> FlagSummary:
        """Resolve corpus-level flags: at most one per record and kind, sorted by record then
        kind. The summary lists the first ``limit`` (all when None), each group cut to its
        first ``group_limit`` records, and counts all of them. Call once, then `close`."""
        if self._finalized:
            raise RuntimeError("finalize() called twice")
        self._finalized = True
        self._flags.flag_conflict_groups()  # before backdoor groups join the group table
        self._length_flags()
        self._backdoor_flags()
        return self._flags.summary(limit, group_limit)

    def close(self) -> None:
        """Free the temporary files and database. Idempotent."""
        for spill in (self._lengths, self._units, self._slots):
            spill.close()
        self._db.close()

    def _length_histogram(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct record lengths (ascending) and how many records have each."""
        values, counts = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        for chunk in self._lengths.chunks(1 << 16):
            v, c = np.unique(chunk["n"], return_counts=True)
            values, inv = np.unique(np.concatenate([values, v]), return_inverse=True)
            merged = np.zeros(len(values), dtype=np.int64)
            np.add.at(merged, inv, np.concatenate([counts, c]))
            counts = merged
        return values, counts

    def _length_flags(self) -> None:
        """Robust z-score on log-length (median and MAD over all records, from the histogram)."""
        if self._lengths.rows < 20:  # too few records for a robust spread estimate
            return
        values, counts = self._length_histogram()
        x = np.log1p(values.astype(np.float64))
        med = _weighted_median(x, counts)
        dev = np.abs(x - med)
        order = np.argsort(dev, kind="stable")
        # MAD floor: in a corpus of near-identical lengths any deviation would be "infinite".
        mad = max(_weighted_median(dev[order], counts[order]), 0.25)
        z = 0.6745 * (x - med) / mad
        out = np.nonzero(np.abs(z) > self.length_z)[0]
        if out.size == 0:
            return
        typical = round(math.expm1(med))
        reasons = {int(values[i]): f"{int(values[i])} chars; robust z {z[i]:+.1f} on log-length (median {typical})"
                   for i in out}
        flagged = values[out]
        for chunk in self._lengths.chunks(1 << 16):
            hit = np.nonzero(np.isin(chunk["n"], flagged))[0]
            self._flags.add_many([(int(r), "length", reasons[int(n)], None)
                                  for r, n in zip(chunk["record"][hit], chunk["n"][hit])])

    def _backdoor_flags(self) -> None:
        """One flag per record in a backdoor group (its largest group when several qualify)."""
        ceiling = max(self.rare_df_floor, self.rare_df_fraction * self._n_prompts)
        groups = backdoor_groups(self._slots, self._units, self._df, ceiling, self._params,
                                 batch_pairs=self._batch_pairs)
        best: dict[int, tuple[int, ...]] = {}
        for members in groups:
            for r in members:
                if r not in best or len(members) > len(best[r]):
                    best[r] = members
        gids: dict[tuple[int, ...], int] = {}
        rows = []
        for r, members in sorted(best.items()):
            df_u, purity, n_units = groups[members]
            reason = (
                f"rare n-gram (in {df_u} of {self._n_prompts} prompts) recurs in {len(members)} records "
                f"whose answers are near-identical ({purity:.0%} of its occurrences); {n_units} such n-gram(s)"
            )
            if members not in gids:
                gids[members] = self._flags.new_group([(m, None) for m in members])
            rows.append((r, "backdoor", reason, gids[members]))
        self._flags.add_many(rows)
