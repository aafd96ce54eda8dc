"""A given name alone, in a text that also writes the full name, is that person (唉马靖昊说会计
厚林兄弟，真的对不起李厚林: 厚林 is 李厚林).

Chinese text names a person once in full and then, among friends or in a story, by the given
name only. The CRF sees the two-character given name without its surname and has nothing to
go on; the full name elsewhere in the same text is the evidence. A mention is taken when:

* a PERSON span already found is a surname (the unknown-name rule's single surnames, or a
  compound surname) + a two-character given name, and that given name is no dictionary word
  (狮子, 大千, 冰冰 are words: 小狮子 / 母狮子, 一大千 would follow a found 母狮子 or 张大千);
* the mention lies outside every span found (of any type) and is not the full name again
  (徐|悲鸿 where the CRF took only part of 徐悲鸿 elsewhere), i.e. the characters before it
  are not the surname.

Measured on every zh set, dev, held-out and training parts (benchmarks/RESULTS.md,
zh-social9): without the two guards the rule also took 乞儿, 悲鸿, 冠中, 冰冰, 兰芳 (each right
after its own surname) and 狮子 / 大千 (words); a further guard on the mention's edges (no
dictionary word with the character beside it) changed nothing there and would lose
王小明 … 小明说 (明说 is a word).
"""

from __future__ import annotations

from collections.abc import Sequence

from privtune.scan.entities import Span
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES
from privtune.scan.ner.zh_unknown_names import SURNAMES, get_words

GIVEN_DETECTOR = "zh_person_given"
GIVEN_SCORE = 0.6  # a candidate beside the CRF's: it never overlaps a span already found


def _surname_length(name: str) -> int:
    """Length of the surname that opens ``name`` when the rest is a two-character given name,
    else 0."""
    if len(name) == 3 and name[0] in SURNAMES:
        return 1
    if len(name) == 4 and name[:2] in ZH_COMPOUND_SURNAMES:
        return 2
    return 0


def given_name_mentions(text: str, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """``(start, end)`` of each given name alone whose full name is a PERSON of ``spans``
    (the spans already found in ``text``, of any type), sorted."""
    full: dict[str, str] = {}  # given name -> surname
    for s in spans:
        if s.type == "PERSON" and (n := _surname_length(name := text[s.start : s.end])):
            full.setdefault(name[n:], name[:n])
    if not full:
        return []
    if not any(text.count(given) > 1 for given in full):
        return []  # each given name occurs only inside its full name: the common case, no work
    logp = get_words().logp
    covered = bytearray(len(text))
    for s in spans:
        covered[s.start : s.end] = b"\x01" * (s.end - s.start)
    out: set[tuple[int, int]] = set()
    for given, surname in full.items():
        if given in logp:
            continue
        at = text.find(given)
        while at >= 0:
            end = at + len(given)
            if not any(covered[at:end]) and text[max(0, at - len(surname)) : at] != surname:
                out.add((at, end))
            at = text.find(given, at + 1)
    return sorted(out)
