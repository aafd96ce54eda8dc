"""The fields of a run's ``privacy.json`` that other commands read, checked for the types `privtune train`
writes. One check for every reader (`privacy explain`, `card`, `bom`, `serve`'s ``/info``): an edited or
damaged file with ``"epsilon": "8"`` or ``"dp": "false"`` was a traceback in one, and published as is in
the others (a string ``"false"`` is truthy: the card said the adapter was trained with DP).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from privtune.errors import InputError

__all__ = ["check_audit_is_of_run", "check_privacy_fields"]

_NUMBERS = ("epsilon", "delta", "noise_multiplier", "sample_rate", "max_grad_norm")
_AT_MOST_ONE = ("delta", "sample_rate")
_INTEGERS = ("steps", "privacy_units", "ledger_run")
_TEXTS = ("accountant", "privacy_unit", "dataset_fingerprint", "base_model", "user_id_field", "privtune_version",
          "created")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_privacy_fields(privacy: dict[str, Any], path: Path | str) -> None:
    """Raise `InputError` naming ``path`` and the first field whose type is not the one train writes;
    absent or null fields pass (an older run's file lacks some)."""
    def bad(name: str, what: str) -> InputError:
        return InputError(f"expected {what}, found {type(privacy[name]).__name__}", path=str(path), field=name)

    def present(name: str) -> bool:
        return privacy.get(name) is not None

    for name in _NUMBERS:
        if present(name) and not _is_number(privacy[name]):
            raise bad(name, "a number")
        # NaN (which Python's json reads) was published by /info as null next to "dp": true; a
        # negative epsilon or a delta above 1 claims something no accountant computes.
        value = privacy.get(name)
        if value is not None and (math.isnan(value) or value < 0 or (name in _AT_MOST_ONE and value > 1)):
            raise InputError(f"{value} is not a possible {name}" + (" (0 to 1)" if name in _AT_MOST_ONE else ""),
                             path=str(path), field=name)
    for name in _INTEGERS:
        if present(name) and not _is_integer(privacy[name]):
            raise bad(name, "a whole number")
    for name in _TEXTS:
        if present(name) and not isinstance(privacy[name], str):
            raise bad(name, "text")
    if "dp" in privacy and not isinstance(privacy["dp"], bool):
        raise bad("dp", "true or false")
    # Lists the card renders item by item: a string here was rendered one character per line.
    if present("resumed_from_steps") and not (isinstance(privacy["resumed_from_steps"], list)
                                              and all(_is_integer(s) for s in privacy["resumed_from_steps"])):
        raise bad("resumed_from_steps", "a list of whole numbers")
    for name in ("outside_guarantee", "warnings"):
        if present(name) and not (isinstance(privacy[name], list) and all(isinstance(s, str) for s in privacy[name])):
            raise bad(name, "a list of text")
    if present("stopped_early") and not isinstance(privacy["stopped_early"], str):
        raise bad("stopped_early", "text")
    # A DP claim without its figures: /info and the card published "trained with DP" and no bound.
    if privacy.get("dp") is True:
        for name in ("epsilon", "delta"):
            if not present(name):
                raise InputError(f"dp is true but {name} is missing: a DP claim needs its (epsilon, delta)",
                                 path=str(path), field=name)


# An audit report copies these from the privacy.json of the adapter it audited (`audit.run`).
_AUDITED_PRIVACY = ("dp", "epsilon", "delta", "noise_multiplier", "sample_rate", "steps", "accountant", "privacy_unit")


def check_audit_is_of_run(report: dict[str, Any], report_path: Path | str, privacy: dict[str, Any],
                          privacy_path: Path | str) -> None:
    """Raise `InputError` when the audit ``report`` recorded privacy figures other than the run's
    ``privacy``: /info and the card published any report's verdict, so the audit of another adapter
    read as this model's "pass". A report without a privacy block (no privacy.json found by the
    audit) has nothing to compare and passes."""
    audited = report.get("privacy")
    if not isinstance(audited, dict):
        return
    for key in _AUDITED_PRIVACY:
        if key in audited and key in privacy and audited[key] != privacy[key]:
            # another run's audit, or one of this run before it was resumed (steps and epsilon grew since)
            raise InputError(f"this audit is of another training run or an earlier state of this one: it recorded "
                             f"{key} = {audited[key]!r}, {Path(privacy_path).name} of the run says {privacy[key]!r}; "
                             "audit this adapter as it is now", path=str(report_path), field=f"privacy.{key}")
