"""Outputs of a training run: the PEFT adapter, privacy.json and train_report.json.

privacy.json is the contract the audit and serve stages read; train_report.json holds
aggregate curves only (no per-record data).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from privtune import __version__
from privtune.io.writers import atomic_write_json
from privtune.privacy.accountants import MechanismEvent, get_accountant
from privtune.provenance.portable import base_model_label, portable_config
from privtune.train.config import TrainConfig
from privtune.train.data import LoadedData
from privtune.train.setup import PrivacyPlan


# A fixed dp_seed makes the noise and the batches a function of the seed: privacy.json and the
# model card stated epsilon with no word of it, though the config holding the seed is often in git.
KNOWN_SEED_NOTE = ("The DP noise and Poisson batches were drawn from a fixed dp_seed (for reproducibility): "
                   "anyone who knows the seed can recompute the noise and remove it, so this epsilon does NOT "
                   "hold against them. Train a release without dp_seed (a secret random seed).")


def save_adapter(model: Any, adapter_dir: Path, base_label: str | None = None) -> None:
    """PEFT ``save_pretrained`` into a temp dir, then swap it in (no half-written adapter).

    ``base_label``: what adapter_config.json's ``base_model_name_or_path`` says instead of the
    local path PEFT writes there (the adapter travels; `portable.base_model_label`)."""
    adapter_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".adapter.", dir=adapter_dir.parent))
    model.save_pretrained(tmp)
    config = tmp / "adapter_config.json"
    if base_label is not None and config.is_file():
        data = json.loads(config.read_text(encoding="utf-8"))
        data["base_model_name_or_path"] = base_label
        config.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if adapter_dir.exists():
        shutil.rmtree(adapter_dir)
    tmp.rename(adapter_dir)


def outside_guarantee(cfg: TrainConfig, plan: PrivacyPlan, validation_overlaps: bool = False) -> list[str]:
    """What this run released that epsilon does not cover, in plain words (empty: nothing).
    ``validation_overlaps``: some validation records are also training records."""
    out = []
    if plan.dp and validation_overlaps:
        # The validation loss is post-processing of the DP adapter only on held-out records; on
        # training records it is an un-noised query of the private data, like the training loss.
        out.append("The validation-loss curve in train_report.json and the logs is computed partly from "
                   "validation records that are also training records, without noise; it is NOT covered by "
                   "this epsilon and can reveal whether those records were trained on. Do not share it, or "
                   "validate on held-out records only.")
    if plan.dp and cfg.log_train_loss:
        out.append("The training-loss curve in train_report.json and the logs (log_train_loss: true) is "
                   "computed from the private training records without noise; it is NOT covered by this "
                   "epsilon and can reveal whether a record was in the training set. Do not share it.")
    if plan.dp and cfg.dp_seed is not None:
        out.append(KNOWN_SEED_NOTE)
    return out



def write_outputs(
    cfg: TrainConfig,
    model: Any,
    paths: dict[str, Path],
    plan: PrivacyPlan,
    fingerprint: str,
    data: LoadedData,
    curves: dict[str, list],
    elapsed: float,
    steps_run: int,
    accounted_steps: int,
    resumed_from: list[int] | None = None,
    ledger_run: int | None = None,
    secure_noise: bool = False,
    validation_overlaps: bool = False,
    stopped_early: str | None = None,
) -> dict[str, Any]:
    """``accounted_steps``: the updates the adapter received, or the ledger's committed count if
    higher; epsilon is computed for exactly these, never for the config's step count.
    ``stopped_early``: why the run took fewer than its planned steps (a budget lowered mid-run)."""
    base_label = base_model_label(cfg.model, cfg.base_model_id)
    save_adapter(model, paths["adapter"], base_label)
    epsilon = None
    if plan.dp:
        assert plan.delta is not None
        epsilon = get_accountant(cfg.accountant).epsilon(
            [MechanismEvent(plan.noise_multiplier, plan.sample_rate, accounted_steps)], plan.delta)
    privacy = {
        "dp": plan.dp,
        "epsilon": epsilon,
        "delta": plan.delta,
        "noise_multiplier": plan.noise_multiplier if plan.dp else None,
        "sample_rate": plan.sample_rate,
        "steps": accounted_steps,
        "planned_steps": plan.steps,
        "resumed_from_steps": list(resumed_from or []),
        "stopped_early": stopped_early,
        "ledger_run": ledger_run,
        "delta_source": plan.delta_source if plan.dp else None,
        "noise_source": (("ChaCha20 CSPRNG, sum of 4 Gaussians (secure_noise)" if secure_noise
                          else "torch generator (secure_noise off)") if plan.dp else None),
        "warnings": list(plan.warnings),
        "outside_guarantee": outside_guarantee(cfg, plan, validation_overlaps),
        "accountant": cfg.accountant if plan.dp else None,
        "max_grad_norm": cfg.max_grad_norm if plan.dp else None,
        "privacy_unit": cfg.privacy_unit,
        "privacy_units": plan.n_units,
        "dataset_fingerprint": fingerprint,
        "base_model": base_label,  # a name, never a local path; its content hash is in provenance.json
        "privtune_version": __version__,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    atomic_write_json(paths["privacy"], privacy)
    report = {
        "steps": accounted_steps,
        "steps_this_process": steps_run,
        "examples": len(data.examples),
        "records": data.records,
        "rejected_records": data.rejected,
        "skipped_examples": data.skipped,
        "truncated_examples": data.truncated,
        "curves": curves,
        "seconds": round(elapsed, 2),
        "config": {k: v for k, v in portable_config(cfg, cfg.output_dir, cfg.base_model_id).items()
                   if k not in ("dp_seed",)},
    }
    atomic_write_json(paths["report"], report)
    return privacy
