"""Name-substitution augmentation and class dropout of the Chinese CRF's training
(tools/zh_name_augment.py, tools/train_ner.py)."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from privtune.scan.ner import features
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES, ZH_SURNAMES

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def _load(name: str):
    sys.path.insert(0, str(TOOLS))
    try:
        spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(TOOLS))
    return module


@pytest.fixture(scope="module")
def aug():
    return _load("zh_name_augment")


RECORDS = [
    {"text": "记者张伟在北京市朝阳区采访了李娜和张伟。", "source": "cluener",
     "spans": [(2, 4, "PERSON"), (5, 11, "ADDRESS"), (14, 16, "PERSON"), (17, 19, "PERSON")]},
    {"text": "欧阳修说，", "source": "peoples_daily.train", "spans": [(0, 3, "PERSON")]},
    {"text": "托马斯·皮克林访华", "source": "cluener", "spans": [(0, 7, "PERSON")]},  # not surname-shaped
    {"text": "没有名字的句子", "source": "cluener", "spans": []},
    {"text": "@王小明 生日快乐", "source": "weibo.train", "spans": [(1, 4, "PERSON")]},
]


def _spans(r):
    return r["spans"]


def test_split_name_takes_surname_shapes_only(aug):
    assert aug.split_name("张伟") == ("张", "伟")
    assert aug.split_name("王小明") == ("王", "小明")
    assert aug.split_name("欧阳修") == ("欧阳", "修")
    assert aug.split_name("托马斯") is None  # 托 is no surname
    assert aug.split_name("张") is None and aug.split_name("张大千万") is None
    assert aug.split_name("Tom") is None


def test_augment_is_deterministic_for_a_seed(aug):
    a = aug.augment(RECORDS, _spans, copies=2, seed=13)
    b = aug.augment(RECORDS, _spans, copies=2, seed=13)
    c = aug.augment(RECORDS, _spans, copies=2, seed=14)
    assert a == b
    assert [r["text"] for r in a] != [r["text"] for r in c]


def test_substituted_copies_keep_contexts_and_move_other_spans(aug):
    out = aug.augment(RECORDS, _spans, copies=3, seed=1)
    # the foreign name and the sentence without names get no copies
    assert {r["source"] for r in out} == {"cluener+names", "peoples_daily.train+names", "weibo.train+names"}
    assert len(out) == 9
    for r in out[:3]:
        t, spans = r["text"], r["spans"]
        names = [t[s:e] for s, e, typ in spans if typ == "PERSON"]
        assert len(names) == 3 and names[0] == names[2]  # the same name twice stays one person
        assert [t[s:e] for s, e, typ in spans if typ == "ADDRESS"] == ["北京市朝阳区"]
        assert t.startswith("记者") and t.endswith("。") and "采访了" in t
        for n in names:
            surname, given = aug.split_name(n)
            assert surname in ZH_SURNAMES or surname in ZH_COMPOUND_SURNAMES
            assert 1 <= len(given) <= 2


def test_informal_forms_only_in_social_text(aug):
    sampler = aug.NameSampler(["张伟", "王小明", "李娜"], random.Random(0))
    formal = {sampler.name(social=False) for _ in range(300)}
    social = {sampler.name(social=True) for _ in range(300)}
    assert all(aug.split_name(n) for n in formal)
    informal = {n for n in social if aug.split_name(n) is None or n[0] in "阿小"}
    assert informal and all(n[0] in "阿小" or n[0] == n[1] for n in informal if aug.split_name(n) is None)


def test_nested_gold_keeps_its_name(aug):
    rec = {"text": "张伟工作室成立", "source": "cluener",
           "spans": [(0, 5, "ORGANIZATION"), (0, 2, "PERSON")]}
    assert aug.augment([rec], _spans, copies=1, seed=0) == []


def test_class_dropout_table_reads_name_classes_as_cjk():
    text = "王伟说他在斯坦福"
    plain = features.feature_ids(text, 20)
    dropped = features.feature_ids(text, 20, table=features.NO_NAME_CLASS_TABLE)
    assert np.array_equal(plain, features.feature_ids(text, 20, table=features.TABLE))
    changed = {features.TEMPLATES[j][0] for j in np.nonzero((plain != dropped).any(axis=1))[0]}
    assert changed and changed <= {"kkk", "kkc", "ckk"}  # character templates never change
    cls = features.NO_NAME_CLASS_TABLE[1]
    assert cls[ord("王")] == cls[ord("伟")] == cls[ord("说")] == cls[ord("斯")] == features.CJK
    assert cls[ord("A")] == features.UPPER


def test_train_tool_class_dropout_is_seeded(aug):
    tool = _load("train_ner")
    recs = [{"text": f"句{i}", "spans": []} for i in range(200)]
    a = tool.class_dropout(recs, 0.5, seed=13)
    assert a == tool.class_dropout(recs, 0.5, seed=13)
    assert 60 < sum(r.get("no_name_classes", False) for r in a) < 140
    assert tool.class_dropout(recs, 0.0, seed=13) == recs


def test_swap_replaces_names_in_place_for_a_seeded_share(aug):
    recs = [{"text": f"记者张伟{i}号说", "source": "cluener", "spans": [(2, 4, "PERSON")]} for i in range(100)]
    recs.append({"text": "没有名字", "source": "cluener", "spans": []})
    out = aug.swap(recs, _spans, 0.5, seed=13)
    assert out == aug.swap(recs, _spans, 0.5, seed=13)
    assert len(out) == len(recs) and out[-1] is recs[-1]
    swapped = [r for r in out if r["source"].endswith("+names")]
    assert 30 < len(swapped) < 70
    for old, new in zip(recs, out, strict=True):  # same sentence, only the name differs
        s, e, _ = new["spans"][0] if new["spans"] else (0, 0, "")
        assert new["text"][:s] == old["text"][:2] if new["spans"] else new is old
    assert aug.swap(recs, _spans, 0.0, seed=13) == recs
