"""From the English CRF's BIO tags to spans: name boundaries and checks on PERSON spans.

Joins a first name and a surname the model tagged as two names, cuts sentence words, trailing
punctuation and function words off a name, adds suffixes ("Jr.", "MD") and lower-case surnames
the model left, splits a span at dashes and colons, and asks ``en_span_rules.check_person``
whether a PERSON span stays a person.
"""

from __future__ import annotations

import re
from functools import lru_cache

from privtune.scan.ner.en_famous import is_famous
from privtune.scan.ner.en_features import _CJK_CHAR, _lexicon
from privtune.scan.ner.en_gate import _GATE_WORDS
from privtune.scan.ner.english import _AMBIGUOUS, INSTRUCTION_VERBS, NOT_NAME, SENTENCE_OPENERS
from privtune.scan.ner.en_span_rules import CHECKS, check_person, is_edge_word, is_rare_lower_word

LABELS = {"PER": "PERSON", "LOC": "ADDRESS", "ORG": "ORGANIZATION"}


_ALNUM = re.compile(r"[^\W_]")
# "I'd", "It's", "Robert's": a contraction or possessive opens no name.
_CONTRACTION = re.compile(r"\w+['’](?:m|s|re|ve|ll|d|t)")
_MONTHS = frozenset("January February March April May June July August September October November December".split())


@lru_cache(maxsize=1)
def _leading_stop() -> frozenset[str]:
    """Common sentence words and instruction verbs that are nobody's name: not in the name
    lexicon, not an ordinary word that is also a first name (english._AMBIGUOUS: Will, Mark
    ...), not a month."""
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
            if a == i and j - i == 1 and i > 0 and _name_head(toks, tags, i, marg):
                a = i - 1  # "Will Smith was great": the first name the model doubted is the name's
            # A capitalised sentence word the model pulled into a name ("Is Crawford still ...").
            # Only in front and only words that are no name: a name part left in the text is a
            # leak ("Diana Good", "Will Smith", "June Carter" keep theirs).
            stop = _leading_stop()
            while a < b and toks[a][2] in stop:
                a += 1
            if CHECKS["edges"] and b - a > EDGE_CUT_KEEPS:
                a, b = _ordinary_edges_cut(toks, a, b)
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


# A name keeps at least this many tokens when ordinary words are cut off its edges: a first
# name + a surname that is also a word ("Bryan Singer", "Chris Rock", "John Legend") stays
# whole (cutting to one word lost 23 names on the training halves, keeping two lost 2).
EDGE_CUT_KEEPS = 2


def _ordinary_edges_cut(toks: list[tuple[int, int, str]], a: int, b: int) -> tuple[int, int]:
    """The tokens ``a..b`` of a PERSON span less the ordinary words at its ends
    (``en_span_rules.is_edge_word``), ``EDGE_CUT_KEEPS`` tokens at least, when what stays holds
    a word of the name lists or of ``en_famous``: a headline's verb or noun after the name
    ("Kevin Hart Wins", "Kate Moss Model"), a sentence word before it ("Losing Ben Bishop").
    Name-list words stay ("Will Smith", "Chris Brown"); a phrase without one ("Halo Reach",
    "Farmers Market") is left whole (``recognizers/en_model``'s phrase penalty meets it). The
    lexicon rule's weak matches get the same cut (``recognizers/person.model_name_less_words``).
    Measured together (benchmarks/RESULTS.md, ensocial10)."""
    first, last = _lexicon()
    c, d = a, b
    while d - c > EDGE_CUT_KEEPS and is_edge_word(toks[c][2], first, last):
        c += 1
    while d - c > EDGE_CUT_KEEPS and is_edge_word(toks[d - 1][2], first, last):
        d -= 1
    if (c, d) != (a, b) and any(_is_name_word(t[2], first, last) for t in toks[c:d]):
        return c, d
    return a, b


def _is_name_word(w: str, first: frozenset[str], last: frozenset[str]) -> bool:
    t = w.title() if w.isupper() or w.islower() else w
    return t in first or t in last or is_famous(w)


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


def _name_head(toks: list[tuple[int, int, str]], tags: list[str], i: int, marg: list[float]) -> bool:
    """Whether the untagged token right before the one-word name ``toks[i]`` begins it: a known
    first name that is also a sentence word ("Will", "Mark"), one space before a known last name,
    whose "O" the model doubts (``TAIL_DOUBT``; "Will Smith was great" 0.54), the mirror of
    `_name_tail`'s "Diana Good". A sure "O" stays out ("Will Smith come?" is the model's call)."""
    prev, name = toks[i - 1][2], toks[i][2]
    if tags[i - 1] != "O" or toks[i][0] != toks[i - 1][1] + 1 or marg[i - 1] >= TAIL_DOUBT:
        return False
    first, last = _lexicon()
    # The lexicon lacks some first names that are words ("Will"); english._AMBIGUOUS holds them
    # beside surname-words ("King", "Hill"), which are left out here.
    is_first = prev in first or (prev in _AMBIGUOUS and prev not in last)
    return prev[:1].isupper() and prev[1:].islower() and is_first and name in last and name[1:].islower()


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
