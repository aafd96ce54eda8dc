"""A resumed run continues the mechanism it was planned with, or refuses to start.

The accountant's epsilon is a function of (sigma, q, steps, delta, accountant) and is only
meaningful for the clipping norm and privacy unit the noise was scaled to. A resume that
quietly took these from a new config could report the epsilon of a run that never happened
(e.g. 30 steps while the adapter already holds 60 updates). So the first process stores its
planned mechanism in the (encrypted, authenticated) checkpoint, the ledger holds the same
numbers for the run, and a resume:

- adopts every mechanism setting it was not explicitly given;
- refuses (`MechanismConflict`, one line naming the setting) any it was given with another value;
- refuses a checkpoint whose mechanism disagrees with its ledger run;
- refuses LoRA weights of other layers or shapes, or trained on another base model.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

from privtune.errors import ConfigError, MechanismConflict
from privtune.models.local import WEIGHT_GLOBS
from privtune.privacy.ledger import RunRecord
from privtune.train.config import TrainConfig
from privtune.train.setup import PrivacyPlan

# Config keys that fix the mechanism; what a checkpoint stores under "mechanism".
MECHANISM_KEYS = ("dp", "privacy_unit", "user_id_field", "max_grad_norm", "accountant", "delta",
                  "noise_multiplier", "target_epsilon", "batch_size", "steps", "epochs")
_EDGE = 1 << 20  # bytes read from each end of a weight file by `base_model_identity`


def mechanism_record(cfg: TrainConfig, plan: PrivacyPlan) -> dict[str, Any]:
    """The planned mechanism, in checkpoint-storable types: the plan plus the keys behind it."""
    return {
        "config": {k: getattr(cfg, k) for k in MECHANISM_KEYS},
        "plan": {"dp": plan.dp, "n_units": plan.n_units, "sample_rate": plan.sample_rate, "steps": plan.steps,
                 "noise_multiplier": plan.noise_multiplier, "delta": plan.delta},
    }


def mechanism_from_ledger(run: RunRecord) -> dict[str, Any]:
    """The same record rebuilt from a ledger run (checkpoints written before it was stored)."""
    keys = {k: run.config.get(k) for k in MECHANISM_KEYS if k in run.config}
    keys.update(dp=True, accountant=run.accountant, noise_multiplier=run.noise_multiplier, delta=run.delta,
                steps=run.planned_steps)
    return {"config": keys, "plan": {"dp": True, "sample_rate": run.sample_rate, "steps": run.planned_steps,
                                     "noise_multiplier": run.noise_multiplier, "delta": run.delta}}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    return a == b


def _conflict(key: str, planned: Any, asked: Any) -> MechanismConflict:
    return MechanismConflict(
        f"--resume: {key} conflicts: this run was planned with {key}={planned!r}, the config asks for {asked!r}; "
        f"a resume continues the planned mechanism (drop {key} from the config, or start a new run without --resume)"
    )


def adopt_mechanism(cfg: TrainConfig, stored: dict[str, Any]) -> TrainConfig:
    """``cfg`` with the run's planned mechanism; `MechanismConflict` if an explicit key disagrees."""
    saved, plan = stored["config"], stored["plan"]
    explicit = cfg.model_fields_set
    for key in ("dp", "privacy_unit", "user_id_field", "max_grad_norm", "accountant", "batch_size"):
        if key in explicit and key in saved and not _same(getattr(cfg, key), saved[key]):
            raise _conflict(key, saved[key], getattr(cfg, key))
    if "delta" in explicit and cfg.delta is not None and not _same(cfg.delta, plan["delta"]):
        raise _conflict("delta", plan["delta"], cfg.delta)
    if "steps" in explicit and cfg.steps is not None and cfg.steps != plan["steps"]:
        raise _conflict("steps", plan["steps"], cfg.steps)
    if "epochs" in explicit and "steps" not in explicit and "epochs" in saved and saved.get("steps") is None \
            and not _same(cfg.epochs, saved["epochs"]):
        raise _conflict("epochs", saved["epochs"], cfg.epochs)
    if plan["dp"]:
        if "noise_multiplier" in explicit and cfg.noise_multiplier is not None \
                and not _same(cfg.noise_multiplier, plan["noise_multiplier"]):
            raise _conflict("noise_multiplier", plan["noise_multiplier"], cfg.noise_multiplier)
        # A target the first run also had (even if its explicit sigma overrode it) is no conflict.
        if "target_epsilon" in explicit and "noise_multiplier" not in explicit and cfg.target_epsilon is not None \
                and not _same(cfg.target_epsilon, saved.get("target_epsilon")):
            calibrated = saved.get("noise_multiplier") is None and saved.get("target_epsilon") is not None
            planned = saved["target_epsilon"] if calibrated else f"noise_multiplier={plan['noise_multiplier']:g}"
            raise _conflict("target_epsilon", planned, cfg.target_epsilon)
    update = {k: saved[k] for k in ("dp", "privacy_unit", "user_id_field", "max_grad_norm", "accountant",
                                    "batch_size") if k in saved}
    # sigma and delta are pinned as numbers: no re-calibration that could land elsewhere.
    update.update(steps=plan["steps"], noise_multiplier=plan["noise_multiplier"] if plan["dp"] else None,
                  delta=plan["delta"])
    return cfg.model_copy(update=update)


def check_resumed_plan(plan: PrivacyPlan, stored: dict[str, Any], run: RunRecord | None, accountant: str) -> None:
    """The plan rebuilt for this process must be the stored one, and the stored one its ledger run's."""
    saved = stored["plan"]
    for key in ("dp", "n_units", "sample_rate", "steps", "noise_multiplier", "delta"):
        if key in saved and not _same(getattr(plan, key), saved[key]):
            raise _conflict(key, saved[key], getattr(plan, key))
    if run is None:
        return
    ledger = {"noise_multiplier": run.noise_multiplier, "sample_rate": run.sample_rate, "steps": run.planned_steps,
              "delta": run.delta, "accountant": run.accountant}
    mine = {"noise_multiplier": plan.noise_multiplier, "sample_rate": plan.sample_rate, "steps": plan.steps,
            "delta": plan.delta, "accountant": accountant}
    for key, value in ledger.items():
        if value is not None and not _same(mine[key], value):
            raise MechanismConflict(
                f"--resume: the checkpoint's {key}={mine[key]!r} differs from ledger run {run.id}'s {value!r}; "
                "refusing to continue a run whose accounting would not match its ledger record"
            )


def base_model_identity(model_dir: Path) -> str:
    """A cheap identity of a base model's weights (config.json, then each weight file's name, size and
    first and last MiB): what a checkpoint's LoRA weights were trained on. Hashing whole multi-GB
    weights at every start would cost minutes; a moved or copied model keeps its identity."""
    digest = hashlib.sha256()
    config = model_dir / "config.json"
    if config.is_file():
        digest.update(config.read_bytes())
    files = sorted({p for g in WEIGHT_GLOBS for p in model_dir.glob(g) if p.is_file()})
    for path in files:
        size = path.stat().st_size
        digest.update(f"\0{path.name}\0{size}\0".encode())
        with path.open("rb") as fh:
            digest.update(fh.read(_EDGE))
            if size > 2 * _EDGE:
                fh.seek(size - _EDGE)
                digest.update(fh.read(_EDGE))
    return "sha256:" + digest.hexdigest()


def check_base_model(saved: str | None, model_dir: Path) -> None:
    """A resume continues on the base model the checkpoint's LoRA weights were trained on (a checkpoint
    from before this was stored passes): on another one of the same shapes the weights loaded silently
    and the adapter ended up trained on two bases, its provenance naming only the second."""
    if saved is not None and saved != base_model_identity(model_dir):
        raise ConfigError(f"--resume: the checkpoint was written for another base model than {model_dir.name}; "
                          "pass the --model the run started with, or start a new run without --resume")


def load_lora_state(model: Any, saved: dict[str, Any]) -> None:
    """Load a checkpoint's LoRA weights, refusing (one line, no traceback) a model whose LoRA layers
    differ: another lora.r was a torch size-mismatch traceback, other target modules an optimizer
    traceback, or the mismatched weights were dropped in silence (``strict=False``)."""
    mine = {k: tuple(v.shape) for k, v in model.state_dict().items() if "lora_" in k}
    theirs = {k: tuple(v.shape) for k, v in saved.items()}
    if mine != theirs:
        differ = sorted(set(mine) ^ set(theirs)) or sorted(k for k in mine if mine[k] != theirs[k])
        key = differ[0]
        what = (f"{key} has shape {theirs[key]} there and {mine[key]} here" if key in mine and key in theirs
                else f"{key} is only {'here' if key in mine else 'in the checkpoint'}")
        raise ConfigError(f"--resume: the checkpoint's LoRA layers differ from this config's ({len(differ)} "
                          f"tensor(s); {what}): resume with the lora settings (r, target_modules, include_mlp) "
                          "and model the run started with, or start a new run without --resume")
    model.load_state_dict(saved, strict=False)
