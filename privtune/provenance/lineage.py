"""The chain of hashes scan -> train -> audit, kept in RUN_DIR/provenance.json.

- scan:  the scan report (its hash), the raw input's and cleaned output's hashes, the dataset manifest;
- train: the training file's hash (and whether it *is* the scan's output), the dataset fingerprint,
         the base model's per-file hashes and licence verdict, the adapter's and privacy.json's hashes;
- audit: each audit report's hash, appended when the audit is given the run directory.

Train finds the scan report through the config key ``scan_report``, or else by looking beside
the data (its directory and the one above) for a privtune scan report whose ``output.sha256`` is
the training file's hash: no naming convention needed, and a report for other data never matches.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from privtune.errors import InputError
from privtune.io.sources import file_sha256
from privtune.io.writers import atomic_write_json
from privtune.provenance.portable import run_relative

__all__ = ["PROVENANCE_FILE", "SCAN_REPORT_SCHEMA", "check_privacy_as_trained", "directory_digest", "file_sha256",
           "find_scan_report",
           "read_provenance", "scan_link", "write_provenance"]

PROVENANCE_FILE = "provenance.json"
PROVENANCE_SCHEMA = "privtune.provenance/1"
SCAN_REPORT_SCHEMA = "privtune.scan.report/1"
_MAX_REPORT_BYTES = 50_000_000




def directory_digest(root: str | Path, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Per-file SHA-256 of every regular file under ``root`` (sorted, POSIX paths) and one digest over them.

    The aggregate is SHA-256 of the lines ``"<sha256 hex>  <path>\\n"`` (the ``sha256sum`` format),
    so anyone can recompute it with standard tools. Hidden entries (``.cache``) and the relative
    paths in ``exclude`` are skipped.
    """
    root = Path(root)
    files = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts) and rel.as_posix() not in exclude:
            files[rel.as_posix()] = file_sha256(p)
    listing = "".join(f"{digest.removeprefix('sha256:')}  {name}\n" for name, digest in files.items())
    return {"sha256": "sha256:" + hashlib.sha256(listing.encode()).hexdigest(), "files": files}


def _load_scan_report(path: Path) -> dict[str, Any] | None:
    try:
        if path.stat().st_size > _MAX_REPORT_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == SCAN_REPORT_SCHEMA else None


def find_scan_report(data: Path, explicit: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The scan report for ``data``: ``explicit`` if given, else one beside the data whose output is ``data``."""
    if explicit is not None:
        report = _load_scan_report(Path(explicit))
        if report is None:
            raise InputError("not a privtune scan report (schema privtune.scan.report/1)", path=str(explicit),
                             hint="give the .json report `privtune scan --report` wrote")
        return Path(explicit), report
    digest = file_sha256(data)
    for folder in dict.fromkeys((data.parent, data.parent.parent)):
        for candidate in sorted(folder.glob("*.json")):
            report = _load_scan_report(candidate)
            if report is not None and (report.get("output") or {}).get("sha256") == digest:
                return candidate, report
    return None


def scan_link(data: Path, explicit: Path | None = None, run_dir: Path | None = None) -> dict[str, Any]:
    """The chain's scan stage for training file ``data`` (``{"found": False}`` when none is known).
    Paths in it are `portable.run_relative` to ``run_dir`` (the report's name when outside it)."""
    data_sha = file_sha256(data)
    found = find_scan_report(data, explicit)
    if found is None:
        return {"stage": "scan", "found": False, "data_sha256": data_sha}
    path, report = found
    output_sha = (report.get("output") or {}).get("sha256")
    return {
        "stage": "scan", "found": True, "report": run_relative(path, run_dir) if run_dir else path.name,
        "report_sha256": file_sha256(path),
        "input_sha256": (report.get("input") or {}).get("sha256"), "output_sha256": output_sha,
        "data_sha256": data_sha,
        # False when the training file was derived from the scan's output (e.g. canaries inserted).
        "data_is_scan_output": output_sha == data_sha,
        "source": _portable_source(report.get("source"), run_dir), "gate_passed": (report.get("gate") or {}).get("passed"),
        "counts": {k: (report.get("counts") or {}).get(k) for k in ("records_in", "records_out", "records_with_pii",
                                                                       "entities", "risk")},
        "policy": report.get("policy"),
    }


def _portable_source(source: Any, run_dir: Path | None) -> Any:
    """The scan report's ``source`` with the manifest file's path made portable (its hash stays)."""
    file_info = source.get("file") if isinstance(source, dict) else None
    if not isinstance(file_info, dict) or not isinstance(file_info.get("path"), str):
        return source
    path = run_relative(file_info["path"], run_dir) if run_dir else Path(file_info["path"]).name
    return {**source, "file": {**file_info, "path": path}}


def read_provenance(run_dir: str | Path) -> dict[str, Any]:
    path = Path(run_dir) / PROVENANCE_FILE
    if not path.is_file():
        return {"schema": PROVENANCE_SCHEMA, "chain": []}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # RecursionError: nested 1000+ deep
        raise InputError(f"unreadable provenance record: {exc}", path=str(path)) from None
    # Valid JSON of another shape (an edited or foreign file) was an AttributeError traceback in card/bom.
    chain = record.get("chain", []) if isinstance(record, dict) else None
    if not isinstance(chain, list):
        raise InputError("not a provenance record: expected an object whose 'chain' is a list", path=str(path))
    for i, stage in enumerate(chain):
        if not isinstance(stage, dict) or not isinstance(stage.get("stage"), str):
            raise InputError(f"not a provenance record: chain[{i}] is not an object with a 'stage' name",
                             path=str(path))
    return record


def write_provenance(run_dir: str | Path, record: dict[str, Any]) -> Path:
    path = Path(run_dir) / PROVENANCE_FILE
    atomic_write_json(path, {"schema": PROVENANCE_SCHEMA, **{k: v for k, v in record.items() if k != "schema"}})
    return path


def check_privacy_as_trained(prov: dict[str, Any], privacy_path: Path) -> None:
    """`InputError` when ``privacy_path`` is not the privacy.json the training run wrote (its SHA-256
    differs from the train stage's ``privacy_json_sha256`` in ``prov``, the run's provenance record):
    an edited file, or another run's. The card, the BOM and serve's /info published its figures as the
    run's claim. Nothing to compare (no train stage, an older record) passes."""
    train = next((s for s in prov.get("chain", []) if isinstance(s, dict) and s.get("stage") == "train"), {})
    recorded = train.get("privacy_json_sha256")
    if isinstance(recorded, str) and file_sha256(privacy_path) != recorded:
        raise InputError("not the privacy.json the training run wrote: its SHA-256 differs from the one recorded "
                         f"in {PROVENANCE_FILE}, so its figures are not the ones training computed",
                         path=str(privacy_path), hint="restore the file the run wrote (or retrain); never edit a claim")
