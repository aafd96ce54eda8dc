"""ID_CARD: national identity numbers of other countries, each beside the word that names it.

Customer exports from India, Brazil, Spain, the UK, Canada, Italy, Singapore, Hong Kong and
Taiwan carry their
national numbers ("Aadhaar 2345 6789 0123", "CPF 123.456.789-09", "DNI 12345678Z", "National
Insurance number QQ 12 34 56 C"). Each shape alone is common (12 digits, 8 digits and a
letter), so a number is taken only within a short window after its own name, and only when
its check digit or letter holds where the scheme has one (Verhoeff for Aadhaar, mod 11 for CPF
and NHS, mod 23 for DNI/NIE, Luhn for SIN,
weighted mod 11 for HKID, weighted mod 10 for Taiwan's ID, mod 26 for the codice fiscale,
weighted mod 11 for NRIC/FIN). They are reported as ID_CARD: the surrogate keeps each
character's class, so the number keeps its written shape. More countries' schemes are in
`national_ids_more`, searched by the same `CuedSchemes`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from privtune.scan.checksums import is_luhn_valid
from privtune.scan.entities import Span
from privtune.scan.recognizers.national_id_checks import codice_fiscale_valid, nric_valid
from privtune.scan.registry import Recognizer, literal_alternation, register

SCORE = 0.9
WINDOW = 40  # characters after the cue in which the number must start (no line break)

# Verhoeff's dihedral-group tables (Aadhaar's check digit).
_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def verhoeff_valid(digits: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][int(ch)]]
    return c == 0


def cpf_valid(digits: str) -> bool:
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    nums = [int(c) for c in digits]
    for n in (9, 10):
        check = sum(nums[i] * (n + 1 - i) for i in range(n)) * 10 % 11 % 10
        if check != nums[n]:
            return False
    return True


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_valid(value: str) -> bool:
    """Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter): the mod-23 letter."""
    value = value.upper()
    body = value[:-1]
    if body[0] in "XYZ":
        body = str("XYZ".index(body[0])) + body[1:]
    return body.isdigit() and _DNI_LETTERS[int(body) % 23] == value[-1]


def nhs_valid(digits: str) -> bool:
    if len(digits) != 10:
        return False
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _letter_value(c: str) -> int:
    return ord(c) - ord("A") + 10  # A=10 ... Z=35


def hkid_valid(value: str) -> bool:
    """Hong Kong identity card: 1-2 letters, 6 digits, a mod-11 check digit (or A for 10); a
    one-letter prefix counts as a space (36) before it."""
    m = re.fullmatch(r"([A-Z]{1,2})([0-9]{6})\(?([0-9A])\)?", value.upper())
    if m is None:
        return False
    letters, digits, check = m.groups()
    total = (36 * 9 + _letter_value(letters) * 8 if len(letters) == 1
             else _letter_value(letters[0]) * 9 + _letter_value(letters[1]) * 8)
    total += sum(int(d) * (7 - i) for i, d in enumerate(digits))
    expected = (11 - total % 11) % 11
    return check == ("A" if expected == 10 else str(expected))


# Taiwan's letter codes are not in alphabetical order (I, O, W ... were added later).
_TW_CODES = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36)))


def twid_valid(value: str) -> bool:
    """Taiwan national ID: a letter (its two-digit code), a 1/2 (or 8/9 for residents) and 8
    digits; code and digits weighted 1, 9, 8, 7 ... 1, 1 sum to a multiple of 10."""
    value = value.upper()
    if len(value) != 10 or value[0] not in _TW_CODES or not value[1:].isdigit():
        return False
    code = _TW_CODES[value[0]]
    total = code // 10 + code % 10 * 9 + sum(int(d) * w for d, w in zip(value[1:], (8, 7, 6, 5, 4, 3, 2, 1, 1)))
    return total % 10 == 0


def _digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value)


# (cue words, number pattern, validity test of the matched text)
_Scheme = tuple[str, re.Pattern[str], Callable[[str], bool]]
_SCHEMES: tuple[_Scheme, ...] = (
    ("aadhaar|aadhar|uidai|आधार", re.compile(r"[2-9][0-9]{3}([ -]?)[0-9]{4}\1[0-9]{4}"),
     lambda v: verhoeff_valid(_digits(v))),
    ("pan(?: card| no\\.?| number)?", re.compile(r"[A-Z]{3}[ABCFGHLJPT][A-Z][0-9]{4}[A-Z]"), lambda v: True),
    ("cpf", re.compile(r"[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2}"), lambda v: cpf_valid(_digits(v))),
    ("dni|nie|nif|documento nacional", re.compile(r"(?:[0-9]{8}|[XYZxyz][0-9]{7})-?[A-Za-z]"),
     lambda v: dni_valid(v.replace("-", ""))),
    ("national insurance(?: number| no\\.?)?|ni number|ni no\\.?|nino",
     re.compile(r"(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]"),
     lambda v: True),
    ("social insurance(?: number| no\\.?)?|sin", re.compile(r"[0-9]{3}([ -]?)[0-9]{3}\1[0-9]{3}"),
     lambda v: is_luhn_valid(_digits(v))),
    ("nhs(?: number| no\\.?)?", re.compile(r"[0-9]{3}([ -]?)[0-9]{3}\1[0-9]{4}"), lambda v: nhs_valid(_digits(v))),
    ("codice fiscale|fiscal code|c\\.f\\.",
     re.compile(r"[A-Za-z]{6}[0-9]{2}[A-EHLMPR-Ta-ehlmpr-t][0-9]{2}[A-Za-z][0-9]{3}[A-Za-z]"), codice_fiscale_valid),
    ("nric|fin", re.compile(r"[STFGMstfgm][0-9]{7}[A-Za-z]"), nric_valid),
    # A Hong Kong card after a cue that names it, or written the card's way with its check digit
    # in brackets: taken even when that digit is wrong (a typo leaves the holder's number
    # nearly whole, and the cue already says what it is); after "identity card" alone, only with
    # a valid check digit.
    ("hkid|hong kong id(?:entity card)?|identity card|香港身份[證证]|身份[證证]",
     re.compile(r"[A-Z]{1,2}[0-9]{6}(?:\([0-9A]\)|[0-9A])"), lambda v: hkid_valid(v) or v.endswith(")")),
    ("hkid|hong kong id(?:entity card)?|香港身份[證证]", re.compile(r"[A-Z]{1,2}[0-9]{6}[0-9A]"), lambda v: not hkid_valid(v)),
    # Taiwan's number after a Chinese ID cue: a letter, 1/2 (8/9 for residents) and eight digits
    # is Taiwan's shape (a mainland number has 18 digits), so a wrong check digit is a typo of
    # it; after the English "national id", which names many countries' numbers, the check holds.
    ("身分[證证](?:字號|号码|號碼)?|身份[證证](?:字號|号码|號碼)?|taiwan id|統一證號",
     re.compile(r"[A-Z][1289][0-9]{8}"), lambda v: True),
    ("national id(?: no\\.?| number)?", re.compile(r"[A-Z][1289][0-9]{8}"), twid_valid),
    # Macau resident identity card: 1, 5 or 7, six digits and a check digit written apart,
    # "1234567(8)" or "1/234567/8". Its check is unpublished: the written shape after an ID cue
    # is the test (a mainland number after 身份证 has 18 digits, no bracket).
    ("身份[證证](?:号码|號碼|號|号)?", re.compile(r"[157][0-9]{6}\([0-9]\)|[157]/[0-9]{6}/[0-9]"),
     lambda v: True),
)
# Lower-case pieces of each scheme's cues: a scheme's cue pattern runs only on a text holding
# one (the recognizer's trigger fires on any scheme; most texts name one at most).
_PROBES: tuple[tuple[str, ...], ...] = (
    ("aadha", "uidai", "आधार"), ("pan",), ("cpf",), ("dni", "nie", "nif", "documento"),
    ("insurance", "ni n", "nino"), ("insurance", "sin"), ("nhs",), ("fiscal", "c.f."), ("nric", "fin"),
    ("hkid", "hong kong", "identity card", "身份"), ("hkid", "hong kong", "身份"), ("身分", "身份", "taiwan", "統一證號"),
    ("national id",), ("身份",),
)
# A run of ASCII letters and digits: where a number may open (every scheme's opens so; a Han
# character before it is no word it is glued to: "身份證A123456(3)" is how it is written).
_RUN = re.compile(r"[0-9A-Za-z]+")
# A number ends where no letter or digit goes on.
_END = re.compile(r"(?![0-9A-Za-z])")


class CuedSchemes:
    """Numbers each beside its own cue: for each scheme (cue words, number pattern, validity
    test), the first number within `WINDOW` characters after a cue (on its line) that has the
    scheme's shape and passes its test. ``probes``: per scheme, lower-case pieces one of which
    any of its cues holds; a text holding none of any scheme's costs one scan.

    A cue is a whole word: no ASCII letter on either side of a Latin cue ("sin" of "single"); a
    Han or Hangul cue may touch the number's letter ("身份證A123456(3)"). The cues are looked for
    in the lower-cased text, case-sensitively and with the look-behind tested in Python: sre
    tries a pattern that opens with a look-behind, or ignores case, at every position (~3 µs per
    scheme on a short record); a literal first character it skips to."""

    def __init__(self, schemes: tuple[_Scheme, ...], probes: tuple[tuple[str, ...], ...], detector: str) -> None:
        if len(schemes) != len(probes):
            raise ValueError("one tuple of probes per scheme")
        self.schemes = schemes
        self.probes = probes
        self.detector = detector
        self._cues = [re.compile(rf"(?:{cue})(?!(?<=[a-z.])[a-z])") for cue, _, _ in schemes]
        pieces = {p for ps in probes for p in ps}
        # A trie of the pieces (`literal_alternation`): ~2.5x faster to scan than their plain
        # alternation. It finds the longest piece at a place: "personnummer" holds "personn" too.
        self._probe_re = re.compile(literal_alternation(pieces))
        self._holds = {p: frozenset(q for q in pieces if q in p) for p in pieces}

    def holds_a_cue_piece(self, text: str) -> bool:
        """Does ``text`` hold a piece of any scheme's cue (the pre-filter of `spans`)?"""
        return self._probe_re.search(text.lower()) is not None

    def spans(self, text: str) -> list[Span]:
        """ID_CARD spans of the first number (or code) within `WINDOW` characters after each
        cue that has its scheme's shape and check."""
        low = text.lower()
        first = self._probe_re.search(low)
        if first is None:  # (most texts: no list made, which the collector would count)
            return []
        out: list[Span] = []
        hits = set().union(*(self._holds[p] for p in self._probe_re.findall(low, first.start())))
        if len(low) != len(text):  # a few capitals lower to two characters ("İ"): keep the offsets
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        for cue_re, probes, (_, pattern, valid) in zip(self._cues, self.probes, self.schemes):
            if hits.isdisjoint(probes):
                continue
            for cue in cue_re.finditer(low):
                i = cue.start()
                if i and "a" <= low[i - 1] <= "z":
                    continue  # inside a word: "sin" of "basin"
                pos = cue.end()
                limit = min(len(text), pos + WINDOW)
                newline = text.find("\n", pos, limit)
                limit = newline if newline >= 0 else limit
                for run in _RUN.finditer(text, pos, limit):
                    start = run.start()
                    m = pattern.match(text, start)
                    if m is not None and _END.match(text, m.end()) and valid(m.group()):
                        out.append(Span(m.start(), m.end(), "ID_CARD", SCORE, self.detector))
                        break
                    if text[start].isdigit():
                        break  # the first number after the cue is the one it names
        return out


_TABLE = CuedSchemes(_SCHEMES, _PROBES, "national_id")


def national_id_spans(text: str) -> list[Span]:
    """ID_CARD spans of the schemes of this module (see `CuedSchemes.spans`)."""
    return _TABLE.spans(text)


@register
class NationalIdRecognizer(Recognizer):
    """Aadhaar, PAN, CPF, DNI/NIE, UK NINO, Canadian SIN, NHS number, codice fiscale, NRIC/FIN,
    Hong Kong identity card, Taiwan national ID, Macau resident identity card."""

    name = "national_id"
    entity_types = ("ID_CARD",)
    # Literal words (the analyzer scans all such triggers at once): the acronyms in capitals
    # only ("pan", "sin", "fin" are words), the long names in their usual cases.
    trigger = re.compile(
        "Aadhaar|aadhaar|AADHAAR|Aadhar|aadhar|UIDAI|आधार|PAN|CPF|cpf|DNI|NIE|NIF|nacional|"
        "Insurance|insurance|INSURANCE|NI number|NI Number|NI NUMBER|NI no|NI No|NI NO|NINO|SIN|NHS|fiscale|Fiscal|fiscal|FISCALE|"
        r"C\.F\.|NRIC|FIN|HKID|Hong Kong|Identity Card|identity card|身份|身分|Taiwan|National ID|national ID|統一證號"
    )

    def analyze(self, text: str) -> list[Span]:
        return national_id_spans(text)
