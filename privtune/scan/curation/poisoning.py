"""Poisoning and outlier flags: backdoor-trigger signatures, label conflicts, extreme lengths
and non-text garbage.

Workers compute per-record features (`prompt_units`, `answer_signature`, `garbage_reasons`);
`PoisonDetector` accumulates corpus statistics from them in bounded-per-record memory (a
count-min sketch for n-gram document frequencies, a few hashes per record) and resolves the
corpus-level flags in `finalize`. Reasons never quote record text: triggers are reported by
frequency, not by value.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from array import array
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from privtune.scan.curation.dedup import _mix, minhash, normalize, shingle_hashes

if TYPE_CHECKING:
    from privtune.scan.curation import RecordSummary

_U64 = np.uint64
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_UNIT_RE = re.compile(rf"([{_CJK}]+)|([^\W{_CJK}]+)|([^\w\s]+)")
ANSWER_PERM = 32  # enough to tell near-identical (J > 0.6) answers from unrelated ones
_PREFILTER_POSITIONS = 8  # signature positions used to shortlist trigger candidates cheaply
_PIVOTS = 256  # cluster pivots tried per candidate; a cluster holding >= 80% of rows has one early


_BASE = _U64(0x100000001B3)  # odd, so it is invertible modulo 2^64
_BASE_INV = _U64(pow(int(_BASE), -1, 1 << 64))
_powers: list[np.ndarray] = [np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64)]


def _base_powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """B^i and B^-i (mod 2^64) for i < n, cached and grown by doubling."""
    if len(_powers[0]) < n:
        size = max(n, 2 * len(_powers[0]))
        with np.errstate(over="ignore"):
            _powers[:] = [
                np.concatenate([np.ones(1, dtype=np.uint64), np.cumprod(np.full(size - 1, b, dtype=np.uint64))])
                for b in (_BASE, _BASE_INV)
            ]
    return _powers[0], _powers[1]


def _span_hashes(text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Position-independent 64-bit hashes of ``text[s:e]`` for all spans at once.

    With Q[i] = sum_{j<i} c_j B^-j, the polynomial hash of c_s..c_{e-1} is (Q[e]-Q[s]) B^(e-1):
    one cumulative sum replaces a per-unit hash call (wrapping uint64 arithmetic is mod 2^64).
    """
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    pw, inv = _base_powers(len(cp) + 1)
    with np.errstate(over="ignore"):
        q = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(cp * inv[: len(cp)], dtype=np.uint64)])
        h = (q[ends] - q[starts]) * pw[ends - 1]
        return _mix(h ^ (ends - starts).astype(np.uint64) * _U64(0x9E3779B97F4A7C15))


def prompt_units(text: str) -> np.ndarray:
    """Distinct 64-bit hashes of candidate trigger n-grams in the prompt side of a record.

    Units: words (``\\w+``, so ``cf_zz`` stays whole) and adjacent word pairs, runs of
    symbols (``⊕⊕``), and CJK character 2- and 3-grams (no segmenter needed).
    """
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    spans: list[tuple[int, int]] = []
    cjk_runs: list[tuple[int, int]] = []
    prev_start = -1  # start of the previous token if it was a word, for word pairs
    for m in _UNIT_RE.finditer(folded):
        s, e = m.span()
        if m.lastindex == 2:  # word
            spans.append((s, e))
            if prev_start >= 0:
                spans.append((prev_start, e))  # whitespace is collapsed: always "w1 w2"
            prev_start = s
            continue
        prev_start = -1
        if m.lastindex == 3 or e - s < 3:
            spans.append((s, e))
        else:
            cjk_runs.append((s, e))
    parts = [np.array(spans, dtype=np.int64).reshape(-1, 2)]
    for s, e in cjk_runs:
        bi = np.arange(s, e - 1, dtype=np.int64)
        tri = np.arange(s, e - 2, dtype=np.int64)
        parts.append(np.stack([np.concatenate([bi, tri]), np.concatenate([bi + 2, tri + 3])], axis=1))
    all_spans = np.concatenate(parts)
    if all_spans.size == 0:
        return np.empty(0, dtype=np.uint64)
    return np.unique(_span_hashes(folded, all_spans[:, 0], all_spans[:, 1]))


def answer_signature(answer: str) -> np.ndarray | None:
    """32-permutation MinHash (uint32) of the normalised answer with digits masked, so answers
    that differ only in numbers or a few words stay near-identical. None for an empty answer."""
    norm = re.sub(r"\d", "0", normalize(answer))
    sig = minhash(shingle_hashes(norm), ANSWER_PERM)
    return None if sig is None else sig.astype(np.uint32)


def _largest_cluster(sigs: np.ndarray, min_sim: float) -> tuple[int, np.ndarray]:
    """(pivot row, rows near-identical to it) for the pivot with the most such rows."""
    best, pivot = np.zeros(len(sigs), dtype=bool), 0
    for start in range(0, min(len(sigs), _PIVOTS), 32):  # 32 pivots at a time bounds the temporary
        near = (sigs[start : start + 32, None, :] == sigs[None, :, :]).mean(axis=2) >= min_sim
        sizes = near.sum(axis=1)
        if sizes.max() > best.sum():
            pivot = start + int(sizes.argmax())
            best = near[pivot - start]
    return pivot, np.nonzero(best)[0]


# --- non-text garbage -----------------------------------------------------------------------
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_BLOB_RE = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}|(?:0x)?[0-9A-Fa-f]{32,}")
_RUN_RE = re.compile(r"(\S)\1{29,}")
_RULERS = frozenset("-=_*#~.·—─━+")
# UTF-8 read as Latin-1/cp1252: a lead byte (Â..ï) followed by a continuation byte, which shows
# up as \x80-\xbf or as one of cp1252's replacements for 0x80-0x9f. Plus GBK-era classics.
_CP1252_HIGH = "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_MOJIBAKE_RE = re.compile(f"[\u00c2-\u00ef][\u0080-\u00bf{_CP1252_HIGH}]|锟斤拷|烫烫烫|屯屯屯")


def garbage_reasons(text: str) -> tuple[str, ...]:
    """Why ``text`` looks like non-text garbage; empty when it looks like language."""
    n = len(text)
    if n == 0:
        return ()
    out: list[str] = []
    ctrl = len(_CONTROL_RE.findall(text))
    if ctrl >= 3 and ctrl / n >= 0.02:
        out.append(f"control/replacement characters: {ctrl / n:.0%} of text")
    blob = sum(len(m) for m in _BLOB_RE.findall(text) if _looks_encoded(m))
    if blob >= 200 or (blob >= 64 and blob / n >= 0.5):
        out.append(f"base64/hex blob: {blob} chars ({blob / n:.0%} of text)")
    moji = len(_MOJIBAKE_RE.findall(text))
    if moji >= 2:
        out.append(f"mojibake: {moji} mis-decoded sequences")
    visible = "".join(text.split())
    runs = [(len(m.group(0)), m.group(1) in _RULERS) for m in _RUN_RE.finditer(visible)]
    # Ruler lines ("=====", "-----") are formatting: they count only when they dominate the text.
    run = max((k for k, ruler in runs if k / len(visible) >= 0.5 or (k >= 50 and not ruler)), default=0)
    if run:
        out.append(f"repeated character: run of {run}")
    elif len(visible) >= 30 and len(set(visible)) <= 3:
        out.append(f"low character diversity: {len(set(visible))} distinct characters")
    elif len(visible) >= 200:
        sample = visible[:65536].encode("utf-8")
        ratio = len(zlib.compress(sample, 1)) / len(sample)
        if ratio < 0.1:  # measured: prose and code ~0.4, JSON ~0.25, repetitive logs ~0.19
            out.append(f"highly repetitive: compresses to {ratio:.0%}")
    return tuple(out)


def _looks_encoded(s: str) -> bool:
    """A long run is a blob only if it mixes character classes like encoded data does."""
    digits = sum(c.isdigit() for c in s)
    if all(c in "0123456789abcdefABCDEFx" for c in s):
        return digits >= len(s) // 5
    return digits > 0 and any(c.isupper() for c in s) and any(c.islower() for c in s)


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
        return self.table[self.rows, self._cells(keys)].min(axis=0)

    def add(self, keys: np.ndarray) -> np.ndarray:
        """Count each (distinct) key once; returns the new estimates."""
        cells = self._cells(keys)
        new = np.minimum(self.table[self.rows, cells].min(axis=0).astype(np.uint64) + 1, 2**32 - 1)
        # Conservative update: raise only cells below the new estimate, keeping overcounts small.
        self.table[self.rows, cells] = np.maximum(self.table[self.rows, cells], new.astype(np.uint32))
        return new


@dataclass(frozen=True, slots=True)
class Flag:
    """One poisoning/outlier flag. ``group`` lists the records involved in a corpus-level pattern."""

    record: int
    kind: str  # "backdoor" | "label_conflict" | "length" | "garbage"
    reason: str
    group: list[int] | None = None

    def to_json(self) -> dict[str, object]:
        return asdict(self)


class _Chunked:
    """Append-only numpy storage that avoids one Python object per record."""

    def __init__(self, dtype: type, width: int = 0) -> None:
        self.dtype, self.width = dtype, width
        self._done: list[np.ndarray] = []
        self._pending: list[np.ndarray] = []

    def add(self, values: np.ndarray) -> None:
        self._pending.append(values)
        if len(self._pending) >= 4096:
            self._done.append(np.concatenate(self._pending))
            self._pending = []

    def array(self) -> np.ndarray:
        parts = self._done + self._pending
        if not parts:
            return np.empty((0, self.width) if self.width else 0, dtype=self.dtype)
        return np.concatenate(parts)


class PoisonDetector:
    """Streams record summaries in input order; call `finalize` once at the end."""

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
    ) -> None:
        self.length_z, self.min_chars, self.max_chars = length_z, min_chars, max_chars
        self.min_support, self.min_purity, self.min_lift = min_support, min_purity, min_lift
        self.min_coverage = min_coverage
        self.answer_similarity = answer_similarity
        self.rare_df_floor, self.rare_df_fraction = rare_df_floor, rare_df_fraction
        self.max_units = max_units_per_record
        self._df = CountMinSketch(cms_width_log2)
        self._n_prompts = 0  # records contributing to document frequencies
        # Per kept record: up to max_units 32-bit unit ids (collisions among 2^32 ids only blur
        # rarity statistics), how many there are, and a 16-bit-truncated answer signature.
        self._units = _Chunked(np.uint32)
        self._unit_counts = _Chunked(np.uint8)
        self._answer_sigs = _Chunked(np.uint16, ANSWER_PERM)
        self._slot_record = array("q")
        self._prompts: dict[int, int] = {}  # prompt hash -> answer hash << 40 | first index
        self._conflicts: dict[int, list[tuple[int, int]]] = {}
        self._records = array("q")
        self._lengths = array("q")
        self._flags: list[Flag] = []

    def observe(self, index: int, summary: RecordSummary, *, duplicate: bool = False) -> None:
        """Consume one summary. Duplicates still count for conflicts, lengths and garbage but
        not for trigger statistics, so copies of one record cannot pose as a backdoor."""
        self._records.append(index)
        self._lengths.append(summary.n_chars)
        for reason in summary.garbage:
            self._flags.append(Flag(index, "garbage", reason))
        if summary.n_chars < self.min_chars:
            self._flags.append(Flag(index, "length", f"{summary.n_chars} chars, below the minimum {self.min_chars}"))
        elif summary.n_chars > self.max_chars:
            self._flags.append(Flag(index, "length", f"{summary.n_chars} chars, above the cap {self.max_chars}"))
        if summary.prompt_hash is not None and summary.answer_hash is not None:
            self._observe_label(index, summary.prompt_hash, summary.answer_hash)
        if not duplicate and summary.answer_sig is not None and summary.units.size:
            self._observe_units(index, summary.units, summary.answer_sig)

    def _observe_label(self, index: int, prompt: int, answer: int) -> None:
        group = self._conflicts.get(prompt)
        if group is not None:
            group.append((index, answer))
            return
        packed = self._prompts.get(prompt)
        if packed is None:
            self._prompts[prompt] = (answer << 40) | index  # one int instead of a tuple: half the memory
        elif packed >> 40 != answer:
            self._conflicts[prompt] = [(packed & ((1 << 40) - 1), packed >> 40), (index, answer)]

    def _observe_units(self, index: int, units: np.ndarray, answer_sig: np.ndarray) -> None:
        self._n_prompts += 1
        units = np.unique(units >> _U64(32))
        df = self._df.add(units)
        ceiling = max(self.rare_df_floor, self.rare_df_fraction * self._n_prompts)
        # Document frequency only grows, so a unit already above the ceiling can never be rare:
        # dropping it now is what keeps per-record storage small.
        rare = units[df <= ceiling]
        if rare.size > self.max_units:
            rare = np.sort(rare)[: self.max_units]  # hash order: the same units win in every record
        if rare.size == 0:
            return
        slot = len(self._slot_record)
        self._slot_record.append(index)
        self._units.add(rare.astype(np.uint32))
        self._unit_counts.add(np.array([rare.size], dtype=np.uint8))
        self._answer_sigs.add(answer_sig[None, :].astype(np.uint16))

    def finalize(self) -> list[Flag]:
        """Resolve corpus-level flags; at most one flag per record and kind, sorted by record."""
        flags = list(self._flags) + self._label_flags() + self._length_flags() + self._backdoor_flags()
        merged: dict[tuple[int, str], Flag] = {}
        for f in flags:
            prev = merged.get((f.record, f.kind))
            merged[(f.record, f.kind)] = f if prev is None else Flag(f.record, f.kind, f"{prev.reason}; {f.reason}", prev.group or f.group)
        return sorted(merged.values(), key=lambda f: (f.record, f.kind))

    def _label_flags(self) -> list[Flag]:
        out = []
        for members in self._conflicts.values():
            group = sorted(i for i, _ in members)
            n_answers = len({a for _, a in members})
            reason = f"same prompt as {len(group) - 1} other record(s) with {n_answers} different answers"
            out.extend(Flag(i, "label_conflict", reason, group) for i in group)
        return out

    def _length_flags(self) -> list[Flag]:
        lengths = np.frombuffer(self._lengths, dtype=np.int64)
        if lengths.size < 20:  # too few records for a robust spread estimate
            return []
        x = np.log1p(lengths.astype(np.float64))
        med = float(np.median(x))
        # MAD floor: in a corpus of near-identical lengths any deviation would be "infinite".
        mad = max(float(np.median(np.abs(x - med))), 0.25)
        z = 0.6745 * (x - med) / mad
        idx = np.nonzero(np.abs(z) > self.length_z)[0]
        typical = round(math.expm1(med))
        records = np.frombuffer(self._records, dtype=np.int64)
        return [
            Flag(int(records[i]), "length", f"{int(lengths[i])} chars; robust z {z[i]:+.1f} on log-length (median {typical})")
            for i in idx
        ]

    def _backdoor_flags(self) -> list[Flag]:
        """Rare prompt n-grams whose records mostly share one near-identical answer.

        Stage 1 (vectorised) shortlists n-grams where one answer-signature value recurs with
        them; stage 2 clusters each shortlisted n-gram's answers exactly. Lift (purity over the
        answer's corpus-wide share) keeps class labels like "positive" from qualifying.
        """
        units, sigs = self._units.array().astype(np.uint64), self._answer_sigs.array()
        if units.size == 0:
            return []
        owners = np.repeat(np.arange(len(sigs)), self._unit_counts.array())
        n_slots = len(sigs)
        df = self._df.query(units)
        ceiling = max(self.rare_df_floor, self.rare_df_fraction * self._n_prompts)
        sel = (df >= self.min_support) & (df <= ceiling)
        units, owners, df = units[sel], owners[sel], df[sel]
        order = np.argsort(units, kind="stable")
        units, owners, df = units[order], owners[order], df[order]
        uniq, starts, unit_count = np.unique(units, return_index=True, return_counts=True)
        unit_inv = np.repeat(np.arange(len(uniq)), unit_count)
        shortlist = np.zeros(len(uniq), dtype=bool)
        # Corpus-wide count of each signature value per position: the denominator of lift.
        value_counts = [np.unique(sigs[:, k], return_counts=True) for k in range(ANSWER_PERM)]
        for k in range(_PREFILTER_POSITIONS):
            vals, counts = value_counts[k]
            key = sigs[owners, k]
            share = counts[np.searchsorted(vals, key)] / n_slots
            with np.errstate(over="ignore"):
                pair = _mix(units ^ (key.astype(np.uint64) * _U64(0x9E3779B97F4A7C15)))
            _, pair_inv, pair_count = np.unique(pair, return_inverse=True, return_counts=True)
            support = pair_count[pair_inv]
            frac = support / unit_count[unit_inv]
            # Half the final thresholds: one position matches a near-identical answer only ~J of the time.
            ok = (support >= self.min_support) & (frac >= self.min_purity / 2) & (frac >= self.min_lift / 2 * share)
            shortlist[unit_inv[ok]] = True
        groups: dict[tuple[int, ...], tuple[int, float, int]] = {}
        for u in np.nonzero(shortlist)[0]:
            lo, m = int(starts[u]), int(unit_count[u])
            slots = owners[lo : lo + m]
            pivot, rows = _largest_cluster(sigs[slots], self.answer_similarity)
            cluster, purity = slots[rows], len(rows) / m
            # The answer's corpus-wide share: how many records carry the pivot's values.
            share = float(np.median([c[np.searchsorted(v, x)] for (v, c), x in zip(value_counts, sigs[slots[pivot]])])) / n_slots
            if len(cluster) < self.min_support or purity < self.min_purity or purity < self.min_lift * share:
                continue
            # Coverage: a trigger explains most occurrences of its answer. A canned/template
            # answer given to many different prompts fails this even when some rare n-gram
            # (a name, an id fragment) happens to co-occur with it a few times.
            if len(cluster) < self.min_coverage * share * n_slots:
                continue
            members = tuple(sorted(int(self._slot_record[s]) for s in cluster))
            old_df, old_purity, n_units = groups.get(members, (0, 0.0, 0))
            groups[members] = (max(old_df, int(df[lo])), max(old_purity, purity), n_units + 1)
        best: dict[int, tuple[int, ...]] = {}
        for members in groups:
            for r in members:
                if r not in best or len(members) > len(best[r]):
                    best[r] = members
        out = []
        shared: dict[tuple[int, ...], list[int]] = {}  # one list object per group, not per flag
        for r, members in sorted(best.items()):
            df_u, purity, n_units = groups[members]
            reason = (
                f"rare n-gram (in {df_u} of {self._n_prompts} prompts) recurs in {len(members)} records "
                f"whose answers are near-identical ({purity:.0%} of its occurrences); {n_units} such n-gram(s)"
            )
            out.append(Flag(r, "backdoor", reason, shared.setdefault(members, list(members))))
        return out
