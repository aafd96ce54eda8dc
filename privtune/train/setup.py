"""Loading and planning for `privtune train`: model, data, privacy plan. No training here."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from privtune.errors import ConfigError, InputError
from privtune.io.sources import file_encoding
from privtune.models.dtypes import torch_dtype
from privtune.models.local import check_model_dir, load_causal_lm, load_tokenizer
from privtune.models.padding import ensure_pad_token
from privtune.models.window import context_window
from privtune.privacy.calibration import default_delta, noise_for_target_epsilon
from privtune.provenance.fingerprint import dataset_fingerprint
from privtune.train.config import TrainConfig
from privtune.train.data import LoadedData, load_examples


@dataclass
class PrivacyPlan:
    """What the run will spend: the accountant sees exactly (sigma, q, steps) at delta."""

    dp: bool
    n_units: int
    sample_rate: float
    steps: int
    noise_multiplier: float
    delta: float | None
    planned_epsilon: float | None
    delta_source: str = "config"  # "config", "default 1/N^1.1" or "dataset budget"
    warnings: tuple[str, ...] = ()


def pick_device(cfg: TrainConfig) -> torch.device:
    if cfg.device == "cuda" or (cfg.device == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise ConfigError("device: cuda was asked for but no CUDA device is visible")
        return torch.device("cuda")
    return torch.device("cpu")


def check_attn_implementation(name: str, device: torch.device) -> str:
    """The requested attention kernel, or a ConfigError saying why it cannot run here."""
    if name == "flash_attention_2":
        from transformers.utils import is_flash_attn_2_available

        if device.type != "cuda" or not is_flash_attn_2_available():
            raise ConfigError("attn_implementation: flash_attention_2 needs a CUDA GPU and the flash-attn package "
                              "(pip install flash-attn); use sdpa (PyTorch's fused attention) instead")
    return name


def load_model_and_tokenizer(cfg: TrainConfig, device: torch.device) -> tuple[Any, Any]:
    """A local model directory only: privtune never downloads weights."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    check_model_dir(cfg.model)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    dtype = torch_dtype(cfg.dtype, device.type)
    tok = load_tokenizer(cfg.model, trust_remote_code=cfg.trust_remote_code)
    ensure_pad_token(tok, cfg.model)
    from privtune.train.quantization import check_environment, load_kwargs

    check_environment(cfg.quantization, device)
    kwargs: dict[str, Any] = {"dtype": dtype, **load_kwargs(cfg.quantization, device)}
    if cfg.attn_implementation != "auto":
        kwargs["attn_implementation"] = check_attn_implementation(cfg.attn_implementation, device)
    model = load_causal_lm(cfg.model, trust_remote_code=cfg.trust_remote_code, **kwargs)
    return model, tok


def fit_max_length(cfg: TrainConfig, model: Any, log: Any = print) -> TrainConfig:
    """``max_length`` within the model's context window, checked before the ledger is touched.

    A longer limit crashed the first forward pass of a model with learned positions (GPT-2:
    ``IndexError: index out of range in self``) after the run was recorded. An explicit
    ``max_length`` beyond the window is refused; the default is lowered to the window."""
    window = context_window(model)
    if window is None or cfg.max_length <= window[0]:
        return cfg
    positions, key = window
    if "max_length" in cfg.model_fields_set:
        raise ConfigError(f"max_length {cfg.max_length} exceeds the model's context window ({positions} positions, "
                          f"{key} in its config.json); set --max-length {positions} or less")
    log(f"max_length: {cfg.max_length} (default) -> {positions}, the model's context window ({key})")
    return cfg.model_copy(update={"max_length": positions})


def load_data(cfg: TrainConfig, tokenizer: Any) -> tuple[LoadedData, LoadedData | None, str]:
    """Training and validation examples, plus the training set's fingerprint."""
    kw = dict(fields=cfg.fields, loss_on=cfg.loss_on, max_length=cfg.max_length, fmt=cfg.format)
    train = load_examples(cfg.data, tokenizer, user_id_field=cfg.user_id_field,
                          encoding=file_encoding(cfg.data, cfg.encoding), **kw)
    val = (load_examples(cfg.validation, tokenizer, encoding=file_encoding(cfg.validation, cfg.encoding),
                         purpose="validation", **kw)
           if cfg.validation else None)
    return train, val, dataset_fingerprint(train.texts_for_fingerprint)


def plan_privacy(cfg: TrainConfig, n_units: int) -> PrivacyPlan:
    """Sample rate from the expected batch size, steps from epochs, sigma from the target epsilon."""
    if n_units < 2:
        raise InputError(f"need at least 2 privacy units to train, found {n_units}", path=str(cfg.data))
    q = min(1.0, cfg.batch_size / n_units)
    steps = cfg.steps if cfg.steps is not None else max(1, math.ceil(cfg.epochs / q))
    if not cfg.dp:
        return PrivacyPlan(False, n_units, q, steps, 0.0, None, None)
    delta = cfg.delta if cfg.delta is not None else default_delta(n_units)
    check_delta_bound(delta, n_units, cfg.privacy_unit)
    from privtune.privacy.accountants import get_accountant
    from privtune.privacy.accountants.base import MechanismEvent

    if cfg.noise_multiplier is not None:
        sigma = cfg.noise_multiplier
    else:
        assert cfg.target_epsilon is not None
        sigma = noise_for_target_epsilon(cfg.target_epsilon, delta, q, steps, cfg.accountant)
    eps = get_accountant(cfg.accountant).epsilon([MechanismEvent(sigma, q, steps)], delta)
    source = "config" if cfg.delta is not None else "default 1/N^1.1"
    return PrivacyPlan(True, n_units, q, steps, sigma, delta, eps, source,
                       small_population_warnings(n_units, q, sigma, delta, eps, cfg.privacy_unit))


def check_delta_bound(delta: float, n_units: int, unit: str) -> None:
    """Refuse delta >= 1/N: "publish one random unit's data in the clear" already meets it."""
    if delta >= 1.0 / n_units:
        raise ConfigError(
            f"delta={delta:.3g} is not below 1/N = 1/{n_units} = {1 / n_units:.3g} (N = {unit}s in the data): "
            f"a mechanism that publishes one randomly chosen {unit}'s data in the clear is (0, 1/N)-DP, so "
            f"such a delta protects nothing; set delta well below 1/N (e.g. {1 / n_units ** 2:.1e}) or train "
            f"on more {unit}s"
        )


def small_population_warnings(n_units: int, q: float, sigma: float, delta: float, eps: float,
                              unit: str) -> tuple[str, ...]:
    """Plain-words warnings when N is too small for the claim to mean much (printed and in privacy.json)."""
    out = []
    ratio = sigma / (q * n_units)  # noise std on each averaged-gradient coordinate, in units of C
    if ratio > 1:
        out.append(
            f"only {n_units} {unit}s: reaching epsilon={eps:.3g} needs noise whose std on each averaged "
            f"gradient coordinate is {ratio:.3g}x the clipping norm (sigma={sigma:.3g}, expected batch "
            f"{q * n_units:.3g} {unit}s), so the updates are mostly noise; use more {unit}s or a larger epsilon"
        )
    if delta * n_units > 0.5:
        out.append(
            f"only {n_units} {unit}s: delta={delta:.3g} is close to 1/N={1 / n_units:.3g} "
            f"(delta*N={delta * n_units:.2f}); "
            f"the guarantee tolerates each {unit} being exposed outright with probability delta, which is "
            f"weak for so small a dataset; prefer delta <= {1 / (10 * n_units):.1e} or more {unit}s"
        )
    return tuple(out)


def user_index(train: LoadedData) -> list[str] | None:
    ids = [e.user_id for e in train.examples]
    if all(i is None for i in ids):
        return None
    if any(i is None for i in ids):
        raise InputError("some records have no user id; every record needs one for privacy_unit: user")
    return [str(i) for i in ids]


def output_paths(out: Path) -> dict[str, Path]:
    return {
        "adapter": out / "adapter",
        "privacy": out / "privacy.json",
        "report": out / "train_report.json",
        "checkpoints": out / "checkpoints",
    }


def shared_records(train: LoadedData, val: LoadedData) -> int:
    """Validation records whose canonical text is also a training record's."""
    seen = set(train.texts_for_fingerprint)
    return sum(t in seen for t in val.texts_for_fingerprint)


def describe_data(data: LoadedData, max_length: int) -> tuple[str, bool]:
    """One console line on what was read and dropped (counts, reasons, line numbers; never text).
    The flag says whether anything was dropped, so the caller can print it as a warning."""
    parts = [f"data: {data.records} record(s) read -> {len(data.examples)} training example(s)"]
    if data.rejected:
        lines = ", ".join(map(str, data.rejected_lines)) + (", ..." if data.rejected > len(data.rejected_lines) else "")
        parts.append(f"{data.rejected} unparseable line(s) rejected (line {lines})")
    if data.skipped:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(data.skipped.items()))
        parts.append(f"{sum(data.skipped.values())} record(s) skipped ({reasons})")
    if data.truncated:
        parts.append(f"{data.truncated} example(s) truncated to max_length {max_length}")
    if data.system_folded:
        parts.append(f"{data.system_folded} system turn(s) put at the start of the first user turn "
                     "(the chat template has no system role)")
    return "; ".join(parts), bool(data.rejected or data.skipped)


def describe_plan(plan: PrivacyPlan, unit: str, accountant: str) -> str:
    """One console line: the mechanism, and where delta came from."""
    if not plan.dp:
        return f"privacy: none (dp: false); {plan.steps} steps at sample rate {plan.sample_rate:.3g}"
    return (f"privacy: N={plan.n_units} {unit}s, sample rate {plan.sample_rate:.3g}, {plan.steps} steps, "
            f"sigma={plan.noise_multiplier:.4g}, delta={plan.delta:.3g} ({plan.delta_source}), "
            f"planned epsilon={plan.planned_epsilon:.4g} ({accountant})")
