"""Paths as the run files store them: relative to the run directory, never the user's machine.

privacy.json, provenance.json, train_report.json and the adapter's adapter_config.json travel
with the model (copied to a server, attached to a release). An absolute path in them tells every
reader the trainer's user name and directory layout (``/home/alice/clients/acme/...``) and is
wrong on any other machine anyway. So a path inside the run directory is stored relative to it
(``adapter``, ``audit/report.json``); any other path by its last component only (the data file's
name: its content is identified by the SHA-256 beside it in provenance.json); the base model by
its Hub id when known offline, else its directory name (its content hash is provenance.json's
``base_model.sha256``); the ledger relative to the run dir when it lies close above it
(``../ledger.sqlite``), and a database URL without its password. The ledger's own run summaries
(`ledger_config`, shown by ``privtune ledger export``) store paths relative to the ledger's
directory (``runs/support``), or by name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel

__all__ = ["base_model_label", "ledger_config", "ledger_directory", "nearby_relative", "portable_config",
           "portable_location", "portable_summary", "run_relative"]


def run_relative(path: str | Path, run_dir: str | Path | None) -> str:
    """``path`` relative to ``run_dir`` (POSIX separators; ``.`` for the run dir itself) when it lies
    inside it, else (or with no ``run_dir``) its last component."""
    p = Path(path).resolve()
    if run_dir is None:
        return p.name
    try:
        return p.relative_to(Path(run_dir).resolve()).as_posix() or "."
    except ValueError:
        return p.name


def base_model_label(base: str | Path, explicit: str | None = None) -> str:
    """The base model as run files name it: its Hub id when known offline, else its directory name."""
    from privtune.provenance.licence_detect import hub_id

    return hub_id(base, explicit) or Path(base).resolve().name


def nearby_relative(path: str | Path, run_dir: str | Path, max_up: int = 2) -> str:
    """``path`` relative to ``run_dir`` when it lies at most ``max_up`` levels above it (a ledger
    beside the runs: ``../ledger.sqlite``) below a common directory other than ``/`` and the
    directory of home directories; else `run_relative`. Such a path names no directory above
    that common one, so not the user's home."""
    p, run = Path(path).resolve(), Path(run_dir).resolve()
    rel = Path(os.path.relpath(p, run))
    ups = sum(part == ".." for part in rel.parts)
    common = Path(os.path.commonpath([p, run]))
    if 0 < ups <= max_up and common not in (Path(common.anchor), Path.home().resolve().parent):
        return rel.as_posix()
    return run_relative(p, run)


def portable_location(location: str, run_dir: str | Path | None) -> str:
    """A ledger location: a URL without its password, a file by `nearby_relative` (so that
    `privtune privacy explain` still finds a ledger kept beside the runs)."""
    if "://" in location:
        from privtune.privacy.ledger_db import redact

        return redact(location)
    return Path(location).name if run_dir is None else nearby_relative(location, run_dir)


def ledger_directory(location: str) -> Path | None:
    """The directory of a SQLite ledger (path or ``sqlite:///path``); None for a database URL or ``:memory:``."""
    path = location.removeprefix("sqlite:///")
    if "://" in path or path == ":memory:":
        return None
    return Path(os.path.expanduser(path)).resolve().parent


def ledger_config(cfg: BaseModel, location: str, base_id: str | None = None) -> dict[str, Any]:
    """A run's settings as the ledger keeps them (its run summary): `portable_config` relative to the
    ledger's directory, paths outside it (and every path, for a database ledger) by name. The summary
    was ``cfg.model_dump``: every run's model, output and scan-report paths, the trainer's home
    directory in each, went into ``privtune ledger export``, a file made to be handed to others."""
    return portable_config(cfg, ledger_directory(location), base_id)


def portable_summary(summary: Any, anchor: Path | None) -> Any:
    """A stored run summary with every absolute path in it made portable (`run_relative` to
    ``anchor``): ledgers written before `ledger_config` kept them absolute, and `ledger export`
    hands them on."""
    if isinstance(summary, dict):
        return {k: portable_summary(v, anchor) for k, v in summary.items()}
    if isinstance(summary, list):
        return [portable_summary(v, anchor) for v in summary]
    if isinstance(summary, str) and "://" not in summary and Path(os.path.expanduser(summary)).is_absolute():
        return run_relative(os.path.expanduser(summary), anchor)
    return summary


def portable_config(cfg: BaseModel, run_dir: str | Path | None, base_id: str | None = None) -> dict[str, Any]:
    """``cfg.model_dump(mode="json")`` with every `Path` field (nested configs too) made portable:
    ``model`` by `base_model_label`, the rest by `run_relative`; a ``ledger`` location by `portable_location`."""
    dump = cfg.model_dump(mode="json")
    _rewrite(cfg, dump, run_dir, base_id)
    return dump


def _rewrite(model: BaseModel, dump: dict[str, Any], run_dir: str | Path | None, base_id: str | None) -> None:
    for name in type(model).model_fields:
        value, key = getattr(model, name), name
        if key not in dump:
            continue
        if isinstance(value, Path):
            dump[key] = base_model_label(value, base_id) if name == "model" else run_relative(value, run_dir)
        elif isinstance(value, BaseModel) and isinstance(dump[key], dict):
            _rewrite(value, dump[key], run_dir, base_id)
        elif name == "ledger" and isinstance(value, str):
            dump[key] = portable_location(value, run_dir)
