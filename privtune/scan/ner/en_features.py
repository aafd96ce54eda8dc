"""What the English CRF sees: tokens and the feature strings of each token.

Features per token (the same at training, ``tools/train_en_ner.py``, and at inference,
``en_crf.EnTagger``): the word in lower case, its 3-letter prefix and 2-/3-letter suffixes (for
words of letters only also the 2-/4-letter prefixes, the 4-letter suffix and the
vowel/consonant pattern of the ending), its shape, lexicon membership (first names, last
names, common sentence words), and the word, shape and lexicon membership of the two words
either side. A word's feature strings are cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

from privtune.scan.ner.english import NOT_NAME
from privtune.scan.ner.lexicon import en_lexicon

# Tokens: @handles, #tags and URLs whole; words with inner apostrophes / hyphens, and dots only
# between single characters (U.S.A, e.g): "Garcia.anything" (a missing space) is two words.
# Kana, CJK and Hangul characters are tokens of their own (Chinese text around an English word
# is no part of it: "GosuGamer的世界" is "GosuGamer" + 的 + 世 + 界); @handles keep them.
_W = r"[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
# A possessive's "'s" is split off as the corpora write it ("Efron ' s"): "Rachel's" is "Rachel"
# + "'" + "s", or the model, which never saw "Rachel's" whole, tags it O.
TOKEN = re.compile(rf"https?://\S+|[@#]\w+|{_W}+(?:['’](?!s(?!{_W})){_W}+|-{_W}+|\.{_W}(?!{_W}))*|\S")
# The same tokens for a line without CJK characters, by a simpler (~2x faster) pattern.
_TOKEN_NO_CJK = re.compile(r"https?://\S+|[@#]\w+|\w+(?:['’](?!s(?!\w))\w+|-\w+|\.\w(?!\w))*|\S")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


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

