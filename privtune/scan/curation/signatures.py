"""Per-record dedup signatures: text normalisation, the exact hash and the MinHash signature.

Pure functions the scan workers run (`Deduplicator` in `dedup` sees only their output). MinHash
here is our own implementation rather than datasketch's: hashing each shingle with SHA-1 in
Python made datasketch ~5x slower per record (measured 280 µs vs 50 µs on 300-char records).
Permutations are multiply-shift hashes ``(a*x + b) mod 2^64 >> 32`` with odd ``a`` over
premixed 64-bit shingle hashes, so signature values fit in 32 bits. The band multipliers live
here too: all constants come from one seeded generator, in a fixed order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from types import ModuleType

import numpy as np

from privtune.scan.nfkc import nfkc

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
    return normalize_folded(nfkc(text).casefold())


def normalize_folded(nfkc_casefolded: str) -> str:
    """`normalize` of a text already through NFKC and casefold (`summarize` folds each field
    once for this and for the trigger units)."""
    if nfkc_casefolded.isascii():  # the same mapping as the substitutions below, ~1.6x faster
        table = _ASCII_FOLD[0] if _ASCII_FOLD else _ascii_fold()
        return " ".join(nfkc_casefolded.encode("ascii").translate(table).decode("ascii").split())
    to_space, dropped = _fold_patterns()
    folded = dropped.sub("", to_space.sub(" ", nfkc_casefolded))
    return " ".join(folded.split())


_ASCII_FOLD: list[bytes] = []  # `_ascii_fold`, built on first use (`_fold_table` walks the BMP)


def _ascii_fold() -> bytes:
    """`_fold_table` on ASCII as a 256-byte ``bytes.translate`` table: punctuation and controls
    to a space, every other byte itself (the table drops no ASCII character). ASCII text through
    it is one C loop, where the two regex substitutions cost ~0.55 µs per 100-character field."""
    if not _ASCII_FOLD:
        fold = _fold_table()
        assert all(fold[cp] == " " for cp in fold if cp < 128)
        _ASCII_FOLD.append(bytes(32 if b < 128 and b in fold else b for b in range(256)))
    return _ASCII_FOLD[0]


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
    a, b = _PERM_SLICES.get(num_perm) or _perm_slices(num_perm)
    return (_KERNELS[0] if _KERNELS else compiled()).shingle_minhash(cp, n, _POS_MULT, a, b)


# num_perm -> the first num_perm permutation constants (views, made once: two slices cost ~0.3
# µs a call, two calls per record).
_PERM_SLICES: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _perm_slices(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    _PERM_SLICES[num_perm] = slices = (_PERM_A[:num_perm], _PERM_B[:num_perm])
    return slices


_KERNELS: list[ModuleType] = []


def compiled() -> ModuleType:
    """`privtune.scan.curation.kernels`, imported on first use (numba is heavy), then kept: an
    import statement in every per-record call cost ~1 µs each."""
    if not _KERNELS:
        from privtune.scan.curation import kernels

        _KERNELS.append(kernels)
    return _KERNELS[0]
