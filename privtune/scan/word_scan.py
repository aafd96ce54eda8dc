"""Which of many ASCII words occur in an ASCII text, in one compiled pass (`AsciiWordScan`).

`triggers.LiteralGroup` answers five keyword triggers (national ids, API keys, credentials,
keyed random strings, dates of birth: ~80 ASCII words) per text. On an English demo record it
took ~7 µs: a ``word in text`` per lower-case word (each a C search of the whole text) and a
regex scan for the others. One loop over the text's bytes, trying at each position only the
words that open with its byte, finds every word that occurs (~3 µs, call included). Compiled
with numba on first use and cached on disk (``cache=True``; the first compile of a new install
takes ~1 s; ~8 ms to load once numba is set up); numba is imported only when a group is built.
"""

from __future__ import annotations

import numpy as np


class AsciiWordScan:
    """``found(text)``: the OR of the owner masks of the words that occur in ``text`` (an
    ASCII string) as substrings, as ``word in text`` tests them."""

    def __init__(self, owners: dict[str, int]) -> None:
        words = list(owners)
        if not all(w and w.isascii() for w in words) or any(o >> 62 for o in owners.values()):
            raise ValueError("AsciiWordScan: non-empty ASCII words and owner masks under 2**62 only")
        # Per byte value, the words opening with it: 256 entries, so the kernel also reads the
        # UTF-8 bytes of any text (`found_utf8`); no word opens with a byte above 127.
        by_first: list[list[int]] = [[] for _ in range(256)]
        for k, w in enumerate(words):
            by_first[ord(w[0])].append(k)
        self._bytes = np.frombuffer("".join(words).encode("ascii"), dtype=np.uint8).copy()
        self._starts = np.array([0, *np.cumsum([len(w) for w in words])[:-1]], dtype=np.int64)
        self._lengths = np.array([len(w) for w in words], dtype=np.int64)
        self._owners = np.array([owners[w] for w in words], dtype=np.int64)
        self._first_ptr = np.array([0, *np.cumsum([len(b) for b in by_first])], dtype=np.int64)
        self._first_idx = np.array([k for b in by_first for k in b], dtype=np.int64)
        self._all = int(np.bitwise_or.reduce(self._owners)) if words else 0
        from privtune.scan.word_scan_kernel import ascii_words_found  # numba: imported here only

        self._kernel = ascii_words_found

    def found(self, text: str) -> int:
        return self.found_utf8(text.encode("ascii"))

    def found_utf8(self, data: bytes) -> int:
        """`found` of the text whose UTF-8 encoding is ``data``: the OR of the owner masks of the
        (ASCII) words that occur in it. Exact for any text: a byte below 128 in UTF-8 is that
        ASCII character and nothing else (a multi-byte character's bytes are all 128 or more),
        so an ASCII word occurs in the bytes iff it occurs in the text."""
        t = np.frombuffer(data, dtype=np.uint8)
        return int(self._kernel(t, self._bytes, self._starts, self._lengths, self._owners, self._first_ptr,
                                self._first_idx, self._all))
