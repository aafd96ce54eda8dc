"""The end of a training run, and what a checkpoint carries to a resume.

A save that failed after the last step (disk full, a permission, a key that cannot seal the
adapter) left the run 'completed' in the ledger with only an older checkpoint behind it:
``--resume`` refused it ("not running") and every spent step was lost. So now:

* with checkpoints on, the whole training state is checkpointed after the last step too;
* the outputs (adapter, privacy.json, train_report.json, provenance, card, BOM) are written as
  one unit: a failure removes what this attempt wrote, so no adapter is left without its
  privacy.json, nor a plaintext adapter that was to be sealed; a previous run's outputs in the
  same directory are set aside first and put back (they were deleted with the failed attempt's);
* the ledger run is completed only once they are all on disk; until then ``--resume`` loads the
  final checkpoint, takes no step, and writes the outputs again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import torch

from privtune.errors import ConfigError, PrivtuneError
from privtune.provenance.bom import BOM_NAME
from privtune.provenance.lineage import PROVENANCE_FILE
from privtune.train.secure_delete import secure_rmtree, secure_unlink

T = TypeVar("T")


class OutputsNotSaved(PrivtuneError):
    """Training finished (its steps are spent) but the outputs could not be written."""


def training_state(model: Any, opt: torch.optim.Optimizer, sched: Any, sampler: Any, engine: Any,
                   scaler: Any, rng: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Everything a resume needs to continue exactly where this process stands (between steps)."""
    return {"lora": {k: v.detach().cpu() for k, v in model.state_dict().items() if "lora_" in k},
            "optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "sampler": sampler.state_dict(),
            "engine": engine.state_dict(), "rng": rng,
            "loss_scale": scaler.state_dict() if scaler is not None else None, **extra}


def rebase_optimizer(opt: torch.optim.Optimizer, sched: Any, learning_rate: float, weight_decay: float) -> None:
    """After restoring a checkpoint: this config's learning rate and weight decay, not the saved ones.

    The optimizer's saved param groups and the scheduler's base rates silently overrode a resume's
    ``learning_rate``, the one fix for a run that diverged (NaN/inf update). Neither is part of the
    DP mechanism (both act on the already-noised gradient)."""
    sched.base_lrs = [learning_rate for _ in opt.param_groups]
    factors = [f(sched.last_epoch) for f in sched.lr_lambdas]
    for group, factor in zip(opt.param_groups, factors):
        group["initial_lr"] = learning_rate
        group["lr"] = learning_rate * factor
        group["weight_decay"] = weight_decay
    sched._last_lr = [g["lr"] for g in opt.param_groups]


def _outputs(out_dir: Path, paths: dict[str, Path]) -> list[Path]:
    return [paths["adapter"], paths["privacy"], paths["report"], out_dir / PROVENANCE_FILE, out_dir / BOM_NAME]


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        secure_rmtree(path)  # the adapter may be the plaintext of one that was to be sealed
    else:
        secure_unlink(path, missing_ok=True)


def _set_aside(out_dir: Path, outputs: list[Path]) -> Path | None:
    """Move a previous run's outputs (only entries of an output's own kind: the adapter a directory,
    the rest files; anything else is an obstacle the user must see) into a hidden folder of
    ``out_dir``; returns it, or None when there was nothing to move. A crash before the new
    outputs are complete leaves them there (``.previous-outputs-*``), never deleted."""
    found = [p for p in outputs if not p.is_symlink() and (p.is_dir() if p.name == "adapter" else p.is_file())]
    if not found:
        return None
    aside = Path(tempfile.mkdtemp(prefix=".previous-outputs-", dir=out_dir))
    try:
        for path in found:
            os.replace(path, aside / path.name)
    except OSError:
        _put_back(aside, out_dir)
        raise
    return aside


def _put_back(aside: Path, out_dir: Path) -> None:
    for path in aside.iterdir():
        os.replace(path, out_dir / path.name)
    aside.rmdir()


def write_as_one_unit(write: Callable[[], T], out_dir: Path, paths: dict[str, Path], *, steps: int,
                      resumable: bool) -> T:
    """Return ``write()``; on failure remove the outputs it created or replaced (what was there
    before and is untouched stays, e.g. the obstacle a user must fix), put a previous run's outputs
    back where they were, and raise `OutputsNotSaved` for an `OSError` or a refused output path
    (`ConfigError`), else the writer's own error (a `PrivtuneError`; a bug keeps its traceback)."""
    outputs = _outputs(out_dir, paths)
    try:
        aside = _set_aside(out_dir, outputs) if out_dir.is_dir() else None
    except OSError as exc:
        raise _not_saved(exc, steps, resumable, False) from None
    before = {p: _identity(p) for p in outputs}
    try:
        result = write()
    except BaseException as exc:
        written = [p for p, ident in before.items() if _identity(p) not in (None, ident)]
        for path in [*written, *out_dir.glob(".adapter.*")]:  # .adapter.*: save_adapter's temp dir
            with contextlib.suppress(OSError):
                _remove(path)
        restored = False
        if aside is not None:
            with contextlib.suppress(OSError):
                _put_back(aside, out_dir)
                restored = True
        if not isinstance(exc, (OSError, ConfigError)):
            raise
        raise _not_saved(exc, steps, resumable, restored) from None
    if aside is not None:  # the new outputs are complete: the previous run's go (the adapter may be plaintext)
        with contextlib.suppress(OSError):
            secure_rmtree(aside)
    return result


def _not_saved(exc: OSError | ConfigError, steps: int, resumable: bool, restored: bool) -> OutputsNotSaved:
    # A ConfigError here is an output path the atomic writer refused (a directory in its place).
    if isinstance(exc, ConfigError):
        cause = str(exc)
    else:
        cause = f"{type(exc).__name__}: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    again = ("fix the cause and run the same command with --resume: it writes them from the final checkpoint "
             "without taking a step" if resumable else
             "no checkpoint holds the trained state (checkpoint.every is 0), so it is lost")
    return OutputsNotSaved(
        f"training finished ({steps} steps, spent in the ledger) but writing its outputs failed "
        f"({cause}); what it had written was removed"
        + (" and the earlier run's outputs there were put back" if restored else "") + f"; {again}"
    )
