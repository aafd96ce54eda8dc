"""The block after a street line: units, postcodes, towns, region codes; and the word tests
(street words, place-name words) that the street finders of :mod:`privtune.scan.ner.postal` share.

``tail_at`` reads up to five segments, separated by a comma or a line break, after a street
line: a unit ("Apt. 12", "1º Esq."), a postcode with or without its town ("10115 Berlin",
"B7E 9EP"), a town (capitalised words, with a postal district "Dublin 2" and a region code
"(CZ)", "/ PE" after it).
"""

from __future__ import annotations

import re
from functools import lru_cache

from privtune.scan.ner import postal_asia
from privtune.scan.ner.lexicon import en_lexicon
from privtune.scan.ner.postal_words import ABBREVIATIONS as _ABBREVIATIONS
from privtune.scan.ner.postal_words import CONNECTORS as _CONNECTORS
from privtune.scan.ner.postal_words import NOT_TOWN as _NOT_TOWN
from privtune.scan.ner.postal_words import STREET_ENDINGS as _STREET_ENDINGS
from privtune.scan.ner.postal_words import STREET_WORDS as _STREET_WORDS

UNIT = re.compile(
    r"(?:Apto|Apt|Apartment|Appartamento|Suite|Ste|Unit|Flat|Studio|Level|Floor|Fl|Room|Rm|Interior|Piso|Sector|Phase|Pocket|"
    r"Puerta|Planta|Piano|Scala|Interno|Int|Bl|Sc|Ap|Et|Nr|No|Stiege|Top|Tür|Whg|m|lok|kv|#)\.?[ \t]*#?[0-9][0-9A-Za-z/-]{0,5}\.?"
    r"(?:[ \t]+(?:Bl|Sc|Ap|Et)\.?[ \t]*[0-9A-Za-z]{1,4})*"
    # Spain's floor and door: "3º B", "2º izq.", "1.º 2ª".
    # Portugal's side of the landing: "1º Esq.", "3º Dto.", "2º Frente".
    r"|[0-9]{1,2}\.?[ºª°](?:[ \t]*-?[ \t]*(?:[0-9]{1,2}[ºª]?|izq(?:uierda|da)?\.?|dcha\.?|dch\.?|der(?:echa)?\.?"
    r"|esq(?:uerdo)?\.?|dto\.?|dt[oª]\.?|direito|frente|fte\.?"
    r"|[A-Z](?![\w])))?",
    re.IGNORECASE,
)

# Postcodes: US ZIP+4, 4-6 digits, CZ/SK/SE "123 45", PL "12-345", PT "1234-567", BR
# "12345-678"/8 digits, NL "1234 AB", a country letter or two before it (HU "H-1234", CH
# "CH-8001", DE "D-10115"), UK, Canada, Ireland (Eircode).
_POSTCODE = (
    r"(?:[0-9]{5}-[0-9]{3,4}|[0-9]{4}-[0-9]{3}|[0-9]{2}-[0-9]{3}|[0-9]{3}[ \t][0-9]{2}(?![0-9])"
    r"|[0-9]{4}[ \t]?[A-Z]{2}(?![A-Za-z])|[A-Z]{1,2}-[0-9]{4,5}|[0-9]{8}|[0-9]{4,6}"
    r"|[A-Z]{1,2}[0-9][A-Z0-9]?[ \t]?[0-9][A-Z]{2}|[A-Z][0-9][A-Z][ \t]?[0-9][A-Z][0-9]"
    r"|[A-Z][0-9]{2}[ \t]?[A-Z0-9]{4})(?![0-9A-Za-z])"
)
POSTCODE_RE = re.compile(_POSTCODE)
_TOWN_POSTCODE = re.compile(rf"[ \t]*,?[ \t]*-?{_POSTCODE}")
# A hyphen (or an en dash: "Hubli–Dharwad") joins letters ("Aubry-sur-Ribeiro"), not a town and
# its postcode ("Nandyal-833788").
# Dutch towns may open with "'s-" ('s-Gravenhage, 's-Hertogenbosch); Portuguese ordinals stand
# inside names ("Camponesa 2ª Seção", a district of Belo Horizonte).
_WORD = re.compile(r"(?:['’]s-)?[^\W\d_][\w'’.]*(?:[-–][^\W\d_][\w'’.]*)*|[0-9]{1,2}[ªº](?=[ \t])")
_SEP = re.compile(r"[ \t]*(?:,[ \t]*\r?\n|,|\r?\n)[ \t]*|[ \t]+")  # ",\n": a block wrapped after its comma
_REGION = re.compile(r"[ \t]*(?:\((?:[A-Z]{2}|[^\W\d_][\w ]{1,20})\)|[/–-][ \t]*[A-Z]{2}(?![\w])|,?[ \t]*[A-Z]{2,4}(?![\w]))")
_MAX_WORDS = 6
# A city's postal district after its name, before the comma or line end: "Dublin 2", "Dublin 6W"
# (then the Eircode: "17 Harcourt Road, Dublin 2, D02 X285").
_DISTRICT = re.compile(r"[ \t]+[0-9]{1,2}W?(?=[ \t]*(?:,|\r?\n|$))")


@lru_cache(maxsize=1)
def street_words() -> tuple[frozenset[str], tuple[str, ...]]:
    words = {w.lower() for w in _STREET_WORDS} | {s.lower() for s in en_lexicon().street_suffixes}
    return frozenset(words), tuple(_STREET_ENDINGS)


def is_street_word(word: str) -> bool:
    words, endings = street_words()
    lw = word.lower()
    # Endings only on capitalised words: "Hauptstraße" is a street, "during" is not a "-ring".
    return lw in words or (len(lw) > 5 and word[0].isupper() and lw.endswith(endings))


def name_words(text: str, pos: int, limit: int = _MAX_WORDS) -> list[tuple[int, int, str]]:
    """Words from ``pos`` on, one space apart, while they look like parts of a place name."""
    out: list[tuple[int, int, str]] = []
    while len(out) < limit:
        m = _WORD.match(text, pos)
        if m is None:
            break
        w = m.group()
        if not (w[0].isupper() or w.lower() in _CONNECTORS or is_street_word(w) or "-" in w
                or (out and w[-1] in "ªº")):
            break
        # A sentence end ("Pößneck."), not an abbreviation that keeps its dot ("Zhongshan Dist.").
        if w.endswith(".") and len(w) > 4 and not is_street_word(w) and w.lower() not in _ABBREVIATIONS:
            out.append((m.start(), m.end() - 1, w[:-1]))
            break
        out.append((m.start(), m.end(), w))
        if text[m.end() : m.end() + 1] not in (" ", "\t"):  # (a blank next: no regex call per word)
            break
        pos = m.end() + 1
    while out and out[-1][2].lower() in _CONNECTORS:
        out.pop()
    return out


def tail_at(text: str, pos: int, after_postcode: bool = False) -> tuple[int, bool, bool]:
    """The block after a street line: units, postcode, town, region (comma / line separated);
    and whether it held a postcode, and a town. ``after_postcode``: the street line ended with
    a postcode, so a town may follow it after a bare blank."""
    end, postcode, has_town = pos, after_postcode, False
    if after_postcode:
        town = town_at(text, end)
        if town is not None:
            end, has_town = town[0], True
    after_unit = False
    for _ in range(5):
        sep = _SEP.match(text, end)
        if sep is None:
            break
        at = sep.end()
        m = UNIT.match(text, at) or POSTCODE_RE.match(text, at)
        if m is not None:
            is_pc = m.re is POSTCODE_RE
            after_unit = text[at] == "#"  # Singapore's "#05-67" (a test by index: US units pay nothing)
            postcode |= is_pc
            new_end = m.end()
            if is_pc:  # "10115 Berlin", "P19 4K06 Vincent Ville"
                town = town_at(text, new_end)
                has_town |= town is not None
                new_end = town[0] if town is not None else new_end
            end = new_end
            continue
        if "," not in sep.group() and "\n" not in sep.group():
            # A town follows a comma or a line break, not a bare space; but Singapore writes
            # "#05-67 Singapore 560123": after its unit, a town that its postcode closes.
            town = town_at(text, at, lead="") if after_unit else None
            if town is None or not town[1]:
                break
            end, postcode, has_town = town[0], True, True
            continue
        town = town_at(text, at, lead="")
        if town is None:
            break
        end, has_town = town[0], True
        postcode |= town[1]
        if town[2]:  # "Venda Nova, 74833788 Gonçalves / BA": the postcode opened the next town's line
            after = town_at(text, end)
            end = after[0] if after is not None else end
    return end, postcode, has_town


_BLANKS = re.compile("[ \t]+")


def town_at(text: str, pos: int, lead: str = "[ \t]+") -> tuple[int, bool, bool] | None:
    """End of a town name (with an optional region code / postcode after it) at ``pos``,
    whether a postcode followed it, and whether a comma stood before that postcode (then it
    starts a line of its own, "postcode town" as most of Europe and Brazil write it)."""
    if lead:
        # The default lead is precompiled: ``re.compile`` per call was a cache lookup per town.
        m = (_BLANKS if lead == _BLANKS.pattern else re.compile(lead)).match(text, pos)
        if m is None:
            return None
        pos = m.end()
    words = name_words(text, pos, 5)
    # A postcode ends the town's words: "London NW1 6XE" is no town "London NW1" and a loose "6XE".
    cut = next((i for i, w in enumerate(words) if w[2] in _NOT_TOWN or (i and POSTCODE_RE.match(text, w[0]))),
               len(words))
    words = words[:cut]
    if not words or not (words[0][2][0].isupper() or words[0][2][3:4].isupper() and words[0][2][1:3] == "s-"):
        return None
    end = words[-1][1]
    district = _DISTRICT.match(text, end)
    if district is not None:
        end = district.end()
    region = _REGION.match(text, end)
    if region is not None:
        end = region.end()
    pc = _TOWN_POSTCODE.match(text, end)
    if pc is None and words[-1][2] in ("City", "County"):  # Taiwan: "Taipei City 104"
        pc = postal_asia.TAIWAN_POSTCODE.match(text, end)
    if pc is not None:
        end = pc.end()
    if end < len(text) and text[end] in ":;":
        return None  # "Phone:" is a label, not a town; so is a vCard property ("ATTENDEE;CN=…")
    return end, pc is not None, pc is not None and "," in pc.group()
