"""English PERSON / ADDRESS / ORGANIZATION tagger: a word-level linear-chain CRF (crfsuite).

Trained by ``tools/train_en_ner.py`` on the Broad Twitter Corpus, WNUT17 and wikigold train
parts plus generated chat sentences with names of many nationalities (see MODEL_CARD.md).
Features per token: the word in lower case, its prefix/suffix, its shape, lexicon membership
(first names, last names, common sentence words), and the same for the two words either side.

Cost control: a line is tagged only if it holds a capitalised word that is not a common
sentence word (names, places and organisations are written that way in nearly all text the
scan sees); a word's feature strings are cached.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

from privtune.errors import ConfigError
from privtune.scan.ner.english import NOT_NAME
from privtune.scan.ner.lexicon import en_lexicon

MODEL_PATH = Path(__file__).with_name("en_crf.crfsuite")
LABELS = {"PER": "PERSON", "LOC": "ADDRESS", "ORG": "ORGANIZATION"}
DETECTOR = "en_ner_model"
# Tokens: @handles, #tags and URLs whole; words with inner apostrophes / hyphens, and dots only
# between single characters (U.S.A, e.g): "Garcia.anything" (a missing space) is two words.
TOKEN = re.compile(r"https?://\S+|[@#]\w+|\w+(?:['’-]\w+|\.\w(?!\w))*|[^\w\s]")
_CANDIDATE = re.compile(r"(?<![\w'’])[A-Z\u00c0-\u00de][a-z\u00df-\u024f]")
_LINES = re.compile(r"[^\n]+")


def shape(w: str) -> str:
    """Word shape with runs collapsed: "McDonald" -> "XxXx", "2024" -> "d", "@bob" -> "@x"."""
    out = []
    for c in w:
        k = "X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c
        if not out or out[-1] != k:
            out.append(k)
    return "".join(out)[:6]


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    lex = en_lexicon()
    return lex.first_names, lex.last_names


_OFFSETS = (-2, -1, 1, 2)
_PAD = {k: [f"{k}pad"] for k in _OFFSETS}


@lru_cache(maxsize=65536)
def _word(w: str) -> tuple[tuple[str, ...], dict[int, tuple[str, ...]], str]:
    """One word's own feature strings, the strings it adds to a token ``k`` places away (for
    each k in _OFFSETS), and its shape. Cached: chat text repeats its words, and all of a
    token's features but one are the words' own or their neighbours' strings."""
    first, last = _lexicon()
    lw = w.lower()
    t = w.title() if w.isupper() and len(w) > 1 else w
    sh = shape(w)
    is_first, is_last = t in first, t in last
    own = [f"w={lw}", f"sh={sh}", f"suf={lw[-3:]}", f"pre={lw[:3]}", f"len={min(len(lw), 8)}"]
    if is_first:
        own.append("first")
    if is_last:
        own.append("last")
    if t in NOT_NAME:
        own.append("stop")
    ctx = {}
    for k in _OFFSETS:
        c = [f"{k}w={lw}", f"{k}sh={sh}"]
        if is_first or is_last:
            c.append(f"{k}name")
        ctx[k] = tuple(c)
    return tuple(own), ctx, sh


def token_features(words: list[str]) -> list[list[str]]:
    """crfsuite attribute strings per token (the same at training and at inference)."""
    n = len(words)
    info = [_word(w) for w in words]
    feats = []
    for i, (own, _, sh) in enumerate(info):
        row = list(own)
        if i == 0:
            row.append("BOS")
        if i == n - 1:
            row.append("EOS")
        for k in _OFFSETS:
            j = i + k
            row += info[j][1][k] if 0 <= j < n else _PAD[k]
        row.append(f"sh-1sh={info[i - 1][2] if i else '^'}|{sh}")
        feats.append(row)
    return feats


class EnTagger:
    """The loaded model: ``spans(text)`` returns ``(start, end, type, score)``.

    crfsuite reads the file; inference runs the same model through :func:`en_kernels.tag_line`
    on per-word weight rows (each word's feature strings are resolved to weights once), which
    gives crfsuite's labels and marginals at a fraction of the per-token cost."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        import numpy as np
        import pycrfsuite

        if not path.is_file():
            raise ConfigError(f"English NER model not found: {path}; run tools/train_en_ner.py")
        self.crfsuite = pycrfsuite.Tagger()
        try:
            self.crfsuite.open(str(path))
        except (OSError, ValueError) as exc:  # pycrfsuite raises ValueError on a bad file
            raise ConfigError(f"cannot load the English NER model {path}: {exc}") from exc
        info = self.crfsuite.info()
        self.labels = list(self.crfsuite.labels())
        index = {lab: i for i, lab in enumerate(self.labels)}
        n_labels = len(self.labels)
        self._weights: dict[str, np.ndarray] = {}
        for (attr, lab), w in info.state_features.items():
            self._weights.setdefault(attr, np.zeros(n_labels))[index[lab]] += w
        self.trans = np.zeros((n_labels, n_labels))
        for (a, b), w in info.transitions.items():
            self.trans[index[a], index[b]] = w
        # Shapes that occur in a (previous shape, shape) feature; others have no pair weight.
        pairs = [a[len("sh-1sh="):].split("|", 1) for a in self._weights if a.startswith("sh-1sh=")]
        self._shape_ids = {"^": 0}
        for prev, cur in pairs:
            for sh in (prev, cur):
                self._shape_ids.setdefault(sh, len(self._shape_ids))
        n_shapes = len(self._shape_ids) + 1  # the last id: a shape without pair weights
        self.pair = np.zeros((n_shapes, n_shapes, n_labels))
        for prev, cur in pairs:
            self.pair[self._shape_ids[prev], self._shape_ids[cur]] = self._weights[f"sh-1sh={prev}|{cur}"]
        self.offsets = np.array(_OFFSETS, dtype=np.int64)
        self.pad = np.array([self._vector(_PAD[k]) for k in _OFFSETS])
        self.bos, self.eos = self._vector(["BOS"]), self._vector(["EOS"])
        self._ids: dict[str, int] = {}
        self._word_shapes: list[int] = []
        self.own = np.zeros((1024, n_labels))
        self.ctx = np.zeros((len(_OFFSETS), 1024, n_labels))
        self._lock = threading.Lock()
        from privtune.scan.ner.en_kernels import tag_line  # numba: imported with the model only

        self._tag_line = tag_line

    def _vector(self, attrs) -> "np.ndarray":
        import numpy as np

        v = np.zeros(len(self.labels))
        for a in attrs:
            w = self._weights.get(a)
            if w is not None:
                v += w
        return v

    def _word_id(self, w: str) -> int:
        """The row of ``w`` in ``own`` / ``ctx`` (its features' summed weights), added on first sight."""
        i = self._ids.get(w)
        if i is not None:
            return i
        import numpy as np

        i = len(self._ids)
        if i == self.own.shape[0]:  # grow by doubling
            self.own = np.concatenate([self.own, np.zeros_like(self.own)])
            self.ctx = np.concatenate([self.ctx, np.zeros_like(self.ctx)], axis=1)
        own, ctx, sh = _word(w)
        weights = self._weights
        # Most of a new word's strings (its w=, pre=, suf= ...) have no weight: sum the few that do.
        for a in own:
            x = weights.get(a)
            if x is not None:
                self.own[i] += x
        for q, k in enumerate(_OFFSETS):
            for a in ctx[k]:
                x = weights.get(a)
                if x is not None:
                    self.ctx[q, i] += x
        self._word_shapes.append(self._shape_ids.get(sh, self.pair.shape[0] - 1))
        self._ids[w] = i
        return i

    def tag_words(self, words: list[str]) -> tuple[list[str], list[float]]:
        """Labels of ``words`` and the marginal probability of each."""
        import numpy as np

        with self._lock:  # the word table grows; one line at a time
            ids = np.array([self._word_id(w) for w in words], dtype=np.int64)
            shapes = np.array([self._word_shapes[i] for i in ids], dtype=np.int64)
            path, marg = self._tag_line(ids, shapes, self.own, self.ctx, self.offsets, self.pad,
                                        self.bos, self.eos, self.pair, self.trans)
        return [self.labels[p] for p in path], marg.tolist()

    def spans(self, text: str) -> list[tuple[int, int, str, float]]:
        out: list[tuple[int, int, str, float]] = []
        for line in _LINES.finditer(text):
            if not any(m.group() and _worth(text, m.start()) for m in _CANDIDATE.finditer(text, *line.span())):
                continue
            # The whole line: tagging only windows around capitalised words was tried and lost
            # lower-case names and organisations (en PERSON recall 0.65 -> 0.61) for -25% time.
            toks = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text, *line.span())]
            tags, marg = self.tag_words([w for _, _, w in toks])
            out += _decode(toks, tags, marg)
        return out


# Capitalised chat words that open sentences but never name anything: a line whose only
# capitalised words are these (or NOT_NAME's) is not tagged. Only the gate uses them.
_GATE_STOP = frozenset(
    "You're You've You'll I'm I've I'll I'd It's That's There's Here's What's Let's Don't Can't "
    "Won't Didn't Isn't We're We've We'll Done Sure Unfortunately Sorry Of Course Also Great "
    "Perfect Noted Understood Certainly Absolutely Alright".split()
)


def _worth(text: str, pos: int) -> bool:
    """A capitalised word that is no common sentence word ("The", "Thanks", "I", "You're")."""
    m = TOKEN.match(text, pos)
    return m is not None and m.group() not in NOT_NAME and m.group() not in _GATE_STOP


def _decode(toks: list[tuple[int, int, str]], tags: list[str], marg: list[float]) -> list[tuple[int, int, str, float]]:
    """BIO tags to spans; a span's score is the mean marginal probability of its tags."""
    out = []
    i = 0
    while i < len(tags):
        tag = tags[i]
        if tag == "O":
            i += 1
            continue
        label = tag[2:]
        j = i + 1
        while j < len(tags) and tags[j] == f"I-{label}":
            j += 1
        prob = sum(marg[i:j]) / (j - i)
        if label in LABELS:
            out.append((toks[i][0], toks[j - 1][1], LABELS[label], prob))
        i = j
    return out


_LOCK = threading.Lock()
_TAGGER: EnTagger | None = None


def get_tagger() -> EnTagger:
    """The process-wide tagger, loaded on first use."""
    global _TAGGER
    if _TAGGER is None:
        with _LOCK:
            if _TAGGER is None:
                _TAGGER = EnTagger()
    return _TAGGER


_LAST: tuple[str, list[tuple[int, int, str, float]]] = ("", [])


def tag_en(text: str) -> list[tuple[int, int, str, float]]:
    """Spans of ``text``; the three English model recognizers share one run via a 1-entry cache."""
    global _LAST
    last = _LAST
    if last[0] == text and text:
        return last[1]
    spans = get_tagger().spans(text)
    _LAST = (text, spans)
    return spans
