"""Exact and near-duplicate detection over whole records, in one streaming pass.

Per-record work (`normalize`, `exact_hash`, `minhash`) is pure and runs in scan workers; the
`Deduplicator` lives in the main process and sees only 64-bit hashes and MinHash signatures.

MinHash here is our own vectorised implementation rather than datasketch's: hashing each
shingle with SHA-1 in Python made datasketch ~5x slower per record (measured 280 µs vs 50 µs
on 300-char records), and its `MinHashLSH` held ~4.1 KB per record in RAM; the band index below lives in a temporary
SQLite database whose in-memory page cache is bounded, so RAM does not grow per record. Permutations are multiply-shift hashes ``(a*x + b) mod 2^64 >> 32`` with odd ``a`` over
premixed 64-bit shingle hashes, so signature values fit in 32 bits.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Literal

import numpy as np

from privtune.scan.curation.store import temp_db

if TYPE_CHECKING:
    from privtune.scan.curation import RecordSummary

DEFAULT_NUM_PERM = 128
DEFAULT_SHINGLE = 4
DEFAULT_THRESHOLD = 0.85
FIELD_SEP = "\x1f"  # cannot survive normalisation inside a field, so it marks field boundaries

_U64 = np.uint64
# Fixed seed: signatures computed in different worker processes must be comparable.
_RNG = np.random.Generator(np.random.PCG64(0x5EED_C0DE))
_MAX_PERM = 256
_PERM_A = (_RNG.integers(0, 2**63, _MAX_PERM, dtype=np.uint64) << _U64(1)) | _U64(1)
_PERM_B = _RNG.integers(0, 2**63, _MAX_PERM, dtype=np.uint64)
_POS_MULT = (_RNG.integers(0, 2**63, 32, dtype=np.uint64) << _U64(1)) | _U64(1)
_BAND_MULT = (_RNG.integers(0, 2**63, _MAX_PERM, dtype=np.uint64) << _U64(1)) | _U64(1)
_BAND_CAP = 8  # slots kept per band bucket; bounds work on pathological all-alike corpora
_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # renamed in numpy 2.0; we support 1.26


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str | None]:
    """Translation table: punctuation and control characters -> space, format chars dropped.

    Built over the BMP only (NFKC maps full-width forms into it); zero-width and other
    format characters (category Cf) are removed because they are a common way to dodge dedup.
    """
    table: dict[int, str | None] = {}
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        if cat[0] == "P" or cat == "Cc":
            table[cp] = " "
        elif cat == "Cf":
            table[cp] = None
    return table


def _char_class(codepoints: list[int]) -> str:
    """A regex character class of exactly ``codepoints`` (sorted), as ranges."""
    parts, i = [], 0
    while i < len(codepoints):
        j = i
        while j + 1 < len(codepoints) and codepoints[j + 1] == codepoints[j] + 1:
            j += 1
        a, b = re.escape(chr(codepoints[i])), re.escape(chr(codepoints[j]))
        parts.append(a if i == j else f"{a}-{b}")
        i = j + 1
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=1)
def _fold_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """`_fold_table` as two substitutions: its characters mapped to a space, and those it drops.
    A regex class tests a character against a bitmap; ``str.translate`` with a 65,536-entry
    dict looks each non-ASCII character up one by one (~4 µs more per chat record)."""
    table = _fold_table()
    to_space = sorted(cp for cp, v in table.items() if v == " ")
    dropped = sorted(cp for cp, v in table.items() if v is None)
    return re.compile(_char_class(to_space)), re.compile(_char_class(dropped))


def normalize(text: str) -> str:
    """NFKC, casefold, punctuation -> space, whitespace collapsed to single spaces (format
    characters dropped): the same as ``.translate(_fold_table())`` before the split."""
    return normalize_folded(unicodedata.normalize("NFKC", text).casefold())


def normalize_folded(nfkc_casefolded: str) -> str:
    """`normalize` of a text already through NFKC and casefold (`summarize` folds each field
    once for this and for the trigger units)."""
    to_space, dropped = _fold_patterns()
    folded = dropped.sub("", to_space.sub(" ", nfkc_casefolded))
    return " ".join(folded.split())


def exact_hash(normalized_fields: list[str]) -> int:
    """64-bit hash of the record's normalised fields, in order, ignoring spaces entirely.

    Spaces are dropped so that "你好，世界" and "你好世界" (punctuation replaced by a space in
    one, absent in the other) compare equal; fields stay separated so moving text between
    turns is a different record.
    """
    key = FIELD_SEP.join(f.replace(" ", "") for f in normalized_fields)
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: spreads the structured polynomial n-gram hashes over 64 bits."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def shingle_hashes(text: str, n: int = DEFAULT_SHINGLE) -> np.ndarray:
    """64-bit hashes of all character n-grams of ``text`` (the whole text if shorter than n).

    Character n-grams need no word segmentation, so Chinese and English are treated alike.
    """
    if not text:
        return np.empty(0, dtype=np.uint64)
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = max(1, min(n, len(cp), len(_POS_MULT)))
    k = len(cp) - n + 1
    with np.errstate(over="ignore"):
        h = cp[:k] * _POS_MULT[0]
        for j in range(1, n):
            h = h + cp[j : j + k] * _POS_MULT[j]
        return _mix(h + _U64(n))


def minhash(hashes: np.ndarray, num_perm: int = DEFAULT_NUM_PERM) -> np.ndarray | None:
    """MinHash signature (uint64 values < 2^32) of a set of 64-bit hashes; None for the empty set."""
    if hashes.size == 0:
        return None
    if not 1 <= num_perm <= _MAX_PERM:
        raise ValueError(f"num_perm must be in 1..{_MAX_PERM}, got {num_perm}")
    a, b = _PERM_A[:num_perm, None], _PERM_B[:num_perm, None]
    sig = np.full(num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        # In-place ops on one buffer, chunked so a long text never needs more than ~2 MB.
        for start in range(0, hashes.size, 2048):
            chunk = hashes[None, start : start + 2048]
            buf = np.multiply(a, chunk)
            np.add(buf, b, out=buf)
            np.minimum(sig, buf.min(axis=1), out=sig)
    # The shift is monotone, so it can follow the min instead of touching every element.
    return sig >> _U64(32)


def text_minhash(text: str, n: int = DEFAULT_SHINGLE, num_perm: int = DEFAULT_NUM_PERM) -> np.ndarray | None:
    """``minhash(shingle_hashes(text, n), num_perm)``, bit for bit, in one compiled loop without
    the (num_perm x shingles) temporary (see `kernels`); None for an empty text."""
    if not text:
        return None
    if not 1 <= num_perm <= _MAX_PERM:
        raise ValueError(f"num_perm must be in 1..{_MAX_PERM}, got {num_perm}")
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    n = max(1, min(n, len(cp), len(_POS_MULT)))
    return compiled().shingle_minhash(cp, n, _POS_MULT, _PERM_A[:num_perm], _PERM_B[:num_perm])


_KERNELS: list[ModuleType] = []


def compiled() -> ModuleType:
    """`privtune.scan.curation.kernels`, imported on first use (numba is heavy), then kept: an
    import statement in every per-record call cost ~1 µs each."""
    if not _KERNELS:
        from privtune.scan.curation import kernels

        _KERNELS.append(kernels)
    return _KERNELS[0]


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands ``b`` and rows ``r`` (b*r <= num_perm) minimising the false-positive plus
    false-negative area of the S-curve ``1-(1-s^r)^b`` around ``threshold``."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    lo = np.linspace(0.0, threshold, 200)
    hi = np.linspace(threshold, 1.0, 200)
    best: tuple[float, int, int] | None = None
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = _trapezoid(1 - (1 - lo**r) ** b, lo)
            fn = _trapezoid((1 - hi**r) ** b, hi)
            if best is None or fp + fn < best[0]:
                best = (float(fp + fn), b, r)
    assert best is not None
    return best[1], best[2]


@dataclass(frozen=True, slots=True)
class DedupResult:
    """Outcome for one record. ``duplicate_of`` is the index of the kept first occurrence."""

    kind: Literal["unique", "exact", "near"]
    duplicate_of: int | None = None
    similarity: float | None = None


UNIQUE = DedupResult("unique")


class Deduplicator:
    """Online dedup: the first occurrence is kept and only kept records are indexed.

    Per kept record the index holds one exact-hash entry, up to ``bands`` bucket entries
    (``_BAND_CAP`` slots per bucket) and a 16-bit truncated signature (truncation adds a
    ~2^-16 bias to the similarity estimate). All of it lives in a private temporary SQLite
    database, not on the Python heap: SQLite keeps at most ``cache_kib`` of pages in memory and
    spills the rest to an anonymous temporary file (in ``$SQLITE_TMPDIR``/``$TMPDIR``) that is
    deleted on `close`, so RAM stays flat however many records are indexed. The default 4 MiB
    fills within ~10k records, after which a scan's RSS is level; 16 MiB made `observe` ~8%
    faster (~8 µs per record, <1% of a scan) only while the index still fitted in it.
    """

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
        *,
        near: bool = True,
        cache_kib: int = 4096,
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.near = near
        self.bands, self.rows = _cached_params(threshold, num_perm)
        self.counts = {"unique": 0, "exact": 0, "near": 0}
        self._n_slots = 0
        self._pending = 0
        self._db: sqlite3.Connection | None = temp_db(cache_kib)  # removed automatically when closed
        db = self._db
        db.execute("CREATE TABLE exact (h INTEGER PRIMARY KEY, record INTEGER NOT NULL)")
        # Keys first so one "key IN (...)" probe serves all bands; band and slot complete the key.
        db.execute("CREATE TABLE band (key INTEGER, b INTEGER, slot INTEGER, PRIMARY KEY (key, b, slot)) WITHOUT ROWID")
        db.execute("CREATE TABLE sig (slot INTEGER PRIMARY KEY, record INTEGER NOT NULL, sig BLOB NOT NULL)")
        self._probe_sql = ""
        self._probe_n = -1
        self._probe_keys: list[int] | None = None
        # Per band, the slots its bucket held at the probe (what `_index` needs to respect the cap).
        self._probe_counts: list[int] | None = None
        self._insert_sql = ""
        self._insert_n = -1

    def close(self) -> None:
        """Drop the index (and its temporary file). Idempotent."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self.close()
        except Exception:
            pass

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("Deduplicator is closed")
        return self._db

    def observe(self, index: int, summary: RecordSummary) -> DedupResult:
        """Classify one record against everything kept so far, then index it if unique."""
        ehash = _signed(summary.exact_hash)
        db = self._conn()
        # Insert first (one statement for the common, unique record instead of a lookup and an
        # insert); a record that turns out not to be kept has its row removed again below, so
        # the table holds kept records only, as before.
        inserted = db.execute("INSERT OR IGNORE INTO exact VALUES (?, ?)", (ehash, index)).rowcount == 1
        try:
            result = self._classify(ehash, summary.signature, inserted)
        except BaseException:
            if inserted:  # leave the index as it was (e.g. a signature of the wrong shape)
                db.execute("DELETE FROM exact WHERE h = ?", (ehash,))
            raise
        self.counts[result.kind] += 1
        if result.kind != "unique" and inserted:
            db.execute("DELETE FROM exact WHERE h = ?", (ehash,))
        if result.kind == "unique":
            if self.near and summary.signature is not None:
                self._index(index, summary.signature, self._probe_keys, self._probe_counts)
            self._pending += 1
            if self._pending >= 20_000:  # bounded transaction; journaling is off anyway
                db.execute("COMMIT")
                db.execute("BEGIN")
                self._pending = 0
        return result

    def _classify(self, ehash: int, sig: np.ndarray | None, new_hash: bool | None = None) -> DedupResult:
        """``new_hash``: whether ``ehash`` was just inserted, i.e. no kept record had it (None:
        look it up)."""
        self._probe_keys = None  # the band keys of ``sig`` once computed, reused by `_index`
        self._probe_counts = None
        db = self._conn()
        if not new_hash:
            row = db.execute("SELECT record FROM exact WHERE h = ?", (ehash,)).fetchone()
            if row is not None:
                return DedupResult("exact", row[0], 1.0)
        if not self.near or sig is None:
            return UNIQUE
        if sig.shape != (self.num_perm,):
            raise ValueError(f"signature has shape {sig.shape}, expected ({self.num_perm},)")
        if self._n_slots == 0:
            return UNIQUE
        keys = self._probe_keys = self._band_keys(sig)
        distinct = list(dict.fromkeys(keys))
        if len(distinct) != self._probe_n:
            self._probe_n = len(distinct)
            self._probe_sql = f"SELECT key, b, slot FROM band WHERE key IN ({','.join('?' * len(distinct))})"
        slots: set[int] = set()
        counts = [0] * len(keys)
        for key, b, slot in db.execute(self._probe_sql, distinct):
            if keys[b] == key:
                slots.add(slot)
                counts[b] += 1
        # Nothing touches the index between this probe and `_index`: its bucket sizes still hold.
        self._probe_counts = counts
        if not slots:
            return UNIQUE
        order = sorted(slots)  # ties go to the earliest kept record
        got = dict(
            (slot, (record, blob))
            for slot, record, blob in db.execute(
                f"SELECT slot, record, sig FROM sig WHERE slot IN ({','.join('?' * len(order))})", order
            )
        )
        stored = np.frombuffer(b"".join(got[s][1] for s in order), dtype=np.uint16).reshape(len(order), -1)
        sims = (stored == sig.astype(np.uint16)).mean(axis=1)
        best = int(np.argmax(sims))
        if sims[best] >= self.threshold:
            return DedupResult("near", int(got[order[best]][0]), round(float(sims[best]), 4))
        return UNIQUE

    def _band_keys(self, sig: np.ndarray) -> list[int]:
        """One signed 64-bit key per band (SQLite integers are signed)."""
        if sig.dtype != np.uint64 or not sig.flags.c_contiguous:
            sig = np.ascontiguousarray(sig, dtype=np.uint64)
        # Compiled (`kernels.band_keys`): the numpy reshape/multiply/sum cost ~8 µs per record.
        return compiled().band_keys(sig, self.bands, self.rows, _BAND_MULT).view(np.int64).tolist()

    def _band_keys_numpy(self, sig: np.ndarray) -> list[int]:
        """The numpy reference of `_band_keys` (tests compare the two)."""
        rows = sig[: self.bands * self.rows].reshape(self.bands, self.rows)
        with np.errstate(over="ignore"):
            return (rows * _BAND_MULT[: self.rows]).sum(axis=1, dtype=np.uint64).view(np.int64).tolist()

    def _index(self, index: int, sig: np.ndarray, keys: list[int] | None = None,
               counts: list[int] | None = None) -> None:
        """Index a kept record; ``counts``: how many slots each of its band buckets holds now
        (from the probe in `_classify`), or None to let SQLite count them."""
        db = self._conn()
        if keys is None:
            keys = self._band_keys(sig)
        slot = self._n_slots
        self._n_slots += 1
        db.execute("INSERT INTO sig VALUES (?, ?, ?)", (slot, index, sig.astype("<u2").tobytes()))
        # A bucket keeps its first _BAND_CAP slots; later ones are not indexed (bounds work on
        # pathological all-alike corpora), exactly as before.
        if counts is not None:  # the probe counted each bucket: insert just the rows under the cap
            db.executemany("INSERT INTO band VALUES (?, ?, ?)",
                           [(key, b, slot) for b, key in enumerate(keys) if counts[b] < _BAND_CAP])
            return
        # One statement for all bands: each row's (key, band) differs from the others', so
        # counting before any of them is inserted gives what one insert per band gave.
        if len(keys) != self._insert_n:
            self._insert_n = len(keys)
            rows = ",".join("(?, ?)" for _ in keys)
            self._insert_sql = (
                f"WITH v(vk, vb) AS (VALUES {rows}) INSERT INTO band SELECT vk, vb, ? FROM v "
                "WHERE (SELECT count(*) FROM band WHERE key = vk AND b = vb) < ?"
            )
        db.execute(self._insert_sql, [x for b, key in enumerate(keys) for x in (key, b)] + [slot, _BAND_CAP])


def _signed(h: int) -> int:
    """A uint64 as the int64 with the same bits (SQLite integers are signed)."""
    return h - (1 << 64) if h >= 1 << 63 else h


@lru_cache(maxsize=16)
def _cached_params(threshold: float, num_perm: int) -> tuple[int, int]:
    return lsh_params(threshold, num_perm)
