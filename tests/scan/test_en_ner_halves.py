"""tools/train_en_ner.py (case-noised copies, the shipped recipe's defaults) and
tools/en_ner_halves.py (held-out halves of the training corpora), round ensocial10."""

from __future__ import annotations

from privtune.scan.ner import en_crf
from repo_scripts import load_tool


def test_case_copies_keep_tags_and_change_only_case():
    tool = load_tool("train_en_ner")
    corpus = [(["Ask", "Anna", "Kowalska", "today"], ["O", "B-PER", "I-PER", "O"]),
              (["all", "lower", "case"], ["O", "O", "O"])] * 50
    assert tool.case_copies(corpus, 0.0, 0.0, 13) == []
    copies = tool.case_copies(corpus, 0.3, 0.2, 13)
    assert copies == tool.case_copies(corpus, 0.3, 0.2, 13)  # seeded
    assert 0 < len(copies) < 50  # only sentences with a capital are copied
    shapes = {tuple(words) for words, _ in copies}
    assert shapes == {("ask", "anna", "kowalska", "today"), ("ASK", "ANNA", "KOWALSKA", "TODAY")}
    assert all(tags == ["O", "B-PER", "I-PER", "O"] for _, tags in copies)


def test_training_options_default_to_the_shipped_recipe():
    args = load_tool("train_en_ner").parser().parse_args([])
    assert (args.lower_copies, args.upper_copies, args.iterations, args.augment) == (0.0, 0.0, 100, 8000)


def test_halves_split_each_corpus_by_parity():
    tool = load_tool("en_ner_halves")
    from privtune.scan.ner import corpora

    parts = tool.halves()
    for name, (even, odd) in parts.items():
        whole = corpora.load(name)
        assert even == whole[0::2] and odd == whole[1::2]


def test_scoring_a_half_restores_the_shipped_tagger():
    tool = load_tool("en_ner_halves")
    from privtune.scan.ner.corpora import Sentence

    shipped = en_crf.get_tagger()
    text = "Ask Anna Kowalska about it"
    counts, errors = tool.score_half(en_crf.MODEL_PATH, [Sentence(text, ((4, 17, "PERSON"),))])
    assert counts["gold"] == 1 and counts["exact"] == 1 and errors == []
    assert en_crf._TAGGER is shipped
