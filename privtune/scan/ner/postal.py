"""Street addresses in the shapes of many countries, one line or a multi-line postal block.

A street line comes in three orders: house number first ("709, rue Lambert", "19 McGeoghegan
Street"), street name first ("Hauptstraße 12", "Rua das Flores 88", "ulica Słowicza 60/30",
"Béke utca 233."), or, with no street word we know, "Words 12" that a postcode line follows
("Akátova 5, 410 49 Jilemnice"). After it, up to four segments separated by a comma or a line
break make the block: a unit ("Apt. 12", "Suite 846", "Piso 3"), a postcode with or without
its town ("10115 Berlin", "72-880 Tarnów", "B7E 9EP", "H-6000 Zalaegerszeg"), a town
(capitalised words, "nad"/"de"/"sur" allowed inside), a region code ("NSW", "(CZ)", "/ PE").
A town may also follow a postcode that opens its own line ("..., 40479666 Carvalho / AM").
Shapes of their own: Australian road types after a number ("2 Figueroa Strand, ..., ACT,
2930"), a unit before the number ("Unit 88 923 ..."), a street with no number, its district
and a postcode (Brazil: "Rua Theodoro Brito, São Geraldo, 57441-598 Rios / PR"), India's
house-number line closed by a six-digit PIN ("35/04, Gade, Hosur 394411"); and, with
:mod:`privtune.scan.ner.postal_asia`, Hong Kong, Singapore, Taiwan, Malaysia and Japan in English.

Scores: a street word and a postcode 0.9; a street word alone 0.75; a bare "Words 12" needs
the postcode and gets 0.8. Used by :class:`privtune.scan.recognizers.address.EnAddressRecognizer`
beside the US pattern of :mod:`privtune.scan.ner.english`.
"""

from __future__ import annotations

import re

from privtune.scan.ner import postal_asia
from privtune.scan.ner.back_scan import back_word
from privtune.scan.ner.postal_block import UNIT as _UNIT
from privtune.scan.ner.postal_block import is_street_word as _is_street_word
from privtune.scan.ner.postal_block import name_words as _name_words
from privtune.scan.ner.postal_block import street_words as _street_words
from privtune.scan.ner.postal_block import tail_at as _tail
from privtune.scan.ner.postal_house import YEAR_END as _YEAR_END
from privtune.scan.ner.postal_house import labelled_house as _labelled_house
from privtune.scan.ner.postal_house import one_word_street as _one_word_street
from privtune.scan.ner.postal_words import CONNECTORS as _CONNECTORS
from privtune.scan.ner.postal_words import LOWER_PREFIX_TYPES as _LOWER_PREFIX_TYPES
from privtune.scan.ner.postal_words import NOT_TOWN as _NOT_TOWN
from privtune.scan.ner.postal_words import NUMBER_FIRST_TYPES as _NUMBER_FIRST_TYPES
from privtune.scan.ner.postal_words import PLAIN_WORD_TYPES as _PLAIN_WORD_TYPES
from privtune.scan.ner.postal_words import PREFIX_TYPES as _PREFIX_TYPES

# A unit written before the house number ("Unit 88 923 Wood Gap", "Flat 56 6 Ward Cutting"),
# as Australia and Britain do: searched on the few characters before a number-first street.
# (or on the line above, as a postal block writes it: "Flat 2C\n58 MG Road\nMumbai")
_UNIT_BEFORE = re.compile(rf"(?<![\w.])(?:{_UNIT.pattern})[ \t]*,?(?:[ \t]+|[ \t]*\r?\n[ \t]*)$", re.IGNORECASE)
# Or the unit's own number is the street's: "Flat 84, Tom Road, Elliottland, S1 1AD"; or the
# house number's label ("No. 12, Galle Road", India's "H.No. 61, Pal Street").
_UNIT_OF_NUMBER = re.compile(
    r"(?<![\w.])(?:Apt|Apartment|Suite|Ste|Unit|Flat|Studio|Level|Floor|Room|Blk|Block|Plot|(?:H\.?[ \t]?)?No)\.?[ \t]*#?$",
    re.IGNORECASE,
)

# House numbers: every address here holds one, so they are the anchors (few per text). A
# flat after a slash ("60/30") or a range of houses after a hyphen ("Hauptstraße 12-14", the
# German and Austrian way to write a corner or a block) belongs to the number.
# Brazil's eight-digit CEP anchors a street line that has no house number.
# The pattern opens with a digit, the boundary look-behind after it: a leading look-behind would
# make the regex engine try every position of the text rather than skip to the next digit.
_NUMBER_ANCHOR = re.compile(
    r"[0-9](?<![\w/.-].)(?:[0-9]{7}|[0-9]{0,4}[a-zA-Z]?(?:(?:/|(-))[0-9]{1,4}[a-zA-Z]?)?)\.?(?![0-9])"
)
# France writes a repeated house number "12 bis" / "12 ter" (Italy "12 bis" too): the suffix
# belongs to the number ("70 ter impasse du Moulin").
_NUMBER_SEP = re.compile(r"(?:[ \t]+(?:bis|ter|quater)(?![\w]))?,?[ \t]+")
# Blanks (after an optional comma) that end the window before a number ("Hauptstraße 12");
# ``$`` also matches before a newline that ends the window, as it always has here.
_GAP = re.compile(r",?[ \t]+$")
_SEGMENT_LAST = postal_asia.SEGMENT_LAST  # (the test before add_block: see there)
_DIGITS = frozenset("0123456789")


def find_postal_addresses(text: str) -> list[tuple[int, int, float, str]]:
    """``(start, end, score, detector)`` of street addresses / postal blocks in ``text``."""
    out: list[tuple[int, int, float, str]] = []
    done = 0
    for num in _NUMBER_ANCHOR.finditer(text):
        if num.start() < done:
            continue
        if _no_rule_can_take(text, num):
            continue  # "(896) 803-6871", "$45?": nothing around the number that a rule reads
        # Japan's land number, "1-2-3 Shibuya, Shibuya-ku, Tokyo": a hyphen (the anchor's group 1)
        # after one or two digits (a chōme; phone numbers and dates have 3-4), checked by index
        # and attribute, as every number of every text pays for it.
        if num.lastindex:
            s = num.start()
            if (text[s + 1] == "-" or text[s + 2] == "-") and postal_asia.JP_BLOCK.match(text, s):
                jp = postal_asia.japanese_block(text, s)
                if jp is not None:
                    done = postal_asia.add_block(out, text, jp[0], jp[1], 0.9)
                    continue
        before, after = _name_first(text, num, done), _number_first(text, num)
        found = before if before is not None and (before[2] or after is None) else after
        house_line = one_word = False
        # (The comma test first: most numbers have none before them, and skip the call.)
        postcode_after_comma = ("," in text[max(0, num.start() - 3) : num.start()]
                                and _is_postcode_after_comma(text, num))
        if postcode_after_comma:  # before a district ("Vila Paraíso") that looks like a street
            found = _street_and_district(text, num, done) or found
        labelled = _labelled_house(text, num, done) if found is None or not found[2] else None
        if labelled is not None:  # "House No. 45, Sector 21, Gurgaon": the label names the number
            found = labelled
        elif found is None:
            found = _house_number_line(text, num) if text.startswith(",", num.end()) else None
            if found is None:
                found = _one_word_street(text, num)
                if found is None:
                    continue
                one_word = True
            else:
                house_line = True
        start, end, street_word = found
        if (found is after or one_word) and start > done:
            unit = (_UNIT_BEFORE.search(text, max(done, start - 24), start)
                    or _UNIT_OF_NUMBER.search(text, max(done, start - 12), start))
            start = unit.start() if unit is not None else start
        postcode_first = found is not after and street_word and postcode_after_comma
        end, postcode, town = _tail(text, end, postcode_first)
        e = found[1]
        numbered = (postal_asia.STREET_NUMBER.match(text, e)
                    if street_word and text[e : e + 1] == " " and text[e + 1 : e + 2] in _DIGITS else None)
        if numbered is not None:  # "Ang Mo Kio Ave 3 #05-67", "Jalan SS 2/24, 47300 ..."
            n_end, n_postcode, n_town = _tail(text, numbered.end(), postcode_first)
            if n_postcode or n_town:
                end, postcode, town = n_end, n_postcode, n_town
        if house_line and not (text.count(",", start, end) >= 2 and _PIN_END.search(text, end - 8, end)):
            continue
        if found is labelled and not (postcode or town):
            continue  # "my house no. 45 is the blue one": a label and a number alone place nobody
        if one_word and _YEAR_END.search(text, max(start, end - 8), end):
            continue  # "on 12 Summary, London 2012": a year after a town, not a postcode
        if street_word:
            score = 0.9 if postcode or town else 0.75
        elif postcode and town:
            score = 0.8
        else:
            continue
        if start >= 2 and text[start - 1] in " \t," and text[start - 2] in _SEGMENT_LAST:
            done = postal_asia.add_block(out, text, start, end, score)
        else:  # most blocks: "to 12 Main St", nothing to take in before them (tested inline: cheap)
            out.append((start, end, score, "postal_address_pattern"))
            done = end
    return out



def _no_rule_can_take(text: str, num: re.Match[str]) -> bool:
    """True only where every rule below would give nothing for the anchor ``num``; a test by
    index (~0.3 µs) where the rules' calls cost ~3 µs per anchor. The rules need, before the
    number, a blank, line break, "#" or a label's "." / ":" (`_gap_before`, for the name-first
    and district rules) or a comma (`_is_postcode_after_comma`); after it, a blank or a comma
    (`_number_first`, `_house_number_line`, `one_word_street`, `labelled_house`) or a hyphen
    (`labelled_house`'s "H.No. 6-9-265"); a Japanese block has a hyphen in the anchor (group 1)."""
    if num.lastindex:
        return False
    s, e = num.span()
    if text[e : e + 1] in _AFTER_NUMBER_READ or "," in text[max(0, s - 3) : s]:
        return False
    return s > 0 and text[s - 1] not in _BEFORE_NUMBER_READ and (s < 2 or text[s - 2] not in ".:")


_AFTER_NUMBER_READ = (" ", "\t", ",", "-")
_BEFORE_NUMBER_READ = frozenset(".: \t\n#")


# India: "23/286, Bhatt Nagar, Gudivada-404796", "35/04, Gade, Hosur 394411": a house number, a
# comma, the locality and the town, then the six-digit PIN (after a blank or a hyphen).
_PIN_END = re.compile(r"[ \t-][1-9][0-9]{5}$")


_COMMA_LETTER = re.compile(r",[ \t]*[^\W\d_]")


def _house_number_line(text: str, num: re.Match[str]) -> tuple[int, int, bool] | None:
    """A house number alone before a comma and a capitalised word ("35/04, Gade, ..."): a street
    line only if the block after it ends in a PIN, which the caller checks."""
    end = num.end()
    if text[end : end + 1] != "," or not _COMMA_LETTER.match(text[end : end + 4]):
        return None
    return num.start(), end, False


_AFTER_NUMBER_TYPES = _NUMBER_FIRST_TYPES | _PLAIN_WORD_TYPES
# Korea's road names end in their type ("Teheran-ro", "Sejong-daero", "Nonhyeon-ro 25-gil"),
# written after the building number in English: "251 Olympic-ro, Gangnam-gu, Seoul 05510".
_KOREAN_ROADS = ("-ro", "-gil", "-daero")


def _last_street_word(words: list[tuple[int, int, str]]) -> int:
    """Index of the last street word (or, after a number, Australian road type) in ``words``, -1 if none."""
    for i in range(len(words) - 1, -1, -1):
        w = words[i][2]
        if w.lower() in _AFTER_NUMBER_TYPES or _is_street_word(w):
            return i
    return -1


def _number_first(text: str, num: re.Match[str]) -> tuple[int, int, bool] | None:
    """"709, rue Lambert", "19 McGeoghegan Street": the street ends at its last street word."""
    ne = num.end()
    sep = _NUMBER_SEP.match(text, ne)
    if sep is None:
        return None
    lanes = postal_asia.TAIWAN_LANES.match(text, sep.end()) if text[ne] == "," else None
    words = _name_words(text, sep.end() if lanes is None else lanes.end())
    last = _last_street_word(words)
    if last >= 0 and len(words) > 1 and _UNIT.match(text, words[-1][0]):
        # "346 Boyd Plaza Suite 069": the unit is the tail's, not the street's name or type (the
        # words stop at its number, so it can only be the last one).
        words = words[:-1]
        last = _last_street_word(words)
    if last < 0 or not (words[0][2][0].isupper() or words[0][2].lower() in _LOWER_PREFIX_TYPES):
        return None
    if last == 0 and words[0][2].lower() not in _PREFIX_TYPES and not words[0][2].endswith(_KOREAN_ROADS):
        return None  # "3 Spurs": a street type needs a name before it (Korea's "251 Olympic-ro" holds it)
    plain = words[last][2].lower() in _PLAIN_WORD_TYPES and not _is_street_word(words[last][2])
    if words[last][2].lower() in _PREFIX_TYPES:  # "709, rue Lambert": the name follows the type
        last = len(words) - 1
    elif last + 1 < len(words) and words[last + 1][2] in postal_asia.DIRECTIONS:
        last += 1  # "111 Connaught Road Central"
    return num.start(), words[last][1], not plain


def _name_first(text: str, num: re.Match[str], floor: int) -> tuple[int, int, bool] | None:
    """"Hauptstraße 12", "Béke utca 233.", "Campo Nascimento, 6": the words before the number."""
    words = _back_words(text, num.start(), floor)
    if not words:
        return None
    if len(words) == 1 and words[0][1].lower() in _street_words()[0]:
        return None  # "Spurs 2": a bare street type; "Hauptstraße 12" (a compound) is fine
    # "registered to Bogdan Jovanović of Praterstraße 30/8": a name of two words or more and "of"
    # before the street are the resident, not the street's name ("Isle of Dogs Road 5" keeps its
    # one word before "of").
    of = max((i for i, (_, w) in enumerate(words[:-1]) if w == "of"), default=-1)
    if of >= 2 and not any(_is_street_word(w) for _, w in words[:of]):
        words = words[of + 1 :]
    street_word = any(_is_street_word(w) or w in GENITIVE_TYPES for _, w in words)
    for i, (_, w) in enumerate(words[:-1]):
        if w.lower() in _PREFIX_TYPES:
            words = words[i:]
            break
    digits = num.group().rstrip(".")
    if not street_word and (len(digits) > 4 or len(words) > 3):
        return None  # "Berlin 10115" is a town and its postcode; long runs are prose
    start = words[0][0]
    dated = _DATED_NAME.search(text, max(floor, start - 24), start)  # "Calle 5 de Mayo #870"
    if dated is not None and dated.group(1).lower() in _PREFIX_TYPES:
        return dated.start(), num.end(), True
    return start, num.end(), street_word


# A street named after a date or a number ("Calle 5 de Mayo", "Rua 7 de Setembro", "Avenida 9 de
# Julio"): the back words stop at the number; the street type before it opens the street.
_DATED_NAME = re.compile(r"(?<![\w.])([^\W\d_][\w.]*)[ \t]+[0-9]{1,2}(?:[ \t]+(?:de|del|do|da))?[ \t]+\Z")


# Norway's and Denmark's street types written apart and lower case after a genitive name
# ("Karl Johans gate 41", "Thorvald Meyers gate", "Kongens gade 3"): the type only right before
# the number and after a word ending in "s" (an airport's "Departures gate 41" is rare beside them).
GENITIVE_TYPES = frozenset("gate gata vei veg allé plass gade vej plads stræde".split())
_AIRPORT_WORDS = ("Departures", "departures", "Arrivals", "arrivals", "Terminals")


def _back_words(text: str, pos: int, floor: int) -> list[tuple[int, str]]:
    """The capitalised words (connectors and street types allowed) that end, after a blank or a
    comma, at ``pos``: a street's name, or a district's. Empty if none or no capital among them."""
    gap = _gap_before(text, pos, floor)
    if gap is None:
        return []
    pos -= gap
    words: list[tuple[int, str]] = []
    while len(words) < 5 and pos > floor:
        found = back_word(text, max(floor, pos - 40), pos)  # (`back_scan.BACK_WORD`'s match)
        if found is None:
            break
        start, end = found
        w = text[start:end]
        if w in ("ª", "º") and words and start > floor and text[start - 1].isdigit():  # "2ª Seção"
            start -= 2 if start - 1 > floor and text[start - 2].isdigit() else 1
            w = text[start:end]
        elif not (w[0].isupper() or w.lower() in _CONNECTORS or _is_street_word(w)
                  or (w in GENITIVE_TYPES and not words and text[start - 2 : start] == "s "
                      and not text.endswith(_AIRPORT_WORDS, floor, start - 1))):
            break
        words.insert(0, (start, w))
        pos = start
        if pos == 0 or text[pos - 1] not in " \t":
            break
        pos -= 1
    while words and (words[0][1] in _NOT_TOWN or (words[0][1][0].islower() and words[0][1].lower() not in
                                                     _LOWER_PREFIX_TYPES)):
        words.pop(0)  # "station Heart 107": lower-case words start a street only if they are its type
    if not any(w[0].isupper() for _, w in words):
        return []  # "extension 4410": a street has a name
    return words


def _street_and_district(text: str, num: re.Match[str], floor: int) -> tuple[int, int, bool] | None:
    """"Rua Theodoro Brito, São Geraldo, 57441-598 Rios / PR": a street with no house number,
    its district, then the postcode ``num``; the street must open with its type."""
    district = _back_words(text, num.start(), floor)
    if not district or len(district) > 4 or "," not in text[max(floor, num.start() - 3) : num.start()]:
        return None
    d = district[0][0]
    street = _back_words(text, d, floor)
    if "," not in text[max(floor, d - 3) : d]:
        return None
    i = next((i for i, (_, w) in enumerate(street[:-1]) if w.lower() in _PREFIX_TYPES), None)
    if i is None:
        return None
    return street[i][0], num.end(), True


# The house number's label between a street and its number: Russia's "ul. Tverskaya, d. 7",
# Turkey's "Bağdat Cad. No:215", "Calle Mayor, Nº 5", "Hauptstr. Nr. 3".
_NUMBER_LABEL = re.compile(r",?[ \t]+(?:d|No|Nr|N[º°]|nº)[.:][ \t]?\Z")


def _gap_before(text: str, pos: int, floor: int) -> int | None:
    """Length of ``_GAP.search(text[max(floor, pos - 3) : pos])``'s match, None if none. Most
    numbers have no blank or newline right before them: then no ``$`` can follow a blank
    (the window's end, or a newline that ends it), and the slice and search are skipped."""
    if pos <= floor:
        return None
    if text[pos - 1] in ".:" or (pos - 2 > floor and text[pos - 2] in ".:"):  # (index tests first: hot)
        label = _NUMBER_LABEL.search(text, max(floor, pos - 10), pos)
        if label is not None:
            return len(label.group())
    if text[pos - 1] not in " \t\n":
        # Mexico and much of Latin America write "#" before the house number ("Calle Hidalgo #1594").
        if text[pos - 1 : pos] == "#" and pos - 2 > floor and text[pos - 2] in " \t":
            return 2
        return None
    gap = _GAP.search(text[max(floor, pos - 3) : pos])
    return None if gap is None else len(gap.group())


def _is_postcode_after_comma(text: str, num: re.Match[str]) -> bool:
    """"rue Lambert, 16151 Sainte-Marie", "..., 57441-598 Rios / PR": after a comma, five digits
    (or a Brazilian CEP) are a postcode, not a house number: the town follows it after a blank."""
    return "," in text[max(0, num.start() - 3) : num.start()] and _POSTCODE_NUMBER.fullmatch(num.group()) is not None


_POSTCODE_NUMBER = re.compile(r"[0-9]{5}(?:-[0-9]{3})?|[0-9]{8}")
