"""`privtune scan` configuration (one pydantic object; YAML file and flags override defaults)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from privtune.scan.entities import ENTITY_TYPES
from privtune.scan.ner.backends import NerBackendConfig


class ScanConfig(BaseModel):
    """Everything `privtune scan` needs. Paths may be relative to the working directory."""

    model_config = {"extra": "forbid"}

    input: Path = Field(description="Input data file (.jsonl, .json, .csv, .parquet).")
    format: Literal["jsonl", "json", "csv", "parquet"] | None = Field(
        None, description="Input format; default: from the file suffix."
    )
    encoding: str = Field("utf-8", description="Text encoding of the input (e.g. gb18030).")
    fields: list[str] | None = Field(
        None, description="Text fields to scan (paths like messages[0].content); default: auto-detect."
    )
    out: Path | None = Field(None, description="Cleaned JSONL output (record structure preserved).")
    report: Path | None = Field(
        None, description="Report path: .json (manifest), or .html (also writes the .json beside it)."
    )
    findings: Path | None = Field(None, description="FINDINGS.jsonl: one line per entity, offsets only.")
    rejects: Path | None = Field(
        None, description="Side file for unparseable input lines; default: <out or input>.rejects.jsonl."
    )
    policy: str = Field(
        "pseudonymise",
        description="redact | mask | hmac | pseudonymise | keep, or a YAML policy file with per-type overrides.",
    )
    key_file: Path | None = Field(
        None,
        description="Key for hmac/pseudonymise consistency (env PRIVTUNE_SCAN_KEY wins); created 0600 if absent.",
    )
    types: list[str] | None = Field(None, description="Entity types to detect; default: all.")
    min_score: float = Field(0.5, ge=0.0, le=1.0, description="Report entities scoring at least this.")
    dedup: Literal["drop", "flag", "off"] = Field("drop", description="What to do with duplicates.")
    near_dup_threshold: float = Field(0.85, gt=0.0, le=1.0, description="MinHash Jaccard threshold.")
    fail_on: list[str] = Field(
        default_factory=list,
        description="Gate rules, e.g. high, medium>10, ID_CARD>0, SECRET>0, rejected>0, flagged>0.",
    )
    workers: int = Field(1, ge=1, le=64, description="Worker processes for detection/anonymisation.")
    max_flagged_in_report: int = Field(200, ge=0, description="Cap on listed flagged records.")
    ner_backend: NerBackendConfig | None = Field(
        None, description="Extra NER model from a local directory (spaCy, HF token classification, GLiNER)."
    )

    @field_validator("types")
    @classmethod
    def _known_types(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        v = [t.strip().upper() for t in v if t.strip()]
        bad = [t for t in v if t not in ENTITY_TYPES]
        if bad:
            raise ValueError(f"unknown entity types {bad}; known: {', '.join(ENTITY_TYPES)}")
        return v
