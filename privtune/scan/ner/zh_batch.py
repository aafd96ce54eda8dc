"""The Chinese tagger's emission gains for a chunk of texts in one compiled call.

`ZhTagger._decode_regions` computes each text's gains on its own: its Chinese regions joined
by padding, one feature-hashing call. Over a scan chunk those calls alternate with the rules
that run between them (word lists, name tables), which evict the model's hash and weight
tables from the CPU caches, and each pays its own call set-up. Here every region of every
text of the chunk is joined the same way (``RADIUS`` padding positions between regions) and
hashed in one call; a text's gains are then a slice of the result, equal bit for bit to its
own call's: a position's features read at most ``RADIUS`` characters either side, so they see
the same characters and the same padding (tests/scan/test_zh_batch.py compares them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from privtune.scan.ner import features

if TYPE_CHECKING:
    from privtune.scan.ner.model import ZhTagger

# Texts longer than this are left to `_decode_regions` (one long record's gains are its own
# business); one call hashes at most about this many characters (~50 bytes of gains each).
MAX_TEXT_CHARS = 4096
MAX_CALL_CHARS = 65_536

Regions = list[tuple[int, str]]
# A text's decoder spans (start, end, type, gain; in its joined regions' rows) and, per region,
# its PERSON candidates (start, end, type, gain; in the region's rows).
Decoded = tuple[list[tuple[int, int, int, float]], list[list[tuple[int, int, int, float]]]]
# The lengths of `ZhTagger._person_candidates`' spans.
PERSON_LENGTHS = (2, 4)


def chunk_gains(tagger: ZhTagger, texts: list[str],
                decoded: dict[str, Decoded] | None = None) -> dict[str, tuple[Regions, np.ndarray]]:
    """text -> (its `zh_regions`, the gains `_decode_regions` computes for them: `ZhTagger.gains`
    of the one region, or `ZhTagger.gains_many`'s joined gains of two or more), for each
    distinct text of ``texts`` with a Chinese region and at most `MAX_TEXT_CHARS` characters.
    ``decoded``, if given, receives each such text's `Decoded` (see `_decode_batch`)."""
    from privtune.scan.ner.model import zh_regions

    out: dict[str, tuple[Regions, np.ndarray]] = {}
    batch: list[tuple[str, Regions]] = []
    size = 0
    for text in texts:
        if len(text) > MAX_TEXT_CHARS or text in out:
            continue
        regions = zh_regions(text)
        if not regions:
            continue
        out[text] = (regions, _EMPTY)  # placeholder: filled below
        batch.append((text, regions))
        size += len(text)
        if size >= MAX_CALL_CHARS:
            _fill(tagger, batch, out, decoded)
            batch, size = [], 0
    if batch:
        _fill(tagger, batch, out, decoded)
    return out


_EMPTY = np.zeros((0, 0), dtype=np.float32)


def _fill(tagger: ZhTagger, batch: list[tuple[str, Regions]], out: dict[str, tuple[Regions, np.ndarray]],
          decoded: dict[str, Decoded] | None) -> None:
    """Gains of every region in ``batch`` from one hashing call, sliced per text into ``out``."""
    chunks = [c for _, regions in batch for _, c in regions]
    gains, offsets = tagger.joined_gains(chunks)  # one hashing call; pads and spaces masked
    k = 0
    rows = []
    for text, regions in batch:
        first = offsets[k]
        k += len(regions)
        rows.append((first, offsets[k - 1] + len(regions[-1][1])))
        out[text] = (regions, gains[rows[-1][0] : rows[-1][1]])
    if decoded is not None:
        _decode_batch(tagger, batch, gains, offsets, rows, decoded)


def _decode_batch(tagger: ZhTagger, batch: list[tuple[str, Regions]], gains: np.ndarray, offsets: list[int],
                  rows: list[tuple[int, int]], decoded: dict[str, Decoded]) -> None:
    """For each text of ``batch``: the decoder's spans of its gains (`SpanDecoder.spans_from_gains`
    of the text's rows, its regions as separate strings: what `_decode_regions` computes) and,
    per region, its PERSON candidates (`ZhTagger._person_candidates`' `spans_over` of the
    region's rows), each from one compiled call for the whole batch instead of two per text.
    Every text and region is decoded alone from the same rows, so the results are the same."""
    texts = []
    for (_, regions), (first, last) in zip(batch, rows):
        starts = region_offsets(regions)
        texts.append((first, last, starts, [o + len(c) for o, (_, c) in zip(starts, regions)]))
    spans = tagger.decoder.spans_from_gains_many(gains, texts)
    sizes = [len(c) for _, regions in batch for _, c in regions]
    cands = tagger.decoder.spans_over_regions(gains, offsets, sizes, 0, PERSON_LENGTHS, tagger.person_min_gain())
    k = 0
    for (text, regions), found in zip(batch, spans):
        decoded[text] = (found, cands[k : k + len(regions)])
        k += len(regions)


def region_offsets(regions: Regions) -> list[int]:
    """Each region's start in `ZhTagger.gains_many`'s joined gains of ``regions``."""
    out, pos = [], 0
    for _, c in regions:
        out.append(pos)
        pos += len(c) + features.RADIUS  # the pads between regions (model._NPAD)
    return out


def prepare_chunk(texts: list[str] | None) -> None:
    """Before the Chinese recognizers' sweep over a scan chunk (`Analyzer.analyze_records`):
    the gains of its texts in one call (`ZhTagger.prepare_chunk`); None, after it, forgets them.
    A chunk without Chinese loads no model."""
    from privtune.scan.ner import model

    if texts is None:
        if model._TAGGER is not None:
            model._TAGGER.prepare_chunk(None)
    elif any(model._CJK.search(t) is not None for t in texts):
        model.get_tagger().prepare_chunk(texts)
