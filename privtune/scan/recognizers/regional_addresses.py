"""ADDRESS: three street-block shapes the postal rules cut short.

* Turkey: "Atatürk Cad. No: 95 D: 12\\nÇankaya/İstanbul 91865". The street rule ends at "No: 95":
  the flat ("D: 12", "Kat: 3") and the "District/City postcode" line after it stayed in the text.
* Thailand: "130/44 Soi Sukhumvit 24, Bang Rak, Bangkok 10500". The block was found from "Soi" on,
  leaving the house number "130/44" (a lot / house pair) before it.
* The Philippines: "176 Ayala Avenue, Brgy. Poblacion, Pasig City, 1600 Metro Manila". The
  street rule ended at "Brgy" and the model took "1600 Metro Manila" alone: the barangay and city
  between them stayed.

Each shape is anchored on its word (Cad./Sok./Caddesi/Sokak; Soi/Thanon; Brgy.), literal words
answered by the analyzer's shared scan, so records without them cost nothing here.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span
from privtune.scan.registry import Recognizer, register

DETECTOR = "regional_address_block"
SCORE = 0.95  # above the street rules' 0.75-0.9: the whole block wins over its pieces

_TR_UP = "A-ZÇĞİÖŞÜ"
_TR_WORD = rf"[{_TR_UP}][^\W\d_]*"
_TURKISH = re.compile(
    rf"(?<![\w])(?:{_TR_WORD}\.?[ \t]){{1,3}}(?:Cad\.|Caddesi|Sok\.|Sokak|Sk\.)"
    r",?[ \t]*No[:.][ \t]*[0-9]{1,4}[A-Z]?(?:/[0-9A-Z]{1,4})?"
    r"(?:,?[ \t]*(?:D|Daire|Kat)[:.][ \t]*[0-9]{1,4})*"
    rf"(?:(?:,[ \t]*|[ \t]*\r?\n[ \t]*)(?:[0-9]{{5}}[ \t]+)?{_TR_WORD}/{_TR_WORD}(?:[ \t]+[0-9]{{5}})?)?"
)
# A comma-separated block that opens with a house number ("130/44", "176") and holds one of the
# anchor words; its segments are a few words each, never across a line break.
_WORDS = r"[A-Za-z0-9][\w.'-]*(?:[ \t]+[\w.'-]+){0,4}"
_BLOCK = re.compile(rf"(?<![\w/.-])[0-9]{{1,5}}(?:/[0-9]{{1,5}})?,?[ \t]+{_WORDS}(?:,[ \t]*{_WORDS}){{1,5}}")
_ANCHOR = re.compile(r"(?<![\w])(?:Soi|Thanon|Brgy\.?|Barangay)[ \t]")
_POSTCODE = re.compile(r"(?<![\w/.-])[0-9]{4,5}(?![\w/-])")


def _block_end(text: str, m: re.Match[str]) -> int | None:
    """End of the block at its last segment holding a postcode, if an anchor word opens a segment
    after the house number; None when the block is no such address."""
    body = m.group()
    head = re.match(r"[0-9/]+,?[ \t]+", body)
    if head is None or not _ANCHOR.search(body):
        return None
    end = None
    pos = 0
    for seg in body.split(","):
        seg_end = pos + len(seg)
        code = _POSTCODE.search(seg) if pos >= head.end() else None
        if code is not None:
            # "1600 Metro Manila": the place after the code is the block's; "Bangkok 10500 ok": not.
            end = seg_end if not seg[: code.start()].strip() else pos + code.end()
        pos = seg_end + 1
    if end is None:
        return None
    return m.start() + len(body[:end].rstrip(" \t."))


def regional_address_spans(text: str) -> list[Span]:
    out = [Span(m.start(), m.end(), "ADDRESS", SCORE, DETECTOR) for m in _TURKISH.finditer(text)]
    if "Soi " in text or "Thanon " in text or "Brgy" in text or "Barangay " in text:
        for m in _BLOCK.finditer(text):
            end = _block_end(text, m)
            if end is not None:
                out.append(Span(m.start(), end, "ADDRESS", SCORE, DETECTOR))
    return out


@register
class RegionalAddressRecognizer(Recognizer):
    """Atatürk Cad. No: 95 D: 12 · Çankaya/İstanbul 91865; 130/44 Soi …, Bangkok 10500; … Brgy. …"""

    name = "regional_addresses"
    entity_types = ("ADDRESS",)
    trigger = re.compile("Cad\\.|Caddesi|Sok\\.|Sokak|Sk\\.|Soi |Thanon |Brgy|Barangay ")

    def analyze(self, text: str) -> list[Span]:
        return regional_address_spans(text)
