"""CLUENER2020 reading and entity-level scoring (used by training, the benchmark and tests).

CLUENER2020 (CLUE benchmark, CLUEbenchmark/CLUENER2020) labels Chinese news/social text with
10 fine types; spans are ``[start, end]`` with an INCLUSIVE end. privtune maps three of them
onto its own types (:data:`LABEL_MAP`) and treats the other seven (position, book, game,
movie, scene) as "not PII": they are left as O when training.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from privtune.errors import InputError

# CLUENER label -> privtune entity type.
LABEL_MAP: dict[str, str] = {
    "name": "PERSON",
    "address": "ADDRESS",
    "company": "ORGANIZATION",
    "organization": "ORGANIZATION",
    "government": "ORGANIZATION",
}

GoldSpan = tuple[int, int, str]  # (start, end exclusive, privtune type)


def load_cluener(path: str | Path) -> list[dict]:
    """Records of a CLUENER file: one object per line or pretty-printed objects back to back."""
    p = Path(path)
    try:
        s = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read CLUENER file: {exc}", path=str(p)) from exc
    dec, i, out = json.JSONDecoder(), 0, []
    while True:
        while i < len(s) and s[i].isspace():
            i += 1
        if i >= len(s):
            return out
        try:
            obj, i = dec.raw_decode(s, i)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", path=str(p), line=exc.lineno,
                             hint="expected CLUENER records: {\"text\": ..., \"label\": {...}}") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise InputError("record without a 'text' string", path=str(p), line=s.count("\n", 0, i) + 1)
        out.append(obj)


def gold_spans(record: dict) -> list[GoldSpan]:
    """The record's entities of the mapped types, with exclusive ends."""
    out = []
    for label, entities in (record.get("label") or {}).items():
        typ = LABEL_MAP.get(label)
        if typ is None:
            continue
        for positions in entities.values():
            for start, end in positions:
                out.append((int(start), int(end) + 1, typ))
    return out


def prf(gold: Iterable[tuple], pred: Iterable[tuple], types: Iterable[str]) -> dict[str, dict]:
    """Exact-match precision/recall/F1/support per type; items end with their type."""
    g_all, p_all = set(gold), set(pred)
    res = {}
    for t in types:
        g = {x for x in g_all if x[-1] == t}
        p = {x for x in p_all if x[-1] == t}
        tp = len(g & p)
        precision = tp / len(p) if p else 0.0
        recall = tp / len(g) if g else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        res[t] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                  "support": len(g), "predicted": len(p)}
    return res
