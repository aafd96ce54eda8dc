"""Romanised Korean names: a Korean surname beside a hyphenated given name ("Park Ji-hoon",
"Ji-hoon Park", "Kim Min-jung").

The lexicon rules of :mod:`privtune.scan.ner.english` read a capitalised word, so "Ji-hoon"
breaks at its hyphen, and "Park", "Song", "Hong" are ordinary words; the English model misses
the pair in short chat lines. The shape is distinctive: a two-syllable given name written with
a hyphen and a small letter after it, next to one of the common surnames (together about 90 %
of South Koreans by the 2015 census). Both syllables must read as Revised or McCune-Reischauer
romanisation, so "Co-op", "Re-do" or "Pre-order" beside "Park" are no name.
"""

from __future__ import annotations

import re

# Common Korean surnames in their usual romanised spellings.
KOREAN_SURNAMES: frozenset[str] = frozenset(
    "Kim Gim Lee Yi Rhee Park Pak Bak Choi Choe Jung Jeong Chung Kang Gang Cho Jo Yoon Yun Jang Chang Lim Im "
    "Han Oh Seo Suh Shin Sin Kwon Gwon Hwang Ahn An Song Jeon Jun Chun Hong Yoo Yu Ryu Ko Go Moon Mun Yang Son "
    "Bae Baek Paik Heo Huh Nam Noh Roh Ha Kwak Gwak Sung Seong Cha Joo Ju Woo Koo Gu Min Na Jin Ji Eom Um "
    "Chae Won Cheon Bang Gong Hyun Ham Byun Byeon Yeom Yeo Choo Do Seok Sohn Shim Sim Pyo Tak Maeng".split()
)
# One romanised syllable: an optional initial, a vowel group, an optional final.
# No lone "c" or "r" initial: Korean romanisation writes neither, and they open the English
# hyphenated words ("Co-op", "Re-do") most likely to stand after "Park" or "Song".
_SYLLABLE = (
    r"(?:kk|tt|pp|ss|jj|ch|sh|[gknmdlbsjhptyw])?"
    r"(?:yeo|yae|wae|weo|oo|ou|ee|ae|eo|eu|ui|oe|wa|wo|we|wi|ya|yo|yu|ye|a|e|i|o|u)"
    r"(?:ng|n|m|l|k|p|t)?"
)
_GIVEN = rf"(?:(?=[A-Z])(?i:{_SYLLABLE})-{_SYLLABLE})"
_SURNAME = "(?:" + "|".join(sorted(KOREAN_SURNAMES, key=len, reverse=True)) + ")"
_B, _E = r"(?<![A-Za-z'’-])", r"(?![A-Za-z'’-])"
KOREAN_NAME = re.compile(rf"{_B}(?:{_SURNAME}[ \t]+{_GIVEN}|{_GIVEN}[ \t]+{_SURNAME}){_E}")
# A hyphen between a capitalised syllable and a small letter: the only texts worth the pattern.
TRIGGER = re.compile(r"[A-Z][a-z]{0,4}-[a-z]")
SCORE = 0.85


def korean_names(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each surname + hyphenated given name, in either order."""
    if "-" not in text or TRIGGER.search(text) is None:
        return []
    return [m.span() for m in KOREAN_NAME.finditer(text)]
