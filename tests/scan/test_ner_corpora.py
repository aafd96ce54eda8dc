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
