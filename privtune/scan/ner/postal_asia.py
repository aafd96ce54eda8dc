"""Parts of an address in the English conventions of Hong Kong, Singapore, Taiwan, Malaysia and
Japan that the street-line pattern of :mod:`privtune.scan.ner.postal` does not reach by itself.

These addresses put the smallest unit first: the flat, the floor, the block or tower, the
building's name, then the street line ("Flat B, 12/F, Tower 3, Laguna City, 8 Cha Kwo Ling
Road"; Singapore's "#05-67"; Taiwan's "12F., No. 88, Sec. 1, ..."; Malaysia's "B-12-5").
:func:`extend_back` walks back over such segments from a street line the pattern found.
Japan numbers the land, not the street: "1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002"
(chōme-banchi-gō, the ward, the city, the 〒 postcode); :func:`japanese_block` matches it.
Only called on house numbers the pattern already anchors, so plain text pays nothing.
"""

from __future__ import annotations

import re

# One segment before the street line, as Hong Kong, Singapore, Taiwan and Malaysia write them:
# a flat / room / shop / lot, a floor ("12/F", "G/F", Taiwan's "12F." and "3F-2"), a block,
# tower, wing or phase, Singapore's "#05-67", Malaysia's block-floor-unit "B-12-5", or a
# building or estate name (capitalised words ending in a building word).
_BUILDING_WORDS = (
    "Centre|Center|Building|Bldg\\.?|Tower|Towers|Plaza|House|Court|Mansion|Mansions|Estate|"
    "Garden|Gardens|City|Square|Heights|Villas?|Place|Commercial Centre|Industrial Centre|Terrace|"
    "Residences?|Condominium|Apartments|Complex|Mall|Point|Park|Hall|Lodge"
)
_SEGMENT = (
    r"(?:(?:Flat|Room|Rm\.?|Unit|Shop|Suite|Ste\.?|Apt\.?|Lot|Level|Office|Floor)[ \t]*#?[0-9A-Z]{1,5}(?:-[0-9A-Z]{1,4}){0,2}"
    r"|(?:[0-9]{1,3}|G|LG|UG|M)/F\.?|[0-9]{1,3}F\.?(?:-[0-9]{1,3})?|[0-9]{1,2}(?:st|nd|rd|th)[ \t]+Floor"
    r"|(?:Block|Blk\.?|Tower|Wing|Phase|Bldg\.?)[ \t]*[0-9A-Z]{1,3}"
    r"|#[0-9]{1,3}-[0-9]{1,5}[A-Z]?|[A-Z]-[0-9]{1,3}-[0-9]{1,3}[A-Z]?"
    rf"|(?:[A-Z][\w'’&.-]*[ \t]+){{0,3}}(?:{_BUILDING_WORDS})(?:[ \t]+(?:Tower|Block|Phase|Wing)[ \t]*[0-9A-Z]{{1,3}})?)"
)
# A segment that ends, after a comma and/or blanks, at the end of the window (the street's start).
_SEGMENT_BEFORE = re.compile(rf"(?<![\w#/-])(?:{_SEGMENT})[ \t]*(?:,[ \t]*|[ \t]+)$")
_MAX_SEGMENTS = 6


# The last word of each building word, without a plural "s" ("Heights" -> "Height").
_BUILDING_ENDS = frozenset(w.split()[-1].replace("\\.?", "").replace("s?", "").rstrip("s") for w in
                           _BUILDING_WORDS.split("|"))


# Last characters of a segment (or of the separator before the street): most blocks follow
# "to " or "reach ", and the caller skips the search on one index test.
SEGMENT_LAST = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ., \t") | {w[-1] for w in _BUILDING_ENDS} | {"s"}


def _may_end_segment(text: str, pos: int, floor: int) -> bool:
    """Whether the word before the separator that ends at ``pos`` can close a segment: a number
    ("1203", "12/F", "#05-67"), a short capital ("Flat B") or a building word ("Centre"). Most
    blocks follow "to", "at", "is:" and stop here, before the regex search."""
    end = pos
    while end > floor and text[end - 1] in " \t,":
        end -= 1
    begin = text.rfind(" ", floor, end) + 1
    word = text[max(begin, floor) : end]
    if not word:
        return False
    return (word[-1].isdigit() or word[-1] in "F." or (len(word) <= 3 and word.isupper())
            or word.rstrip("s") in _BUILDING_ENDS)


def extend_back(text: str, start: int, floor: int) -> int:
    """Start of the block once the unit / floor / block / building segments that stand before
    ``start`` (not before ``floor``) are taken in; ``start`` if none."""
    for _ in range(_MAX_SEGMENTS):
        if start <= floor or text[start - 1] not in " \t," or not _may_end_segment(text, start, floor):
            break
        m = _SEGMENT_BEFORE.search(text, max(floor, start - 60), start)
        if m is None:
            break
        start = m.start()
    return start


def add_block(out: list[tuple[int, int, float, str]], text: str, start: int, end: int, score: float) -> int:
    """Append the block, with the flat, floor, block and building segments before it (Hong Kong,
    Singapore, Taiwan, Malaysia); it may reach over the block before it (a flat number read as a
    street line, "Flat B, 12" in "Flat B, 12/F, Tower 3, 8 ... Road"), not past that one's
    start, and then absorbs it. Returns the block's end."""
    floor = out[-1][0] if out else 0
    if start > floor and text[start - 1] in " \t," and text[start - 2] in SEGMENT_LAST:
        start = extend_back(text, start, floor)
    if out and start < out[-1][1]:
        start = min(start, out[-1][0])
        score = max(score, out.pop()[2])
    out.append((start, end, score, "postal_address_pattern"))
    return end

# Japan: a land number "chōme-banchi(-gō)" first ("1-2-3", "12-4"), then the district, the ward
# or city ("Shibuya-ku", "Kano-cho", "2-chome"), the city or prefecture and the postcode
# ("Tokyo 150-0002"); a 〒 postcode may open the block. The ward's suffix (or "Japan") is what
# tells it from "10-12 Main Street" and a phone number after it.
_JP_NAME = r"(?:[A-Z][a-z]+(?:-[A-Za-z]+)*|[0-9]{1,2}-(?:chome|jo|cho))"
_JP_SEGMENT = rf"{_JP_NAME}(?:[ \t]+{_JP_NAME}){{0,3}}"
JP_BLOCK = re.compile(
    rf"[0-9]{{1,4}}-[0-9]{{1,4}}(?:-[0-9]{{1,4}})?,?[ \t]+{_JP_SEGMENT}(?:,[ \t]*{_JP_SEGMENT}){{0,4}}"
    r"(?:,?[ \t]+〒?[0-9]{3}-[0-9]{4}(?![0-9-]))?(?:,[ \t]*Japan)?"
)
_JP_MARKER = re.compile(r"[a-z]-(?:ku|shi|cho|machi|mura|gun|chome)\b|\bJapan\b|-chome|-jo\b")
_JP_POSTCODE_BEFORE = re.compile(r"〒[ \t]?[0-9]{3}-[0-9]{4}[ \t]*,?[ \t]*$")


def japanese_block(text: str, pos: int) -> tuple[int, int] | None:
    """``(start, end)`` of a Japanese block whose land number starts at ``pos``, None if none."""
    m = JP_BLOCK.match(text, pos)
    if m is None or _JP_MARKER.search(m.group()) is None:
        return None
    before = _JP_POSTCODE_BEFORE.search(text, max(0, pos - 14), pos)
    return (before.start() if before is not None else pos), m.end()


# Taiwan: after the house number, the lane, alley and section come before the street's name
# ("No. 7, Lane 25, Section 2, Zhongshan N. Rd."): skipped to reach the street.
TAIWAN_LANES = re.compile(r"(?:(?:Lane|Ln\.|Alley|Aly\.|Section|Sec\.)[ \t]*[0-9]{1,4},?[ \t]+)+")
# Singapore and Malaysia number streets: "Ang Mo Kio Ave 3", "Jalan SS 2/24", "Lorong 7"; taken
# when a unit ("#05-67") or a comma follows.
STREET_NUMBER = re.compile(r"[ \t]+[0-9]{1,3}[A-Z]?(?:/[0-9]{1,3}[A-Z]?)?(?=[ \t]*,|[ \t]+#)")
# Hong Kong's "Connaught Road Central", "Queen's Road East": a direction after the street type.
DIRECTIONS = frozenset("Central East West North South Middle".split())
# Taiwan's postcode after the city: three digits, or five / six ("Taipei City 104", "... 10683").
TAIWAN_POSTCODE = re.compile(r"[ \t]+[0-9]{3}(?:[0-9]{2,3})?(?![0-9])")
