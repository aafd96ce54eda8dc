"""One pydantic config object per command, loadable from YAML and overridable by flags.

Precedence: defaults < YAML file < ``--set key=value`` / explicit flags.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from privtune.errors import ConfigError

C = TypeVar("C", bound=BaseModel)


def yaml_off(value: object) -> object:
    """YAML 1.1 reads a bare ``off`` (in a config file or ``--set x=off``) as false; for a field
    whose choices include the string "off", that is what it means. Use as a before-validator."""
    return "off" if value is False else value


def parse_set_overrides(items: list[str] | None) -> dict[str, Any]:
    """``["lora.r=8", "dp=false"]`` -> ``{"lora": {"r": 8}, "dp": False}`` (values parsed as YAML)."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ConfigError(f"--set expects key=value, got {item!r}")
        key, raw = item.split("=", 1)
        try:
            value = yaml.safe_load(raw) if raw != "" else ""
        except yaml.YAMLError:
            value = raw
        cur = out
        parts = key.strip().split(".")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = value
    return out


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(merged.get(k), dict):
            merged[k] = deep_merge(merged[k], v)
        else:
            merged[k] = v
    return merged


_DATA_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".tsv", ".parquet", ".txt")
_DATA_HINT = "pass data files with the command's data option, e.g. `privtune train --data FILE`"


def read_config_file(path: str | Path) -> dict[str, Any]:
    """The top-level mapping of a YAML config file, or a `ConfigError` naming the file."""
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"config file not found: {p}")
    if p.name.lower().removesuffix(".gz").removesuffix(".zst").endswith(_DATA_SUFFIXES):
        raise ConfigError(f"{p} is a data file, but this argument is a YAML config file; " + _DATA_HINT)
    try:
        loaded = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: invalid YAML: {exc}") from None
    if not isinstance(loaded, dict):
        raise ConfigError(f"{p}: expected a mapping at the top level (a YAML config file); if it is data, "
                          + _DATA_HINT)
    return loaded


def load_config(cls: type[C], path: str | Path | None = None, overrides: dict[str, Any] | None = None, *,
                preset: dict[str, Any] | None = None) -> C:
    """Build ``cls`` from a preset, an optional YAML file, then overrides (flags); errors name the
    offending key and where it came from."""
    from_file = read_config_file(path) if path is not None else {}
    data = deep_merge(preset or {}, from_file)
    # An override of None is an explicit null (`--set dp_seed=null`): it clears the file's value.
    # Callers leave flags that were not given out of ``overrides``.
    data = deep_merge(data, overrides or {})
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            # A validator's ValueError reads "Value error, <its message>": the prefix is pydantic's, not news.
            msg = str(err["ctx"]["error"]) if err["type"] == "value_error" and "error" in err.get("ctx", {}) \
                else err["msg"]
            fields = _fields_named(cls, err["loc"], msg)
            where = (_fields_source(cls, err["loc"], fields, path, from_file, overrides or {}) if fields
                     else _error_source(err["loc"], path, overrides or {}))
            lines.append(f"  {where}: {msg}" + (_missing_hint(cls, err["loc"]) if err["type"] == "missing" else ""))
        raise ConfigError(f"invalid {cls.__name__} config:\n" + "\n".join(lines)) from None


def _model_at(cls: type[BaseModel], keys: list[str]) -> type[BaseModel] | None:
    """The (nested) config model at ``keys`` below ``cls``; None where the path leaves the models."""
    for key in keys:
        info = cls.model_fields.get(key)
        ann = info.annotation if info is not None else None
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return None
        cls = ann
    return cls


def _fields_named(cls: type[BaseModel], loc: tuple[Any, ...], msg: str) -> list[str]:
    """For an error of a whole (nested) model, a model validator's: the model's fields its message
    names, in order (the error's location is the model itself, so "(top level)" was all it said)."""
    keys = [str(x) for x in loc if not isinstance(x, int)]
    model = _model_at(cls, keys)
    if model is None:
        return []  # an error of one field: its location names it
    found = [(m.start(), name) for name in model.model_fields
             if (m := re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", msg))]
    return [name for _, name in sorted(found)]


def _fields_source(cls: type[BaseModel], loc: tuple[Any, ...], fields: list[str], path: str | Path | None,
                   from_file: dict[str, Any], overrides: dict[str, Any]) -> str:
    """``privacy_unit (flag --privacy-unit), user_id_field (not set)``: the fields a model-level
    error names, and where their values came from."""
    keys = [str(x) for x in loc if not isinstance(x, int)]
    model = _model_at(cls, keys)
    by_source: dict[str, list[str]] = {}  # fields from one place named together, in the message's order
    for name in fields:
        dotted = keys + [name]
        if _has_key(overrides, dotted):
            source = f"flag --{'-'.join(dotted).replace('_', '-')}"
        elif path is not None and _has_key(from_file, dotted):
            source = str(path)
        else:
            default = model.model_fields[name].default if model is not None else None
            source = "not set" if default is None else "default"
        by_source.setdefault(source, []).append(".".join(dotted))
    return ", ".join(f"{', '.join(names)} ({source})" for source, names in by_source.items())


def _has_key(tree: dict[str, Any], keys: list[str]) -> bool:
    node: Any = tree
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def _missing_hint(cls: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """For a required key left out: the flag that sets it and what it is ("nonmembers: Field
    required" told a first-time user neither)."""
    dotted = ".".join(str(x) for x in loc if not isinstance(x, int))
    found = next(((flag, info) for flag, (key, info) in config_flags(cls).items() if key == dotted), None)
    if found is None:
        return ""
    flag, info = found
    return f"; pass {flag}" + (f" ({info.description.rstrip('.')})" if info.description else "")


def _error_source(loc: tuple[Any, ...], path: str | Path | None, overrides: dict[str, Any]) -> str:
    """Where a bad value came from: ``flag --lora-r`` (command line) or ``file.yaml: lora.r``.

    A key present in the overrides came from a flag or ``--set`` (they win over the file), so
    blaming the YAML for it would send the user to the wrong place.
    """
    keys = [str(x) for x in loc if not isinstance(x, int)]  # list indices: the flag names the list
    dotted = ".".join(str(x) for x in loc)
    if not keys:
        return "(top level)" if path is None else f"{path}"
    node: Any = overrides
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            break
        node = node[key]
    else:
        flag = "--" + ".".join(keys).replace(".", "-").replace("_", "-")
        return f"flag {flag} (or --set {'.'.join(keys)})"
    return f"{path}: {dotted}" if path is not None else dotted


def config_flags(cls: type[BaseModel], prefix: str = "") -> dict[str, tuple[str, Any]]:
    """``{"--lora-r": ("lora.r", FieldInfo), ...}`` for every leaf key of a nested config model."""
    out: dict[str, tuple[str, Any]] = {}
    for name, info in cls.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.update(config_flags(ann, f"{prefix}{name}."))
        else:
            dotted = prefix + name
            out["--" + dotted.replace(".", "-").replace("_", "-")] = (dotted, info)
    return out


def parse_config_flags(cls: type[BaseModel], args: list[str]) -> dict[str, Any]:
    """Turn ``--lora-r 4 --no-dp --fields a,b`` into nested overrides; unknown flags are errors."""
    return _parse_flags(cls, args, allow_config_file=False)[1]


def parse_config_args(cls: type[BaseModel], args: list[str]) -> tuple[Path | None, dict[str, Any]]:
    """Like `parse_config_flags`, but one bare argument anywhere is taken as the YAML config file.

    So ``train cfg.yaml --lora-r 4``, ``train --lora-r 4 cfg.yaml`` and ``train --model m --data d``
    (no file at all) all work; a second bare argument is an error.
    """
    return _parse_flags(cls, args, allow_config_file=True)


def _parse_flags(cls: type[BaseModel], args: list[str], *,
                 allow_config_file: bool) -> tuple[Path | None, dict[str, Any]]:
    table = config_flags(cls)
    items: list[str] = []
    config_file: Path | None = None
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            if allow_config_file and config_file is None:
                config_file = Path(arg)
                i += 1
                continue
            raise ConfigError(f"unexpected argument {arg!r}; options look like --key value (see --help)")
        name, eq, value = arg.partition("=")
        if name not in table and name.startswith("--no-") and "--" + name[5:] in table:
            items.append(f"{table['--' + name[5:]][0]}=false")
            i += 1
            continue
        if name not in table:
            close = _suggestions(name, table)
            raise ConfigError(f"unknown option {name}" + (f"; did you mean {', '.join(close)}?" if close else ""))
        dotted, info = table[name]
        if not eq:
            nxt = args[i + 1] if i + 1 < len(args) else None
            if info.annotation is bool and (nxt is None or nxt.startswith("--")):
                value = "true"
            elif nxt is None:
                raise ConfigError(f"option {name} needs a value")
            else:
                value = nxt
                i += 1
        if "list" in str(info.annotation) and not value.startswith("["):
            value = "[" + ", ".join(v.strip() for v in value.split(",")) + "]"
        items.append(f"{dotted}={value}")
        i += 1
    return config_file, parse_set_overrides(items)


# What one command calls by another's name: `train` reads the base model from --model, `audit`
# and `serve` from --base; `scan` writes --out, `train` --output-dir.
_SAME_THING = (("--model", "--base", "--base-model", "--model-dir"), ("--out", "--output-dir", "--output"),
               ("--data", "--input", "--train-data", "--dataset"), ("--adapter", "--run", "--run-dir"))


def _suggestions(name: str, table: dict[str, Any]) -> list[str]:
    """Flags of this command an unknown ``name`` may have meant: its synonyms, then prefix matches."""
    same = [f for group in _SAME_THING if name in group for f in group if f != name and f in table]
    prefix = [f for f in table if f.startswith(name[:6]) and f not in same]
    return (same + prefix)[:3]


def config_help(cls: type[BaseModel]) -> str:
    """One line per config key, for ``--help`` epilogs (generated, so docs match the code).

    Square brackets are escaped: typer renders help as rich markup, which would silently
    drop ``[default: …]`` or ``[q_proj, v_proj]`` as unknown tags.
    """
    lines = []
    for flag, (dotted, info) in config_flags(cls).items():
        description = info.description or ""
        if info.is_required():
            default = " (required)"
        elif "default" in description.lower():
            default = ""  # the description says what happens when unset
        else:
            default = f" (default: {info.get_default(call_default_factory=True)})"
        lines.append(f"{flag} ({dotted}): {description}{default}".replace("[", "\\["))
    return "\n".join(lines)
