"""Entity types and the span/finding records every detector produces."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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
    SECRET = "SECRET"


ENTITY_TYPES: tuple[str, ...] = tuple(e.value for e in EntityType)

# Types whose detection is pattern + checksum based ("structured"); the rest need language models.
STRUCTURED_TYPES: frozenset[str] = frozenset(ENTITY_TYPES) - {"PERSON", "ADDRESS", "ORGANIZATION"}


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


def _span_init() -> object:
    """``Span.__init__`` setting the slots through their descriptors: the same effect as the
    frozen dataclass's generated ``__init__`` (which calls ``object.__setattr__`` per field),
    about 40% cheaper; spans are made on the scanner's hot path."""
    set_start, set_end, set_type, set_score, set_detector = (
        Span.__dict__[f].__set__ for f in ("start", "end", "type", "score", "detector")
    )

    def __init__(self: Span, start: int, end: int, type: str, score: float, detector: str) -> None:  # noqa: A002
        set_start(self, start)
        set_end(self, end)
        set_type(self, type)
        set_score(self, score)
        set_detector(self, detector)

    __init__.__qualname__ = "Span.__init__"
    return __init__


Span.__init__ = _span_init()  # type: ignore[method-assign]


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
