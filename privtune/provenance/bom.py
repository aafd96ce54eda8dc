"""ML-BOM of a training run: ``RUN_DIR/bom.cdx.json`` in CycloneDX 1.6 (1.7 on request).

Components:

- the adapter, a ``machine-learning-model`` with a ``modelCard`` (LoRA and DP settings as
  parameters, the datasets by ``ref``, audit numbers as quantitative analysis, intended use and
  limitations as considerations) and ``pedigree.ancestors`` holding the base model (its
  directory digest and licence);
- each dataset as a ``data`` component (file hash, fingerprint, PII counts by type, governance
  from the dataset manifest).

``metadata.tools`` lists the exact versions of privtune and the libraries that trained it.
cyclonedx-python-lib cannot model ``modelCard`` or ``data`` yet, so the JSON is built here and
checked by its strict schema validator plus `bom_check.lint` (see bom_check).

Reproducible mode: no wall-clock timestamp (``SOURCE_DATE_EPOCH`` when set), a serial number
derived from the content, sorted keys: the same inputs give a byte-identical file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from importlib import metadata
from pathlib import Path
from typing import Any

from privtune import __version__
from privtune.io.writers import atomic_write_text
from privtune.errors import InputError
from privtune.provenance.card import card_data, read_run_json
from privtune.provenance.licence_catalog import by_id

__all__ = ["BOM_NAME", "build_bom", "write_bom"]

BOM_NAME = "bom.cdx.json"
_TOOL_PACKAGES = ("torch", "transformers", "peft", "safetensors", "tokenizers", "dp-accounting")
_NS = uuid.UUID("6f1c3d2e-6a43-4c1e-9a59-0d1f2b7d0c11")  # privtune's namespace for content-derived serials


def _hash(digest: str | None) -> list[dict[str, str]]:
    return [{"alg": "SHA-256", "content": digest.removeprefix("sha256:")}] if digest else []


def _licences(licence_id: str | None) -> list[dict[str, Any]]:
    if not licence_id:
        return []
    lic = by_id(licence_id)
    if lic.spdx:
        return [{"license": {"id": lic.spdx}}]
    entry: dict[str, Any] = {"name": lic.name}
    if lic.url:
        entry["url"] = lic.url
    return [{"license": entry}]


def _props(pairs: dict[str, Any]) -> list[dict[str, str]]:
    return [{"name": f"privtune:{k}", "value": str(v)} for k, v in pairs.items() if v is not None]


def _tools() -> list[dict[str, Any]]:
    tools = [{"type": "application", "name": "privtune", "version": __version__}]
    for pkg in _TOOL_PACKAGES:
        try:
            tools.append({"type": "library", "name": pkg, "version": metadata.version(pkg)})
        except metadata.PackageNotFoundError:
            continue
    return tools


def _dataset_component(data: dict[str, Any]) -> dict[str, Any]:
    scan = data["scan"] or {}
    counts = scan.get("counts") or {}
    source = data["source"] or {}
    content: dict[str, Any] = {"type": "dataset", "name": source.get("name") or "training data",
                               "contents": {"properties": _props({
                                   "dataset_fingerprint": data["dataset_fingerprint"], "records": data["records"],
                                   "scan_report_sha256": scan.get("report_sha256"),
                                   "raw_input_sha256": scan.get("input_sha256"),
                                   "scan_policy": scan.get("policy")})}}
    if counts.get("entities") is not None:
        content["classification"] = "personal data, pseudonymised by privtune scan" if counts["entities"] else \
            "no personal data found by privtune scan"
        content["sensitiveData"] = [f"{k}: {v}" for k, v in counts["entities"].items()]
    if source:
        period = source.get("collection_period") or {}
        content["description"] = (f"source: {source.get('source')}; legal basis: {source.get('legal_basis')}; "
                                  f"collected {period.get('start')} to {period.get('end')}; retention: "
                                  f"{source.get('retention')}; allowed uses: {', '.join(source.get('allowed_uses', []))}")
        content["governance"] = {"owners": [{"organization": {"name": source["owner"]}}]}
    component: dict[str, Any] = {"type": "data", "bom-ref": "dataset-train", "name": content["name"],
                                 "hashes": _hash(data["training_file_sha256"]), "data": [content]}
    if source.get("license"):
        component["licenses"] = [{"license": {"name": source["license"]}}]
    return component


def _model_card(card: dict[str, Any], train_cfg: dict[str, Any]) -> dict[str, Any]:
    p, lora = card["privacy"], train_cfg.get("lora") or {}
    metrics = [{"type": c["check"], "value": str(c.get("value")),
                **({"slice": f"limit {c['limit']}"} if c.get("limit") is not None else {})}
               for a in card["audit"] for c in a.get("checks") or [] if c.get("value") is not None]
    use = card["intended_use"]
    mc: dict[str, Any] = {
        "bom-ref": "adapter-model-card",
        "modelParameters": {
            "approach": {"type": "supervised"},
            "task": "text-generation",
            "architectureFamily": "transformer",
            "modelArchitecture": f"LoRA adapter (r={lora.get('r')}, alpha={lora.get('alpha')}) on a causal LM",
            "datasets": [{"ref": "dataset-train"}],
            "inputs": [{"format": "text"}],
            "outputs": [{"format": "text"}],
        },
        "considerations": {
            "useCases": [f"{use.get('use')} use, distribution: {use.get('distribution')}"],
            # what epsilon does not cover, and train's caveats on it, as the card states them
            "technicalLimitations": card["limitations"] + [f"Not covered by epsilon: {t}" for t in
                                                           p.get("outside_guarantee") or []]
            + [f"Caveat: {t}" for t in p.get("warnings") or []],
            "ethicalConsiderations": [{
                "name": "memorisation of personal data in the training set",
                "mitigationStrategy": (f"PII scan; DP-SGD at epsilon={p['epsilon']}, delta={p['delta']} per "
                                       f"{p['privacy_unit']}" if p["dp"] else "PII scan only (no differential privacy)"),
            }],
        },
    }
    if metrics:
        mc["quantitativeAnalysis"] = {"performanceMetrics": metrics}
    return mc


def _train_config(run_dir: Path) -> dict[str, Any]:
    """train_report.json's ``config`` (card_data has read the file already, so it is a JSON object);
    a ``config`` or ``config.lora`` of another shape was an AttributeError traceback."""
    path = run_dir / "train_report.json"
    report = read_run_json(path) or {}
    cfg = report.get("config") or {}
    if not isinstance(cfg, dict):
        raise InputError(f"expected an object, found {type(cfg).__name__}", path=str(path), field="config")
    if cfg.get("lora") is not None and not isinstance(cfg["lora"], dict):
        raise InputError(f"expected an object, found {type(cfg['lora']).__name__}", path=str(path), field="config.lora")
    return cfg


def build_bom(run_dir: str | Path, *, spec_version: str = "1.6", reproducible: bool = False) -> dict[str, Any]:
    """The BOM as a dict (see module docstring)."""
    if spec_version not in ("1.6", "1.7"):
        raise ValueError(f"unsupported CycloneDX version {spec_version!r} (1.6 or 1.7)")
    run_dir = Path(run_dir)
    card = card_data(run_dir)
    train_cfg = _train_config(run_dir)
    p = card["privacy"]
    base = card["base_model"]
    ancestor: dict[str, Any] = {"type": "machine-learning-model", "bom-ref": "base-model",
                                "name": base["hub_id"] or "local base model", "hashes": _hash(base["sha256"]),
                                "licenses": _licences(card["licence"]["id"])}
    if base["hub_id"]:
        ancestor["purl"] = f"pkg:huggingface/{base['hub_id']}"
    adapter = {
        "type": "machine-learning-model", "bom-ref": "adapter", "name": "privtune LoRA adapter",
        "version": card["provenance"]["adapter_sha256"].removeprefix("sha256:")[:12] if card["provenance"][
            "adapter_sha256"] else "unversioned",
        "hashes": _hash(card["provenance"]["adapter_sha256"]),
        "licenses": _licences(card["licence"]["id"]),
        "pedigree": {"ancestors": [ancestor]},
        "modelCard": _model_card(card, train_cfg),
        "properties": _props({
            "dp": p["dp"], "dp:epsilon": p["epsilon"], "dp:delta": p["delta"], "dp:accountant": p["accountant"],
            "dp:privacy_unit": p["privacy_unit"], "dp:noise_multiplier": p["noise_multiplier"],
            "dp:max_grad_norm": p["max_grad_norm"], "dp:steps": p["steps"], "dp:sample_rate": p["sample_rate"],
            "dp:sampling": p["sampling"] if p["dp"] else None, "dp:scope": p["scope"] if p["dp"] else None,
            "lora:r": (train_cfg.get("lora") or {}).get("r"), "lora:alpha": (train_cfg.get("lora") or {}).get("alpha"),
            "lora:target_modules": (train_cfg.get("lora") or {}).get("target_modules"),
            "learning_rate": train_cfg.get("learning_rate"), "licence_check": card["intended_use"]["decision"],
            "privacy_json_sha256": card["provenance"]["privacy_json_sha256"]}),
    }
    bom: dict[str, Any] = {
        "bomFormat": "CycloneDX", "specVersion": spec_version, "version": 1,
        "metadata": {"tools": {"components": _tools()}, "component": {"type": "machine-learning-model",
                                                                       "bom-ref": "run", "name": "privtune training run"}},
        "components": [adapter, _dataset_component(card["data"])],
        "dependencies": [{"ref": "run", "dependsOn": ["adapter"]},
                         {"ref": "adapter", "dependsOn": ["base-model", "dataset-train"]}],
    }
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not reproducible:
        bom["metadata"]["timestamp"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    elif epoch:
        bom["metadata"]["timestamp"] = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).isoformat()
    content = json.dumps(bom, sort_keys=True, separators=(",", ":")).encode()
    serial = uuid.uuid5(_NS, hashlib.sha256(content).hexdigest()) if reproducible else uuid.uuid4()
    return {"$schema": f"http://cyclonedx.org/schema/bom-{spec_version}.schema.json", **bom,
            "serialNumber": f"urn:uuid:{serial}"}


def dump_bom(bom: dict[str, Any]) -> str:
    """Stable text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(bom, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_bom(run_dir: str | Path, *, spec_version: str = "1.6", reproducible: bool = False,
              out: str | Path | None = None) -> Path:
    """Build and write RUN_DIR/bom.cdx.json (or ``out``); returns the path."""
    path = Path(out) if out else Path(run_dir) / BOM_NAME
    atomic_write_text(path, dump_bom(build_bom(run_dir, spec_version=spec_version, reproducible=reproducible)))
    return path
