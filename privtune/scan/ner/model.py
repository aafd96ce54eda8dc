"""The Chinese PERSON / ADDRESS / ORGANIZATION tagger: a linear-chain CRF over hashed
character n-gram features, trained on CLUENER2020 by ``tools/train_ner.py`` (see MODEL_CARD.md).

Inference is pure numpy: feature hashing and the emission lookup are vectorised over the whole
string, and decoding uses the span-gain Viterbi of :mod:`privtune.scan.ner.decode`. The model
file is read once per process, on first use; torch is never imported.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from privtune.errors import ConfigError
from privtune.scan.entities import Span
from privtune.scan.ner import features, zh_unknown_names
from privtune.scan.ner.decode import SpanDecoder
from privtune.scan.ner.zh_given_names import GIVEN_DETECTOR, GIVEN_SCORE, given_name_mentions
from privtune.scan.ner.zh_handle_names import with_handle_names
from privtune.scan.ner.zh_name_ends import before_follower, completed_end, cut_name_pairs
from privtune.scan.ner.zh_person_bounds import person_bounds
from privtune.scan.ner.zh_name_lists import LIST_DETECTOR, LIST_SCORE, list_names
from privtune.scan.ner.zh_social_titles import SOCIAL_TITLE_DETECTOR, SOCIAL_TITLE_SCORE, social_title_names
from privtune.scan.ner.zh_title_names import AFTER_TITLES, PLACES, subject_names, title_names
from privtune.scan.ner.zh_batch import region_offsets
from privtune.scan.ner.zh_unknown_names import UNKNOWN_DETECTOR, UNKNOWN_SCORE, unknown_names
from privtune.scan.ner.zh_word_cuts import word_cut_names

MODEL_PATH = Path(__file__).with_name("zh_crf.npz")
TYPES: tuple[str, ...] = ("PERSON", "ADDRESS", "ORGANIZATION")
TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in TYPES for p in "BIES")
DETECTORS: dict[str, str] = {t: f"zh_{t.lower()}_model" for t in TYPES}
TITLE_DETECTOR = "zh_person_title"
_SURE = 0.5  # the calibrated F1-best cut-off: the analyzer's default min_score
TITLE_SCORE = 0.7  # a candidate: the CRF's surer PERSON spans win overlaps, and wider ones widen it
_SPACE = re.compile(r"\s+")
_NPAD = features.RADIUS
_PAD_SEP = "\x00" * _NPAD  # joins chunks tagged together; read as padding
_NO_PADS = np.zeros(0, dtype=np.int64)
_CJK_CLASS = "[\u3400-\u9fff\uf900-\ufaff]"
_CJK = re.compile(_CJK_CLASS)
_ZH_REGION = re.compile(rf"\S*{_CJK_CLASS}(?:.*{_CJK_CLASS})?\S*")  # "." stops at line ends
_CJK_CHAR = re.compile(_CJK_CLASS)
_FROM_CJK = re.compile(rf"{_CJK_CLASS}(?:.*{_CJK_CLASS})?\S*")


def zh_regions(text: str) -> list[tuple[int, str]]:
    """``[(m.start(), m.group()) for m in _ZH_REGION.finditer(text)]``, found without it.

    The pattern opens with ``\S*``, so sre tries it at every position and runs each word to its
    end before backtracking (~45 µs on a 220-character chat record); here a search jumps to the
    next CJK character, its word's start is found by stepping back over non-space characters
    (never before the previous region's end, as finditer), and the rest is the same pattern.
    """
    out = []
    pos = 0
    search, match = _CJK_CHAR.search, _FROM_CJK.match
    while (m := search(text, pos)) is not None:
        start = m.start()
        while start > pos and not text[start - 1].isspace():
            start -= 1
        end = match(text, m.start()).end()  # type: ignore[union-attr]  # it starts with the CJK character found
        out.append((start, text[start:end]))
        pos = end
    return out


def feature_fingerprint() -> str:
    """Digest of everything that decides feature ids; a model is only valid for the same one."""
    spec = json.dumps([features.RADIUS, list(features.PATTERNS.items()), list(features.TEMPLATES)])
    h = hashlib.sha256(spec.encode())
    h.update(features.NORM.tobytes())
    h.update(features.CLASS.tobytes())
    h.update(features.feature_ids("王小明住在北京市朝阳区。Acme Ltd. 123", 20).tobytes())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Calibration:
    """score = sigmoid(slope * (gain - threshold)): 0.5 exactly at the F1-best gain threshold."""

    slope: float
    threshold: float

    def score(self, gain: float) -> float:
        return 1.0 / (1.0 + math.exp(-self.slope * (gain - self.threshold)))


class ZhTagger:
    """Loaded CRF: ``tag(text)`` returns PERSON / ADDRESS / ORGANIZATION spans with scores."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                rows, values, trans = z["rows"], z["values"], z["transitions"]
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"cannot load the Chinese NER model {path}: {exc}") from exc
        if meta.get("features") != feature_fingerprint() or tuple(meta.get("tags", ())) != TAGS:
            raise ConfigError(f"{path} was trained with different features or tags; rerun tools/train_ner.py")
        self.meta = meta
        self.bits = int(meta["bits"])
        # Sparse on disk and in memory: most hash buckets are unused after L1, so a bucket's
        # row number (``row_of``; 0, a row of zeros, for the unused ones) and the used rows
        # take a fraction of a dense table's memory and cache. Decoding only needs each tag's
        # score relative to O: subtracted once here, not per call.
        used = values.astype(np.float32)
        self.row_of = np.zeros(1 << self.bits, dtype=np.int32)
        self.row_of[rows] = np.arange(1, len(rows) + 1, dtype=np.int32)
        self.gain_rows = np.zeros((len(rows) + 1, len(TAGS) - 1), dtype=np.float32)
        self.gain_rows[1:] = used[:, 1:] - used[:, :1]
        self.transitions = trans.astype(np.float64)
        self.decoder = SpanDecoder(self.transitions, len(TYPES), max_len=int(meta.get("max_len", 32)))
        self.calibration = {t: Calibration(**meta["calibration"][t]) for t in TYPES}
        # The PERSON gain the calibrated score of a dictionary word shaped as a name must reach
        # (zh_unknown_names.known_word_name): score(gain) == KNOWN_MIN_CRF_SCORE.
        cal, p = self.calibration["PERSON"], zh_unknown_names.KNOWN_MIN_CRF_SCORE
        self.known_name_gain = cal.threshold + math.log(p / (1.0 - p)) / cal.slope
        from privtune.scan.ner.hash_kernels import hashed_gains  # numba: imported with the model only

        self._kernel = hashed_gains
        # text -> (regions, gains) of the chunk being scanned (`prepare_chunk`); replaced whole,
        # never changed in place (another thread may be reading it).
        self._chunk_gains: dict[str, tuple[list[tuple[int, str]], np.ndarray]] = {}
        # text -> its decoder spans and PERSON candidates from those gains (`zh_batch.Decoded`),
        # from one compiled call per hashing call; replaced whole, as `_chunk_gains`.
        self._chunk_decoded: dict = {}

    def prepare_chunk(self, texts: list[str] | None) -> None:
        """Compute the gains of ``texts`` together (`zh_batch.chunk_gains`) for the `tag` calls
        that follow; None forgets them. Only saves work: `tag`'s results are the same."""
        if texts is None:
            self._chunk_gains = self._chunk_decoded = {}
        else:
            from privtune.scan.ner.zh_batch import chunk_gains

            decoded: dict = {}
            self._chunk_gains = chunk_gains(self, texts, decoded)
            self._chunk_decoded = decoded

    def _hashed_gains(self, cp: np.ndarray, pads: np.ndarray, table: np.ndarray) -> np.ndarray:
        """Gains of code points ``cp`` (``pads`` read as padding): ``features.feature_ids``,
        then the sum of the ids' rows of ``gain_rows[row_of]``, in one compiled loop."""
        return self._kernel(
            cp, pads, table, *features.HASH_CONSTANTS, features.RADIUS, features.SPAN, 64 - self.bits,
            self.row_of, self.gain_rows,
        )  # fmt: skip

    def gains(self, text: str) -> np.ndarray:
        """Per-character score of each non-O tag minus O's, shape ``(len(text), len(TAGS) - 1)``."""
        gains = self._hashed_gains(features.codepoints(text), _NO_PADS, features.TABLE)
        if _SPACE.search(text) is not None:
            # CLUENER text has no whitespace at all, so the model never learnt what it means;
            # in mixed chats it separates words ("客户 李雷 from 华为"): never inside an entity.
            for m in _SPACE.finditer(text):
                gains[m.start() : m.end()] = -1e4
        return gains

    def gains_many(self, chunks: list[str]) -> tuple[np.ndarray, list[int]]:
        """Gains of the chunks joined by ``RADIUS`` pad positions, from one feature pass, and
        each chunk's offset. A chunk's rows equal :meth:`gains` of the chunk alone; the pads'
        rows are -1e4, so no entity spans two chunks."""
        return self.joined_gains(chunks)

    def joined_gains(self, chunks: list[str]) -> tuple[np.ndarray, list[int]]:
        """`gains_many`'s work; `zh_batch` calls it for a whole analyzer chunk (tests stub the
        per-text entry points to prove no text is hashed alone)."""
        joined = _PAD_SEP.join(chunks)
        offsets, pos = [], 0
        for c in chunks:
            offsets.append(pos)
            pos += len(c) + _NPAD
        cp = features.codepoints(joined)
        if joined.count("\x00") == _NPAD * (len(chunks) - 1):  # the pads are its only NULs
            gains = self._hashed_gains(cp, _NO_PADS, features.NUL_PAD_TABLE)
        else:
            pads = np.array([p for o in offsets[1:] for p in range(o - _NPAD, o)], dtype=np.int64)
            gains = self._hashed_gains(cp, pads, features.TABLE)
        for o in offsets[1:]:
            gains[o - _NPAD : o] = -1e4
        if _SPACE.search(joined) is not None:
            for m in _SPACE.finditer(joined):
                gains[m.start() : m.end()] = -1e4
        return gains, offsets

    def tag(self, text: str) -> list[Span]:
        """Entity spans of ``text`` (CLUENER conventions), scores calibrated to [0, 1], plus the
        names a title or news verb points at (:mod:`privtune.scan.ner.zh_title_names`), the
        other names of a list that holds a name (:mod:`privtune.scan.ner.zh_name_lists`) and
        names a word segmentation leaves over (:mod:`privtune.scan.ner.zh_unknown_names`)."""
        raw, regions, joint = self._decode_regions(text)
        spans = [
            Span(start, end, name, self.calibration[name].score(gain), DETECTORS[name])
            for start, end, name, gain in raw
        ]
        # 哈尔|滨, 秦时明|月: an unsure CRF name that cuts a word in two is none (zh_word_cuts)
        if cut := word_cut_names(text, spans, _SURE):
            spans = [s for s in spans if s not in cut]
        paired = other = False  # a name of 4-5 characters / a place or organisation: rules below
        for i, s in enumerate(spans):
            if s.type != "PERSON":
                other = True
                continue
            if s.end - s.start == 2:  # 陈嘉|庚故乡 -> 陈嘉庚 (zh_name_ends)
                end = completed_end(text, s.start, s.end, spans[i + 1].start if i + 1 < len(spans) else len(text))
                if end != s.end:
                    spans[i] = s = Span(s.start, end, s.type, s.score, s.detector)
            paired = paired or 4 <= s.end - s.start <= 5
            # Transliterated places read like foreign names (在杜塞尔多夫战胜, 达沃斯“世界经济论坛”):
            # a "name" that is a known country or city is the place, unless a title follows it;
            # so is one of 3+ characters that ends as a place does (薛埠镇, 晋冀鲁豫区: 2 of the ~20 k
            # gold names of the zh training and dev sets end so, 曾湘乡 and 王予省).
            if ((text[s.start : s.end] in PLACES or (s.end - s.start >= 3 and text[s.end - 1] in _PLACE_ENDS))
                    and not text.startswith(AFTER_TITLES, s.end)):
                spans[i] = Span(s.start, s.end, "ADDRESS", s.score, DETECTORS["ADDRESS"])
                other = True
        listed = list_names(text, spans)
        if listed:  # 秦艳凤，韦玮: the other names of a list that holds a name the CRF is sure of
            spans += [Span(b, e, "PERSON", LIST_SCORE, LIST_DETECTOR) for b, e in listed]
            spans.sort(key=lambda s: s.start)
        names = title_names(text)
        # 为此，穆萨敦促以色列: a foreign subject the CRF read into a place or organisation
        subjects = subject_names(text, spans) if other else []
        if subjects:
            names = sorted(names + [(b, e) for b, e in subjects if not any(b < y and x < e for x, y in names)])
        if names:
            # The CRF reads "<country> + title + name" as one organisation or place (美国前总统尼克松):
            # a place or organisation span that holds part of such a name gives way to it.
            spans = [s for s in spans if s.type == "PERSON" or not any(s.start < e and b < s.end for b, e in names)]
            spans += [Span(b, e, "PERSON", TITLE_SCORE, TITLE_DETECTOR) for b, e in names]
            spans.sort(key=lambda s: s.start)
        # 《陆毅曹芙嘉《: a name the CRF half believes, left over by a word segmentation. A PERSON
        # span of its own under the 0.5 cut-off is such a half belief too, not a found name.
        taken = [(s.start, s.end) for s in spans if s.type != "PERSON" or s.score >= _SURE]
        pre = self._chunk_decoded.get(text)  # found with the chunk's other texts (`zh_batch`)
        if pre is None:
            cands = self._person_candidates(regions, joint)
        else:
            cands = [(offset + s, offset + e, g)
                     for (offset, _), found in zip(regions, pre[1]) for s, e, _, g in found]
        unknown = unknown_names(text, taken, cands, self.known_name_gain)
        # Only names the CRF's own span conventions keep as they are (no 王总, no 张莉收), or that
        # lose a name follower's first character(s) only (邹晨聊|了 -> 邹晨).
        unknown = [(b, before_follower(text, b, e)) for b, e in unknown]
        unknown = [(b, e) for b, e in unknown if person_bounds(text, b, e) == (b, e)
                   and not any(c.start <= b and e <= c.end for c in cut)]  # no part of a cut name (秦时|明)
        if unknown:
            spans = _without_unsure(spans, unknown)
            spans += [Span(b, e, "PERSON", UNKNOWN_SCORE, UNKNOWN_DETECTOR) for b, e in unknown]
            spans.sort(key=lambda s: s.start)
        if "@" in text:  # @金玉缘叶莲: names at the end of an organisation's handle (zh_handle_names)
            spans = with_handle_names(text, spans, cands, self.calibration["PERSON"].score)
        # 感谢胡总的亲临 in a post: Weibo's surname + title is the name there (zh_social_titles)
        if titled := social_title_names(text, spans):
            spans += [Span(b, e, "PERSON", SOCIAL_TITLE_SCORE, SOCIAL_TITLE_DETECTOR) for b, e in titled]
            spans.sort(key=lambda s: s.start)
        if given := given_name_mentions(text, spans):  # 会计厚林兄弟 … 对不起李厚林 (zh_given_names)
            spans += [Span(b, e, "PERSON", GIVEN_SCORE, GIVEN_DETECTOR) for b, e in given]
            spans.sort(key=lambda s: s.start)
        return cut_name_pairs(text, spans) if paired else spans  # 记者王姝马力 -> 王姝, 马力

    def _person_candidates(self, regions: list[tuple[int, np.ndarray]],
                           joint: tuple[np.ndarray, list[int]] | None = None) -> list[tuple[int, int, float]]:
        """``(start, end, gain)`` of every PERSON span of 2-4 characters, chosen by the decoder
        or not, that the calibrated CRF scores at ``zh_unknown_names.MIN_CRF_SCORE`` or more
        (the gain orders them as the score does); ``regions`` are ``(offset, gains)`` of the
        tagged stretches, from :meth:`_decode`; ``joint``: the gains they are views of and each
        one's start there (from :meth:`_decode_regions`), to search them all in one call."""
        min_gain = self.person_min_gain()
        if joint is not None:
            found = self.decoder.spans_over_regions(joint[0], joint[1], [g.shape[0] for _, g in regions], 0, (2, 4),
                                                    min_gain)
            return [(offset + s, offset + e, g) for (offset, _), spans in zip(regions, found) for s, e, _, g in spans]
        return [
            (offset + s, offset + e, g)
            for offset, gains in regions
            for s, e, _, g in self.decoder.spans_over(gains, 0, (2, 4), min_gain)
        ]

    def person_min_gain(self) -> float:
        """The PERSON gain whose calibrated score is ``zh_unknown_names.MIN_CRF_SCORE``."""
        cal = self.calibration["PERSON"]
        p = zh_unknown_names.MIN_CRF_SCORE
        return cal.threshold + math.log(p / (1.0 - p)) / cal.slope  # score(min_gain) == p

    def raw_spans(self, text: str) -> list[tuple[int, int, str, float]]:
        """``(start, end, type, gain)`` before calibration (the calibration is fitted on these)."""
        return self._decode(text)[0]

    def _decode(self, text: str) -> tuple[list[tuple[int, int, str, float]], list[tuple[int, np.ndarray]]]:
        """:meth:`raw_spans` and, per tagged region, ``(offset, gains)``: the emission
        gains it was decoded from (a view; each region's rows as if tagged alone)."""
        return self._decode_regions(text)[:2]  # type: ignore[return-value]

    def _decode_regions(self, text: str) -> tuple[list[tuple[int, int, str, float]], list[tuple[int, np.ndarray]],
                                                  tuple[np.ndarray, list[int]] | None]:
        """:meth:`_decode`, and for two regions or more the gains of all of them (the regions'
        gains are views of it) with each one's start there; None for one region or none."""
        out = []
        joint = None
        # Only the Chinese stretches of each line are tagged: a stretch runs from the first to
        # the last whitespace-delimited chunk holding a CJK character. English lines and words
        # around them are left to the English rules (the model was trained on Chinese only).
        ready = self._chunk_gains.get(text)  # computed with the chunk's other texts (`prepare_chunk`)
        regions = zh_regions(text) if ready is None else ready[0]
        pre = None if ready is None else self._chunk_decoded.get(text)  # decoded with the chunk's texts
        if len(regions) < 2:
            region_gains = [self.gains(c) for _, c in regions] if ready is None else [ready[1]]
            decoded = [self.decoder.spans_from_gains(g) for g in region_gains] if pre is None else [pre[0]]
        else:
            # All stretches in one feature pass and one decoding pass (each as if alone).
            gains, offsets = self.gains_many([c for _, c in regions]) if ready is None else (ready[1], region_offsets(regions))
            region_gains = [gains[o : o + len(c)] for o, (_, c) in zip(offsets, regions)]
            joint = (gains, offsets)
            decoded = [[] for _ in regions]
            ends = [o + len(c) for o, (_, c) in zip(offsets, regions)]
            joined = self.decoder.spans_from_gains(gains, offsets, ends) if pre is None else pre[0]
            for start, end, typ, gain in joined:
                i = bisect_right(offsets, start) - 1
                decoded[i].append((start - offsets[i], end - offsets[i], typ, gain))
        for (offset, chunk), found in zip(regions, decoded):
            for start, end, typ, gain in found:
                if _CJK.search(chunk, start, end) is None and not _touches_cjk(chunk, start, end):
                    continue  # a Latin-only span away from Chinese text is the English rules' call
                name = TYPES[typ]
                if name == "PERSON":
                    bounds = person_bounds(chunk, start, end)
                    if bounds is None:
                        continue
                    start, end = bounds
                out.append((offset + start, offset + end, name, gain))
        return out, [(o, g) for (o, _), g in zip(regions, region_gains)], joint


def _without_unsure(spans: list[Span], names: list[tuple[int, int]]) -> list[Span]:
    """``spans`` less the CRF's own PERSON spans under the cut-off that overlap ``names``."""
    named = bytearray(max(e for _, e in names))
    for b, e in names:
        named[b:e] = b"\x01" * (e - b)
    return [s for s in spans if not (s.type == "PERSON" and s.score < _SURE and any(named[s.start : s.end]))]


def _touches_cjk(text: str, start: int, end: int) -> bool:
    return (start > 0 and _CJK.match(text, start - 1) is not None) or _CJK.match(text, end) is not None


_PLACE_ENDS = frozenset("镇乡村区县市省")


_LOCK = threading.Lock()
_TAGGER: ZhTagger | None = None
_PATH = MODEL_PATH
_LAST: tuple[str, list[Span]] = ("", [])


def get_tagger() -> ZhTagger:
    """The process-wide tagger, loaded on first call."""
    global _TAGGER
    if _TAGGER is None:
        with _LOCK:
            if _TAGGER is None:
                _TAGGER = ZhTagger(_PATH)
    return _TAGGER


def reset(path: Path | None = None) -> None:
    """Forget the loaded model; the next use loads ``path`` (default: the packaged model)."""
    global _TAGGER, _LAST, _PATH
    with _LOCK:
        _TAGGER, _LAST, _PATH = None, ("", []), Path(path) if path is not None else MODEL_PATH


def tag_zh(text: str) -> list[Span]:
    """Spans for ``text``; the three zh recognizers share one run per string via a 1-entry cache."""
    global _LAST
    last = _LAST  # one read: another thread may replace it, never half-way
    if last[0] == text and text:
        return last[1]
    spans = get_tagger().tag(text)
    _LAST = (text, spans)
    return spans
