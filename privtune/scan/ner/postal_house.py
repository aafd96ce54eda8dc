"""Street lines with no street word, for :mod:`privtune.scan.ner.postal`: a labelled house
number ("House No. 45, Sector 21, Gurgaon", "H.No. 61, Phase 2, Mohali": India, Pakistan and
Bangladesh write the house so, then the sector or colony and the town) and one capitalised word
after a house number ("12 Broadway, London W6 7AL", "Unit 5, 22 Kingsway, Sydney NSW 2000"),
which the street-word rules call "a street type with no name" ("3 Spurs") or miss.
"""

from __future__ import annotations

import re

from privtune.scan.ner.postal_words import NOT_TOWN

# A house number's label before it: "House No. 45", "H.No. 61", "Plot No: 12", "Flat No. 3B".
_HOUSE_LABEL = re.compile(r"(?<![\w.])(?:House|H\.?|Plot|Flat|Door|Shop)[ \t]*(?:No|Number|#)\.?[ \t]*:?[ \t]*$",
                          re.IGNORECASE)


_MORE_GROUPS = re.compile(r"(?:-[0-9]{1,4}[A-Za-z]?)+(?=,)")


def labelled_house(text: str, num: re.Match[str], floor: int) -> tuple[int, int, bool] | None:
    """A labelled house number ("House No. 45") before a comma: the street line is the label
    and the number (the caller wants a town or a postcode after it). Tested only where a comma
    follows the number and "No", "Number" or "#" may stand before it (cheap looks first: every
    number pays them)."""
    end = num.end()
    # Hyderabad's and Telangana's house numbers hold the ward and the block: "H.No. 6-9-265"
    # (the number anchor stops at "6-9").
    if text.startswith("-", end) and (more := _MORE_GROUPS.match(text, end)) is not None:
        end = more.end()
    if not text.startswith(",", end):
        return None
    s = num.start()
    near = text[max(floor, s - 5) : s]
    if "o" not in near and "O" not in near and "#" not in near and "r" not in near:
        return None
    label = _HOUSE_LABEL.search(text, max(floor, s - 16), s)
    return None if label is None else (label.start(), end, True)


# One capitalised word after a house number, then a comma: a street with no street word
# ("12 Broadway, London W6 7AL", "22 Kingsway, Sydney NSW 2000", "5 Piccadilly, ..."). Taken
# as a bare "Words 12" is: only when a town and a postcode follow (the caller's score rule).
_ONE_WORD = re.compile(r"[ \t]+([A-Z][a-z]{3,}(?:-[A-Z][a-z]+)?),")
_NOT_ONE_WORD_STREET = frozenset(
    "January February March April June July August September October November December Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday Days Weeks Months Years Hours Minutes Items Pages Points".split()
)
# A year closing the block, with no region code before it ("Sydney NSW 2000" is a postcode).
YEAR_END = re.compile(r"(?<![A-Z][ \t])(?<![A-Z])(?:1[5-9]|20)[0-9]{2}$")


def one_word_street(text: str, num: re.Match[str]) -> tuple[int, int, bool] | None:
    """(start, end, False) of "12 Broadway" before a comma (no street word: the caller wants a
    town and a postcode after it; a unit may stand before it, "Unit 5, 22 Kingsway")."""
    m = _ONE_WORD.match(text, num.end())
    if m is None or m.group(1) in NOT_TOWN or m.group(1) in _NOT_ONE_WORD_STREET:
        return None
    return num.start(), m.end(1), False
