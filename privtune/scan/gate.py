"""`--fail-on` rules for CI gates.

A rule is ``LEVEL`` (any record at or above that risk level), or ``NAME>N`` / ``NAME>=N``
where NAME is a risk level (``high``, ``medium``), an entity type (``ID_CARD``), or one of
``rejected``, ``flagged``, ``duplicates``. The gate fails when any rule holds.

Risk levels and entity types take a scope prefix: ``residual:high`` / ``residual:ID_CARD>0``
measure what the policy leaves in the cleaned output (types it keeps, spans under its
``min_score``), ``input:high`` what the input held before any replacement. A bare name keeps
its original meaning, the input: ``high`` fails on any chat that named a customer, even once
every name was pseudonymised — gate a pipeline on ``residual:high``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from privtune.errors import ConfigError
from privtune.scan.entities import ENTITY_TYPES

RISK_LEVELS = ("low", "medium", "high")
_COUNTERS = ("rejected", "flagged", "duplicates")
SCOPES = ("input", "residual")
_RULE = re.compile(r"^\s*(?:(input|residual)\s*:\s*)?([A-Za-z_]+)\s*(?:(>=|>)\s*(\d+))?\s*$", re.I)


@dataclass(frozen=True)
class GateRule:
    name: str
    op: str
    threshold: int
    scope: str = "input"
    scoped: bool = False  # the prefix was written out (shown back as written)

    def __str__(self) -> str:
        prefix = f"{self.scope}:" if self.scoped else ""
        return f"{prefix}{self.name}{self.op}{self.threshold}"


def parse_rules(items: list[str]) -> list[GateRule]:
    rules = []
    for item in (r for part in items for r in part.split(",") if r.strip()):
        m = _RULE.match(item)
        if not m:
            raise ConfigError(f"cannot parse --fail-on rule {item!r}; expected e.g. residual:high, "
                              "ID_CARD>0, flagged>=5")
        scope, name, op, num = m.group(1), m.group(2), m.group(3), m.group(4)
        if name.lower() in RISK_LEVELS:
            name = name.lower()
        elif name.upper() in ENTITY_TYPES:
            name = name.upper()
        elif name.lower() in _COUNTERS:
            name = name.lower()
        else:
            raise ConfigError(
                f"unknown --fail-on name {name!r}; use a risk level ({', '.join(RISK_LEVELS)}), "
                f"an entity type, or one of {', '.join(_COUNTERS)}"
            )
        if scope is not None and name in _COUNTERS:
            raise ConfigError(f"--fail-on rule {item!r}: {name} has no input/residual scope; write {name}>N")
        if op is None:  # bare name: "any"
            op, num = ">", "0"
        rules.append(GateRule(name, op, int(num), (scope or "input").lower(), scope is not None))
    return rules


def _value(rule: GateRule, counts: dict[str, Any]) -> int:
    if rule.scope == "residual" and rule.name not in _COUNTERS:
        counts = counts["residual"]
    if rule.name in RISK_LEVELS:
        # "medium" means medium or worse.
        idx = RISK_LEVELS.index(rule.name)
        return sum(counts["risk"].get(lvl, 0) for lvl in RISK_LEVELS[idx:])
    if rule.name in ENTITY_TYPES:
        return int(counts["entities"].get(rule.name, 0))
    return int(counts[rule.name])


def evaluate(rules: list[GateRule], counts: dict[str, Any]) -> dict[str, Any]:
    """``counts`` holds ``risk`` and ``entities`` dicts, the counters and (for residual rules)
    ``residual: {risk, entities}``; returns the gate section."""
    violations = []
    for rule in rules:
        v = _value(rule, counts)
        tripped = v > rule.threshold if rule.op == ">" else v >= rule.threshold
        if tripped:
            violations.append({"rule": str(rule), "value": v})
    return {"rules": [str(r) for r in rules], "passed": not violations, "violations": violations}
