"""Non-text garbage in a record: control characters, base64/hex blobs, mojibake, runs of one
character, very low diversity, extreme repetitiveness. Reasons never quote the text.

`garbage_reasons` runs once per record in the scan workers (a `RecordSummary` field); most of
its work is cheap pre-checks that prove a costly test (zlib, a backtracking regex) cannot fire.
"""

from __future__ import annotations

import math
import re
import zlib

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_BLOB_RE = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}|(?:0x)?[0-9A-Fa-f]{32,}")
_RUN_RE = re.compile(r"(\S)\1{29,}")
_RUN_STRIDE = 15  # half of _RUN_RE's shortest run
_PAIR_RE = re.compile(r"(.)\1", re.DOTALL)
# Every _BLOB_RE match lies inside a run of 32+ of these characters; whole runs are found in one
# linear pass, while _BLOB_RE retries {40,} at every position of every short word.
_BLOB_CHARS_RE = re.compile(r"[A-Za-z0-9+/]+")
_BLOB_RUN32_RE = re.compile(r"[A-Za-z0-9+/]{32}")  # a 32+ run exists iff 32 in a row do
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
    blob = 0
    # A run of 32 blob characters lies inside one whitespace-free word: a text without a word of
    # 32+ characters needs no search (max over the words' lengths is ~3x cheaper than it).
    words = text.split()
    if max(map(len, words), default=0) >= 32 and _BLOB_RUN32_RE.search(text):  # a run is 32+ long
        blob = sum(len(m) for m in _BLOB_RE.findall(text) if _looks_encoded(m))
    if blob >= 200 or (blob >= 64 and blob / n >= 0.5):
        out.append(f"base64/hex blob: {blob} chars ({blob / n:.0%} of text)")
    moji = 0 if text.isascii() else len(_MOJIBAKE_RE.findall(text))  # every alternative needs a non-ASCII character
    if moji >= 2:
        out.append(f"mojibake: {moji} mis-decoded sequences")
    visible = "".join(words)
    # A run of 30 equal characters covers two positions 15 apart that are both multiples of
    # 15, so without two equal neighbours in every 15th character there is none to look for.
    run = 0
    if _PAIR_RE.search(visible[::_RUN_STRIDE]) is not None:
        runs = [(len(m.group(0)), m.group(1) in _RULERS) for m in _RUN_RE.finditer(visible)]
        # Ruler lines ("=====", "-----") are formatting: they count only when they dominate the text.
        run = max((k for k, ruler in runs if k / len(visible) >= 0.5 or (k >= 50 and not ruler)), default=0)
    if run:
        out.append(f"repeated character: run of {run}")
    # (Four distinct characters among the first 64, or already among the first 8, rule out
    # "low diversity"; the set of 8 costs a fifth of the set of 64.)
    elif (len(visible) >= 30 and len(set(visible[:8])) <= 3 and len(set(visible[:64])) <= 3
          and len(set(visible)) <= 3):
        out.append(f"low character diversity: {len(set(visible))} distinct characters")
    elif len(visible) >= 200:
        sample = visible[:65536].encode("utf-8")
        # zlib costs ~18 µs per call (most of it setting up its tables); a sample it cannot
        # possibly shrink below 10% needs no call: same verdict.
        if _compressed_size_floor(sample) < _REPETITIVE * len(sample):
            ratio = len(zlib.compress(sample, 1)) / len(sample)
            if ratio < _REPETITIVE:  # measured: prose and code ~0.4, JSON ~0.25, repetitive logs ~0.19
                out.append(f"highly repetitive: compresses to {ratio:.0%}")
    return tuple(out)


_REPETITIVE = 0.1
_ALL_BYTES = bytes(range(256))
_ONE_BLOCK = 4096  # bytes: zlib (16,383 symbols per block at the default memLevel 8) emits one block


def _compressed_size_floor(sample: bytes) -> float:
    """A lower bound on ``len(zlib.compress(sample, 1))`` (0 when none is proven).

    Every distinct byte value must be sent as a literal at least once (a match only copies
    earlier bytes). In one deflate block those K literals have K distinct codewords of one
    prefix code, whose lengths sum to at least K*log2(K) bits (Kraft's inequality; fixed codes
    spend 8-9 bits, stored blocks 8), and zlib adds 2 header and 4 checksum bytes. Samples of up
    to `_ONE_BLOCK` bytes are one block; longer ones may be split, where the bound does not hold.
    """
    if len(sample) > _ONE_BLOCK:
        return 0.0
    # Distinct byte values: 256 less those absent, which deleting the sample's bytes from all
    # 256 leaves (one C pass; ``len(set(sample))`` made an int object per byte, ~6x slower).
    k = 256 - len(_ALL_BYTES.translate(None, sample))
    return 6 + k * math.log2(k) / 8 if k > 1 else 6.0


def _looks_encoded(s: str) -> bool:
    """A long run is a blob only if it mixes character classes like encoded data does."""
    digits = sum(c.isdigit() for c in s)
    if all(c in "0123456789abcdefABCDEFx" for c in s):
        return digits >= len(s) // 5
    return digits > 0 and any(c.isupper() for c in s) and any(c.islower() for c in s)


