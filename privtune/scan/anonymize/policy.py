"""Which operator neutralises which entity type.

``--policy NAME`` applies one operator to every type; a YAML file sets a default plus per-type
choices (see ``examples/scan_policy.yaml``). SECRET is always redacted: masking keeps part of a
credential, hashing and keeping keep all of it, and a pseudonym could be someone's real key.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from privtune.config import deep_merge, load_config
from privtune.errors import ConfigError
from privtune.scan.entities import ENTITY_TYPES

Operator = Literal["redact", "mask", "hmac", "pseudonymise", "keep"]
OPERATORS: tuple[str, ...] = get_args(Operator)
OPERATOR_ALIASES: dict[str, str] = {"pseudonymize": "pseudonymise"}
ALWAYS_REDACTED = frozenset({"SECRET"})


def normalise_operator(name: object) -> str:
    """Canonical operator name; accepts any case and the US spelling ``pseudonymize``."""
    if not isinstance(name, str):
        raise ValueError(f"operator must be a string, got {type(name).__name__}")
    op = OPERATOR_ALIASES.get(name.strip().lower(), name.strip().lower())
    if op not in OPERATORS:
        raise ValueError(f"unknown operator {name!r}{_suggest(op, OPERATORS)}; use one of {', '.join(OPERATORS)}")
    return op


def _suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


class AnonymizationPolicy(BaseModel):
    """Operator per entity type.

    ``min_score``: spans scoring below it are left untouched (None: every span passed in is
    replaced). ``allow``: values never replaced (see `privtune.scan.allow`). ``keep_birth_year``: pseudonymised ID cards and dates of birth keep the real
    birth year — useful when age matters (medical notes), but the year is a quasi-identifier,
    so it is off by default and region and full birth date always change.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: Operator = "pseudonymise"
    per_type: dict[str, Operator] = Field(default_factory=dict)
    min_score: float | None = Field(default=None, ge=0.0, le=1.0)
    keep_birth_year: bool = False
    # Values never replaced (the scan also stops reporting them): the operator's own
    # organisation, product names. Case-insensitive; a detection inside an allowed value counts.
    allow: tuple[str, ...] = ()

    @field_validator("allow", mode="before")
    @classmethod
    def _allow(cls, v: object) -> tuple[str, ...]:
        if v is None:
            return ()
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, (list, tuple)):
            raise ValueError("allow must be a list of values")
        return tuple(str(x).strip() for x in v if str(x).strip())

    @field_validator("default", mode="before")
    @classmethod
    def _default_op(cls, v: object) -> str:
        return normalise_operator(v)

    @field_validator("per_type", mode="before")
    @classmethod
    def _per_type(cls, v: object) -> dict[str, str]:
        if v is None:
            return {}
        if not isinstance(v, dict):
            raise ValueError("per_type must be a mapping of ENTITY_TYPE: operator")
        out: dict[str, str] = {}
        for raw_type, raw_op in v.items():
            t = str(raw_type).strip().upper()
            if t not in ENTITY_TYPES:
                raise ValueError(
                    f"unknown entity type {raw_type!r}{_suggest(t, list(ENTITY_TYPES))}; "
                    f"known types: {', '.join(ENTITY_TYPES)}"
                )
            try:
                op = normalise_operator(raw_op)
            except ValueError as exc:
                raise ValueError(f"{t}: {exc}") from None
            if t in ALWAYS_REDACTED and op != "redact":
                raise ValueError(
                    f"{t} can only be 'redact' (got {op!r}): a kept, masked or hashed credential "
                    "is still usable and a made-up one could be real; drop SECRET from the "
                    "scanned types instead if its detections are unwanted"
                )
            out[t] = op
        return out

    def operator_for(self, entity_type: str) -> str:
        """The operator applied to ``entity_type`` (SECRET: always ``redact``)."""
        if entity_type in ALWAYS_REDACTED:
            return "redact"
        return self.per_type.get(entity_type, self.default)


def load_policy(name_or_path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> AnonymizationPolicy:
    """Policy from an operator name ("hmac", "pseudonymize" …), a YAML file, or the default.

    ``overrides`` (e.g. from ``--set per_type.EMAIL=hmac``) are applied last. Raises
    ConfigError naming the bad key, type or operator.
    """
    if name_or_path is None:
        return load_config(AnonymizationPolicy, None, overrides)
    text = str(name_or_path).strip()
    try:
        op = normalise_operator(text)
    except ValueError:
        op = None
    if op is not None and not Path(text).is_file():
        return load_config(AnonymizationPolicy, None, deep_merge({"default": op}, overrides or {}))
    looks_like_path = Path(text).suffix.lower() in (".yaml", ".yml") or "/" in text or "\\" in text
    if not Path(text).exists() and not looks_like_path:
        raise ConfigError(
            f"unknown policy {text!r}{_suggest(text.lower(), OPERATORS)}: use one of "
            f"{', '.join(OPERATORS)} (or pseudonymize), or a path to a YAML policy file"
        )
    return load_config(AnonymizationPolicy, text, overrides)
