"""NER set readers (BIO, IOB1, BMES, Weibo's position digits) and the ner_eval counting."""

from __future__ import annotations

import pytest

from benchmarks.ner_eval import count, scores
from privtune.errors import InputError
from privtune.scan.ner.corpora import EN_SPACE, EN_TAB, ZH_SPACE, ZH_WEIBO, read_conll


def _write(tmp_path, text: str):
    p = tmp_path / "set.conll"
    p.write_text(text, encoding="utf-8")
    return p


def test_bio_english_offsets_and_label_map(tmp_path):
    p = _write(tmp_path, "Ask\tO\nAnna\tB-PER\nLee\tI-PER\nat\tO\nAcme\tB-corporation\n\nhi\tO\n")
    a, b = read_conll(p, EN_TAB)
    assert a.text == "Ask Anna Lee at Acme"
    assert [(a.text[s:e], t) for s, e, t in a.spans] == [("Anna Lee", "PERSON"), ("Acme", "ORGANIZATION")]
    assert b.spans == ()


def test_iob1_starts_an_entity_at_a_type_change_and_at_b(tmp_path):
    # wikigold: I- everywhere, B- only between two touching entities of one type; MISC is dropped.
    p = _write(tmp_path, "Paris I-LOC\nLondon B-LOC\nUEFA I-ORG\nCup I-MISC\n")
    (s,) = read_conll(p, EN_SPACE)
    assert [(s.text[a:b], t) for a, b, t in s.spans] == [("Paris", "ADDRESS"), ("London", "ADDRESS"),
                                                         ("UEFA", "ORGANIZATION")]


def test_bmes_and_weibo_position_digits(tmp_path):
    p = _write(tmp_path, "吴 B-NAME\n重 M-NAME\n阳 E-NAME\n， O\n李 S-NAME\n")
    (s,) = read_conll(p, ZH_SPACE)
    assert [(s.text[a:b], t) for a, b, t in s.spans] == [("吴重阳", "PERSON"), ("李", "PERSON")]
    p = _write(tmp_path, "张0\tB-PER.NAM\n三1\tI-PER.NAM\n说0\tO\n老0\tB-PER.NOM\n师1\tI-PER.NOM\n")
    (s,) = read_conll(p, ZH_WEIBO)
    assert s.text == "张三说老师" and s.spans == ((0, 2, "PERSON"),)  # nominal mentions are not names


def test_a_line_without_a_tag_names_file_and_line(tmp_path):
    p = _write(tmp_path, "ok\tO\nbroken\n")
    with pytest.raises(InputError) as e:
        read_conll(p, EN_TAB)
    assert "set.conll" in str(e.value) and "2" in str(e.value)


def test_exact_and_overlap_counts_are_one_to_one():
    examples = [("x", [(0, 4, "PERSON"), (10, 20, "ADDRESS")])]
    preds = [[(0, 4, "PERSON"), (0, 2, "PERSON"), (12, 15, "ADDRESS"), (16, 18, "ADDRESS")]]
    s = scores(count(examples, preds, ("PERSON", "ADDRESS")))
    assert s["PERSON"]["exact"] == {"p": 0.5, "r": 1.0, "f1": 0.6667}
    assert s["ADDRESS"]["exact"]["r"] == 0.0
    assert s["ADDRESS"]["overlap"] == {"p": 0.5, "r": 1.0, "f1": 0.6667}  # the second piece does not count twice


def test_split_files_are_held_out_every_tenth_sentence_and_whole_files_refused(tmp_path):
    from privtune.scan.ner import corpora

    (tmp_path / "zh").mkdir()
    lines = "".join(f"{chr(0x4E00 + i)} O\n\n" for i in range(25))  # 25 one-character sentences
    (tmp_path / corpora.FILES["peoples_daily"][0]).write_text(lines, encoding="utf-8")
    dev = corpora.load("peoples_daily.dev", root=tmp_path)
    train = corpora.load("peoples_daily.train", root=tmp_path)
    assert [s.text for s in dev] == [chr(0x4E00 + i) for i in (0, 10, 20)]
    assert len(train) == 22 and not {s.text for s in dev} & {s.text for s in train}
    with pytest.raises(InputError):
        corpora.load("peoples_daily", root=tmp_path)  # the whole file holds the evaluation slice


@pytest.mark.skipif(not (__import__("pathlib").Path("/work/shared/data/ner/zh/peoples_daily.dev.bio").exists()),
                    reason="People's Daily data not available")
def test_people_s_daily_evaluation_slice_is_never_trained_on():
    """What benchmarks/ner_eval.py reports as peoples_daily.dev is disjoint from every sentence
    tools/train_ner.py fits by default (and the tool refuses evaluation slices as extra data)."""
    import importlib.util
    from pathlib import Path

    from benchmarks.ner_eval import load_set
    from privtune.scan.ner import corpora

    path = Path(__file__).resolve().parents[2] / "tools" / "train_ner.py"
    spec = importlib.util.spec_from_file_location("train_ner", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)

    whole = corpora.read_conll(corpora.DATA_ROOT / corpora.FILES["peoples_daily"][0], corpora.ZH_SPACE)
    evaluated, _ = load_set("peoples_daily.dev")
    trained = tool.extra_records(list(tool.DEFAULT_EXTRA))
    assert "peoples_daily.train" in tool.DEFAULT_EXTRA
    assert [t for t, _ in evaluated] == [s.text for s in whole[:: corpora.HELD_OUT_EVERY]]
    pd_trained = [r["text"] for r in tool.extra_records(["peoples_daily.train"])]
    assert len(pd_trained) + len(evaluated) == len(whole)
    # By position: the evaluated sentences are exactly the ones left out of the training part.
    assert [s.text for i, s in enumerate(whole) if i % corpora.HELD_OUT_EVERY] == pd_trained
    # By text: no evaluated sentence of any length worth the name reappears in the fitted data.
    trained_texts = {r["text"] for r in trained}
    assert not [t for t, _ in evaluated if len(t) > 10 and t in trained_texts]
    with pytest.raises(InputError):
        tool.extra_records(["peoples_daily.dev"])


def test_heldout_sets_are_what_the_shipped_zh_model_was_not_fitted_on() -> None:
    """ner_eval's *.heldout sets rebuild tools/train_ner.py's calibration split: together they
    are exactly the sentences the shipped model's fitted count leaves out."""
    from benchmarks.ner_eval import HELDOUT_SETS, load_set
    from privtune.scan.ner.model import get_tagger

    held = {name: load_set(name)[0] for name in HELDOUT_SETS}
    assert all(held.values())
    trained_on = get_tagger().meta["training"]["sentences"]
    total = trained_on + sum(len(v) for v in held.values())
    assert sum(len(v) for v in held.values()) == int(total * 0.1)
