"""cue_after_matches (CUE_AFTER tried only before greetings) equals CUE_AFTER.finditer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from privtune.scan.recognizers.person_cue import _GREETINGS, CUE_AFTER, GREETING_LOOKAHEAD, cue_after_matches

_PIECES = ["张", "王", "欧阳", "司马", "婷", "伟", "小", "明", "的", "经理", "您好", "你好", "先生", "女士", "老师",
           "，", "。", " ", "\n", "a", "1", "您", "好", "先", "女", "士", "生", "\x00", "😀", "收", "收，", "收到"]  # fmt: skip


def _spans(ms: object) -> list[tuple[int, int]]:
    return [m.span() for m in ms]  # type: ignore[attr-defined]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_same_matches_as_finditer(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _spans(cue_after_matches(text)) == _spans(CUE_AFTER.finditer(text))


def test_greetings_are_the_lookahead_and_cannot_overlap() -> None:
    assert CUE_AFTER.pattern.endswith(GREETING_LOOKAHEAD)
    alternatives = GREETING_LOOKAHEAD[3:-1].split("|", len(_GREETINGS) - 1)
    assert [a.startswith(g) for a, g in zip(alternatives, _GREETINGS, strict=True)] == [True] * len(_GREETINGS)
    for a in _GREETINGS:
        for b in _GREETINGS:
            assert not any(a.endswith(b[:k]) for k in range(1, len(b)) if k < len(a) or a != b)
