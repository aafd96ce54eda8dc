"""``--fail-on`` rules: conditions on report.json values that make `privtune audit` exit 3.

A rule is ``KEY OP VALUE`` with OP one of ``> >= < <= == !=``; VALUE is a number or
``true`` / ``false`` / ``null``. KEY is a dotted path into report.json
(``mia.ref.auc``, ``canaries.by_repeats.16.included.exposure_bits_max``) or a short name that
is a key of exactly one section (``exposure_bits_max`` -> ``canaries.exposure_bits_max``,
``ratio`` -> ``specificity.ratio``). Keys are checked against the report's contract before
the audit runs, so a typo fails in seconds, not after an hour of scoring.

A rule that cannot be evaluated in this run (its value is null, say a canary rule when no
canaries were given, or a comparison that does not apply to the value) is listed as ``not
evaluated`` with the section's reason and *fails the gate*: a CI gate whose check silently did
not run is no gate. ``allow_unevaluated`` (``audit.allow_unevaluated_gates``) lets it pass.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from privtune.errors import ConfigError

_RULE = re.compile(r"^\s*([A-Za-z0-9_.%+-]+?)\s*(>=|<=|==|!=|>|<)\s*(\S+)\s*$")
_OPS: dict[str, Callable[[Any, Any], bool]] = {">": operator.gt, ">=": operator.ge, "<": operator.lt,
                                               "<=": operator.le, "==": operator.eq, "!=": operator.ne}
SECTIONS = ("mia", "canaries", "extraction", "specificity", "epsilon", "verdict")


@dataclass(frozen=True, slots=True)
class Rule:
    text: str
    path: tuple[str, ...]
    op: str
    value: float | bool | None


def _parse_value(raw: str, rule: str) -> float | bool | None:
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "none"):
        return None
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"--fail-on {rule!r}: {raw!r} is not a number, true, false or null") from None


def _leaves(tree: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for k, v in tree.items():
        out.append(prefix + (k,))
        if isinstance(v, dict):
            out.extend(_leaves(v, prefix + (k,)))
    return out


def resolve_key(key: str, skeleton: dict[str, Any]) -> tuple[str, ...]:
    """Dotted path for ``key`` in the report skeleton (all contract keys), or `ConfigError`."""
    parts = tuple(key.split("."))
    paths = set(_leaves(skeleton))
    if parts[0] in SECTIONS:
        # Allow any depth under an open-ended dict (by_repeats, by_type) the skeleton cannot list.
        for n in range(len(parts), 0, -1):
            head = parts[:n]
            if head in paths and (n == len(parts) or _node(skeleton, head) == {}):
                return parts
        raise ConfigError(f"--fail-on: {key!r} is not a report.json key; see docs/audit.md for the keys")
    matches = sorted(p for p in paths if p[-1] == key and len(p) == 2)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ConfigError(f"--fail-on: unknown key {key!r}; use a dotted path such as mia.ref.auc")
    raise ConfigError(f"--fail-on: {key!r} is ambiguous ({', '.join('.'.join(m) for m in matches)}); use the full path")


def _node(tree: Any, path: tuple[str, ...]) -> Any:
    for p in path:
        if not isinstance(tree, dict) or p not in tree:
            return _MISSING
        tree = tree[p]
    return tree


_MISSING = object()


def parse_rules(rules: list[str], skeleton: dict[str, Any]) -> list[Rule]:
    """Parse and resolve every rule (comma-separated lists allowed) against the report contract."""
    out = []
    for chunk in rules:
        for text in (t.strip() for t in chunk.split(",")):
            if not text:
                continue
            m = _RULE.match(text)
            if not m:
                raise ConfigError(f"--fail-on {text!r}: expected KEY OP VALUE, e.g. mia.ref.auc>0.6")
            key, op, raw = m.groups()
            out.append(Rule(text, resolve_key(key, skeleton), op, _parse_value(raw, text)))
    return out


def _why_not_evaluable(rule: Rule, value: Any, report: dict[str, Any]) -> str | None:
    """Why ``rule`` cannot be decided on ``value``, or None when it can."""
    if value is _MISSING or (value is None and rule.value is not None) or isinstance(value, (dict, list)):
        section = report.get(rule.path[0]) if isinstance(report.get(rule.path[0]), dict) else {}
        return str(section.get("reason") or "the value is not available in this run")
    if (isinstance(rule.value, bool) or rule.value is None or isinstance(value, bool)) and rule.op not in ("==", "!="):
        return "only == and != apply to true/false/null"
    return None


def evaluate(rules: list[Rule], report: dict[str, Any], *, allow_unevaluated: bool = False) -> list[dict[str, Any]]:
    """One entry per rule: ``{rule, key, value, tripped, evaluated, note?}``. ``tripped`` means the
    gate fails on this rule: it holds, or it could not be evaluated and ``allow_unevaluated`` is off."""
    results = []
    for r in rules:
        value = _node(report, r.path)
        entry: dict[str, Any] = {"rule": r.text, "key": ".".join(r.path),
                                 "value": None if value is _MISSING else value, "tripped": False, "evaluated": True}
        why = _why_not_evaluable(r, value, report)
        if why is not None:
            entry.update(evaluated=False, tripped=not allow_unevaluated, note=f"not evaluated: {why}")
        elif isinstance(r.value, bool) or r.value is None or isinstance(value, bool):
            entry["tripped"] = bool(_OPS[r.op](value, r.value))
        else:
            entry["tripped"] = bool(_OPS[r.op](float(value), float(r.value)))
        results.append(entry)
    return results
