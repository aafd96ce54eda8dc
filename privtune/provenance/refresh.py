"""Keep a run's provenance current after the audit: link the audit report into the chain, rewrite card and BOM.

`after_audit` is called by the audit with the path it was given as the adapter; it does nothing
unless that path is a training run directory (privacy.json beside adapter/), so auditing a bare
adapter directory leaves no trace.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from privtune.errors import InputError
from privtune.privacy.privacy_file import check_audit_is_of_run
from privtune.provenance.lineage import file_sha256, read_provenance, write_provenance
from privtune.provenance.portable import run_relative

__all__ = ["after_audit", "is_run_dir", "is_scan_input_of_run", "link_audit"]


def is_run_dir(path: str | Path) -> bool:
    p = Path(path)
    return (p / "privacy.json").is_file() and (p / "adapter").is_dir()


def _read_object(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", path=str(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # RecursionError: nested 1000+ deep
        raise InputError(f"the {what} is not JSON", path=str(path)) from None
    if not isinstance(data, dict):
        raise InputError(f"the {what} is not a JSON object", path=str(path))
    return data


def link_audit(run_dir: str | Path, report_path: str | Path, *, check_run: bool = True) -> dict[str, Any]:
    """Add (or replace) the chain's audit entry for ``report_path``: its hash and verdict, no record data.
    ``check_run``: refuse a report whose recorded privacy figures are another run's (`privtune card
    --audit-report` took any report, and the card showed its verdict as this adapter's)."""
    report = _read_object(Path(report_path), "audit report")
    if check_run:
        privacy_path = Path(run_dir) / "privacy.json"
        check_audit_is_of_run(report, report_path, _read_object(privacy_path, "privacy.json"), privacy_path)
    verdict = report.get("verdict") if isinstance(report.get("verdict"), dict) else {}
    checks = verdict.get("checks") if isinstance(verdict.get("checks"), list) else []
    entry = {
        "stage": "audit", "report": run_relative(report_path, run_dir), "report_sha256": file_sha256(report_path),
        "pass": verdict.get("pass"), "summary": verdict.get("summary"),
        "checks": [{k: c.get(k) for k in ("check", "value", "limit", "failed")} for c in checks if isinstance(c, dict)],
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
    link_audit(adapter_arg, report_path, check_run=False)  # the audit just made this report for this adapter
    write_card(adapter_arg)
    if (Path(adapter_arg) / BOM_NAME).is_file():
        write_bom(adapter_arg)
    return True


def is_scan_input_of_run(run_dir: str | Path, data: str | Path) -> bool:
    """Is ``data`` (byte for byte) the raw input of the scan whose output trained ``run_dir``?

    The audit asks this when its members file is not the training file: auditing the raw
    records a scan pseudonymised is the point (did the model learn these people's
    conversations?), not a mistake to warn about.
    """
    if not is_run_dir(run_dir):
        return False
    try:
        chain = read_provenance(run_dir).get("chain", [])
    except InputError:
        return False
    inputs = {s.get("input_sha256") for s in chain if s.get("stage") == "scan" and s.get("found")}
    inputs.discard(None)
    return bool(inputs) and file_sha256(data) in inputs
