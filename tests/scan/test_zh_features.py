"""The Chinese tagger's character table: traditional characters read as simplified ones, and
the name classes (surname, given-name character, cue character) the class n-grams use."""

from __future__ import annotations

import numpy as np

from privtune.scan.ner import features
from privtune.scan.ner.lexicon import ZH_CUE_CHARS, ZH_GIVEN_CHARS, ZH_SURNAMES
from privtune.scan.ner.zh_variants import SIMPLIFIED, TRADITIONAL


def test_traditional_text_gets_the_simplified_feature_ids() -> None:
    trad, simp = "麻煩轉告陳美玲給我回電話。", "麻烦转告陈美玲给我回电话。"
    assert np.array_equal(features.feature_ids(trad, 20), features.feature_ids(simp, 20))


def test_variant_table_is_one_to_one_per_character() -> None:
    assert len(TRADITIONAL) == len(SIMPLIFIED) == len(set(TRADITIONAL)) > 2000
    assert all(t != s for t, s in zip(TRADITIONAL, SIMPLIFIED))
    assert dict(zip(TRADITIONAL, SIMPLIFIED))["黃"] == "黄"


def test_name_classes() -> None:
    cls = {c: int(features.CLASS[ord(c)]) for c in "陈陳伟偉说院的"}
    assert cls["陈"] == cls["陳"] == features.SURNAME
    assert cls["伟"] == cls["偉"] == features.GIVEN
    assert cls["说"] == cls["院"] == features.CUE
    assert cls["的"] == features.CJK
    # the commonest surnames keep their class over the given-name and cue lists
    assert all(features.CLASS[ord(c)] == features.SURNAME for c in ZH_SURNAMES[:200])
    assert len(set(ZH_GIVEN_CHARS)) == len(ZH_GIVEN_CHARS) and not set(ZH_GIVEN_CHARS) & set(ZH_CUE_CHARS)
