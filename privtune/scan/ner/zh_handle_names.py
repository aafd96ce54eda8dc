"""Names at the end of an @handle that begins with an organisation's or a shop's name
(@金玉缘叶莲@金玉缘吴佩, //@博洛尼蔡明:, @剑网3制作人郭炜炜, @东营区电信陈美玲), and what a handle
says about the spans inside it.

Staff of a company, a shop or a team often post under "<organisation> + <own name>". The CRF
reads such a handle as one name (金玉缘叶莲) or, beside other handles, misses the name; the
whole-handle rule (recognizers/person_handle.py) takes only a handle that *is* a name. Here a
handle that ends in a surname (single or compound) + 1-2 given characters after at least two
other characters, the last of them Han, gives that ending as a name when

* the CRF scores exactly that ending as a PERSON at :data:`MIN_CRF_SCORE` or more, or
* another handle of the same text begins with the same two Han characters and ends in a
  surname-shaped name too: several staff accounts of one organisation (the CRF need not score
  the ending; with spaces between the handles it reads the shared prefix as the name).

The ending is no name when it is a known place, ends as a place or a thing does (红美商城-苏州站),
or holds a character no given name has. A PERSON span that runs over the ending and starts two
or more characters before it, inside the handle, gives way (金玉缘|叶莲); one starting at most one
character before it stays (@微笑的小唐菜: 小 + 唐菜 is the nickname the CRF found). A PERSON span
inside the organisation's part of a handle is dropped (@金玉缘婚礼 beside @金玉缘叶莲), and so is
an unknown-name rule's name inside a handle that does not end it (:func:`with_handle_names`).

A handle runs from the "@" to a space, a colon, the next "@", "/", punctuation or a bracket,
and at most :data:`MAX_HANDLE` characters: the Weibo corpus removed the spaces after handles,
so a longer run is the post's text. Measured on every zh set, dev and training parts
(benchmarks/RESULTS.md, zh-social10).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from privtune.scan.entities import Span
from privtune.scan.ner.lexicon import ZH_COMPOUND_SURNAMES
from privtune.scan.ner.zh_title_names import PLACES
from privtune.scan.ner.zh_unknown_names import _NOT_GIVEN, _THING_ENDS, SURNAMES, UNKNOWN_DETECTOR

HANDLE_END_DETECTOR = "zh_person_handle_end"
HANDLE_END_SCORE = 0.6
MIN_CRF_SCORE = 0.4  # without a second handle of the same organisation
MAX_HANDLE = 20  # characters; longer runs after "@" are text the corpus wrote without a space
# Where a handle ends (as in recognizers/person_handle.py), and the particles a name does not end in.
_HANDLE_END = frozenset(" \t\n\r\u3000:：@/，。！？、,.!?[]【】#（）()“”\"")
_NO_NAME_CHARS = _NOT_GIVEN | frozenset("呢吗吧啊呀哦哈嘛啦哟噢嘿")
# Last characters of a thing or place (the unknown-name rule's), and of a branch's or a site's
# handle (红美商城-苏州站, 王府井店).
_ENDS_NO_NAME = _THING_ENDS | frozenset("站店社网")


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _handles(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each handle after an "@" (the "@" excluded), at most MAX_HANDLE long."""
    out = []
    n = len(text)
    pos = text.find("@")
    while pos >= 0:
        end = pos + 1
        while end < n and text[end] not in _HANDLE_END:
            end += 1
        if 0 < end - pos - 1 <= MAX_HANDLE:
            out.append((pos + 1, end))
        pos = text.find("@", end if end > pos + 1 else pos + 1)
    return out


def _ending(text: str, start: int, end: int) -> int:
    """Start of a surname-shaped name that ends the handle ``[start, end)`` after an
    organisation prefix (>= 2 characters, the last one Han), or -1."""
    for width in (4, 3, 2):  # longest first: 欧阳|红燕 before 阳红燕, 高智雅 before 智雅
        s = end - width
        if s - start < 2 or not _is_han(text[s - 1]):
            continue
        given_at = s + 2 if text[s : s + 2] in ZH_COMPOUND_SURNAMES else s + 1
        if given_at == s + 1 and text[s] not in SURNAMES:
            continue
        given = text[given_at:end]
        if not 1 <= len(given) <= 2 or not all(_is_han(c) and c not in _NO_NAME_CHARS for c in given):
            continue
        if text[s:end] in PLACES or text[end - 1] in _ENDS_NO_NAME:
            continue
        return s
    return -1


def handle_end_names(text: str, handles: Sequence[tuple[int, int]], spans: Sequence[Span],
                     scored: dict[tuple[int, int], float]) -> list[tuple[int, int, int, bool]]:
    """``(handle start, name start, name end, new)`` of the names that end an organisation's
    handle in ``text`` (see the module docstring); ``new`` is False where a PERSON span found
    already is that name. ``handles``: from :func:`_handles`; ``scored``: the CRF's PERSON
    score of each ``(start, end)`` it scores at its candidate cut-off or more; ``spans``: the
    spans found so far."""
    found = []
    for h0, h1 in handles:
        s = _ending(text, h0, h1)
        if s >= 0:
            found.append((h0, s, h1))
    if not found:
        return []
    prefixes = [text[h0 : h0 + 2] for h0, _, _ in found]
    out = []
    for h0, s, e in found:
        if any(p.type == "PERSON" and (p.start, p.end) == (s, e) for p in spans):
            out.append((h0, s, e, False))
            continue
        score = scored.get((s, e))
        shared = s - h0 >= 2 and _is_han(text[h0]) and _is_han(text[h0 + 1]) and prefixes.count(text[h0 : h0 + 2]) >= 2
        # Several staff handles of one organisation need no CRF score: with spaces between the
        # handles the CRF reads the shared prefix as the name (金玉缘) and scores no ending.
        if not shared and (score is None or score < MIN_CRF_SCORE):
            continue
        # A PERSON span that starts at most one character before the ending (or inside it) and
        # covers part of it is the CRF's own reading of a nickname or of the name: it stands.
        if any(p.type == "PERSON" and p.start < e and s < p.end and p.start >= s - 1 for p in spans):
            continue
        if any(p.type != "PERSON" and p.start < e and s < p.end for p in spans):
            continue
        out.append((h0, s, e, True))
    return out


def _inside(text: str, span: Span, h0: int, h1: int) -> bool:
    """Whether ``span`` lies in the handle ``[h0, h1)`` and is neither its end nor its start
    before a part in other letters (@何辛ESPN, @冯慈治_: a name and a tag)."""
    if not (h0 <= span.start and span.end < h1):
        return False
    return not (span.start == h0 and not _is_han(text[span.end]))


def _organisation_parts(text: str, handles: Sequence[tuple[int, int]],
                        found: Sequence[tuple[int, int, int, bool]]) -> list[tuple[int, int]]:
    """``(start, end)`` of the handles' parts that are an organisation's name: the prefix
    before a new name, or before a name found already when two handles or more begin with it
    (not @汉帝唐皇, two names in one handle)."""
    out: list[tuple[int, int]] = []
    for org in {text[h0:s] for h0, s, _, _ in found}:
        parts = [(h0, h0 + len(org)) for h0, h1 in handles if text.startswith(org, h0) and h0 + len(org) <= h1]
        if len(parts) >= 2 or any(new and text[h0:s] == org for h0, s, _, new in found):
            out += parts
    return out


def with_handle_names(text: str, spans: list[Span], scored: Sequence[tuple[int, int, float]],
                      calibrate: Callable[[float], float]) -> list[Span]:
    """``spans`` corrected by the handles of ``text``: the new names of
    :func:`handle_end_names` added; taken out, the PERSON spans that overlap them (they start
    in the organisation's part of the handle: 金玉缘叶莲), that lie in a part of a handle that is
    such an organisation's name (@金玉缘婚礼 beside @金玉缘叶莲), and the unknown-name rule's
    names inside a handle that do not end it (@现在是哈雷的阿阿宋: a nickname's characters are no
    leftover of the segmentation), unless a part in other letters follows the name at the
    handle's start (@何辛ESPN). ``scored``: the CRF's ``(start, end, gain)`` candidates,
    ``calibrate`` its calibration of a gain to a score."""
    handles = _handles(text)
    if not handles:
        return spans
    found = handle_end_names(text, handles, spans, {(b, e): calibrate(g) for b, e, g in scored})
    names = [(s, e) for _, s, e, new in found if new]
    org_parts = _organisation_parts(text, handles, found) if found else []
    kept = [p for p in spans if not (p.type == "PERSON" and (
        any(p.start < e and s < p.end for s, e in names)
        or any(b <= p.start and p.end <= e for b, e in org_parts)
        or (p.detector == UNKNOWN_DETECTOR and any(_inside(text, p, h0, h1) for h0, h1 in handles))))]
    if len(kept) == len(spans) and not names:
        return spans
    kept += [Span(s, e, "PERSON", HANDLE_END_SCORE, HANDLE_END_DETECTOR) for s, e in names]
    return sorted(kept, key=lambda p: p.start)
