"""Check an intended use of a fine-tuned adapter against its base model's licence.

An adapter inherits its base model's terms. Given the detected licence and how the user means
to use the result (commercial or research; not distributed, weights published, or served over
an API; monthly active users; the derivative's name; regions), the check answers:

- ``allow``   nothing in the licence forbids the use (obligations may still apply);
- ``block``   the licence forbids it (non-commercial licence used commercially, users above the
              licence's ceiling, a name that breaks the naming rule, Llama 3.2 multimodal in the EU);
- ``unknown`` no licence could be identified: a person must review it.

It also lists the obligations that come with the use: attribution text, naming rule,
restrictions to pass on, licence copies and notices. The table is a first automated check,
not legal advice.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from privtune.provenance.licence_catalog import by_id
from privtune.provenance.licence_detect import LicenceDetection

__all__ = ["EU_REGIONS", "IntendedUse", "LicenceVerdict", "check_use", "is_multimodal"]

# EU member states (ISO 3166-1 alpha-2) and the union itself.
EU_REGIONS = frozenset(
    "EU AT BE BG HR CY CZ DK EE FI FR DE GR EL HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)


class IntendedUse(BaseModel):
    """How the fine-tuned model will be used; what the licence check judges."""

    model_config = {"extra": "forbid"}

    use: Literal["commercial", "research"] = Field("research", description="Commercial or research use.")
    distribution: Literal["none", "weights", "api"] = Field(
        "none", description="none (internal only), weights (published/shared), api (served to others).")
    mau: int = Field(0, ge=0, description="Monthly active users of the product or service using the model.")
    name: str | None = Field(None, description="Name under which the derivative is distributed or served.")
    region: list[str] = Field(default_factory=list, description="ISO country codes (or EU) of the users/deployer.")

    @field_validator("region", mode="before")
    @classmethod
    def _split_regions(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = v.split(",")
        return [str(r).strip().upper() for r in v if str(r).strip()] if isinstance(v, list) else v


@dataclass
class Obligation:
    kind: str  # attribution | naming | pass_on | restriction
    text: str


@dataclass
class LicenceVerdict:
    decision: str  # allow | block | unknown
    licence: str | None
    licence_name: str | None
    reasons: list[str] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def is_multimodal(base: str | Path) -> bool:
    """True when the model directory's config describes a vision-language model."""
    cfg = Path(base) / "config.json"
    try:
        data = json.loads(cfg.read_text(encoding="utf-8")) if cfg.is_file() else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and ("vision_config" in data or data.get("model_type") == "mllama")


def check_use(detection: LicenceDetection, use: IntendedUse, *, multimodal: bool = False) -> LicenceVerdict:
    """Judge ``use`` against the detected licence (see module docstring)."""
    if detection.licence is None:
        return LicenceVerdict("unknown", None, None,
                              reasons=["no known licence found in the base model directory (text or README tag)"])
    lic = by_id(detection.licence)
    terms = lic.terms
    reasons: list[str] = []
    obligations: list[Obligation] = []
    if use.use == "commercial" and not terms.commercial:
        reasons.append(f"{lic.name} does not allow commercial use")
    if terms.mau_limit is not None and use.mau > terms.mau_limit:
        reasons.append(f"{lic.name}: more than {terms.mau_limit:,} monthly active users needs a separate licence "
                       f"from the licensor (declared {use.mau:,})")
    if terms.eu_multimodal_excluded and multimodal and EU_REGIONS & set(use.region):
        reasons.append(f"{lic.name}: the rights for multimodal models are not granted to individuals or companies "
                       "in the European Union")
    # Llama and Qwen bind a model "distributed or made available"; Gemma counts hosting as
    # distribution. Apache/MIT/MRL obligations attach to distributing copies only.
    shared = use.distribution == "weights" or (use.distribution == "api" and terms.api_is_distribution)
    if shared and terms.attribution:
        obligations.append(Obligation("attribution", f'display "{terms.attribution}" prominently on a related '
                                                     "website, user interface, blog post, about page or documentation"))
    if shared and terms.name_prefix:
        if use.name is not None and not use.name.startswith(terms.name_prefix):
            reasons.append(f"{lic.name}: a distributed derivative's name must start with "
                           f'"{terms.name_prefix}" (got {use.name!r})')
        obligations.append(Obligation("naming", f'the model name must start with "{terms.name_prefix}"'))
    if shared:
        obligations.extend(Obligation("pass_on", text) for text in terms.pass_on)
    obligations.extend(Obligation("restriction", text) for text in terms.restrictions)
    return LicenceVerdict("block" if reasons else "allow", lic.id, lic.name, reasons, obligations)
