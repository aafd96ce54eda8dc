"""The shipped English CRF is what tools/train_en_ner.py trains from the current sources (enner11).

The cheap check (default suite) recomputes the training record's fingerprint; the slow one
retrains and compares the bytes."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from privtune.scan.ner import corpora
from privtune.scan.ner.en_crf import MODEL_PATH
from repo_scripts import load_tool

ROOT = Path(__file__).resolve().parents[2]
_DATA = all((corpora.DATA_ROOT / corpora.FILES[n][0]).is_file() for n in ("btc", "wnut17.train", "wikigold"))
needs_data = pytest.mark.skipif(not _DATA, reason="the NER corpora are not under /work/shared/data/ner")


@pytest.fixture(scope="module")
def tools():
    return load_tool("train_en_ner"), load_tool("en_crf_record")


@pytest.fixture(scope="module")
def corpus(tools):
    return tools[0].sentences_from_corpora()


@needs_data
def test_the_shipped_model_was_trained_from_the_current_sources(tools, corpus):
    train, record = tools
    params = vars(train.parser().parse_args([]))
    changed = record.stale(MODEL_PATH, record.components(params, corpus))
    assert not changed, f"{record.RETRAIN} (changed: {', '.join(changed)})"


@needs_data
def test_the_fingerprint_sees_each_kind_of_change(tools, corpus, tmp_path, monkeypatch):
    train, record = tools
    params = vars(train.parser().parse_args([]))
    base = record.components(params, corpus)
    features = tmp_path / "en_features.py"
    features.write_text(record.FEATURE_SOURCE.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
    assert record.components(params, corpus, feature_source=features)["features"] != base["features"]
    assert record.components({**params, "seed": 14}, corpus)["params"] != base["params"]
    assert record.components({**params, "out": tmp_path / "x"}, corpus) == base  # where it goes: no matter
    assert record.components(params, corpus[:-1])["data"] != base["data"]
    from privtune.scan.ner import english

    monkeypatch.setattr(english, "NOT_NAME", english.NOT_NAME | {"Gelu"})
    assert record.components(params, corpus)["word_lists"] != base["word_lists"]


def test_a_stale_record_names_what_changed(tools, tmp_path):
    _, record = tools
    model = tmp_path / "en_crf.crfsuite"
    model.write_bytes(b"model")
    parts = {"features": "a", "data": "b"}
    assert record.stale(model, parts) == ["record missing"]
    path = record.write(model, {"seed": 13, "out": model}, parts, 2)
    assert path == tmp_path / "en_crf.train.json" and record.stale(model, parts) == []
    assert record.stale(model, {**parts, "features": "c"}) == ["features"]
    model.write_bytes(b"another model")
    assert record.stale(model, parts) == ["model file"]


@pytest.mark.slow
@needs_data
def test_retraining_gives_the_shipped_model_byte_for_byte(tmp_path):
    out = tmp_path / "en_crf.crfsuite"
    subprocess.run([sys.executable, str(ROOT / "tools" / "train_en_ner.py"), "--out", str(out)], check=True,
                   cwd=ROOT, capture_output=True, timeout=1800)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert digest == hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest(), (
        "tools/train_en_ner.py no longer writes the shipped en_crf.crfsuite: retrain and ship it")
