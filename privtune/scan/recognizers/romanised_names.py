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
_SURNAMES = "|".join(sorted(set(_TW_KR + _HK_SG), key=len, reverse=True))
_HYPHENED = r"[A-Z][a-z]{1,5}-[a-z]{2,6}"
HYPHENED_NAME = re.compile(rf"(?<![\w-])(?:(?:{_SURNAMES}) {_HYPHENED}|{_HYPHENED} (?:{_SURNAMES}))(?![\w-])")
_HK_SURNAMES = "|".join(sorted(set(_HK_SG), key=len, reverse=True))
THREE_SYLLABLES = re.compile(rf"(?<![\w-])(?:{_HK_SURNAMES}) [A-Z][a-z]{{1,3}} [A-Z][a-z]{{1,3}}(?![\w-])"
                             r"(?! (?:City|Road|Rd|Street|St|Avenue|Ave|Park|Building|Centre|Center|Tower|House|Garden|Estate))")
# Words of three letters or less that are capitalised English words, not syllables of a name.
_NOT_SYLLABLES = frozenset("The And For But Not All Any Can Did Has Had Her His How Its May New Now Old Our Out See "
                           "She Too Two Was Way Who Why Yes You Are Day Get Got Let Man Men Mr Mrs Ms Dr St Rd Co Ltd "
                           "Inc Am Pm Ok Is It In On At To Of Or By As An Be Do Go He If Me My No So Up Us We".split())


def romanised_name_spans(text: str) -> list[Span]:
    out = [Span(m.start(), m.end(), "PERSON", SCORE, DETECTOR) for m in HYPHENED_NAME.finditer(text)]
    for m in THREE_SYLLABLES.finditer(text):
        if not _NOT_SYLLABLES.intersection(m.group().split()[1:]):
            out.append(Span(m.start(), m.end(), "PERSON", SCORE, DETECTOR))
    return out


@register
class RomanisedNameRecognizer(Recognizer):
    """"Chen Shu-fen", "Park Ji-hoon", "Wong Siu Ming": East Asian names in Latin letters."""

    name = "romanised_names"
    entity_types = ("PERSON",)
    # A capitalised syllable and a hyphen and a lower-case one, or a short capitalised word, a
    # blank and another: the shapes both patterns open with (a class first: no literal to scan).
    trigger = re.compile(r"[A-Z][a-z]{0,5}[- ][a-zA-Z]")

    def analyze(self, text: str) -> list[Span]:
        return romanised_name_spans(text)
