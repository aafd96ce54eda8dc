"""Dataset manifest: where training data came from and on what legal basis it may be used.

Given to ``privtune scan --source dataset.yaml`` (or as a ``source:`` mapping in the scan
config), validated here and recorded in the scan report beside the input/output hashes, so the
report is the one place that says what the data is, who owns it and what it may be used for.
``--require-source`` turns a missing manifest into a gate failure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from privtune.errors import InputError

__all__ = ["CollectionPeriod", "DatasetManifest", "load_manifest", "source_section", "source_violation"]

LegalBasis = Literal["consent", "contract", "legitimate_interest", "public"]
_BASIS_ALIASES = {"legitimate interest": "legitimate_interest", "legitimate-interest": "legitimate_interest",
                  "public data": "public", "public_data": "public", "publicly available": "public"}


class CollectionPeriod(BaseModel):
    model_config = {"extra": "forbid"}

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> "CollectionPeriod":
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class DatasetManifest(BaseModel):
    """What a reviewer needs to know about a dataset before it is trained on."""

    model_config = {"extra": "forbid", "populate_by_name": True}

    name: str | None = Field(None, description="Human name of the dataset.")
    source: str = Field(min_length=1, description="Where the records come from (system, export, vendor, URL).")
    owner: str = Field(min_length=1, description="Who is accountable for the data (team or controller).")
    collection_period: CollectionPeriod = Field(description="First and last day records were collected.")
    legal_basis: LegalBasis = Field(description="consent | contract | legitimate_interest | public.")
    licence: str | None = Field(None, alias="license", description="Licence of the data, if any (SPDX id or text).")
    retention: str = Field(min_length=1, description="How long the data (and models trained on it) are kept.")
    allowed_uses: list[str] = Field(min_length=1, description="Uses the legal basis covers, e.g. fine-tuning.")
    contains_personal_data: bool = Field(True, description="Whether the raw records hold personal data.")
    notes: str | None = None

    @field_validator("legal_basis", mode="before")
    @classmethod
    def _basis_alias(cls, v: Any) -> Any:
        return _BASIS_ALIASES.get(str(v).strip().lower(), str(v).strip().lower()) if isinstance(v, str) else v


def _manifest_error(exc: ValidationError, path: str) -> InputError:
    first = exc.errors()[0]
    field = ".".join(str(x) for x in first["loc"]) or None
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return InputError(f"invalid dataset manifest: {first['msg']}{more}", path=path, field=field)


def load_manifest(path: str | Path) -> DatasetManifest:
    """Read and validate a manifest YAML; errors name the file and the field."""
    p = Path(path)
    if not p.is_file():
        raise InputError("dataset manifest not found", path=str(p))
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise InputError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=str(p),
                         line=line + 1 if line is not None else None) from None
    if not isinstance(data, dict):
        raise InputError("a dataset manifest is a YAML mapping", path=str(p))
    try:
        return DatasetManifest.model_validate(data)
    except ValidationError as exc:
        raise _manifest_error(exc, str(p)) from None


def source_section(source: Path | dict[str, Any] | DatasetManifest | None) -> dict[str, Any] | None:
    """The scan report's ``source`` entry: the validated manifest and, for a file, its path and hash."""
    if source is None:
        return None
    if isinstance(source, DatasetManifest):
        manifest, file_info = source, {"path": None, "sha256": None}
    elif isinstance(source, dict):
        try:
            manifest = DatasetManifest.model_validate(source)
        except ValidationError as exc:
            raise _manifest_error(exc, "scan config key 'source'") from None
        file_info = {"path": None, "sha256": None}
    else:
        manifest = load_manifest(source)
        file_info = {"path": str(source), "sha256": "sha256:" + hashlib.sha256(Path(source).read_bytes()).hexdigest()}
    return {"manifest": manifest.model_dump(mode="json", by_alias=True), "file": file_info}


def source_violation(section: dict[str, Any] | None, required: bool) -> dict[str, Any] | None:
    """The gate violation for a missing manifest under ``--require-source``, else None."""
    return {"rule": "require_source", "value": 0} if required and section is None else None
