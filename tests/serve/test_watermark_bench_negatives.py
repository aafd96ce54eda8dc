"""The watermark benchmark's human-written negatives: tokens joined back into text, chunked."""

from __future__ import annotations

from benchmarks.watermark_negatives import _conll_sentences, _join_en, chunks


def test_english_tokens_join_like_text():
    assert _join_en(["I", "do", "n't", "know", ",", "(", "really", ")", "it", "'s", "#", "fine", "."]) == \
        "I don't know, (really) it's #fine."


def test_conll_first_char_and_docstart(tmp_path):
    p = tmp_path / "x.conll"
    p.write_text("-DOCSTART- O\n\n我0\tO\n们1\tO\n\n好0\tO\n", encoding="utf-8")
    assert list(_conll_sentences(p, first_char_only=True)) == [["我", "们"], ["好"]]


def test_chunks_reach_the_size_and_split_long_sentences(tiny_tokenizer):
    def n(t: str) -> int:
        return len(tiny_tokenizer(t, add_special_tokens=False)["input_ids"])

    short = [f"Sentence number {i} is here." for i in range(200)]
    out = chunks(tiny_tokenizer, "en", iter(short), 60, limit=5)
    assert len(out) == 5 and all(60 <= n(c) < 80 for c in out)
    long_piece = "长" * 3000  # one sentence far longer than a chunk: cut into slices
    out = chunks(tiny_tokenizer, "zh", iter([long_piece]), 60, limit=100)
    assert len(out) >= 10 and all(n(c) < 2 * 60 for c in out) and " " not in "".join(out)
