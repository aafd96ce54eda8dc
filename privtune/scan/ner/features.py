"""Vectorised character features for the Chinese tagger.

Every character position gets ``len(TEMPLATES)`` hashed feature ids, computed for the whole
string with a fixed handful of numpy operations (no per-character Python loop). A template is
an n-gram *pattern* (over normalised characters ``c`` and character classes ``k``) read at an
offset from the position. Each pattern is hashed once per string as a sum of its atoms times
random odd 64-bit coefficients; a template is a shifted read of its pattern plus a per-template
salt, and its id is the top ``bits`` bits (vector multiply-shift hashing). Training and
inference call the same function, so the hashing can never drift between them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from privtune.scan.ner.lexicon import ZH_CUE_CHARS, ZH_GIVEN_CHARS, ZH_SURNAMES, ZH_TRANSLIT
from privtune.scan.ner.zh_variants import SIMPLIFIED, TRADITIONAL

RADIUS = 3  # context characters on each side

# Character classes. Class 0 is the padding outside the string. CJK characters are split by
# whether they are common surnames or typical of transliterated names, so class n-grams can
# generalise "surname + two characters + 说" to surnames and given names never seen in training.
PAD, CJK, UPPER, LOWER, DIGIT, SPACE, OTHER, SURNAME, TRANSLIT, GIVEN, CUE = range(11)

# Pattern name -> atoms as (channel, relative position). Channel "c": normalised character,
# "k": character class.
PATTERNS: dict[str, tuple[tuple[str, int], ...]] = {
    "": (),  # no atoms: the same value everywhere, i.e. the bias feature
    "c": (("c", 0),),
    "cc": (("c", 0), ("c", 1)),
    "c_c": (("c", 0), ("c", 2)),
    "ccc": (("c", 0), ("c", 1), ("c", 2)),
    "kkk": (("k", 0), ("k", 1), ("k", 2)),
    "kkc": (("k", 0), ("k", 1), ("c", 2)),
    "ckk": (("c", 0), ("k", 1), ("k", 2)),
}

# (pattern, start offset relative to the position). The order is part of the model format:
# changing it needs retraining.
TEMPLATES: tuple[tuple[str, int], ...] = (
    ("", 0),
    ("c", -3), ("c", -2), ("c", -1), ("c", 0), ("c", 1), ("c", 2), ("c", 3),
    ("cc", -2), ("cc", -1), ("cc", 0), ("cc", 1),
    ("c_c", -1),
    ("ccc", -2), ("ccc", -1), ("ccc", 0),
    ("kkk", -1),
    ("kkc", -2),
    ("ckk", 0),
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
    norm[digit] = 0x30  # which digit never matters for names/places, that it is one does
    cls = np.full(0x10000, OTHER, dtype=np.int64)
    cjk = ((cp >= 0x4E00) & (cp <= 0x9FFF)) | ((cp >= 0x3400) & (cp <= 0x4DBF)) | ((cp >= 0xF900) & (cp <= 0xFAFF))
    cls[cjk] = CJK
    cls[upper] = UPPER
    cls[lower] = LOWER
    cls[digit] = DIGIT
    cls[[0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x3000]] = SPACE
    cls[[ord(c) for c in ZH_GIVEN_CHARS]] = GIVEN
    cls[[ord(c) for c in ZH_CUE_CHARS]] = CUE
    cls[[ord(c) for c in ZH_TRANSLIT]] = TRANSLIT
    cls[[ord(c) for c in ZH_SURNAMES[:200]]] = SURNAME  # the commonest win over TRANSLIT (马, 罗)
    # A traditional character reads as its simplified form, class included (陳 as 陈, a surname):
    # the training text is simplified, names from Taiwan or Hong Kong should meet the same weights.
    trad = np.array([ord(c) for c in TRADITIONAL], dtype=np.int64)
    simp = np.array([ord(c) for c in SIMPLIFIED], dtype=np.int64)
    norm[trad] = simp
    cls[trad] = cls[simp]
    return norm, cls


NORM, CLASS = _tables()
# Both channels in one table (row 0: normalised character, row 1: class). Characters beyond
# the BMP (emoji, rare CJK extensions) all read the last entry, U+FFFF, a non-character.
TABLE = np.stack([NORM, CLASS]).astype(np.uint64)
_PAD_CHAR = 0x110000  # above every code point, so padding never equals a real character
# The same with U+0000 read as the padding outside a string: strings joined by NULs (that hold
# none themselves) get the padding between them from the one table lookup.
NUL_PAD_TABLE = TABLE.copy()
NUL_PAD_TABLE[:, 0] = (_PAD_CHAR, PAD)


# The same with the name-list classes (surname, given-name, transliteration and cue characters)
# read as plain CJK: training reads some sentences through it ("class dropout", tools/
# train_ner.py), so that the model also learns names from context and characters alone.
NO_NAME_CLASS_TABLE = TABLE.copy()
NO_NAME_CLASS_TABLE[1, np.isin(CLASS, (SURNAME, TRANSLIT, GIVEN, CUE))] = CJK


def _constants(seed: int = 0x5EED) -> tuple[np.ndarray, ...]:
    """Atom slots for stage 1 and template reads for stage 2, with random odd coefficients.

    Stage 1 sums three atom slots per pattern; unused slots get coefficient 0. Stage 2's
    per-template salt separates templates that share a pattern.
    """
    rng = np.random.default_rng(seed)
    names = list(PATTERNS)
    rows = np.zeros((3, len(names), 1), dtype=np.intp)
    shifts = np.zeros((3, len(names), 1), dtype=np.intp)
    coefs = np.zeros((3, len(names), 1), dtype=np.uint64)
    for j, atoms in enumerate(PATTERNS.values()):
        for a, (ch, p) in enumerate(atoms):
            rows[a, j, 0] = 0 if ch == "c" else 1
            shifts[a, j, 0] = p
            coefs[a, j, 0] = int(rng.integers(1, 2**62)) * 2 + 1
    # Template j reads pattern row `tpl_row[j]` at column position + RADIUS + offset.
    tpl_row = np.array([[names.index(name)] for name, _ in TEMPLATES], dtype=np.intp)
    tpl_shift = np.array([[RADIUS + off] for _, off in TEMPLATES], dtype=np.intp)
    salts = rng.integers(1, 2**63, size=(len(TEMPLATES), 1), dtype=np.uint64)
    return rows, shifts, coefs, tpl_row, tpl_shift, salts


_A_ROW, _A_SHIFT, _A_COEF, _T_ROW, _T_SHIFT, _SALTS = _constants()
# The same, for the tagger's compiled loop (hash_kernels.hashed_gains), which must hash identically.
HASH_CONSTANTS = (_A_ROW, _A_SHIFT, _A_COEF, _T_ROW, _T_SHIFT, _SALTS)
SPAN = max(p for atoms in PATTERNS.values() for _, p in atoms)  # widest pattern reach


@lru_cache(maxsize=256)
def _geometry(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Padded channel template and gather indices for strings of ``n`` characters (cached:
    building them costs as much as using them, and chat messages repeat lengths)."""
    width = n + 2 * RADIUS
    stride = width + SPAN
    cols = np.arange(width)
    base = np.zeros((2, stride), dtype=np.uint64)
    base[0] = _PAD_CHAR  # class row: 0 is PAD
    return base, _A_ROW * stride + _A_SHIFT + cols, _T_ROW * width + _T_SHIFT + cols[:n]


def codepoints(text: str) -> np.ndarray:
    """Code points of ``text`` (one per Python character, so offsets match ``str`` indexing)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def feature_ids(
    text: str, bits: int, pads: np.ndarray | None = None, nul_pads: bool = False, table: np.ndarray | None = None
) -> np.ndarray:
    """Hashed feature ids, shape ``(len(TEMPLATES), len(text))``, values in ``[0, 2**bits)``.

    ``pads``: positions of ``text`` read as the padding outside a string; ``nul_pads``: every
    U+0000 is such a position; ``table``: another lookup table than ``TABLE`` (training reads
    some sentences with ``NO_NAME_CLASS_TABLE``). Features reach ``RADIUS`` characters either way, so strings
    joined by ``RADIUS`` pad positions get, at their own positions, exactly the ids each would
    get alone (one call for several strings).
    """
    cp = codepoints(text)
    n = cp.shape[0]
    base, atom_idx, tpl_idx = _geometry(n)
    chan = base.copy()
    # mode="clip" reads every code point above the BMP as U+FFFF.
    if table is None:
        table = NUL_PAD_TABLE if nul_pads else TABLE
    table.take(cp, axis=1, mode="clip", out=chan[:, RADIUS : RADIUS + n])
    if pads is not None:
        chan[:, pads + RADIUS] = base[:, :1]
    # Stage 1: each pattern hashed once at every padded column (wraps mod 2**64 on purpose).
    atoms = chan.take(atom_idx)
    atoms *= _A_COEF
    pat = np.add.reduce(atoms, axis=0)
    # Stage 2: each template is a salted, shifted read of its pattern; keep the top bits.
    ids = pat.take(tpl_idx)
    ids += _SALTS
    ids >>= np.uint64(64 - bits)
    return ids.view(np.int64)
