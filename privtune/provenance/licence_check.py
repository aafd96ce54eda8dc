"""The licence check as one call: detect the base model's licence, judge the intended use, enforce.

`licence_record` is what `privtune license check` prints and what train (and later serve)
record in provenance.json; `enforce` refuses a blocked use unless the user gave a reason to
override, which is then recorded with the verdict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from privtune.errors import LicenceBlocked
from privtune.provenance.licence_detect import detect_licence, hub_id
from privtune.provenance.licence_policy import IntendedUse, check_use, is_multimodal

__all__ = ["LicenceCheckConfig", "enforce", "licence_record"]


class LicenceCheckConfig(IntendedUse):
    """`privtune license check`: the base model directory plus the intended use."""

    base: Path = Field(description="Local base-model directory (LICENSE, README.md, config.json).")
    base_model_id: str | None = Field(None, description="Hub id of the base model, when the directory does not say.")


def licence_record(base: str | Path, use: IntendedUse, base_model_id: str | None = None) -> dict[str, Any]:
    """Detection + verdict for ``use`` of the model in ``base``, as one JSON-ready mapping."""
    detection = detect_licence(base)
    verdict = check_use(detection, use, multimodal=is_multimodal(base))
    return {
        "base_model": {"hub_id": hub_id(base, base_model_id)},
        "detected": detection.to_json(),
        "intended_use": use.model_dump(mode="json"),
        **verdict.to_json(),
    }


def enforce(record: dict[str, Any], override_reason: str | None) -> dict[str, Any]:
    """Raise `LicenceBlocked` for a blocked use without a reason; else return the record with the override noted."""
    if record["decision"] != "block":
        return record
    reason = (override_reason or "").strip()
    if not reason:
        raise LicenceBlocked(
            "the base model's licence blocks this use: " + "; ".join(record["reasons"])
            + "\nhint: change the intended use, or set license_override_reason to a recorded justification"
        )
    return {**record, "override": {"reason": reason}}
