"""Dataset fingerprint: one stable identifier for "the same training records".

The privacy-budget ledger is keyed by this value, so it must not change when a file is
re-exported (records reordered, Unicode re-composed, whitespace re-wrapped) but must change when
any record is added, removed, duplicated or edited.

Normalisation of each record's text, in order:

1. Unicode NFKC (composed forms, compatibility characters such as full-width letters or the
   "ﬁ" ligature folded to their plain equivalents);
2. every run of whitespace (``str.split()`` semantics: spaces, tabs, newlines, NBSP, ...)
   collapsed to one ASCII space, and leading/trailing whitespace removed.

Case and punctuation are kept: "Alice" and "alice" are different records.

Combination: each normalised record is hashed with SHA-256 (UTF-8); the digests, read as
256-bit integers, are summed modulo 2^256. A sum is order-independent but counts duplicates
(unlike XOR, where a pair cancels), and it streams in constant memory. The fingerprint is
``"sha256:" + SHA-256(tag || record count || sum)``; the count and version tag make
accidental collisions between differently sized datasets even less likely.

This is an identifier, not a security boundary: someone who controls the data can always get
a new fingerprint by changing one record.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable

__all__ = ["FINGERPRINT_PREFIX", "dataset_fingerprint", "normalise_text"]

FINGERPRINT_PREFIX = "sha256:"
_TAG = b"privtune-dataset-fingerprint-v1\x00"
_MODULUS = 1 << 256


def normalise_text(text: str) -> str:
    """NFKC, whitespace runs collapsed to one space, stripped (see module docstring)."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def dataset_fingerprint(texts: Iterable[str]) -> str:
    """``"sha256:<64 hex>"`` of the multiset of normalised record texts (order-independent).

    One item per record; a record with several text fields should be passed as one string
    (e.g. the fields joined with a newline, which normalisation turns into a space).
    """
    total = 0
    count = 0
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"dataset_fingerprint expects str records, got {type(text).__name__}")
        digest = hashlib.sha256(normalise_text(text).encode("utf-8")).digest()
        total = (total + int.from_bytes(digest, "big")) % _MODULUS
        count += 1
    final = hashlib.sha256(_TAG + count.to_bytes(8, "big") + total.to_bytes(32, "big")).hexdigest()
    return FINGERPRINT_PREFIX + final
