"""ADDRESS: a postal code on its own, right after the word that names it ("zip code 94103",
"Postcode: SW1A 1AA", "邮编100080", "PLZ 10115", "CEP 01310-100", "〒150-0002").

A postcode is a small area: a UK unit covers about 15 addresses, and HIPAA's Safe Harbor method
removes every geographic unit smaller than a state, ZIP codes included (beyond their first
three digits). Inside a street block the address patterns already take it; alone, only its
name tells it from an amount or a code, so a value is taken only after a cue (`CUE_WORDS`)
with at most a colon, "is" or spaces between, and only in a postcode shape: UK, Canada,
Netherlands, or digits (3-6, then an optional "-" and 3-4 more: ZIP+4, CEP, Japan, Poland).
Only the text's number runs are looked at (the shared number-run index), so text without
digits costs nothing.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.recognizers._shared import CuesBefore, halfwidth, number_runs
from privtune.scan.registry import Recognizer, register

SCORE = 0.85
CUE_WORDS = tuple(sorted({
    "postcode", "post code", "postal code", "postalcode", "zip", "zip code", "zipcode", "zip/postal code",
    "plz", "postleitzahl", "code postal", "cep", "código postal", "codigo postal", "codice postale",
    "postnummer", "kod pocztowy",
    "邮编", "邮政编码", "郵編", "郵政編碼", "郵遞區號", "邮递区号", "郵便番号", "〒",
}, key=len, reverse=True))
# Left out: "CAP", "CP" (a cap, a copy) and "PIN code" (a bank PIN as often as India's postcode).
_LOOKBACK = 24
_GAP_CHARS = " \t:：#=，,"
_GAP_WORDS = (" is", " was")
_RUN_TAIL = frozenset(" ()（）+.-")
CUES = CuesBefore(CUE_WORDS, _GAP_CHARS, _GAP_WORDS, _LOOKBACK)
# What the character before a value's gap can be: a cue's last, or the "s" of "is" / "was".
_LAST_CHARS = frozenset(c[-1] for c in CUE_WORDS) | frozenset("sS") | frozenset(c[-1].upper() for c in CUE_WORDS)

_SHAPE = re.compile(
    r"(?:[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}"  # UK: SW1A 1AA, M1 1AE
    r"|[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9]"  # Canada: K1A 0B1
    r"|[0-9]{4} ?[A-Z]{2}"  # Netherlands: 1012 AB
    r"|[0-9]{2,6}(?:-[0-9]{3,4})?)"  # ZIP(+4), PLZ, CEP, 〒150-0002, 00-950, 邮编100080
    r"(?![0-9A-Za-z])"
)


# A British postcode in full after its town, with no cue ("55 Kingsway, London WC2B 6TP", where the
# street block's pattern knows no street type): the outward code, a space, the inward code
# (a digit and two of the letters Royal Mail uses there) is distinctive enough beside a town.
_UK_FULL = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}(?![0-9A-Za-z])")
_TOWN_BEFORE = re.compile(r"(?<![\w'’-])[A-Z][A-Za-z'’]+(?:[ -][A-Z][A-Za-z'’]+)?,?[ \t]\Z")


def _after_town(t: str, head: int) -> int:
    """The end of a full UK postcode at ``head`` right after a capitalised town name, or -1."""
    m = _UK_FULL.match(t, head)
    if m is None or _TOWN_BEFORE.search(t, max(0, head - 32), head) is None:
        return -1
    return m.end()


# A Canadian postcode after its province's code, in any case ("Toronto, ON M5V 3L9", "toronto on
# m5v 3l9", "ship to 100 queen st w, toronto on m5v 3l9"): letter-digit-letter digit-letter-digit
# with the letters Canada Post uses, after a town and a province, is an address with no cue;
# written in lower case, the street patterns (capitalised words) miss the whole line. The town
# before the province and a street line before the town ("100 queen st w, ") are taken with it.
_CA_LETTERS = frozenset("ABCEGHJKLMNPRSTVXYabceghjklmnprstvxy")
_CA_CODE = re.compile(r"[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z][ \t]?[0-9][ABCEGHJ-NPRSTV-Z][0-9](?![0-9A-Za-z])",
                      re.IGNORECASE)
_PROVINCE_BEFORE = re.compile(
    r"(?<![A-Za-z'’.-])(?P<town>[A-Za-z][A-Za-z'’.-]+(?:[ \t][A-Za-z][A-Za-z'’.-]+)?),?[ \t]+"
    r"(?:ON|QC|BC|AB|MB|SK|NS|NB|NL|PE|PEI|YT|NT|NU|on|qc|bc|ab|mb|sk|ns|nb|nl|pe|pei|yt|nt|nu|Ont|Que)\.?,?[ \t]+\Z"
)
_STREET_BEFORE = re.compile(
    r"(?<![0-9A-Za-z])[0-9]{1,5}[A-Za-z]?[ \t]+(?:[A-Za-z'’.-]+[ \t]+){0,3}(?i:st|street|ave|avenue|rd|road|blvd|dr"
    r"|drive|cres|crescent|way|lane|ln|ct|court|pl|place|hwy|highway|terrace|pkwy|cir|circle)\.?"
    r"(?:[ \t]+(?i:[nsew]|ne|nw|se|sw|north|south|east|west)\.?)?,[ \t]*\Z"
)
_NOT_TOWN_WORDS = frozenset("to in at from near of ship send mail deliver".split())


def _canadian_block(t: str, head: int) -> tuple[int, int] | None:
    """(start, end) of a Canadian postcode at ``head`` with the province and town before it (and
    a street line before those, if any), or after its cue alone; None if neither."""
    m = _CA_CODE.match(t, head)
    if m is None:
        return None
    prov = _PROVINCE_BEFORE.search(t, max(0, head - 40), head)
    if prov is None:  # "postal code: m5v 3l9": after its cue, the code alone
        return (head, m.end()) if _cue_start(t, head) >= 0 else None
    start = prov.start("town")
    first, _, rest = prov.group("town").partition(" ")
    if rest and first.lower() in _NOT_TOWN_WORDS:
        start += len(first) + 1  # "ship to toronto on ...": the town is "toronto"
    street = _STREET_BEFORE.search(t, max(0, start - 60), start)
    return (street.start() if street is not None else start), m.end()


def _cue_start(t: str, head: int) -> int:
    """Where a cue starts that ends right before ``t[head]`` (a gap allowed), or -1: not inside a
    word ("recap 12345", "hcp 2024")."""
    start = CUES.start(t, head)
    if start > 0 and t[start].isascii() and t[start - 1].isascii() and t[start - 1].isalnum():
        return -1
    return start


def postcode_spans(text: str) -> list[Span]:
    """ADDRESS spans of the postcodes right after their cue word."""
    t = halfwidth(text)
    out: list[Span] = []
    done = 0
    for start, end, n in number_runs(t):
        if start < done or n > 9:
            continue
        if n == 1 and start > 0 and t[start - 1] in _CA_LETTERS and (ca := _canadian_block(t, start - 1)):
            out.append(Span(ca[0], ca[1], "ADDRESS", SCORE, "postcode"))
            done = ca[1]
            continue
        head = start
        while head > 0 and start - head < 2 and "A" <= t[head - 1] <= "Z":
            head -= 1  # a UK or Canadian code opens with letters
        if n < 3 and head == start:
            continue  # one or two digits alone: a count, a day
        i = head  # most numbers have no cue's last character before them: say so cheaply first
        while i > 0 and head - i < 3 and t[i - 1] in _GAP_CHARS:
            i -= 1
        if i == 0 or t[i - 1] not in _LAST_CHARS or _cue_start(t, head) < 0:
            if head < start and (uk_end := _after_town(t, head)) > 0:
                out.append(Span(head, uk_end, "ADDRESS", SCORE, "postcode"))
                done = uk_end
            continue
        last = end  # the run's last digit: a run may end in a space or a bracket
        while t[last - 1] in _RUN_TAIL:
            last -= 1
        m = _SHAPE.match(t, head)
        if m is not None and m.end() >= last:  # all of the number, not the head of a longer one
            out.append(Span(head, m.end(), "ADDRESS", SCORE, "postcode"))
            done = m.end()
    return out


@register
class PostcodeRecognizer(Recognizer):
    """A postcode named as one, outside a street block."""

    name = "postcode"
    entity_types = ("ADDRESS",)
    trigger = None  # pre-filtered by the shared number-run index (see _shared.number_runs)
    # Run with the structured number recognizers, whose sweep has the text's number runs cached
    # (an ADDRESS recognizer would otherwise join the models' sweep and recompute them: ~6 µs).
    sweep = "number_runs"

    def analyze(self, text: str) -> list[Span]:
        return postcode_spans(text)
