"""Keep a run's provenance current after the audit: link the audit report into the chain, rewrite card and BOM.

`after_audit` is called by the audit with the path it was given as the adapter; it does nothing
unless that path is a training run directory (privacy.json beside adapter/), so auditing a bare
adapter directory leaves no trace.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from privtune.provenance.lineage import file_sha256, read_provenance, write_provenance

__all__ = ["after_audit", "is_run_dir", "link_audit"]


def is_run_dir(path: str | Path) -> bool:
    p = Path(path)
    return (p / "privacy.json").is_file() and (p / "adapter").is_dir()


def link_audit(run_dir: str | Path, report_path: str | Path) -> dict[str, Any]:
    """Add (or replace) the chain's audit entry for ``report_path``: its hash and verdict, no record data."""
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    verdict = report.get("verdict") or {}
    entry = {
        "stage": "audit", "report": str(report_path), "report_sha256": file_sha256(report_path),
        "pass": verdict.get("pass"), "summary": verdict.get("summary"),
        "checks": [{k: c.get(k) for k in ("check", "value", "limit", "failed")} for c in verdict.get("checks") or []],
    }
    prov = read_provenance(run_dir)
    chain = [s for s in prov.get("chain", []) if not (s["stage"] == "audit" and s.get("report") == entry["report"])]
    prov["chain"] = [*chain, entry]
    write_provenance(run_dir, prov)
    return entry


def after_audit(adapter_arg: str | Path, report_path: str | Path) -> bool:
    """Link the audit and refresh card and BOM when ``adapter_arg`` is a run directory; True if it was."""
    from privtune.provenance.bom import BOM_NAME, write_bom
    from privtune.provenance.card import write_card

    if not is_run_dir(adapter_arg):
        return False
    link_audit(adapter_arg, report_path)
    write_card(adapter_arg)
    if (Path(adapter_arg) / BOM_NAME).is_file():
        write_bom(adapter_arg)
    return True
