"""Speed round 20 (issue 12 item 4): the English tagger's glue around the CRF.

* `EnTagger.prepare_chunk` converts the chunk's labels and marginals to lists once
  (`_tag_joined`) and hands each line slices of them: the same numbers as `_tag_many`'s
  per-line arrays, so the same spans.
* `EnTagger.spans` of a text without a newline answers its one line directly (no line regex,
  no offset shift): the spans `line_spans` gives the text, as the per-line loop gives them.
"""

from __future__ import annotations

import numpy as np

from privtune.demo.corpus import generate
from privtune.io import text_fields
from privtune.scan.ner import en_crf

_TEXTS = [
    "Hi, I'm Norma Fisher from Acme Corp in Springfield.",
    "Gabe is cute",
    "Nice shooting , Tex !",
    "",
    "   ",
    "Thanks\n\nBest,\nMarek Novak\nHeadOffice Ltd",
    "trump is here with Shaq",
    "客户 李雷 from 华为 said Anna Schmidt will call",
]


def _texts() -> list[str]:
    return _TEXTS + [t for r in generate(120, seed=13) for _, t in text_fields(r)]


def test_tag_joined_is_tag_many_joined() -> None:
    tagger = en_crf.get_tagger()
    lines = [w for t in _texts() for seg in t.split("\n") if (w := en_crf._line_words(seg))]
    paths, margs, cuts = tagger._tag_joined(lines)
    many = tagger._tag_many(lines)
    assert len(cuts) == len(lines) + 1 and cuts[0] == 0 and cuts[-1] == len(paths)
    for (path, marg), a, b in zip(many, cuts, cuts[1:]):
        assert path.tolist() == paths[a:b].tolist()
        assert marg.tobytes() == margs[a:b].tobytes()
    assert np.concatenate([m for _, m in many]).tobytes() == margs.tobytes()


class _NoLineScan:
    """Stands in for `en_crf._LINES`: a text with one line must not be split."""

    def __init__(self, real) -> None:
        self.real = real

    def finditer(self, text: str):
        assert "\n" in text, "a one-line text was split into lines"
        return self.real.finditer(text)

    def findall(self, text: str):
        return self.real.findall(text)


def test_one_line_texts_are_answered_whole_with_the_loops_spans(monkeypatch) -> None:
    tagger = en_crf.get_tagger()
    texts = _texts()
    en_crf.forget_lines()
    want = [[(a, b, t, p) for line in _split(text) for a, b, t, p in _shifted(tagger, *line)] for text in texts]
    en_crf.forget_lines()
    monkeypatch.setattr(en_crf, "_LINES", _NoLineScan(en_crf._LINES))
    got = [tagger.spans(t) for t in texts]
    assert got == want
    assert any(got)
    again = [tagger.spans(t) for t in texts]  # from the line memo now
    assert again == want
    again[0].append((0, 0, "X", 0.0))  # a caller's list: the memo's entry is not it
    assert tagger.spans(texts[0]) == want[0]
    en_crf.forget_lines()
    tagger.prepare_chunk(texts)  # from the chunk's lines
    try:
        assert [tagger.spans(t) for t in texts] == want
    finally:
        tagger.prepare_chunk(None)


def _split(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for seg in text.split("\n"):
        if seg:
            out.append((pos, seg))
        pos += len(seg) + 1
    return out


def _shifted(tagger, base: int, seg: str):
    return [(base + a, base + b, t, p) for a, b, t, p in tagger.line_spans(seg)]
