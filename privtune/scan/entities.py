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
    USERNAME = "USERNAME"
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
