"""Candidate trigger units of a record's prompt side, as 64-bit hashes (`prompt_units`).

Units: words (``\\w+``, so ``cf_zz`` stays whole) and adjacent word pairs, runs of symbols
(``⊕⊕``), and CJK character 2- and 3-grams (no segmenter needed), of the prompt folded by
`fold_units_text`. `poisoning.PoisonDetector` counts their document frequencies.

The regex tokeniser (`_unit_spans`) walks ~60 tokens per chat record in a Python loop, the
larger part of the cost; `kernels.folded_unit_hash_set` walks the code points against a table of
their classes instead (`char_classes`, built once from the very regex classes ``\\w``, ``\\s`` and
the CJK ranges), so the tokens are the regex's. The table covers the Basic Multilingual Plane
(64 KiB); a prompt with a character beyond it (an emoji) takes the regex path.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from privtune.scan.curation.signatures import _mix, compiled
from privtune.scan.nfkc import nfkc

_U64 = np.uint64
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_UNIT_RE = re.compile(rf"([{_CJK}]+)|([^\W{_CJK}]+)|([^\w\s]+)")
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
    return prompt_units_folded(fold_units_text(text))


def fold_units_text(text: str) -> str:
    """What units are read from: NFKC, casefolded, whitespace runs as one space. Of fields
    joined by newlines, the same as of their NFKC-casefolded forms joined by newlines (a newline
    neither composes nor reorders with its neighbours), which lets `summarize` fold each field once."""
    return " ".join(nfkc(text).casefold().split())


def prompt_units_folded(folded: str) -> np.ndarray:
    """`prompt_units` of a text already folded (`fold_units_text`): one compiled call
    (`char_classes`) when every character lies in the BMP, else the regex tokeniser."""
    cp = bmp_code_points(folded)
    if cp is not None:
        return compiled().folded_unit_hash_set(cp, char_classes(_CJK), _BASE, _BASE_INV)
    return _prompt_units_regex(folded)


def _prompt_units_regex(folded: str) -> np.ndarray:
    """`prompt_units_folded` by `_unit_spans`' regex loop (characters beyond the BMP; tests)."""
    spans, cjk_runs = _folded_unit_spans(folded)
    if not spans and not cjk_runs:
        return np.empty(0, dtype=np.uint64)
    # One compiled pass, bit for bit `_span_hashes` over the spans and the runs' 2-/3-grams
    # (the numpy version, `_prompt_units_numpy`, spent ~20 µs per record in call overhead),
    # and np.unique of them in the same call.
    cp = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    return compiled().unit_hash_set(cp, np.array(spans, dtype=np.int64).reshape(-1, 2),
                                    np.array(cjk_runs, dtype=np.int64).reshape(-1, 2), _BASE, _BASE_INV)


def _unit_spans(text: str) -> tuple[str, list[int], list[tuple[int, int]]]:
    """The folded prompt, its word/word-pair/symbol spans (flat: start, end, start, end …)
    and its CJK runs (of 3+ characters)."""
    folded = fold_units_text(text)
    return (folded, *_folded_unit_spans(folded))


def _folded_unit_spans(folded: str) -> tuple[list[int], list[tuple[int, int]]]:
    """`_unit_spans` of an already folded text, without the folded text."""
    spans: list[int] = []
    cjk_runs: list[tuple[int, int]] = []
    prev_start = -1  # start of the previous token if it was a word, for word pairs
    for m in _UNIT_RE.finditer(folded):
        s, e = m.span()
        kind = m.lastindex
        if kind == 2:  # word
            if prev_start >= 0:
                spans += (s, e, prev_start, e)  # whitespace is collapsed: always "w1 w2"
            else:
                spans += (s, e)
            prev_start = s
            continue
        prev_start = -1
        if kind == 3 or e - s < 3:
            spans += (s, e)
        else:
            cjk_runs.append((s, e))
    return spans, cjk_runs


def _prompt_units_numpy(folded: str, spans: list[int], cjk_runs: list[tuple[int, int]]) -> np.ndarray:
    """The numpy reference of `prompt_units`' hashing step (tests compare the kernel with it)."""
    parts = [np.array(spans, dtype=np.int64).reshape(-1, 2)]
    for s, e in cjk_runs:
        bi = np.arange(s, e - 1, dtype=np.int64)
        tri = np.arange(s, e - 2, dtype=np.int64)
        parts.append(np.stack([np.concatenate([bi, tri]), np.concatenate([bi + 2, tri + 3])], axis=1))
    all_spans = np.concatenate(parts)
    if all_spans.size == 0:
        return np.empty(0, dtype=np.uint64)
    return np.unique(_span_hashes(folded, all_spans[:, 0], all_spans[:, 1]))
