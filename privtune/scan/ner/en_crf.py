"""English PERSON / ADDRESS / ORGANIZATION tagger: a word-level linear-chain CRF (crfsuite).

Trained by ``tools/train_en_ner.py`` on the Broad Twitter Corpus, WNUT17 and wikigold train
parts plus generated chat sentences with names of many nationalities (see MODEL_CARD.md).
The parts: ``en_features`` (tokens and feature strings), ``en_gate`` (which lines are tagged),
``en_decode`` (tags to spans, name boundaries), this module (the loaded model, per-line memo
and the process-wide tagger).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from privtune.errors import ConfigError
# Re-exported: tools, benchmarks and tests import these from here.
from privtune.scan.ner.en_decode import LABELS, TAIL_DOUBT, _decode, _join_names, _name_tail, _split_name  # noqa: F401
from privtune.scan.ner.en_features import (  # noqa: F401
    _CJK_CHAR, _OFFSETS, _PAD, _TOKEN_NO_CJK, LEXICON_FEATURES, TOKEN, _lexicon, _line_features, _word, shape,
    token_features,
)
from privtune.scan.ner.en_gate import (  # noqa: F401
    _CAPITALISED, _GATE_STOP, _GATE_WORDS, _LOWER_WORD, _has_gate_word, _lower_name, _lower_names, _worth_tagging,
)
from privtune.scan.ner.en_famous import DOUBTED, FAMOUS_SCORE, famous_names, is_famous
from privtune.scan.ner.en_lone_names import SUBJECT_SCORE, is_known_first_name, lone_names

if TYPE_CHECKING:
    import numpy as np  # imported with the model only (see EnTagger)

MODEL_PATH = Path(__file__).with_name("en_crf.crfsuite")
# Log-weight added to the B-PER / I-PER emissions at inference. Leaving a name in the data costs
# more than masking a word too many, and the L1/L2-regularised model under-calls rare names;
# `tools/train_en_ner.py --pick-bias` chooses it on a validation slice of the training data
# (never on the dev sets) and prints the value to put here.
PERSON_BIAS = 0.0
DETECTOR = "en_ner_model"
_LINES = re.compile(r"[^\n]+")
# Lines up to this long are remembered with their spans, at most this many (~2 MB at most).
LINE_MEMO_CHARS = 400
LINE_MEMO_SIZE = 4096
# `EnTagger.prepare_chunk` skips texts longer than this (a long record's lines are tagged as
# its own `spans` call reaches them).
PREPARE_MAX_CHARS = 4096


class EnTagger:
    """The loaded model: ``spans(text)`` returns ``(start, end, type, score)``.

    crfsuite reads the file; inference runs the same model through :func:`en_kernels.tag_line`
    on per-word weight rows (each word's feature strings are resolved to weights once), which
    gives crfsuite's labels and marginals at a fraction of the per-token cost."""

    def __init__(self, path: Path = MODEL_PATH, person_bias: float | None = None) -> None:
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
        self._outside = self.labels.index("O")
        self._begin_person = self.labels.index("B-PER") if "B-PER" in self.labels else -1
        self._person_ids = frozenset(i for i, lab in enumerate(self.labels) if lab in ("B-PER", "I-PER"))
        # The words seen so far (rows of the word table) that are known first names: a line's
        # candidates for `en_lone_names` are its words in this set, a few hundred names where
        # the set of all ~50k forms cost ~1 µs more per line in hash-table cache misses.
        self._seen_names: set[str] = set()
        # The same for the words of `en_famous` ("trump", "Shaq"); a line is intersected with the
        # union of both sets once (~0.7 µs per tagged line), then the few hits are split.
        self._seen_famous: set[str] = set()
        self._seen_either: set[str] = set()
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
        # A word class's feature strings -> their summed weights (`_word_id`): shapes (capped at
        # 6 symbols) x lengths x flags x vowel patterns, a few thousand at most.
        self._class_sums: dict[tuple[str, ...], np.ndarray] = {}
        self.offsets = np.array(_OFFSETS, dtype=np.int64)
        self.pad = np.array([self._vector(_PAD[k]) for k in _OFFSETS])
        self.bos, self.eos = self._vector(["BOS"]), self._vector(["EOS"])
        self._line_vectors: dict[tuple[str, ...], np.ndarray] = {}
        # Added to every token's B-PER / I-PER emission: the model's precision/recall trade-off
        # for names (see PERSON_BIAS).
        self.person_bias = np.zeros(n_labels)
        for lab in ("B-PER", "I-PER"):
            if lab in index:
                self.person_bias[index[lab]] = PERSON_BIAS if person_bias is None else person_bias
        self._ids: dict[str, int] = {}
        # Shape id of each word row, grown with `own` / `ctx`. (It was a list turned into a new
        # array whenever a line brought a new word: O(vocabulary) per such line, ~45 µs per
        # record in a first pass over the demo records, where most lines bring one.)
        self._shapes_array = np.zeros(1024, dtype=np.int64)
        self.own = np.zeros((1024, n_labels))
        self.ctx = np.zeros((len(_OFFSETS), 1024, n_labels))
        self._lock = threading.Lock()
        # line -> its spans (`line_spans`); bounded, cleared when full. Holds text in memory only.
        self._line_memo: dict[str, list[tuple[int, int, str, float]]] = {}
        from privtune.scan.ner.en_kernels import tag_line, tag_lines  # numba: imported with the model only

        self._tag_line, self._tag_lines = tag_line, tag_lines
        # line -> its spans, for the lines of the chunk being scanned (`prepare_chunk`); replaced
        # whole, never changed in place (another thread may be reading it).
        self._chunk_lines: dict[str, list[tuple[int, int, str, float]]] = {}

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
            self._shapes_array = np.concatenate([self._shapes_array, np.zeros_like(self._shapes_array)])
        _, ctx, sh, groups = _word(w)
        # A new word's cost is mostly numpy calls, one per weighted string added (~15 with the
        # round-4 affixes). The strings of a word's class (shape, length, lexicon flags, vowel
        # pattern) and what it gives its neighbours besides itself (shape, lexicon flag) recur
        # across words: their sums are looked up, and only the word's own string and affixes
        # are added one by one.
        get = self._weights.get
        classes = self._class_sums
        word_strings, class_strings = groups
        v = classes.get(class_strings)
        if v is None:
            v = classes[class_strings] = self._vector(class_strings)
        v = v.copy()
        for a in word_strings:
            x = get(a)
            if x is not None:
                v += x
        self.own[i] = v
        for q, k in enumerate(_OFFSETS):
            c = ctx[k]
            rest = classes.get(c[1:])
            if rest is None:
                rest = classes[c[1:]] = self._vector(c[1:])
            x = get(c[0])
            self.ctx[q, i] = rest if x is None else x + rest
        self._shapes_array[i] = self._shape_ids.get(sh, self.pair.shape[0] - 1)
        self._ids[w] = i
        if is_known_first_name(w):
            self._seen_names.add(w)
            self._seen_either.add(w)
        if is_famous(w):
            self._seen_famous.add(w)
            self._seen_either.add(w)
        return i

    def _line_vector(self, words: list[str]) -> "np.ndarray":
        """Weights of the features every token of the line ``words`` has, plus the name bias."""
        line_key = tuple(_line_features(words))
        line = self._line_vectors.get(line_key)
        if line is None:
            line = self._line_vectors[line_key] = self._vector(line_key) + self.person_bias
        return line

    def _tag(self, words: list[str]) -> tuple["np.ndarray", "np.ndarray"]:
        """Label ids of ``words`` (indices into ``labels``) and the marginal of each."""
        import numpy as np

        with self._lock:  # the word table grows; one line at a time
            get = self._ids.get
            ids = [get(w) for w in words]
            if None in ids:
                ids = [self._word_id(w) for w in words]
            idx = np.array(ids, dtype=np.int64)
            shapes = self._shapes_array[idx]
            return self._tag_line(idx, shapes, self.own, self.ctx, self.offsets, self.pad,
                                  self.bos, self.eos, self.pair, self.trans, self._line_vector(words))

    def _tag_many(self, lines: list[list[str]]) -> list[tuple["np.ndarray", "np.ndarray"]]:
        """`_tag` of each line (each non-empty), from one compiled call (`en_kernels.tag_lines`):
        the same labels and marginals, bit for bit (each line is computed as alone)."""
        paths, margs, cuts = self._tag_joined(lines)
        return [(paths[a:b], margs[a:b]) for a, b in zip(cuts, cuts[1:])]

    def _tag_joined(self, lines: list[list[str]]) -> tuple["np.ndarray", "np.ndarray", list[int]]:
        """`_tag_many`'s labels and marginals, every line's one after another, and where each
        line starts (then the total)."""
        import numpy as np

        with self._lock:
            get = self._ids.get
            ids = [get(w) for words in lines for w in words]
            if None in ids:  # the table is grown first
                word_id = self._word_id
                ids = [word_id(w) for words in lines for w in words]
            bounds = np.zeros(len(lines) + 1, dtype=np.int64)
            np.cumsum([len(words) for words in lines], out=bounds[1:])
            idx = np.array(ids, dtype=np.int64)
            shapes = self._shapes_array[idx]
            vectors = np.array([self._line_vector(words) for words in lines])
            paths = np.empty(len(ids), dtype=np.int64)
            margs = np.empty(len(ids))
            self._tag_lines(idx, shapes, bounds, self.own, self.ctx, self.offsets, self.pad, self.bos, self.eos,
                            self.pair, self.trans, vectors, paths, margs)
        return paths, margs, bounds.tolist()

    def tag_words(self, words: list[str]) -> tuple[list[str], list[float]]:
        """Labels of ``words`` and the marginal probability of each."""
        path, marg = self._tag(words)
        return [self.labels[p] for p in path], marg.tolist()

    def spans(self, text: str) -> list[tuple[int, int, str, float]]:
        out: list[tuple[int, int, str, float]] = []
        memo, chunk = self._line_memo, self._chunk_lines
        if "\n" not in text:  # one line (or none): `_LINES` would match the whole text at 0
            if not text:
                return out
            found = memo.get(text)
            if found is None:
                found = chunk.get(text)
                if found is None:
                    found = self.line_spans(text)
                if len(text) <= LINE_MEMO_CHARS:
                    if len(memo) >= LINE_MEMO_SIZE:
                        memo.clear()
                    memo[text] = found
            return list(found)
        for line in _LINES.finditer(text):
            seg = line.group()
            found = memo.get(seg)
            if found is None:
                found = chunk.get(seg)
                if found is None:
                    found = self.line_spans(seg)
                if len(seg) <= LINE_MEMO_CHARS:
                    if len(memo) >= LINE_MEMO_SIZE:
                        memo.clear()  # cheaper than LRU bookkeeping on every line; refills in ~1k records
                    memo[seg] = found
            if found:
                base = line.start()
                out += found if not base else [(base + s, base + e, t, p) for s, e, t, p in found]
        return out

    def line_spans(self, seg: str) -> list[tuple[int, int, str, float]]:
        """Spans of one line (no newline in it), offsets from its start: a pure function of the
        line's text, so `spans` reuses it for a line seen before (chat templates, greetings,
        signatures recur across records: ~21% of the demo's tagged lines)."""
        words = _line_words(seg)
        if words is None:
            return []
        path, marg = self._tag(words)
        return self._line_result(seg, words, path.tolist(), marg.tolist())

    def prepare_chunk(self, texts: list[str] | None) -> None:
        """The spans of every line of ``texts`` that `spans` would tag (not remembered, worth
        tagging), their words tagged in one compiled call (`_tag_many`), for the `spans` calls
        that follow; None forgets them. Only saves work: `spans` returns the same."""
        if texts is None:
            self._chunk_lines = {}
            return
        memo = self._line_memo
        todo: dict[str, list[str] | None] = {}
        for text in texts:
            if len(text) > PREPARE_MAX_CHARS:
                continue
            for seg in _LINES.findall(text):
                if seg not in memo and seg not in todo:
                    todo[seg] = _line_words(seg)
        tagged = [(seg, words) for seg, words in todo.items() if words]
        chunk: dict[str, list[tuple[int, int, str, float]]] = {seg: [] for seg, words in todo.items() if words is None}
        if tagged:
            # Labels and marginals as lists once for the chunk (per line: two slices and two
            # conversions, ~1.5 µs), each line's a slice of them: the same numbers.
            paths, margs, cuts = self._tag_joined([w for _, w in tagged])
            path_list, marg_list = paths.tolist(), margs.tolist()
            for (seg, words), a, b in zip(tagged, cuts, cuts[1:]):
                chunk[seg] = self._line_result(seg, words, path_list[a:b], marg_list[a:b])
        self._chunk_lines = chunk

    def _line_result(self, seg: str, words: list[str], labels: list[int],
                     marg: list[float]) -> list[tuple[int, int, str, float]]:
        """`line_spans` of ``seg`` from its ``words``' labels and marginals (as lists: the numpy
        ``(path != O).nonzero()`` and a label lookup per numpy scalar cost ~1.5 µs per record)."""
        # The last tagged token.
        outside, last = self._outside, len(labels)
        while last and labels[last - 1] == outside:
            last -= 1
        # Known first names the model left before a verb ("Gabe is cute", "i swear freddie
        # laughs") or that address someone ("Lily I love your videos", "Nice shooting , Tex !"):
        # en_lone_names. Only the places of such names are looked at (found by a set operation in C).
        hits = self._seen_either.intersection(words)
        names = hits & self._seen_names if hits else hits
        subjects = lone_names(words, labels, names, outside, self._begin_person) if names else []
        if subjects:  # a name the model tagged surely enough needs nothing ("Norma Fisher ,")
            subjects = [i for i in subjects if labels[i] == outside or marg[i] < SUBJECT_SCORE]
        # Public figures and characters named by one word ("trump is", "Fuck Canelo"): en_famous.
        stars = hits & self._seen_famous if hits else hits
        famous = famous_names(words, labels, marg, stars, outside, self._person_ids) if stars else []
        if not last and not subjects and not famous:  # nothing found: no offsets needed
            return []
        # Offsets of the tokens up to the last one tagged: only white space lies between
        # tokens (every other character is part of one), so each is the next find().
        # Two more than the last one: a name's suffix or last word (`_name_tail`).
        pos, toks = 0, []
        for w in words[: max(last, subjects[-1] + 1 if subjects else 0, famous[-1][1] if famous else 0) + 2]:
            pos = seg.index(w, pos)
            toks.append((pos, pos + len(w), w))
            pos += len(w)
        names, n = self.labels, len(toks)
        found = _decode(toks, [names[p] for p in labels[:n]], marg[:n]) if last else []
        if subjects:
            lone = {(toks[i][0], toks[i][1]) for i in subjects}
            # A one-word name the model tagged below the rule's score ("Linus ," 0.44) gets it.
            found = [(a, b, t, max(p, SUBJECT_SCORE) if t == "PERSON" and (a, b) in lone else p)
                     for a, b, t, p in found]
            found = sorted(found + [(a, b, "PERSON", SUBJECT_SCORE) for a, b in lone
                                    if not any(a < e and s < b for s, e, _, _ in found)])
        if famous:
            found = _add_famous(found, [(toks[i][0], toks[j - 1][1]) for i, j in famous])
        return found


def _line_words(seg: str) -> list[str] | None:
    """The tokens the tagger reads in the line ``seg``, or None for a line not worth tagging."""
    if not _worth_tagging(seg):
        return None
    # The whole line: tagging only windows around capitalised words was tried and lost
    # lower-case names and organisations (en PERSON recall 0.65 -> 0.61) for -25% time.
    return (TOKEN if _CJK_CHAR.search(seg) else _TOKEN_NO_CJK).findall(seg)


def _add_famous(found: list[tuple[int, int, str, float]],
                stars: list[tuple[int, int]]) -> list[tuple[int, int, str, float]]:
    """``found`` with the names of `en_famous` (character ranges ``stars``): a span of the model
    that is exactly one gets FAMOUS_SCORE at least and becomes a PERSON (it was one it doubted);
    a place or organisation under DOUBTED that holds one gives way to it ("Aragorn & Frodo"
    ORGANIZATION 0.27); another span that overlaps one stays and the star is dropped; a star one space after a
    PERSON span is that name's last part ("Donald trump"), not a second name."""
    exact = {(a, b) for a, b in stars}
    found = [(a, b, "PERSON", max(p, FAMOUS_SCORE)) if (a, b) in exact else (a, b, t, p) for a, b, t, p in found
             if t == "PERSON" or p >= DOUBTED or (a, b) in exact or not any(a < e and s < b for s, e in stars)]
    found += [(a, b, "PERSON", FAMOUS_SCORE) for a, b in stars
              if not any(a < e and s < b for s, e, _, _ in found)]
    out: list[tuple[int, int, str, float]] = []
    starts = {a for a, _ in stars}
    for span in sorted(found):
        if out and span[0] in starts and span[2] == out[-1][2] == "PERSON" and out[-1][1] + 1 == span[0]:
            prev = out.pop()
            span = (prev[0], span[1], "PERSON", max(prev[3], FAMOUS_SCORE))
        out.append(span)
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


def forget_lines() -> None:
    """Empty the tagger's line memo. Each scan starts with an empty one (`RecordProcessor`), so
    what a scan saves is what its own input repeats: a second scan of the same file in one
    process (a benchmark's repeats) would otherwise find every line remembered."""
    if _TAGGER is not None:
        _TAGGER._line_memo.clear()


def prepare_chunk(texts: list[str] | None) -> None:
    """Before the English models' sweep over a scan chunk (`Analyzer.analyze_records`): the
    tagger's spans of the chunk's lines in one call (`EnTagger.prepare_chunk`); None, after it,
    forgets them. No texts: no model is loaded."""
    if texts is None:
        if _TAGGER is not None:
            _TAGGER.prepare_chunk(None)
    elif texts:
        get_tagger().prepare_chunk(texts)


def tag_en(text: str) -> list[tuple[int, int, str, float]]:
    """Spans of ``text``; the three English model recognizers share one run via a 1-entry cache."""
    global _LAST
    last = _LAST
    if last[0] == text and text:
        return last[1]
    spans = get_tagger().spans(text)
    _LAST = (text, spans)
    return spans

