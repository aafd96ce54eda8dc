"""Pseudonym format version 2: one keyed BLAKE2b digest per value drives a small bit stream.

Version 1 seeds a full Mersenne Twister (``random.Random``) from HMAC-SHA256(key, label:value)
for every value and every name part: ~5 µs of seeding per RNG, several per record, plus a
reseeded Faker for English city names (~30 µs). Version 2 draws the same kinds of choices
(``randint``, ``randrange``, ``choice``, ``getrandbits``) from the bits of
BLAKE2b-512(key = scan key, person = "privtune psv2", label ":" value), extended by further
BLAKE2b blocks of that digest and a counter when a value needs more than 512 bits (rare).

The surrogate is still a pure function of (key, label, normalised value), so consistency per
value, across records, workers and runs holds as before; but every surrogate differs from
version 1, which is why the version is chosen per key (see `privtune.scan.pseudonym_version`)
and recorded in the scan report. Draws are unbiased: ``_randbelow`` rejects values >= n like
the standard library does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

PERSON = b"privtune psv2"  # BLAKE2b personalisation: these digests serve nothing else
_BLOCK_BITS = 512
_DIGITS = "0123456789"


def keyed_block(key: bytes, label: str, normalised: str) -> bytes:
    """BLAKE2b-512 of ``label ":" normalised`` under ``key`` (at most 64 bytes)."""
    return hashlib.blake2b(f"{label}:{normalised}".encode(), key=key[:64], person=PERSON).digest()


class KeyedDraws:
    """The subset of ``random.Random`` the surrogate generators use, fed by a keyed digest.

    Not a general-purpose RNG: it exists to make pseudonyms cheap, and needs only to be
    deterministic per seed and unbiased. Not thread-safe (each value gets its own instance).
    """

    __slots__ = ("_seed", "_pool", "_left", "_block")

    version = 2

    def __init__(self, seed: bytes) -> None:
        self._seed = seed
        self._pool = int.from_bytes(seed, "little")
        self._left = len(seed) * 8
        self._block = 0

    def _refill(self) -> None:
        self._block += 1
        more = hashlib.blake2b(self._seed + self._block.to_bytes(8, "little"), person=PERSON).digest()
        self._pool |= int.from_bytes(more, "little") << self._left
        self._left += _BLOCK_BITS

    def getrandbits(self, k: int) -> int:
        """``k`` fresh bits as a non-negative int."""
        if k <= 0:
            return 0
        while self._left < k:
            self._refill()
        r = self._pool & ((1 << k) - 1)
        self._pool >>= k
        self._left -= k
        return r

    def _randbelow(self, n: int) -> int:
        """Uniform in [0, n) by rejection on n.bit_length() bits (as ``random.Random`` does)."""
        if n <= 0:
            raise ValueError("n must be positive")
        k = n.bit_length()
        mask = (1 << k) - 1
        while True:
            if self._left < k:
                self._refill()
            r = self._pool & mask
            self._pool >>= k
            self._left -= k
            if r < n:
                return r

    def decimal_digits(self, n: int) -> str:
        """``"".join("0123456789"[self._randbelow(10)] for _ in range(n))``, the rejection loop
        written out: one call per number instead of one per digit (phones, cards, IDs)."""
        out: list[str] = []
        pool, left = self._pool, self._left
        while len(out) < n:
            if left < 4:
                self._pool, self._left = pool, left
                self._refill()
                pool, left = self._pool, self._left
            r = pool & 15
            pool >>= 4
            left -= 4
            if r < 10:
                out.append(_DIGITS[r])
        self._pool, self._left = pool, left
        return "".join(out)

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        width = stop - start
        if step == 1:
            if width <= 0:
                raise ValueError(f"empty range in randrange({start}, {stop})")
            return start + self._randbelow(width)
        n = (width + step - 1) // step if step > 0 else (width + step + 1) // step
        if n <= 0:
            raise ValueError(f"empty range in randrange({start}, {stop}, {step})")
        return start + step * self._randbelow(n)

    def randint(self, a: int, b: int) -> int:
        return a + self._randbelow(b - a + 1)

    def choice(self, seq: Sequence[T]) -> T:
        if not seq:
            raise IndexError("cannot choose from an empty sequence")
        return seq[self._randbelow(len(seq))]

    def __repr__(self) -> str:  # never show the seed: it is derived from the key
        return "KeyedDraws(<seeded>)"
