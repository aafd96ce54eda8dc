"""`--fail-on` rules for CI gates.

A rule is ``LEVEL`` (any record at or above that risk level), or ``NAME>N`` / ``NAME>=N``
where NAME is a risk level (``high``, ``medium``), an entity type (``ID_CARD``), or one of
``rejected``, ``flagged``, ``duplicates``. The gate fails when any rule holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from privtune.errors import ConfigError
from privtune.scan.entities import ENTITY_TYPES

RISK_LEVELS = ("low", "medium", "high")
_COUNTERS = ("rejected", "flagged", "duplicates")
_RULE = re.compile(r"^\s*([A-Za-z_]+)\s*(?:(>=|>)\s*(\d+))?\s*$")


@dataclass(frozen=True)
class GateRule:
    name: str
    op: str
    threshold: int

    def __str__(self) -> str:
        return f"{self.name}{self.op}{self.threshold}"


def parse_rules(items: list[str]) -> list[GateRule]:
    rules = []
    for item in (r for part in items for r in part.split(",") if r.strip()):
        m = _RULE.match(item)
        if not m:
            raise ConfigError(f"cannot parse --fail-on rule {item!r}; expected e.g. high, ID_CARD>0, flagged>=5")
        name, op, num = m.group(1), m.group(2), m.group(3)
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
        if op is None:  # bare name: "any"
            op, num = ">", "0"
        rules.append(GateRule(name, op, int(num)))
    return rules


def _value(rule: GateRule, counts: dict[str, Any]) -> int:
    if rule.name in RISK_LEVELS:
        # "medium" means medium or worse.
        idx = RISK_LEVELS.index(rule.name)
        return sum(counts["risk"].get(lvl, 0) for lvl in RISK_LEVELS[idx:])
    if rule.name in ENTITY_TYPES:
        return int(counts["entities"].get(rule.name, 0))
    return int(counts[rule.name])


def evaluate(rules: list[GateRule], counts: dict[str, Any]) -> dict[str, Any]:
    """``counts`` holds ``risk`` and ``entities`` dicts and the counters; returns the gate section."""
    violations = []
    for rule in rules:
        v = _value(rule, counts)
        tripped = v > rule.threshold if rule.op == ">" else v >= rule.threshold
        if tripped:
            violations.append({"rule": str(rule), "value": v})
    return {"rules": [str(r) for r in rules], "passed": not violations, "violations": violations}
