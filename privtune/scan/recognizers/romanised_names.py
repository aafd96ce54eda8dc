"""PERSON: Chinese and Korean names as Hong Kong, Taiwan, Singapore and Korea romanise them.

Taiwan (Wade-Giles) and Korea write the given name as two syllables joined by a hyphen, the
second in lower case ("Chen Shu-fen", "Tsai Ming-hsuan", "Park Ji-hoon", "Ji-woo Choi"); Hong
Kong, Singapore and Malaysia write three short capitalised syllables, surname first ("Wong Siu
Ming", "Ng Kah Wai", "Lim Wei Jie"). Neither is in the English name lists, and the English model,
which learned English-order names, read them as places or left them. Taken: a romanised surname
of the list (`_SURNAMES`) with such a given name, before or after it; the three-syllable form
only with syllables of two to four letters and not before "City", "Road", "Street" … (Ho Chi Minh
City, Kim Chi Road).
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

DETECTOR = "romanised_names"
SCORE = 0.85

_TW_KR = ("Chen Lin Huang Tsai Wang Lee Li Chang Chou Wu Liu Yang Hsu Kuo Cheng Hsieh Lai Tseng Chien Lo Kao Chiu "
          "Hung Yeh Su Chu Kim Park Choi Jung Jeong Kang Cho Yoon Jang Lim Han Shin Seo Kwon Hwang Ahn Song Yoo Hong "
          "Jeon Ko Moon Son Bae Baek Heo Nam Noh Kwak Sung Cha Joo Koo Ryu Yu Chung Liang Sung Teng Pan Fang").split()
_HK_SG = ("Chan Wong Lau Cheung Ng Leung Ho Lee Lam Tang Chow Tsang Yip Kwok Lo Mak Fung Tse Yau Chu Lai Kwan Tam Au "
          "Yuen Choi Tan Lim Ong Goh Teo Koh Chua Yeo Sim Toh Low Quek Foo Chin Wee Lim Tay Ang Seah Heng").split()
_SURNAME_SET = frozenset(_TW_KR + _HK_SG)
_HK_SET = frozenset(_HK_SG)
# Candidates, found by a pattern that opens with a literal hyphen or a capital (no look-behind,
# no alternation of 90 surnames: sre tries those at every position): the words around a hyphened
# syllable pair, or three short capitalised words; the surname is then a set lookup.
_HYPHENED = re.compile(r"-[a-z]{2,6}(?![\w-])")
_SYLLABLE = re.compile(r"(?:([A-Z][a-z]{1,7}) )?([A-Z][a-z]{1,5})\Z")
_AFTER = re.compile(r" ([A-Z][a-z]{1,7})(?![\w-])")
THREE_SYLLABLES = re.compile(r"[A-Z][a-z]{1,4} [A-Z][a-z]{1,3} [A-Z][a-z]{1,3}(?![\w-])")
_PLACE_AFTER = re.compile(r" (?:City|Road|Rd|Street|St|Avenue|Ave|Park|Building|Centre|Center|Tower|House|Garden|Estate)\b")
# Words of three letters or less that are capitalised English words, not syllables of a name.
_NOT_SYLLABLES = frozenset("The And For But Not All Any Can Did Has Had Her His How Its May New Now Old Our Out See "
                           "She Too Two Was Way Who Why Yes You Are Day Get Got Let Man Men Mr Mrs Ms Dr St Rd Co Ltd "
                           "Inc Am Pm Ok Is It In On At To Of Or By As An Be Do Go He If Me My No So Up Us We".split())


def _glued(text: str, start: int) -> bool:
    """Does a word or a hyphen run into ``start`` (no name starts inside a word)?"""
    return start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-")


def romanised_name_spans(text: str) -> list[Span]:
    out: list[Span] = []
    if "-" in text:
        for m in _HYPHENED.finditer(text):
            b = _SYLLABLE.search(text, max(0, m.start() - 16), m.start())
            if b is None:
                continue
            first = b.start(2)  # the given name's first syllable
            if b.group(1) in _SURNAME_SET and not _glued(text, b.start()):  # "Chen Shu-fen"
                out.append(Span(b.start(), m.end(), "PERSON", SCORE, DETECTOR))
            elif not _glued(text, first) and (a := _AFTER.match(text, m.end())) is not None \
                    and a.group(1) in _SURNAME_SET:  # "Ji-woo Choi"
                out.append(Span(first, a.end(), "PERSON", SCORE, DETECTOR))
    for m in THREE_SYLLABLES.finditer(text):
        words = m.group().split()
        if (words[0] in _HK_SET and not _NOT_SYLLABLES.intersection(words[1:])
                and not _glued(text, m.start())
                and _PLACE_AFTER.match(text, m.end()) is None):
            out.append(Span(m.start(), m.end(), "PERSON", SCORE, DETECTOR))
    return out


@register
class RomanisedNameRecognizer(Recognizer):
    """"Chen Shu-fen", "Park Ji-hoon", "Wong Siu Ming": East Asian names in Latin letters."""

    name = "romanised_names"
    entity_types = ("PERSON",)
    # A capitalised syllable and a hyphen and a lower-case one, or a short capitalised word, a
    # blank and another: the shapes both patterns open with (a class first: no literal to scan).
    trigger = re.compile(r"[A-Z][a-z]{0,5}[- ][a-zA-Z]")  # (see `_HYPHENED`, `THREE_SYLLABLES`)

    def analyze(self, text: str) -> list[Span]:
        return romanised_name_spans(text)
