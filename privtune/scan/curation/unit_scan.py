"""Trigger units of a folded prompt in one compiled call (`kernels.folded_unit_hash_set`).

`poisoning._unit_spans` tokenises with a regex in a Python loop (~60 tokens per chat record,
the larger part of `prompt_units`' cost). The kernel walks the code points against a table of
their classes instead; the table is built once from the very regex classes (``\\w``, ``\\s``,
the CJK ranges), so the tokens are the regex's. It covers the Basic Multilingual Plane (64 KiB);
a prompt with a character beyond it (an emoji) takes the regex path.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

_BMP = 0x10000


@lru_cache(maxsize=1)
def char_classes(cjk: str) -> np.ndarray:
    """Per BMP code point: bit 1 in the ``cjk`` ranges (a regex class body), bit 2 ``\\w``,
    bit 4 ``\\s``, as ``re`` decides them (~20 ms, once)."""
    every = "".join(map(chr, range(_BMP)))
    table = np.zeros(_BMP, dtype=np.uint8)
    for pattern, bit in ((rf"[{cjk}]+", 1), (r"\w+", 2), (r"\s+", 4)):
        for m in re.finditer(pattern, every):
            table[m.start() : m.end()] |= bit
    return table


def bmp_code_points(folded: str) -> np.ndarray | None:
    """``folded``'s code points (uint32), or None when one lies beyond the BMP."""
    cp = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    # UTF-16 needs two units exactly for the characters beyond the BMP: one C-level encode.
    if folded.isascii() or len(folded.encode("utf-16-le")) == 2 * len(folded):
        return cp
    return None
