"""The unknown-name rule (privtune/scan/ner/zh_unknown_names.py): names run into Chinese text
that a word segmentation leaves over and the CRF half believes. Made-up sentences."""

from __future__ import annotations

import gzip
import math

import pytest

from privtune.errors import ConfigError
from privtune.scan.ner import zh_unknown_names as zu
from privtune.scan.ner.model import get_tagger


def _persons(text: str) -> dict[str, str]:
    return {text[s.start : s.end]: s.detector for s in get_tagger().tag(text) if s.type == "PERSON"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("《刘宛婷韩书遥《春日》》2019年首映", "刘宛婷"),  # run into a title mark and another name
        ("#2019许嘉树签售会#你这么暖", "许嘉树"),  # digits before, an event word after
        ("引进管理经验，高允连对企业实行了倒推式管理。", "高允连"),  # 高 starts words after a title, not here
        ("坐在中间的是地产公司的副总封屹，旁边是主持人", "封屹"),
    ],
)
def test_names_run_into_text_are_found(text: str, name: str) -> None:
    assert _persons(text).get(name) == zu.UNKNOWN_DETECTOR


@pytest.mark.parametrize(
    "text",
    [
        # Each of these four is taken without its guard (checked when the rule was written):
        "2013年11月至今，任欣旺达秘书处经理。",  # 任 = "served at" in a CV: a surname that mostly begins words
        "民警将驾驶员张某，带回调查",  # 张某: already anonymised
        "成为国家公园，蒋村的端午龙舟",  # 村, 镇, 市 ... end a place
        "感谢胡总的亲临",  # surname + title: a form of address, as the CRF's spans have it
        "小雨转多云，气温下降",
        "马上就到王府井大街了",
        "学习理论于己有益、于国有益，对提高自身",  # 于 = "to": a preposition before a leftover
        "带黄金甲等片为了申奥而点映",  # 申奥: a bid, not 申 + a given name
    ],
)
def test_hard_negatives_add_nothing(text: str) -> None:
    assert zu.UNKNOWN_DETECTOR not in _persons(text).values()


def test_known_words_are_no_unknown_run() -> None:
    words = zu.get_words()
    assert words.unknown_runs("我们去公园散步") == []
    text = "刚看到许嘉树签售"
    assert (3, 6) in words.unknown_runs(text) or any(s <= 3 and 6 <= e for s, e in words.unknown_runs(text))
    # The CRF's belief alone is not enough: 王府 / 马上 are words, not leftovers.
    for text, span in (("王府井大街", (0, 2)), ("马上就到", (0, 2))):
        assert zu.unknown_names(text, [], [(*span, 0.9)]) == []


def test_candidates_keep_to_the_name_shape() -> None:
    text = "甘棠镇李某说许嘉树"
    scored = [(0, 3, 0.9), (3, 5, 0.9), (6, 9, 0.9), (5, 8, 0.9)]
    # 甘棠镇 ends a place, 李某 is anonymised, 说许嘉 does not start with a surname.
    assert zu.candidates(text, [], scored) == [(0.9, 6, 9)]
    assert zu.candidates(text, [(7, 8)], scored) == []  # clear of spans already found


def test_window_segmentation_matches_the_whole_stretch() -> None:
    words = zu.get_words()
    text = "我们昨天在公园门口等了很久，终于看到许嘉树和他的朋友走过来打招呼然后一起去吃饭"
    start, end = text.index("许嘉树"), text.index("许嘉树") + 3
    block_start = text.index("，") + 1
    block = text[block_start:]
    whole = any(s <= start - block_start and end - block_start <= e for s, e in words.unknown_runs(block))
    assert zu.in_unknown_run(text, start, end, words) == whole


def test_spans_over_gives_the_decoders_gain() -> None:
    tagger = get_tagger()
    text = "我刚刚看到周韵泽发的微博"
    raw = [(s, e, g) for s, e, t, g in tagger.raw_spans(text) if t == "PERSON"]
    assert raw
    every = tagger.decoder.spans_over(tagger.gains(text), 0, (2, 4), -math.inf)
    n = len(text)
    assert len(every) == (n - 1) + (n - 2) + (n - 3)  # every span of 2-4 characters
    found = {(s, e): g for s, e, _, g in every}
    for s, e, g in raw:
        assert found[(s, e)] == pytest.approx(g, abs=1e-3)
    # and the minimum gain filters
    positive = tagger.decoder.spans_over(tagger.gains(text), 0, (2, 4), 0.0)
    assert 0 < len(positive) < len(every) and all(g >= 0.0 for *_, g in positive)


def test_bad_word_list_is_a_config_error(tmp_path) -> None:
    missing = tmp_path / "none.tsv.gz"
    with pytest.raises(ConfigError, match="word list"):
        zu.WordList(missing)
    no_total = tmp_path / "words.tsv.gz"
    with gzip.open(no_total, "wt", encoding="utf-8") as fh:
        fh.write("王\t100\n")
    with pytest.raises(ConfigError, match="total"):
        zu.WordList(no_total)


def test_a_crf_name_under_the_cut_off_is_taken_over() -> None:
    tagger = get_tagger()
    text = "哎牛嘉懿说得好"
    raw = [(s, e, tagger.calibration[t].score(g)) for s, e, t, g in tagger.raw_spans(text) if t == "PERSON"]
    assert raw and all(0.25 <= score < 0.5 for *_, score in raw)  # the CRF alone: dropped by the analyzer
    persons = [(text[s.start : s.end], s.detector) for s in tagger.tag(text) if s.type == "PERSON"]
    assert persons == [("牛嘉懿", zu.UNKNOWN_DETECTOR)]


def test_extract_tool_keeps_characters_and_frequent_short_words(tmp_path) -> None:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "tools" / "extract_zh_words.py"
    spec = importlib.util.spec_from_file_location("extract_zh_words", path)
    tool = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(tool)  # type: ignore[union-attr]
    data = "王 100 nr\n小明 3 nr\n公园 50 n\n中华人民共和国 20 ns\n散步 7 v\n".encode()
    text, kept, total = tool.build(data, min_freq=5)
    assert (kept, total) == (3, 180)  # 王, 公园, 散步; 小明 too rare, the 7-character word too long
    out = tmp_path / "words.tsv.gz"
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        fh.write(text)
    words = zu.WordList(out)
    assert set(words.logp) == {"王", "公园", "散步"}
    assert words.logp["公园"] == pytest.approx(math.log(50 / 180))
    assert "licence" in text and "sha256" in text


@pytest.mark.parametrize(
    ("text", "word", "want"),
    [
        ("报告会上，戴相龙行长分析了金融形势", "戴相龙", True),  # a public figure in the word list
        ("地下党员何基沣、张克侠率部起义", "何基沣", True),
        ("剧中女主角身患白血病，男主角不离不弃", "白血病", False),  # names a thing
        ("身价倍增，成了最新的卢浮宫，", "卢浮宫", False),
        ("获第四届吴玉章奖优秀奖", "吴玉章", False),  # a prize named after the person
        ("午后有雷阵雨，气温下降", "雷阵雨", False),  # a half is a word (阵雨)
        ("自1996年温哥华大会以来", "温哥华", False),  # a known place
        ("高允连对企业实行了管理", "高允连", False),  # no word at all: step 2's own case
    ],
)
def test_known_word_name(text: str, word: str, want: bool) -> None:
    start = text.index(word)
    assert zu.known_word_name(text, start, start + len(word), zu.get_words()) is want


def test_tagger_takes_a_dictionary_name_the_crf_half_believes() -> None:
    text = "报告会上，戴相龙行长分析了金融形势"
    assert _persons(text).get("戴相龙") == zu.UNKNOWN_DETECTOR


def test_known_names_need_the_weight() -> None:
    text = "报告会上，戴相龙行长分析了金融形势"
    scored = [(5, 8, 1.0)]
    assert zu.unknown_names(text, [], scored) == []  # default: no dictionary word is taken
    assert zu.unknown_names(text, [], scored, known_min_weight=0.5) == [(5, 8)]
    assert zu.unknown_names(text, [], scored, known_min_weight=2.0) == []
