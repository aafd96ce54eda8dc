"""One postal address found in pieces becomes one ADDRESS span.

The street pattern, the postcode rule and the English model each find part of a long non-US
address ("Alameda Santos, 1743, Apto" · "Savassi" · "Curitiba" · "80059-849"; "Rua Augusta 117,
1º" · "Lisboa"; "Calle Hidalgo #1143" · "Americana, 44160 Guadalajara"). Kept apart, the
pieces leave the glue between them in the text (the floor, the region code, "CEP") and count as
several addresses. Two ADDRESS spans are joined when only glue lies between them: separators
(comma, line break, slash, dash) and at most three short tokens, each of which holds a digit, is
an upper-case code of 2-4 letters or an abbreviation with its dot ("Esq.", "Col."), and the
joined text shows postal evidence (a digit run of a house number or postcode, a line break).
Two places of a list ("Paris, London") hold no digit and stay apart.
"""

from __future__ import annotations

import re

from privtune.scan.entities import Span

_MAX_GAP = 24
_SEPARATOR = re.compile(r"[ \t]*(?:,|\r?\n|/|[-–])[ \t]*")
# A token of glue: a number or code with a digit (1º, 1743-889, D:12, No:160, #5), an upper-case
# region code (PR, WA, CABA), an abbreviation with its dot (Esq., Col., dpto.), or a word that
# names the next number (CEP, piso, dpto, Apto, kv, d).
_TOKEN = re.compile(
    r"[^\s,]*[0-9][^\s,]*|[A-Z]{2,4}|[A-Za-zÀ-ÿ]{1,5}\.|(?:CEP|piso|dpto|Apto|Apt|kv|d|No|Nr)\b",
)
_GLUE = re.compile(rf"(?:{_SEPARATOR.pattern}|[ \t]+)")
_EVIDENCE = re.compile(r"[0-9]{2}|\n")
_GLUE_TYPES = frozenset({"ORGANIZATION", "PERSON"})  # a model's reading of a glue token
_LABEL_END = (":", ";")


def _is_glue(gap: str) -> bool:
    """Whether ``gap`` (the text between two ADDRESS spans) holds only separators and short
    tokens (see the module doc), and at least one separator."""
    if len(gap) > _MAX_GAP or "\n\n" in gap or not _SEPARATOR.search(gap):
        return False
    pos, tokens = 0, 0
    while pos < len(gap):
        glue = _GLUE.match(gap, pos)
        if glue is not None and glue.end() > pos:
            pos = glue.end()
            continue
        tok = _TOKEN.match(gap, pos)
        if tok is None or tok.end() == pos:
            return False
        tokens += 1
        if tokens > 3:
            return False
        pos = tok.end()
    return True


def join_address_pieces(spans: list[Span], text: str) -> list[Span]:
    """``spans`` (non-overlapping, by start) with neighbouring ADDRESS pieces of one address
    joined (see the module doc); the joined span keeps the higher score and the first detector.
    A model's name or organisation span between them that is itself a token of glue (the model
    reads "CEP" as an organisation) goes into the joined span."""
    seen = 0
    for s in spans:  # most texts hold fewer than two addresses: leave at once (every text pays this)
        seen += s.type == "ADDRESS"
        if seen == 2:
            break
    else:
        return spans
    out: list[Span] = []
    for s in spans:
        if s.type == "ADDRESS":
            k = len(out) - 1
            while k >= 0 and len(out) - k <= 2 and out[k].type in _GLUE_TYPES and _TOKEN.fullmatch(text, out[k].start, out[k].end):
                k -= 1
            prev = out[k] if k >= 0 else None
            # A piece right before ":" or ";" is a field's name, not the next line of the address
            # (a vCard's "…, D02 X285\nATTENDEE;CN=…", an export's "Phone:").
            if (prev is not None and prev.type == "ADDRESS" and text[s.end : s.end + 1] not in _LABEL_END
                    and _is_glue(text[prev.end : s.start]) and _EVIDENCE.search(text, prev.start, s.end)):
                out[k:] = [Span(prev.start, s.end, "ADDRESS", max(prev.score, s.score), prev.detector)]
                continue
        out.append(s)
    return out
