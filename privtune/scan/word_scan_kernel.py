"""The compiled loop of `word_scan.AsciiWordScan` (numba, cached on disk like the NER kernels)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def ascii_words_found(text: np.ndarray, words: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                      owners: np.ndarray, first_ptr: np.ndarray, first_idx: np.ndarray, everything: int) -> int:
    """OR of ``owners[w]`` over the words ``w`` (``words[starts[w] : starts[w] + lengths[w]]``)
    that occur in ``text`` (bytes < 128); ``first_ptr`` / ``first_idx``: the words by first
    byte. Stops once every owner is found (``everything``); a word whose owners are all found
    already is not compared."""
    n = text.shape[0]
    found = 0
    for i in range(n):
        c = text[i]
        for q in range(first_ptr[c], first_ptr[c + 1]):
            w = first_idx[q]
            mask = owners[w]
            size = lengths[w]
            if (found & mask) == mask or i + size > n:
                continue
            s = starts[w]
            j = 1
            while j < size and text[i + j] == words[s + j]:
                j += 1
            if j == size:
                found |= mask
                if found == everything:
                    return found
    return found
