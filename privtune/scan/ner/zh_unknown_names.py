"""Names no dictionary knows, run into the text around them (《陆毅曹芙嘉《, #2014徐浩朱元冰夏日,
@金玉缘高智雅@, 唉马靖昊说).

On social media a name often has Chinese on both sides and no cue; the CRF then sees a
surname + one or two characters whose context is as strange as the name itself and stays just
under its threshold. A word segmentation tells the two cases apart: the text *around* such a
name falls into known words, and the name is left over as single characters that make no word.
That is how dictionary segmenters find unknown names; here:

1. a candidate is a surname (single or compound) + 1 or 2 Han characters, outside every span
   already found, that the CRF scores as a name at :data:`MIN_CRF_SCORE` or more (its PERSON
   gain for exactly that span, calibrated as its own spans are: 0.5 is its F1-best point);
2. the candidate must lie inside a run of single-character tokens of the most probable
   segmentation of the text around it (unigram word probabilities, words of 1-4 characters,
   as the jieba segmenter does), and that run must not itself be a word;
3. overlapping candidates: the one the CRF scores higher wins.

A candidate that is itself a word of the list passes step 2 in one case (:func:`known_word_name`):
the dictionary holds many public figures' names (戴相龙, 何基沣, 张之洞, 孙连仲, 高尔基), and
a three-character word shaped as a surname + two characters, whose two halves are no words
(雷阵雨 has 阵雨, 安全性 has 安全), that the segmentation keeps as one token and the CRF scores
at :data:`KNOWN_MIN_CRF_SCORE` or more, is taken as a name unless it or the character after it
names a thing or place (卢浮宫, 吴玉章奖, 温哥华). On the zh training and dev sets this adds 11
names and no false positive; at the 0.25 cut-off of step 1 it also took 白血病, 罗曼史,
蒲公英, 卢克索 (benchmarks/RESULTS.md, round 7).

The word list is jieba 0.42.1's dictionary (MIT; built by tools/extract_zh_words.py into
``zh_words.tsv.gz``: single characters and the 134,687 words of 2-4 characters with frequency
>= 5), read on first use. Neither half works alone (benchmarks/RESULTS.md, round 5; names
added / false positives added on weibo.dev, draft without the guards): surname-shaped spans
the CRF scores >= 0.25, without the segmentation, 17 / 19; the segmentation's leftovers
without the CRF, 8 / 116; with both, 11 / 1. The dictionary's own person names used as a
gazetteer reach few of the Weibo misses (6 of 47 on weibo.dev are in it at all) and were
not kept.
"""

from __future__ import annotations

import gzip
import math
import re
import threading
from pathlib import Path

from privtune.errors import ConfigError
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES, ZH_CUE_EXTRA_SURNAMES, ZH_SURNAMES
from privtune.scan.ner.zh_title_names import PLACES

UNKNOWN_DETECTOR = "zh_person_unknown"
UNKNOWN_SCORE = 0.55  # a candidate beside the CRF's spans (it never overlaps them)
MIN_CRF_SCORE = 0.25
KNOWN_MIN_CRF_SCORE = 0.3  # for a candidate that is a dictionary word (known_word_name)
WORDS_PATH = Path(__file__).with_name("zh_words.tsv.gz")
MAX_WORD = 4
# Characters of context segmented on each side of a candidate. The best segmentation of a
# position depends on the text after it; with 8 characters, all 61,376 candidates of the ~20 k
# zh training + dev sentences get the same answer as from their whole Han stretch.
WINDOW = 8

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Surnames a candidate may start with. The title rule leaves out surnames that also start common
# words after a title (zh_title_names._WORDISH_SURNAMES); here the segmentation already tells a
# word from a name, so only the surnames that read as a verb, preposition, conjunction or adverb
# in front of a leftover stay out (和万春 is lost, 于国有益 / 任欣旺达 are not names), and 申 / 文,
# which head bids and firm names the word list lacks (申奥, 文睿研究). 高 曾 万 明 满 封 单 商 are
# back: 高允连, 封屹, 商为智 (benchmarks/RESULTS.md, round 7).
# Last characters of a named thing or place (卢浮宫, 吴玉章奖, 白血病, 罗曼史), and a known place.
_THING_ENDS = frozenset("杯奖赛路街道巷桥楼馆园堂窟寺庙祠墓陵府市省县区镇乡村族某宫殿病史")
_NOT_HERE = frozenset("和都时向成解强计原宣管全相应于将任来申文")
SURNAMES = frozenset("".join(ZH_SURNAMES) + ZH_CUE_EXTRA_SURNAMES) - _NOT_HERE
# No given-name character: 某 makes an anonymised name (张某, 李某: already no one's name), the
# others end a place (甘棠镇, 蒋村, 苏州市) or a clause (as in the list rule).
_NOT_GIVEN = frozenset("某族市省县区镇乡村路街呢吗吧啊呀啦嘛哦哟噢哈嘿呵嘻")


class WordList:
    """Log-probabilities of known words (jieba's unigram model); unknown characters get
    ``unknown``, the log-probability of a frequency of 1."""

    def __init__(self, path: Path = WORDS_PATH) -> None:
        total, rows = 0, []
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("#"):
                        if line.startswith("# total:"):
                            total = int(line.split(":", 1)[1])
                        continue
                    word, _, freq = line.rstrip("\n").partition("\t")
                    rows.append((word, int(freq)))
        except (OSError, ValueError, EOFError) as exc:
            raise ConfigError(f"cannot read the Chinese word list {path}: {exc}") from exc
        if total <= 0 or not rows:
            raise ConfigError(f"{path} has no '# total:' header or no words; rerun tools/extract_zh_words.py")
        log_total = math.log(total)
        self.logp = {w: math.log(f) - log_total for w, f in rows}
        self.unknown = -log_total

    def tokens(self, text: str) -> list[int]:
        """End offsets of the tokens of the most probable segmentation of ``text`` (all Han)."""
        n = len(text)
        logp, unknown = self.logp, self.unknown
        score = [0.0] * (n + 1)
        nxt = [0] * n
        for i in range(n - 1, -1, -1):
            best, best_end = logp.get(text[i], unknown) + score[i + 1], i + 1
            for end in range(i + 2, min(n, i + MAX_WORD) + 1):
                v = logp.get(text[i:end])
                if v is not None and v + score[end] > best:
                    best, best_end = v + score[end], end
            score[i], nxt[i] = best, best_end
        ends, i = [], 0
        while i < n:
            i = nxt[i]
            ends.append(i)
        return ends

    def unknown_runs(self, text: str) -> list[tuple[int, int]]:
        """Runs of >= 2 single-character tokens of ``text`` that together make no word."""
        runs, start, run_start = [], 0, None
        for end in self.tokens(text) + [-1]:
            if end == start + 1:
                if run_start is None:
                    run_start = start
            else:
                if run_start is not None and start - run_start >= 2 and text[run_start:start] not in self.logp:
                    runs.append((run_start, start))
                run_start = None
            start = end
        return runs


_LOCK = threading.Lock()
_WORDS: WordList | None = None


def get_words() -> WordList:
    """The packaged word list, read once per process on first use."""
    global _WORDS
    if _WORDS is None:
        with _LOCK:
            if _WORDS is None:
                _WORDS = WordList()
    return _WORDS


def candidates(text: str, taken: list[tuple[int, int]], scored: list[tuple[int, int, float]]) -> list[tuple[float, int, int]]:
    """``(weight, start, end)`` of the ``scored`` spans shaped as a surname + 1-2 Han
    given-name characters and clear of the ``taken`` spans."""
    out: list[tuple[float, int, int]] = []
    if not scored:
        return out
    # Positions already covered, marked once: a span per candidate would make a long text
    # with many names quadratic.
    covered = bytearray(len(text))
    for s, e in taken:
        covered[s:e] = b"\x01" * (e - s)
    for start, end, weight in scored:
        if text[start : start + 2] in ZH_COMPOUND_SURNAMES:
            given = end - start - 2
        elif text[start] in SURNAMES:
            given = end - start - 1
        else:
            continue
        if not 1 <= given <= 2 or _HAN_RUN.fullmatch(text, start, end) is None:
            continue
        if any(c in _NOT_GIVEN for c in text[end - given : end]):
            continue
        if not any(covered[start:end]):
            out.append((weight, start, end))
    return out


def in_unknown_run(text: str, start: int, end: int, words: WordList) -> bool:
    """Whether ``[start, end)`` lies in a run of single-character tokens that is no word,
    segmenting the Han stretch around it up to :data:`WINDOW` characters on each side."""
    lo, hi = _han_window(text, start, end)
    return any(s <= start - lo and end - lo <= e for s, e in words.unknown_runs(text[lo:hi]))


def _han_window(text: str, start: int, end: int) -> tuple[int, int]:
    """The Han stretch around ``[start, end)``, at most :data:`WINDOW` characters on each side."""
    lo = start
    while lo > 0 and start - lo < WINDOW and "\u4e00" <= text[lo - 1] <= "\u9fff":
        lo -= 1
    hi = end
    while hi < len(text) and hi - end < WINDOW and "\u4e00" <= text[hi] <= "\u9fff":
        hi += 1
    return lo, hi


def known_word_name(text: str, start: int, end: int, words: WordList) -> bool:
    """Whether ``text[start:end]`` is a dictionary word shaped as a three-character name that
    the segmentation around it keeps as one token (see the module docstring)."""
    w = text[start:end]
    logp = words.logp
    if len(w) != 3 or w not in logp or w[:2] in logp or w[1:] in logp or w in PLACES:
        return False
    if w[-1] in _THING_ENDS or text[end : end + 1] in _THING_ENDS:
        return False
    lo, hi = _han_window(text, start, end)
    ends = words.tokens(text[lo:hi])
    return end - lo in ends and (start == lo or start - lo in ends)


def unknown_names(
    text: str, taken: list[tuple[int, int]], scored: list[tuple[int, int, float]], known_min_weight: float = math.inf
) -> list[tuple[int, int]]:
    """The names this rule adds to ``text`` (see the module docstring): ``scored`` are the
    ``(start, end, weight)`` of the spans the CRF scores as a name at :data:`MIN_CRF_SCORE` or
    more, the weight ordering them as that score does (its gain or the score itself);
    ``taken`` the spans already found; ``known_min_weight``: the weight a dictionary word
    shaped as a name must reach (:func:`known_word_name`; the default takes none)."""
    cands = candidates(text, taken, scored)
    if not cands:
        return []
    words = get_words()
    chosen: list[tuple[int, int]] = []
    used = bytearray(len(text))  # positions of the names chosen so far
    for weight, s, e in sorted(cands, key=lambda x: -x[0]):
        if any(used[s:e]):
            continue
        if in_unknown_run(text, s, e, words) or (weight >= known_min_weight and known_word_name(text, s, e, words)):
            chosen.append((s, e))
            used[s:e] = b"\x01" * (e - s)
    return sorted(chosen)
