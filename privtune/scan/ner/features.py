"""Vectorised character features for the Chinese tagger.

Every character position gets ``len(TEMPLATES)`` hashed feature ids, computed for the whole
string with a handful of numpy operations (no per-character Python loop). A template is a
conjunction of up to three (channel, offset) atoms; channel ``c`` is the normalised character,
channel ``k`` its class (CJK, upper, lower, digit, space, other). Atoms are combined with a
vector multiply-shift hash, so the same function serves training and inference.
"""

from __future__ import annotations

import numpy as np

RADIUS = 3  # context characters on each side
WINDOW = 2 * RADIUS + 1
MAX_ATOMS = 3

# Character classes. Class 0 is the padding outside the string.
PAD, CJK, UPPER, LOWER, DIGIT, SPACE, OTHER = range(7)

# (channel, offset) conjunctions. Order is part of the model format: changing it needs retraining.
TEMPLATES: tuple[tuple[tuple[str, int], ...], ...] = (
    (),  # bias
    (("c", -3),), (("c", -2),), (("c", -1),), (("c", 0),), (("c", 1),), (("c", 2),), (("c", 3),),
    (("c", -2), ("c", -1)), (("c", -1), ("c", 0)), (("c", 0), ("c", 1)), (("c", 1), ("c", 2)),
    (("c", -1), ("c", 1)),
    (("c", -2), ("c", -1), ("c", 0)), (("c", -1), ("c", 0), ("c", 1)), (("c", 0), ("c", 1), ("c", 2)),
    (("k", -1), ("k", 0), ("k", 1)),
    (("k", -2), ("k", -1), ("c", 0)), (("c", 0), ("k", 1), ("k", 2)),
)


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Lookup tables over the BMP: normalised code point and character class."""
    cp = np.arange(0x10000, dtype=np.int64)
    norm = cp.copy()
    full = (cp >= 0xFF01) & (cp <= 0xFF5E)  # fullwidth ASCII -> ASCII, so Ａ and A share weights
    norm[full] -= 0xFEE0
    norm[0x3000] = 0x20
    upper = (norm >= 0x41) & (norm <= 0x5A)
    lower = (norm >= 0x61) & (norm <= 0x7A)
    digit = (norm >= 0x30) & (norm <= 0x39)
    norm[upper] += 0x20
    norm[digit] = 0x30  # digit values never matter for names/places, their presence does
    cls = np.full(0x10000, OTHER, dtype=np.int64)
    cjk = ((cp >= 0x4E00) & (cp <= 0x9FFF)) | ((cp >= 0x3400) & (cp <= 0x4DBF)) | ((cp >= 0xF900) & (cp <= 0xFAFF))
    cls[cjk] = CJK
    cls[upper] = UPPER
    cls[lower] = LOWER
    cls[digit] = DIGIT
    space = np.zeros(0x10000, dtype=bool)
    space[[0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x3000]] = True
    cls[space] = SPACE
    return norm, cls


NORM, CLASS = _tables()
_CLASS_BASE = 0x110000  # class atoms live above every code point so they never equal a character


def _template_arrays(seed: int = 0x5EED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices into the stacked window, random odd coefficients, and per-template salts."""
    rng = np.random.default_rng(seed)
    t = len(TEMPLATES)
    rows = np.zeros((MAX_ATOMS, t), dtype=np.intp)
    coef = np.zeros((MAX_ATOMS, t, 1), dtype=np.uint64)
    for j, atoms in enumerate(TEMPLATES):
        for a, (channel, offset) in enumerate(atoms):
            rows[a, j] = (0 if channel == "c" else WINDOW) + offset + RADIUS
            coef[a, j, 0] = rng.integers(1, 2**63, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    salt = rng.integers(1, 2**63, size=(t, 1), dtype=np.uint64)
    return rows, coef, salt


_ROWS, _COEF, _SALT = _template_arrays()


def codepoints(text: str) -> np.ndarray:
    """Code points of ``text`` as int64 (one per Python character, so offsets match ``str``)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def char_classes(cp: np.ndarray) -> np.ndarray:
    """Class of each code point (astral-plane characters count as OTHER)."""
    return CLASS[np.minimum(cp, 0xFFFF)]


def feature_ids(text: str, bits: int) -> np.ndarray:
    """Hashed feature ids, shape ``(len(TEMPLATES), len(text))``, values in ``[0, 2**bits)``."""
    cp = codepoints(text)
    n = cp.shape[0]
    bmp = np.minimum(cp, 0xFFFF)
    norm = np.where(cp > 0xFFFF, cp, NORM[bmp])
    padded = np.zeros((2, n + 2 * RADIUS), dtype=np.int64)
    padded[0, RADIUS : RADIUS + n] = norm
    padded[1, :] = _CLASS_BASE  # PAD class outside the string
    padded[1, RADIUS : RADIUS + n] += CLASS[bmp]
    # Row r of `stack` is channel (r // WINDOW) shifted by offset (r % WINDOW) - RADIUS.
    win = np.lib.stride_tricks.sliding_window_view(padded, n, axis=1)  # (2, WINDOW, n), a view
    stack = win.reshape(2 * WINDOW, n).astype(np.uint64)
    h = (stack[_ROWS] * _COEF).sum(axis=0, dtype=np.uint64) + _SALT  # wraps mod 2**64 on purpose
    return (h >> np.uint64(64 - bits)).astype(np.intp)
