"""English PERSON / ADDRESS / ORGANIZATION tagger: a word-level linear-chain CRF (crfsuite).

Trained by ``tools/train_en_ner.py`` on the Broad Twitter Corpus, WNUT17 and wikigold train
parts plus generated chat sentences with names of many nationalities (see MODEL_CARD.md).
Features per token: the word in lower case, its 3-letter prefix and 2-/3-letter suffixes (for
words of letters only also the 2-/4-letter prefixes, the 4-letter suffix and the
vowel/consonant pattern of the ending), its shape, lexicon membership (first names, last
names, common sentence words), and the word, shape and lexicon membership of the two words
either side.

Cost control: a line is tagged only if it holds a capitalised word that is not a common
sentence word (names, places and organisations are written that way in nearly all text the
scan sees), a lower-case word of the name lexicon, or an @-mention, or if it is a sentence
typed all in lower case; a word's feature strings are cached.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

from privtune.errors import ConfigError
from privtune.scan.ner.english import INSTRUCTION_VERBS, LATIN_UPPER, NOT_NAME, SENTENCE_OPENERS
from privtune.scan.ner.en_span_rules import check_person, is_rare_lower_word
from privtune.scan.ner.lexicon import en_lexicon

MODEL_PATH = Path(__file__).with_name("en_crf.crfsuite")
# Log-weight added to the B-PER / I-PER emissions at inference. Leaving a name in the data costs
# more than masking a word too many, and the L1/L2-regularised model under-calls rare names;
# `tools/train_en_ner.py --pick-bias` chooses it on a validation slice of the training data
# (never on the dev sets) and prints the value to put here.
PERSON_BIAS = 0.0
LABELS = {"PER": "PERSON", "LOC": "ADDRESS", "ORG": "ORGANIZATION"}
DETECTOR = "en_ner_model"
# Tokens: @handles, #tags and URLs whole; words with inner apostrophes / hyphens, and dots only
# between single characters (U.S.A, e.g): "Garcia.anything" (a missing space) is two words.
# Kana, CJK and Hangul characters are tokens of their own (Chinese text around an English word
# is no part of it: "GosuGamer的世界" is "GosuGamer" + 的 + 世 + 界); @handles keep them.
_W = r"[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
TOKEN = re.compile(rf"https?://\S+|[@#]\w+|{_W}+(?:['’-]{_W}+|\.{_W}(?!{_W}))*|\S")
# The same tokens for a line without CJK characters, by a simpler (~2x faster) pattern.
_TOKEN_NO_CJK = re.compile(r"https?://\S+|[@#]\w+|\w+(?:['’-]\w+|\.\w(?!\w))*|\S")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LINES = re.compile(r"[^\n]+")
# Lines up to this long are remembered with their spans, at most this many (~2 MB at most).
LINE_MEMO_CHARS = 400
LINE_MEMO_SIZE = 4096


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


# Vowels of the Latin scripts the names come in (y counted as one: "-ya", "-ey" endings).
_VOWELS = frozenset("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýăąēėęěīįıōőœūůűų")


# Letters up to Latin Extended-B as "v" / "c" (str.translate: ~5x the generator's speed).
_CV_TABLE = {i: ("v" if chr(i) in _VOWELS else "c") for i in range(0x250) if chr(i).isalpha()}


def _vowel_pattern(s: str) -> str:
    """"escu" -> "vccv": a word ending's vowels (v) and other letters (c)."""
    out = s.translate(_CV_TABLE)
    if out.strip("vc"):  # a letter of another script (Greek, Cyrillic ...): no vowel of ours
        out = "".join("v" if c in _VOWELS else "c" for c in s)
    return out


_OFFSETS = (-2, -1, 1, 2)
_PAD = {k: [f"{k}pad"] for k in _OFFSETS}


@lru_cache(maxsize=65536)
def _word(w: str) -> tuple[tuple[str, ...], dict[int, tuple[str, ...]], str, tuple[tuple[str, ...], ...]]:
    """One word's own feature strings, the strings it adds to a token ``k`` places away (for
    each k in _OFFSETS), its shape, and its own strings in two groups (see the end). Cached:
    chat text repeats its words, and all of a token's features but one are the words' own or
    their neighbours' strings."""
    first, last = _lexicon()
    lw = w.lower()
    # All-caps and all-lower words are looked up title-cased ("TRUMP", "ryan"), but a lower-case
    # hit is its own feature: in tweets it is a name, in prose often an ordinary word.
    lower = w.islower()
    t = w.title() if (w.isupper() or lower) and len(w) > 1 else w
    sh = shape(w)
    is_first, is_last = t in first, t in last
    tag = "l" if lower else ""
    affixes = [f"w={lw}", f"suf={lw[-3:]}", f"suf2={lw[-2:]}", f"pre={lw[:3]}"]
    # Sub-word form (fourth round): longer affixes and the vowel/consonant pattern of the ending
    # carry a name's nationality across names no list holds ("-escu", "-ović", "-oğlu", "-ová";
    # intl_en.unseen PERSON F1 0.763 -> 0.800 with these alone). Words of letters only:
    # numbers, codes and handles (three in four of the words a chat record brings that the
    # tagger has not seen) skip them, so a new word costs about what it did before (all-en F1
    # 0.801 -> 0.799 against affixes on every word, within the retraining spread).
    alpha = w.isalpha()
    more = [f"suf4={lw[-4:]}", f"pre2={lw[:2]}", f"pre4={lw[:4]}"] if alpha else []
    cls = [f"sh={sh}", f"len={min(len(lw), 8)}"]
    if is_first:
        cls.append(tag + "first")
    if is_last:
        cls.append(tag + "last")
    if t in NOT_NAME:
        cls.append("stop")
    if alpha and not w.isascii():
        cls.append("latin+")  # letters with diacritics: names of many nationalities
    vowels = ["cv=" + _vowel_pattern(lw[-4:])] if alpha else []
    # The training order of the strings (kept: the shipped model was fitted on it).
    own = (affixes[0], cls[0], affixes[1], affixes[2], affixes[3], *cls[1:], *more, *vowels)
    ctx = {}
    for k in _OFFSETS:
        c = [f"{k}w={lw}", f"{k}sh={sh}"]
        if is_first or is_last:
            c.append(f"{k}{tag}name")
        ctx[k] = tuple(c)
    # Split for `EnTagger._word_id`: the word and its affixes; the strings of its class (shape,
    # length, lexicon flags, vowel pattern), which few words differ in.
    return own, ctx, sh, (tuple(affixes + more), tuple(cls + vowels))


# Feature strings that come from the name lexicon (tools/train_en_ner.py drops them from some
# generated sentences so that the model also learns names from their context alone).
LEXICON_FEATURES = frozenset(
    ["first", "last", "lfirst", "llast"] + [f"{k}{t}name" for k in _OFFSETS for t in ("", "l")]
)


def token_features(words: list[str]) -> list[list[str]]:
    """crfsuite attribute strings per token (the same at training and at inference)."""
    n = len(words)
    info = [_word(w) for w in words]
    line = _line_features(words)
    feats = []
    for i, (own, _, sh, _) in enumerate(info):
        row = list(own) + line
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


def _line_features(words: list[str]) -> list[str]:
    """Features every token of a line gets: "lcline" when the line has no capital at all
    (lower-case chat and tweets, where a lower-case known name is a name, not a word)."""
    return ["lcline"] if all(w.islower() or not w.isalpha() for w in words) else []


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
        return i

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
            line_key = tuple(_line_features(words))
            line = self._line_vectors.get(line_key)
            if line is None:
                line = self._line_vectors[line_key] = self._vector(line_key) + self.person_bias
            return self._tag_line(idx, shapes, self.own, self.ctx, self.offsets, self.pad,
                                  self.bos, self.eos, self.pair, self.trans, line)

    def tag_words(self, words: list[str]) -> tuple[list[str], list[float]]:
        """Labels of ``words`` and the marginal probability of each."""
        path, marg = self._tag(words)
        return [self.labels[p] for p in path], marg.tolist()

    def spans(self, text: str) -> list[tuple[int, int, str, float]]:
        out: list[tuple[int, int, str, float]] = []
        memo = self._line_memo
        for line in _LINES.finditer(text):
            seg = line.group()
            found = memo.get(seg)
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
        if not _worth_tagging(seg):
            return []
        # The whole line: tagging only windows around capitalised words was tried and lost
        # lower-case names and organisations (en PERSON recall 0.65 -> 0.61) for -25% time.
        words = (TOKEN if _CJK_CHAR.search(seg) else _TOKEN_NO_CJK).findall(seg)
        path, marg = self._tag(words)
        # The last tagged token, on the path as a list (one conversion, where the numpy
        # ``(path != O).nonzero()`` and a label lookup per numpy scalar cost ~1.5 µs per record).
        labels = path.tolist()
        outside, last = self._outside, len(labels)
        while last and labels[last - 1] == outside:
            last -= 1
        if not last:  # nothing found: no offsets needed
            return []
        # Offsets of the tokens up to the last one tagged: only white space lies between
        # tokens (every other character is part of one), so each is the next find().
        pos, toks = 0, []
        for w in words[: last + 2]:  # and two more: a name's suffix or last word (`_name_tail`)
            pos = seg.index(w, pos)
            toks.append((pos, pos + len(w), w))
            pos += len(w)
        names, n = self.labels, len(toks)
        return _decode(toks, [names[p] for p in labels[:n]], marg[:n].tolist())


# Capitalised chat words that open sentences but never name anything: a line whose only
# capitalised words are these (or NOT_NAME's) is not tagged. Only the gate uses them.
_GATE_STOP = frozenset(
    "You're You've You'll I'm I've I'll I'd It's That's There's Here's What's Let's Don't Can't "
    "Won't Didn't Isn't We're We've We'll Done Sure Unfortunately Sorry Of Course Also Great "
    "Perfect Noted Understood Certainly Absolutely Alright".split()
)


_GATE_WORDS = NOT_NAME | _GATE_STOP
# A capitalised word as TOKEN cuts it ("O'Neill", "U.S"), where a capital opens it.
_CAPITALISED = re.compile(rf"(?<![\w'’])(?=[{LATIN_UPPER}][a-z\u00df-\u024f])\w+(?:['’-]\w+|\.\w(?!\w))*")
# The same words less the look-behind, which `_has_gate_word` tests in Python (sre tries a
# pattern that opens with one at every position; this one it skips to a capital). The capital
# is a word character, so "[A-Z](?=[a-z])\w*" takes the same run as "(?=[A-Z][a-z])\w+".
_CAPITAL_WORD = re.compile(rf"[{LATIN_UPPER}](?=[a-z\u00df-\u024f])\w*(?:['’-]\w+|\.\w(?!\w))*")


# An @-mention ("@sam_k", or "@ sam_k" as tokenised corpora write it), not an e-mail address's @.
_MENTION = re.compile(r"(?<![\w.+-])@ ?\w")


def _worth_tagging(line: str) -> bool:
    """Does ``line`` hold a capitalised word that is no common sentence word ("The", "Thanks",
    "I", "You're"), an @-mention, or a lower-case word the name lexicon knows?"""
    if _has_gate_word(line):
        return True
    # A line with an @-mention is social-media text, where names are typed in lower case as
    # often as not ("@dana_k lol ask marek") and mentions of people are names themselves: the
    # gate let such lines through only with a capitalised or lexicon word, and the model, run
    # on all of them, finds more names (en PERSON recall 0.695 -> 0.741 on the dev sets, mostly
    # the Broad Twitter Corpus's "@ name" mentions); no line of the demo chats holds a mention
    # (0 of 8,000: their "@" are e-mail addresses), so chat text costs no more to tag.
    if "@" in line and _MENTION.search(line):
        return True
    # Left: lines whose capitalised words are all common ones, and lines without any capital.
    # A lower-case lexicon name lets either through ("ask ryan about it"; in ordinary sentences
    # lower-case lexicon hits are words, "your bill", "the fee", and tagging every such line
    # costs ~20% of the model). A line with no capital at all is also tagged when it is a
    # sentence (three lower-case words or more, no CJK): "honestly gelu is the funniest person
    # i know" names someone no list holds. None of the demo chats' 8,000 lines is typed all in
    # lower case, so chat text costs no more to tag.
    return _lower_name(line) or (line.count(" ") > 1 and _lower_sentence(line))


_LOWER_SENTENCE_WORD = re.compile(r"(?<!\S)[a-z\u00df-\u024f]+(?=[\s,.!?;:]|$)")


def _lower_sentence(line: str) -> bool:
    """Is the line three lower-case words or more, with no capital and no CJK character? (The
    caller asks only about lines with two blanks or more, which Chinese lines, half of the
    demo's, rarely have; the English lines that get here open with a capital.)"""
    if _ANY_CAPITAL.search(line) or _CJK_CHAR.search(line):
        return False
    return len(_LOWER_SENTENCE_WORD.findall(line)) >= 3


def _has_gate_word(line: str) -> bool:
    """``any(w not in _GATE_WORDS for w in _CAPITALISED.findall(line))``, stopping at the first
    such word; a word the look-behind rejects (after a word character or an apostrophe) moves
    the search on by one character, as finditer does."""
    stop = _GATE_WORDS
    pos = 0
    search = _CAPITAL_WORD.search
    while (m := search(line, pos)) is not None:
        i = m.start()
        if i and ((c := line[i - 1]).isalnum() or c in "_'’"):  # \w is isalnum() or "_"
            pos = i + 1
            continue
        if m.group() not in stop:
            return True
        pos = m.end()
    return False


_ANY_CAPITAL = re.compile(f"[{LATIN_UPPER}]")
# A lower-case word of three letters or more, and the determiner before it if any: after "the",
# "your" ... a word is a noun ("your bill", "the fee"), not a name.
_LOWER_WORD = re.compile(
    r"(?<![\w@#'’])(?:((?i:the|a|an|your|my|our|their|his|her|its|this|that|no|any|each|every|per))\s+)?"
    r"([a-z\u00df-\u024f]{3,})(?![\w'’])"
)


@lru_cache(maxsize=1)
def _lower_names() -> frozenset[str]:
    """Lexicon names in lower case, less the common sentence words: gate for lines typed all in
    lower case ("ask ryan about it"), which hold no capital for the other test to find."""
    first, last = _lexicon()
    stop = {w.lower() for w in NOT_NAME | _GATE_STOP}
    return frozenset(n.lower() for n in first | last if n.isalpha()) - stop


def _lower_name(line: str) -> bool:
    """Does a line with no useful capital hold a lower-case word the name lexicon knows?"""
    names = _lower_names()
    # Each word _LOWER_WORD can take is a maximal run of these letters: with no run in the
    # lexicon there is nothing to find (the findall below costs ~3x this test).
    if not any(w in names for w in _LOWER_RUN.findall(line)):
        return False
    return any(not det and word in names for det, word in _LOWER_WORD.findall(line))


_LOWER_RUN = re.compile("[a-z\u00df-\u024f]{3,}")


_ALNUM = re.compile(r"[^\W_]")
# "I'd", "It's", "Robert's": a contraction or possessive opens no name.
_CONTRACTION = re.compile(r"\w+['’](?:m|s|re|ve|ll|d|t)")
_MONTHS = frozenset("January February March April May June July August September October November December".split())


@lru_cache(maxsize=1)
def _leading_stop() -> frozenset[str]:
    """Common sentence words and instruction verbs that are nobody's name: not in the name
    lexicon, not an ordinary word that is also a first name (english._AMBIGUOUS: Will, Mark
    ...), not a month."""
    from privtune.scan.ner.english import _AMBIGUOUS

    first, last = _lexicon()
    return frozenset((_GATE_WORDS | INSTRUCTION_VERBS) - first - last - _AMBIGUOUS - _MONTHS)


def _decode(toks: list[tuple[int, int, str]], tags: list[str], marg: list[float]) -> list[tuple[int, int, str, float]]:
    """BIO tags to spans; a span's score is the mean marginal probability of its tags."""
    out = []
    if tags.count("B-PER") > 1:
        tags = _join_names(toks, tags, marg)
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
        # The model learned English: a CJK character it tags (Chinese around an English word)
        # is left to the Chinese model, so spans are cut back to their non-CJK tokens.
        a, b = i, j
        while a < b and _CJK_CHAR.fullmatch(toks[a][2]):
            a += 1
        while b > a and _CJK_CHAR.fullmatch(toks[b - 1][2]):
            b -= 1
        if label == "PER":
            # A capitalised sentence word the model pulled into a name ("Is Crawford still ...").
            # Only in front and only words that are no name: a name part left in the text is a
            # leak ("Diana Good", "Will Smith", "June Carter" keep theirs).
            stop = _leading_stop()
            while a < b and toks[a][2] in stop:
                a += 1
            # Nor does it run over a full stop into the next sentence ("Vincent Cox. I'd like").
            for k in range(a + 1, b - 1):
                if toks[k][2] == "." and (toks[k + 1][2] in stop or _CONTRACTION.fullmatch(toks[k + 1][2])):
                    b = k
                    break
            # Nor does a name end in a punctuation mark ("Bob," -> "Bob"): the surrogate of
            # "Bob," would differ from that of "Bob" elsewhere in the record.
            while b > a + 1 and not _ALNUM.search(toks[b - 1][2]):
                b -= 1
            # Nor in a lower-case function word ("John Greiner of the railroad").
            while b > a + 1 and toks[b - 1][2] in _TRAILING_FUNCTION_WORDS:
                b -= 1
            if b == j and a < b:
                extra = _name_tail(toks, tags, a, b, marg)
                if not extra and toks[b - 1][2] in ("Jr", "Sr") and b < len(toks) and toks[b][2] == "." and (
                        toks[b][0] == toks[b - 1][1] and tags[b] == "O"):
                    extra = 1  # "Andrew J. Evans Jr.": the suffix keeps its dot
                b += extra
                j += extra
            if a < b:
                first, last = _lexicon()
                kind = check_person([t[2] for t in toks[a:b]], toks[b][2] if b < len(toks) else "", first, last,
                                    toks[b + 1][2] if b + 1 < len(toks) else "")
                if kind is None:  # an ordinary word, or a name that only qualifies a group
                    i = j
                    continue
                label = kind
        if a < b and toks[a][2] in INSTRUCTION_VERBS and (a == 0 or toks[a - 1][2] in SENTENCE_OPENERS):
            a += 1  # an instruction's opening verb ("Summarise ticket 0", "Compare Acme Corp and ...")
        if label in LABELS and a < b:
            if label == "PER" and b - a > 2:
                out += _split_name(toks, a, b, prob)
            else:
                out.append((toks[a][0], toks[b - 1][1], LABELS[label], prob))
        i = j
    return out


# Suffixes written after a full name ("Kristina Pace MD", "Evans Jr."): part of it.
_NAME_SUFFIXES = frozenset("MD PhD DDS DVM Jr Sr II III IV".split())
# A rare lower-case word after a lone first name joins it only when the model's marginal for
# its "O" is below this: verbs after a name ("Tom tucks in", "Alexander blasts") are surer O
# (0.98-1.0 on the dev sets) than the surnames it left ("Mauro renallo" 0.64, "Jesus christ" 0.51).
TAIL_DOUBT = 0.9


def _name_tail(toks: list[tuple[int, int, str]], tags: list[str], a: int, b: int, marg: list[float]) -> int:
    """How many untagged tokens right after the name ``toks[a:b]`` still belong to it: a suffix
    ("MD", "Jr" and its dot), or, after a lone known first name, a known last name that is also
    a common word ("Diana Good": the model leaves "Good", a leak of half the name) or one typed
    in lower case ("Kylie minogue")."""
    if b >= len(toks) or toks[b][0] != toks[b - 1][1] + 1:
        return 0
    w = toks[b][2]
    if w in _NAME_SUFFIXES and b - a >= 2 and tags[b][:2] != "I-":  # over an "MD" the model took for a state
        return 2 if w in ("Jr", "Sr") and b + 1 < len(toks) and toks[b + 1][2] == "." and toks[b + 1][0] == toks[b][1] else 1
    if b - a == 1 and tags[b] == "O" and w[1:].islower():
        first, last = _lexicon()
        name = toks[a][2]
        if w[0].isupper():
            if name in first and w in last and w not in first:
                return 1
        elif name[0].isupper() and name in first and (t := w.title()) not in NOT_NAME and (
                (t in last and t not in first) or (is_rare_lower_word(w) and marg[b] < TAIL_DOUBT)):
            # "Kylie minogue": a surname typed in lower case (not "Diana good to hear"); or a
            # word the corpora do not write in lower case that the model is unsure of
            # ("Mauro renallo", "Jesus christ"; not the verbs of "Tom tucks in", "Wendy interact").
            return 1
    return 0


def _join_names(toks: list[tuple[int, int, str]], tags: list[str], marg: list[float]) -> list[str]:
    """"Franci/B-PER Mrak/B-PER" is one name, not two: a B-PER right after a name's last word,
    one space away, both words capitalised letters only, continues that name (two names in a
    row with nothing between them are rare; "@" and a handle, which the Broad Twitter Corpus
    labels as two, are no capitalised words)."""
    tags = list(tags)
    for i in range(1, len(tags)):
        if (i > 1 and tags[i] == "B-PER" and tags[i - 1] == "O" and toks[i - 1][2] == "."
                and tags[i - 2] in ("B-PER", "I-PER") and len(w := toks[i - 2][2]) == 1 and w.isupper()
                and toks[i - 1][0] == toks[i - 2][1] and toks[i][0] == toks[i - 1][1] + 1):
            tags[i - 1] = tags[i] = "I-PER"  # "Andrew J. Evans": the initial's dot is inside the name
            continue
        if tags[i] == "B-PER" and tags[i - 1] in ("B-PER", "I-PER") and toks[i][0] == toks[i - 1][1] + 1:
            prev, cur = toks[i - 1][2], toks[i][2]
            if prev[0].isupper() and prev.isalpha() and (
                    (cur[0].isupper() and cur.isalpha())
                    # "Travis scott": a rare lower-case word the model doubts starts a name
                    # (0.64; "Taylor tanner", two people, 0.93), after a known first name.
                    or (marg[i] < TAIL_DOUBT and prev in _lexicon()[0] and is_rare_lower_word(cur))):
                tags[i] = "I-PER"
    return tags


# Lower-case words a name never ends in (particles inside one stay: "Marcus du Sautoy").
_TRAILING_FUNCTION_WORDS = frozenset("of and the in at on for to from with by or".split())


# Tokens a name never runs across: "cc @dana_k — Dana this is ..." is the handle, a dash and a
# name, not one name (initials' dots and nicknames' quotes do occur inside names, these not).
_NAME_BREAKS = frozenset("—–:|;,")


def _split_name(toks: list[tuple[int, int, str]], a: int, b: int, prob: float) -> list[tuple[int, int, str, float]]:
    """The PERSON span of tokens ``a..b`` cut at the inner tokens of _NAME_BREAKS; a one-token
    @handle before such a break is no part of the name either (the handle rule's, if anyone's)."""
    out, start = [], a
    for k in range(a + 1, b):
        if toks[k][2] in _NAME_BREAKS:
            if start < k and not (k - start == 1 and toks[start][2].startswith("@")):
                out.append((toks[start][0], toks[k - 1][1], "PERSON", prob))
            start = k + 1
    if start < b:
        out.append((toks[start][0], toks[b - 1][1], "PERSON", prob))
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


def tag_en(text: str) -> list[tuple[int, int, str, float]]:
    """Spans of ``text``; the three English model recognizers share one run via a 1-entry cache."""
    global _LAST
    last = _LAST
    if last[0] == text and text:
        return last[1]
    spans = get_tagger().spans(text)
    _LAST = (text, spans)
    return spans
