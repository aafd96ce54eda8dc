"""Pluggable NER backends: tiny local spaCy / HF models prove offsets, batching, long texts,
label mapping and the errors on a bad path (no download: everything is built here)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from privtune.errors import ConfigError
from privtune.scan.config import ScanConfig
from privtune.scan.ner.backends import ExternalNerRecognizer, NerBackendConfig, build_analyzer, pieces_of


@pytest.fixture(scope="module")
def spacy_dir(tmp_path_factory):
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PER", "pattern": "Anna Berg"},
        {"label": "GPE", "pattern": "Lisbon"},
        {"label": "MISC", "pattern": "Eurovision"},
    ])
    path = tmp_path_factory.mktemp("spacy_ner")
    nlp.to_disk(path)
    return path


def _spacy(path, **kw) -> ExternalNerRecognizer:
    return ExternalNerRecognizer(NerBackendConfig(kind="spacy", path=path, label_map={"PER": "PERSON", "GPE": "ADDRESS"}, **kw))


def test_spacy_offsets_and_label_map(spacy_dir):
    rec = _spacy(spacy_dir)
    text = "我和 Anna Berg 在 Lisbon 看了 Eurovision"
    got = [(text[s.start : s.end], s.type, s.detector) for s in rec.analyze(text)]
    assert got == [("Anna Berg", "PERSON", "external_ner:spacy"), ("Lisbon", "ADDRESS", "external_ner:spacy")]


def test_spacy_long_texts_are_cut_at_whitespace_and_mapped_back(spacy_dir):
    rec = _spacy(spacy_dir, max_chars=60)
    text = ("filler words here " * 10) + "then Anna Berg flew to Lisbon " + ("and more " * 20)
    spans = rec.analyze(text)
    assert [text[s.start : s.end] for s in spans] == ["Anna Berg", "Lisbon"]
    assert all(len(p) <= 60 for _, p in pieces_of(text, 60))
    assert "".join(p for _, p in pieces_of(text, 60)) == text


def test_batches_keep_each_texts_spans(spacy_dir):
    rec = _spacy(spacy_dir, batch_size=2)
    texts = ["Anna Berg", "nothing here", "from Lisbon", ""]
    out = rec.analyze_batch(texts)
    assert [[t[s.start : s.end] for s in spans] for t, spans in zip(texts, out)] == [["Anna Berg"], [], ["Lisbon"], []]


def test_analyzer_with_backend_through_the_scan_config(spacy_dir):
    cfg = ScanConfig.model_validate({"input": "x.jsonl", "ner_backend": {
        "kind": "spacy", "path": str(spacy_dir), "label_map": {"PER": "PERSON"}}})
    analyzer = build_analyzer(None, 0.5, cfg.ner_backend)
    text = "ticket from Anna Berg"
    assert ("Anna Berg", "PERSON") in [(text[s.start : s.end], s.type) for s in analyzer.analyze(text)]


@pytest.fixture(scope="module")
def hf_dir(tmp_path_factory):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers

    path = tmp_path_factory.mktemp("hf_ner")
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "anna", "berg", "met", "in", "lisbon"])}
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    from tokenizers import normalizers
    tok.normalizer = normalizers.Lowercase()
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                                cls_token="[CLS]", sep_token="[SEP]")
    fast.save_pretrained(path)
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=32, max_position_embeddings=64,
                                     num_labels=3, id2label={0: "O", 1: "B-PER", 2: "I-PER"},
                                     label2id={"O": 0, "B-PER": 1, "I-PER": 2})
    torch.manual_seed(0)
    model = transformers.BertForTokenClassification(config)
    with torch.no_grad():  # every word a B-PER: the outputs are known, so offsets can be checked
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([0.0, 10.0, 0.0]))
    model.save_pretrained(path)
    return path


def test_hf_token_classification_offsets_and_chunks(hf_dir):
    rec = ExternalNerRecognizer(NerBackendConfig(kind="hf", path=hf_dir, label_map={"PER": "PERSON"}, max_chars=50))
    text = "Anna met Berg in Lisbon " * 5
    spans = rec.analyze(text)
    words = [text[s.start : s.end] for s in spans]
    assert words == ["Anna", "met", "Berg", "in", "Lisbon"] * 5  # word offsets, across the pieces
    assert {s.type for s in spans} == {"PERSON"} and all(0.5 <= s.score <= 1 for s in spans)
    batched = rec.analyze_batch(["Anna met", "in Lisbon"])
    assert [[(s.start, s.end) for s in b] for b in batched] == [[(0, 4), (5, 8)], [(0, 2), (3, 9)]]


def test_hf_labels_outside_the_map_are_dropped(hf_dir):
    rec = ExternalNerRecognizer(NerBackendConfig(kind="hf", path=hf_dir, label_map={"LOC": "ADDRESS"}))
    assert rec.analyze("Anna met Berg") == []


@pytest.mark.parametrize("kind", ["spacy", "hf", "gliner"])
def test_a_bad_path_is_a_clear_error(tmp_path, kind):
    cfg = NerBackendConfig(kind=kind, path=tmp_path / "missing", label_map={"PER": "PERSON"})
    with pytest.raises(ConfigError) as e:
        ExternalNerRecognizer(cfg)
    assert "missing" in str(e.value) or "gliner" in str(e.value)


def test_a_directory_that_is_no_model_is_a_clear_error(tmp_path):
    (tmp_path / "README.txt").write_text("not a model")
    for kind in ("spacy", "hf"):
        with pytest.raises(ConfigError, match=str(tmp_path)):
            ExternalNerRecognizer(NerBackendConfig(kind=kind, path=tmp_path, label_map={"PER": "PERSON"}))


def test_label_map_must_name_known_types(tmp_path):
    with pytest.raises(ValidationError, match="unknown types"):
        NerBackendConfig(kind="spacy", path=tmp_path, label_map={"PER": "HUMAN"})
