"""Entity types and the span/finding records every detector produces."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from json.encoder import encode_basestring  # what JSONEncoder(ensure_ascii=False) writes a str with

from privtune.io.writers import jsonl_line


class EntityType(str, Enum):
    PERSON = "PERSON"
    ADDRESS = "ADDRESS"
    ORGANIZATION = "ORGANIZATION"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    ID_CARD = "ID_CARD"
    BANK_CARD = "BANK_CARD"
    IP_ADDRESS = "IP_ADDRESS"
    URL = "URL"
    USCC = "USCC"
    PASSPORT = "PASSPORT"
    LICENSE_PLATE = "LICENSE_PLATE"
    IBAN = "IBAN"
    US_SSN = "US_SSN"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    USERNAME = "USERNAME"
    RECORD_ID = "RECORD_ID"
    SECRET = "SECRET"


ENTITY_TYPES: tuple[str, ...] = tuple(e.value for e in EntityType)

# Types whose detection is pattern + checksum based ("structured"); the rest need language models.
# Types a model tags from context (names, places, organisations); the rest are pattern/checksum types.
MODEL_TYPES: frozenset[str] = frozenset({"PERSON", "ADDRESS", "ORGANIZATION"})
STRUCTURED_TYPES: frozenset[str] = frozenset(ENTITY_TYPES) - MODEL_TYPES


@dataclass(frozen=True, slots=True)
class Span:
    """A detected entity inside one string. ``end`` is exclusive; offsets are code points."""

    start: int
    end: int
    type: str
    score: float
    detector: str

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Finding:
    """A span located in the dataset: the FINDINGS.jsonl line. Never holds the raw value."""

    record: int
    field: str
    start: int
    end: int
    type: str
    score: float
    detector: str

    @classmethod
    def from_span(cls, record: int, field: str, span: Span) -> "Finding":
        return cls(record, field, span.start, span.end, span.type, round(span.score, 4), span.detector)

    def to_json(self) -> dict[str, object]:
        # Explicit dict: dataclasses.asdict deep-copies and is ~10x slower on the hot path.
        return {"record": self.record, "field": self.field, "start": self.start, "end": self.end,
                "type": self.type, "score": self.score, "detector": self.detector}

    def to_json_line(self) -> str:
        """``jsonl_line(self.to_json())`` byte for byte (the findings file's line), formatted
        directly: ~3x faster than building the dict and running the encoder on it, per finding
        (a demo record has ~5). Ints and finite floats print as the encoder prints them
        (``int.__repr__``, ``float.__repr__``), strings through the encoder's own escaping;
        anything else (a NaN score, a str or int subclass) goes through the encoder itself."""
        record, start, end, score = self.record, self.start, self.end, self.score
        if (type(record) is int and type(start) is int and type(end) is int and type(score) is float
                and math.isfinite(score)):
            field, etype, detector = _json_str(self.field), _json_str(self.type), _json_str(self.detector)
            if field is not None and etype is not None and detector is not None:
                return (f'{{"record":{record},"field":{field},"start":{start},"end":{end},"type":{etype},'
                        f'"score":{score!r},"detector":{detector}}}\n')
        return jsonl_line(self.to_json())


# Faster constructors for the two frozen records made per detection (a demo record makes ~15
# spans and ~4 findings). A frozen dataclass's generated ``__init__`` stores each field with
# ``object.__setattr__`` (a global, an attribute lookup and a descriptor search per field);
# calling the slots' own descriptors does the same stores: Span 0.69 -> ~0.45 µs,
# `Finding.from_span` 1.47 -> ~0.9. Same signature and name, same fields, still frozen
# afterwards; the generated ones are kept in `GENERATED_INITS` (tests compare the two).
GENERATED_INITS = {Span: Span.__init__, Finding: Finding.__init__}
_SET_START, _SET_END, _SET_TYPE, _SET_SCORE, _SET_DETECTOR = (
    getattr(Span, name).__set__ for name in ("start", "end", "type", "score", "detector"))
_F_RECORD, _F_FIELD, _F_START, _F_END, _F_TYPE, _F_SCORE, _F_DETECTOR = (
    getattr(Finding, name).__set__ for name in ("record", "field", "start", "end", "type", "score", "detector"))


def _span_init(self: Span, start: int, end: int, type: str, score: float, detector: str) -> None:  # noqa: A002
    _SET_START(self, start)
    _SET_END(self, end)
    _SET_TYPE(self, type)
    _SET_SCORE(self, score)
    _SET_DETECTOR(self, detector)


def _finding_init(self: Finding, record: int, field: str, start: int, end: int, type: str,  # noqa: A002
                  score: float, detector: str) -> None:
    _F_RECORD(self, record)
    _F_FIELD(self, field)
    _F_START(self, start)
    _F_END(self, end)
    _F_TYPE(self, type)
    _F_SCORE(self, score)
    _F_DETECTOR(self, detector)


for _cls, _init in ((Span, _span_init), (Finding, _finding_init)):
    _init.__name__, _init.__qualname__ = "__init__", f"{_cls.__name__}.__init__"  # messages name the class
    _cls.__init__ = _init  # type: ignore[method-assign]


_JSON_STRINGS: dict[str, str] = {}  # field paths, types and detector names recur in every record
_JSON_STRINGS_MAX = 4096


def _json_str(value: object) -> str | None:
    """``value`` as a JSON string literal (cached), or None when it is not exactly a str."""
    if type(value) is not str:
        return None
    out = _JSON_STRINGS.get(value)
    if out is None:
        out = encode_basestring(value)
        if len(_JSON_STRINGS) < _JSON_STRINGS_MAX:
            _JSON_STRINGS[value] = out
    return out
