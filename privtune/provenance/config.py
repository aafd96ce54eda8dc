"""Configs of the provenance commands (one pydantic object each; YAML via --config, flags override).

`LicenceCheckConfig` lives with the licence check (train shares its `IntendedUse` part).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator


class _RunDirConfig(BaseModel):
    model_config = {"extra": "forbid"}

    run_dir: Path = Field(description="Training run directory (adapter/, privacy.json).")


class CardConfig(_RunDirConfig):
    """`privtune card`."""

    audit_report: Path | None = Field(None, description="Link this audit report.json into the chain first.")


class BomConfig(_RunDirConfig):
    """`privtune bom`."""

    run_dir: Path | None = Field(None, description="Training run directory (adapter/, privacy.json); "
                                 "not with `check`.")
    check: Path | None = Field(None, description="Validate this existing BOM file (schema + lint) "
                               "instead of writing one: a BOM edited by hand or received from elsewhere.")
    spec_version: Literal["1.6", "1.7"] = Field("1.6", description="CycloneDX specification version.")
    reproducible: bool = Field(False, description="No wall-clock timestamp (SOURCE_DATE_EPOCH if set), "
                               "content-derived serial number: byte-identical output for the same inputs.")
    out: Path | None = Field(None, description="Where to write [default: RUN_DIR/bom.cdx.json].")

    @model_validator(mode="after")
    def _one_source(self) -> BomConfig:
        if (self.run_dir is None) == (self.check is None):
            raise ValueError("give a run directory to write its BOM, or --check FILE to validate one (not both)")
        return self


class SignConfig(_RunDirConfig):
    """`privtune sign`."""

    key: Path = Field(description="Ed25519 private key (PEM, PKCS#8), kept outside the run directory; "
                      "with --generate-key it is created first (0600, and KEY.pub).")
    generate_key: bool = Field(False, description="Create KEY (0600) and KEY.pub first.")


class VerifyConfig(_RunDirConfig):
    """`privtune verify`."""

    key: Path | None = Field(None, description="Pinned public key (PEM) [default: the one beside the signature].")
