"""What `privtune train` does for provenance: a licence check before, a record and a card after.

Kept out of the training loop so the loop gains two calls: `check_before_training` (refuses a
use the base model's licence blocks unless ``license_override_reason`` is set) and
`record_after_training` (provenance.json with the scan -> train chain of hashes, the model card,
the ML-BOM).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from privtune import __version__
from privtune.provenance.licence_check import enforce, licence_record
from privtune.provenance.lineage import directory_digest, file_sha256, scan_link, write_provenance

__all__ = ["check_before_training", "record_after_training"]


def check_before_training(cfg: Any) -> dict[str, Any]:
    """The licence record for ``cfg`` (a `TrainConfig`: ``model``, ``intended_use``,
    ``license_override_reason``, ``base_model_id``); raises `LicenceBlocked` for a blocked use without a reason."""
    return enforce(licence_record(cfg.model, cfg.intended_use, cfg.base_model_id), cfg.license_override_reason)


def record_after_training(cfg: Any, paths: dict[str, Path], licence: dict[str, Any], fingerprint: str,
                          log: Any = print) -> Path:
    """Write provenance.json (chain scan -> train), then the model card and the BOM."""
    from privtune.provenance.bom import write_bom
    from privtune.provenance.card import write_card

    run_dir = Path(cfg.output_dir)
    base = directory_digest(cfg.model)
    train_stage = {
        "stage": "train",
        "data_sha256": file_sha256(cfg.data),
        "validation_sha256": file_sha256(cfg.validation) if cfg.validation else None,
        "dataset_fingerprint": fingerprint,
        "base_model": {"hub_id": licence["base_model"]["hub_id"], "sha256": base["sha256"], "files": base["files"]},
        # Weights and config only: the card (README.md) in the same directory is rewritten later.
        "adapter_sha256": directory_digest(paths["adapter"], exclude=frozenset({"README.md"}))["sha256"],
        "privacy_json_sha256": file_sha256(paths["privacy"]),
        "privtune_version": __version__,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    scan = scan_link(Path(cfg.data), cfg.scan_report, run_dir)
    if not scan["found"]:
        log("provenance: no scan report found for the training data (set scan_report to link it)")
    log(f"provenance: base licence {licence.get('licence_name') or 'unknown'} -> {licence['decision']}"
        + (f", {len(licence['obligations'])} obligation(s) listed in the card" if licence["obligations"] else ""))
    path = write_provenance(run_dir, {"chain": [scan, train_stage], "licence": licence})
    write_card(run_dir)
    write_bom(run_dir)
    return path
