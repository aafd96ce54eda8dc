"""ID_CARD: national identity numbers of European countries, Australia, South Korea and the US
ITIN, each beside the word that names it.

"Steuer-ID: 65929970489", "BSN 111222333", "PESEL 44051401359", "personnummer 811228-9874",
"TFN 123 456 782", "Medicare 2123 45670 1", "주민등록번호 900101-1234568": each shape alone is a
plain run of digits (an order number, a phone number), so, as in `national_ids`, a number is
taken only within a short window after its own name, in the country's language or English, and
only when its check holds (`national_id_checks`: ISO 7064 MOD 11,10 for the German tax id, the
11-proof for the BSN, weighted sums for PESEL, the Norwegian, Korean and Australian numbers,
Luhn for the Swedish personnummer, mod 31 for the Finnish HETU, mod 97 for the French NIR and
the Belgian national number). Two schemes have no check digit: the Danish CPR number (dropped
in 2007; its date must exist) and the US ITIN (its shape: 9xx, a group of 50-65, 70-88, 90-92 or
94-99); the Saudi national ID and iqama (1… or 2…, ten digits) are taken after their cue whether
or not their Luhn digit holds. They are reported as ID_CARD, whose surrogate keeps each
character's class.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.recognizers import national_id_checks as chk
from privtune.scan.recognizers._shared import halfwidth, number_runs
from privtune.scan.recognizers.national_ids import WINDOW, CuedSchemes
from privtune.scan.registry import Recognizer, register

# (cue words in lower case, number pattern, validity test of the matched text), and per
# scheme the lower-case pieces of its cues (`CuedSchemes`' pre-filter).
_SCHEMES = (
    ("steuer[- ]?id(?:[- ]?nr\\.?)?|steuer[- ]?identifikationsnummer|steuerliche identifikationsnummer"
     "|identifikationsnummer|idnr\\.?|tax id(?:entification number)?",
     re.compile(r"[1-9][0-9]( ?)[0-9]{3}\1[0-9]{3}\1[0-9]{3}"), chk.steuer_id_valid),
    ("bsn|burger ?service ?nummer|sofi-?nummer",
     re.compile(r"[0-9]{9}|[0-9]{4}\.[0-9]{2}\.[0-9]{3}|[0-9]{3} [0-9]{3} [0-9]{3}"), chk.bsn_valid),
    ("pesel", re.compile(r"[0-9]{11}"), chk.pesel_valid),
    ("personnummer|personnr\\.?|person-nr\\.?|samordningsnummer|personal identity number",
     re.compile(r"(?:19|20)?[0-9]{6}[-+]?[0-9]{4}"), chk.personnummer_se_valid),
    ("fødselsnummer|fodselsnummer|fødselsnr\\.?|personnummer|d-nummer",
     re.compile(r"[0-9]{6} ?[0-9]{5}"), chk.fodselsnummer_valid),
    ("cpr(?:[- ]?(?:nr\\.?|nummer|number))?", re.compile(r"[0-9]{6}-?[0-9]{4}"), chk.cpr_valid),
    ("henkilötunnus|henkilotunnus|hetu|personbeteckning|personal identity code",
     re.compile(r"[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Y]"), chk.hetu_valid),
    ("s[ée]curit[ée] sociale|sécu|nir|insee|carte vitale|social security (?:number|no\\.?)",
     re.compile(r"[12]( ?)[0-9]{2}\1[0-9]{2}\1(?:[0-9]{2}|2[ABab])\1[0-9]{3}\1[0-9]{3}\1[0-9]{2}"), chk.nir_valid),
    ("rijksregister(?:nummer|nr\\.?)?|registre national|num[ée]ro national|nationaal nummer"
     "|national regist(?:er|ration|ry) number|insz|niss|rrn",
     re.compile(r"[0-9]{2}(\.?)[0-9]{2}\1[0-9]{2}[-. ]?[0-9]{3}\.?[0-9]{2}"), chk.be_national_number_valid),
    ("tfn|tax file (?:number|no\\.?)", re.compile(r"[0-9]{3}([ -]?)[0-9]{3}\1[0-9]{3}"), chk.tfn_valid),
    ("medicare", re.compile(r"[2-6][0-9]{3}([ -]?)[0-9]{5}\1[0-9](?:\1[0-9]|/[0-9])?"), chk.medicare_valid),
    ("주민등록번호|주민번호|주민등록|resident registration (?:number|no\\.?)|rrn",
     re.compile(r"[0-9]{6}[- ]?[0-9]{7}"), chk.rrn_kr_valid),
    ("itin|individual taxpayer identification number|taxpayer id(?:entification number)?",
     re.compile(r"9[0-9]{2}([- ]?)(?:5[0-9]|6[0-5]|7[0-9]|8[0-8]|9[0-2]|9[4-9])\1[0-9]{4}"), lambda v: True),
    # Saudi national ID (1…) and residence permit, iqama (2…): ten digits with a Luhn check digit,
    # taken after its cue even when the check fails (a typo of the holder's number, as a mistyped
    # HKID after its cue in `national_ids`): no other number follows "iqama".
    ("iqamah?|muqeem|saudi (?:national )?id|رقم الإقامة|الإقامة|إقامة|اقامة|رقم الهوية|الهوية الوطنية",
     re.compile(r"[12][0-9]{9}"), lambda v: True),
)
_PROBES = (
    ("steuer", "identifikationsnummer", "idnr", "tax id"), ("bsn", "burger", "sofi"), ("pesel",),
    ("personn", "person-nr", "samordningsnummer", "personal identity number"),
    ("fødselsn", "fodselsn", "personnummer", "d-nummer"), ("cpr",),
    ("henkil", "hetu", "personbeteckning", "personal identity code"),
    ("curit", "sécu", "nir", "insee", "vitale", "social security"),
    ("rijksregister", "registre national", "ro national", "nationaal nummer", "national regist", "insz", "niss", "rrn"),
    ("tfn", "tax file"), ("medicare",), ("주민", "resident registration", "rrn"), ("itin", "taxpayer"),
    ("iqama", "muqeem", "saudi", "إقامة", "الإقامة", "اقامة", "الهوية"),
)
MORE_SCHEMES = CuedSchemes(_SCHEMES, _PROBES, "national_id")
MIN_DIGITS = 6  # the fewest digits before a letter (HETU 010105A123P) or 9 in a row (BSN, TFN, ITIN)
_CUE_LETTER = re.compile("[A-Za-z\u00c0-\u024f\uac00-\ud7af\u0600-\u06ff]")
LONGEST_CUE = 48  # characters ("individual taxpayer identification number" and a margin)


def more_national_id_spans(text: str) -> list[Span]:
    """ID_CARD spans of this module's schemes (see `CuedSchemes.spans`)."""
    return MORE_SCHEMES.spans(text)


@register
class MoreNationalIdRecognizer(Recognizer):
    """German tax id, BSN, PESEL, Swedish personnummer, Norwegian fødselsnummer, Danish CPR,
    Finnish HETU, French NIR, Belgian national number, Australian TFN and Medicare number,
    Korean resident registration number, US ITIN, Saudi national ID and iqama."""

    name = "national_id_more"
    entity_types = ("ID_CARD",)
    # No trigger: a literal trigger of the ~60 cue words in their written cases added ~11 µs per
    # demo record to the analyzer's shared word scan. Instead (`analyze`), the shared number-run
    # index gives the numbers that may be one of these, and only the stretch before each is
    # scanned for a piece of a cue (a trie), if it holds a letter a cue can: 3.4 -> 2.2 µs per
    # demo record against a scan of the whole lower-cased text.
    trigger = None

    def analyze(self, text: str) -> list[Span]:
        # Every scheme's number opens with a run of 6+ digits, and its cue ends at most
        # WINDOW characters before it: only the stretches before such numbers (shared number-run
        # index) can hold a cue, and most texts have none or one (a phone number).
        lo = -1
        for start, _, n in number_runs(halfwidth(text)):
            if n >= MIN_DIGITS and start > lo:
                window = text[max(lo, start - WINDOW - LONGEST_CUE, 0) : start]
                # Every cue holds a Latin or Hangul letter: a Chinese stretch needs no scan.
                if _CUE_LETTER.search(window) is not None and MORE_SCHEMES.holds_a_cue_piece(window):
                    return more_national_id_spans(text)
                lo = start
        return []
