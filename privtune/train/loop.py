"""`privtune train`: LoRA fine-tuning with DP-SGD, on one screen.

    plan  -> sigma from target epsilon, budget check in the ledger
    loop  -> Poisson batch -> micro-batches -> per-sample clipped grads -> ledger commit
             -> noise + optimizer step -> (eval, checkpoint)
    save  -> adapter/ (PEFT), privacy.json, train_report.json

Logs and progress hold step, aggregate losses and epsilon only: never text, ids or per-sample values.
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from privtune.errors import ConfigError
from privtune.keys import train_key_file
from privtune.privacy.accountants import get_accountant
from privtune.privacy.accountants.base import MechanismEvent
from privtune.privacy.errors import BudgetLowered
from privtune.train.checkpoint import CheckpointManager, capture_rng_state, encrypt_adapter, load_key, restore_rng_state
from privtune.train.checkpointing import enable_gradient_checkpointing
from privtune.train.config import TrainConfig
from privtune.train.data import Example, collate
from privtune.train.dp_step import DPConfig, DPStep, per_sample_causal_lm_loss
from privtune.train.finish import rebase_optimizer, training_state, write_as_one_unit
from privtune.train.lora import assert_lora_changed, attach_lora, lora_parameters, snapshot_lora
from privtune.train.loss_scale import LossScaler, backward_with_scaling
from privtune.train.memory import auto_micro_batch_size, oom_guard
from privtune.train.output_lock import output_dir_lock
from privtune.train.report import KNOWN_SEED_NOTE, write_outputs
from privtune.train.run_ledger import (abort_unstarted, budget_delta, close_stopped_run, committed_steps,
                                       open_ledger_run, resumed_run_record)
from privtune.train.resume import (adopt_mechanism, base_model_identity, check_base_model, check_resumed_plan,
                                   load_lora_state, mechanism_from_ledger, mechanism_record)
from privtune.train.sampler import PoissonSampler
from privtune.train.secure_delete import secure_unlink
from privtune.train.pii_check import unscanned_pii_warning
from privtune.train.setup import (describe_data, describe_plan, fit_max_length, load_data,
                                  load_model_and_tokenizer,
                                  output_paths, pick_device, plan_privacy, shared_records, user_index)


def default_key_file() -> Path:
    """Outside the output directory on purpose: a key stored beside its ciphertext protects nothing."""
    return train_key_file()


@torch.no_grad()
def lr_factor(step: int, total: int, warmup: int, schedule: str) -> float:
    """Multiplier of the base learning rate for the update after ``step`` updates (0-based)."""
    if step < warmup:
        return (step + 1) / warmup
    if schedule == "constant":
        return 1.0
    done = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * done)) if schedule == "cosine" else max(0.0, 1.0 - done)


@torch.no_grad()
def evaluate(model: Any, examples: list[Example], pad_id: int, device: torch.device, batch_size: int) -> float:
    """Token-weighted mean loss over ``examples`` (supervised tokens only)."""
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(examples), batch_size):
        b = {k: v.to(device) for k, v in collate(examples[i : i + batch_size], pad_id).items()}
        logits = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"]).logits
        n_tok = (b["labels"][:, 1:] != -100).sum(dim=1)
        total += float((per_sample_causal_lm_loss(logits, b["labels"]) * n_tok).sum())
        count += int(n_tok.sum())
    model.train()
    return total / max(count, 1)


def _memory_settings(cfg: TrainConfig) -> dict[str, Any]:
    return {"micro_batch_size": cfg.micro_batch_size, "max_length": cfg.max_length, "dtype": cfg.dtype,
            "gradient_checkpointing": cfg.gradient_checkpointing, "quantization.bits": cfg.quantization.bits}


def train(cfg: TrainConfig, progress: Any = None, log: Any = print, warn: Any = None) -> dict[str, Any]:
    """Run one training job; returns the privacy.json content. ``progress(step, total)``; ``log``
    gets progress lines, ``warn`` (default: ``log``) what the user must see even when quiet."""
    warn = warn or log
    if cfg.output_dir.exists() and not cfg.output_dir.is_dir():
        # Found only when the adapter was saved: after every step was spent in the ledger.
        raise ConfigError(f"output_dir {cfg.output_dir} is a file, not a directory; pass another --output-dir")
    with output_dir_lock(cfg.output_dir):
        return _train(cfg, progress, log, warn)


def _train(cfg: TrainConfig, progress: Any, log: Any, warn: Any) -> dict[str, Any]:
    """`train` while this process holds the output directory."""
    from privtune.provenance.train_hook import check_before_training, record_after_training

    licence = check_before_training(cfg)  # a use the base model's licence blocks stops here
    torch.manual_seed(cfg.seed); random.seed(cfg.seed); np.random.seed(cfg.seed)  # noqa: E702
    device = pick_device(cfg)
    paths = output_paths(cfg.output_dir)
    ckpts = None
    if cfg.checkpoint.every or cfg.resume:
        key = load_key(cfg.checkpoint.key_file or default_key_file()) if cfg.checkpoint.encrypt else None
        ckpts = CheckpointManager(paths["checkpoints"], key, cfg.checkpoint.keep_last, encrypt=cfg.checkpoint.encrypt)
    # Loaded now: a bad PRIVTUNE_KEY or key file failed only after every step was spent, with the
    # adapter left in plaintext on disk.
    adapter_key = load_key(cfg.checkpoint.key_file or default_key_file()) if cfg.encrypt_adapter else None
    resumed = ckpts.latest() if (ckpts and cfg.resume) else None
    if cfg.resume and resumed is None:
        raise ConfigError(f"--resume: no checkpoint in {paths['checkpoints']}")
    left = sorted(Path(paths["checkpoints"]).glob("ckpt-*")) if not cfg.resume else []
    if left:
        # A finished run deletes its checkpoints: these belong to an interrupted one. Starting over
        # here silently replaced them (its committed steps stay spent in the ledger all the same).
        raise ConfigError(f"{paths['checkpoints']} holds the checkpoint of an interrupted run ({left[-1].name}): "
                          "pass --resume to continue it, or another --output-dir to start a new run")
    state = resumed[1] if resumed else {}
    stored = state.get("mechanism")
    if stored is not None:  # the run's planned mechanism wins over the config (explicit conflicts refused)
        cfg = adopt_mechanism(cfg, stored)
    model, tok = load_model_and_tokenizer(cfg, device)
    if state:
        check_base_model(state.get("base_model"), cfg.model)
    base_identity = base_model_identity(cfg.model) if ckpts is not None else None
    cfg = fit_max_length(cfg, model, log)
    data, val, fingerprint = load_data(cfg, tok)
    if state and state["fingerprint"] != fingerprint:
        raise ConfigError("--resume: the checkpoint was written for different training data")
    resumed_run = resumed_run_record(cfg, fingerprint, state.get("ledger_run")) if state else None
    if stored is None and resumed_run is not None:  # a checkpoint from before mechanisms were stored in it
        stored = mechanism_from_ledger(resumed_run)
        adopted = adopt_mechanism(cfg, stored)
        if adopted.user_id_field != cfg.user_id_field:
            data, val, fingerprint = load_data(adopted, tok)
        cfg = adopted
    # Before the plan: when too few records are left to train on, the reasons they were dropped
    # (skipped by template, rejected lines) are what the user needs to see.
    summary, dropped = describe_data(data, cfg.max_length)
    (warn if dropped else log)(summary)
    users = user_index(data) if cfg.privacy_unit == "user" else None
    n_units = len(set(users)) if users else len(data.examples)
    fixed_delta = budget_delta(cfg, fingerprint)
    plan = plan_privacy(cfg.model_copy(update={"delta": fixed_delta}) if fixed_delta else cfg, n_units)
    if fixed_delta:
        plan = dataclasses.replace(plan, delta_source="dataset budget")
    if stored is None and (unscanned := unscanned_pii_warning(cfg.data, cfg.scan_report, data.texts_for_fingerprint)):
        warn(unscanned)
    val_overlaps = val is not None and shared_records(data, val) > 0
    if val_overlaps:  # no count: under DP the logs hold no data statistic
        warn("WARNING: validation records are also training records: the validation loss understates the "
             "loss on unseen data" + ("; under DP it is computed from those training records without noise, "
                                      "so it is NOT covered by epsilon (privacy.json says so)" if plan.dp else ""))
    log(describe_plan(plan, cfg.privacy_unit, cfg.accountant))
    for message in plan.warnings:
        warn(f"WARNING: {message}")
    if plan.dp and cfg.dp_seed is not None:
        warn(f"WARNING: {KNOWN_SEED_NOTE}")
    if stored is not None:
        check_resumed_plan(plan, stored, resumed_run, cfg.accountant)
    ledger, run_id, committed = open_ledger_run(cfg, plan, fingerprint, resumed_run, warn)
    try:  # until the first step: a failure here leaves no reservation behind (see abort_unstarted)
        model = attach_lora(model, r=cfg.lora.r, alpha=cfg.lora.alpha, dropout=cfg.lora.dropout,
                            target_modules=cfg.lora.target_modules, include_mlp=cfg.lora.include_mlp, device=device)
        if cfg.gradient_checkpointing:
            enable_gradient_checkpointing(model, cfg.gradient_checkpointing_mode)
        secure = cfg.secure_noise if cfg.secure_noise is not None else cfg.dp_seed is None
        if state and "secure_noise" not in cfg.model_fields_set:  # a resume keeps the run's noise source
            secure = bool(state["engine"]["config"].get("secure_noise", False))
        engine = DPStep(model, DPConfig(dp=plan.dp, max_grad_norm=cfg.max_grad_norm,
                                        noise_multiplier=plan.noise_multiplier if plan.dp else 0.0,
                                        expected_batch_size=plan.sample_rate * n_units,
                                        privacy_unit=cfg.privacy_unit, seed=cfg.dp_seed, secure_noise=secure and plan.dp))
        if cfg.micro_batch_size == "auto":
            cfg = cfg.model_copy(update={"micro_batch_size": auto_micro_batch_size(
                model, engine, max_length=cfg.max_length, vocab=len(tok), device=device,
                upper=max(1, math.ceil(plan.sample_rate * len(data.examples) * 2)))})
            log(f"micro_batch_size: auto -> {cfg.micro_batch_size}")
        sampler = PoissonSampler(len(data.examples), plan.sample_rate, cfg.micro_batch_size,
                                 seed=cfg.dp_seed, user_ids=users, num_steps=plan.steps)
        params = list(lora_parameters(model).values())
        opt = torch.optim.AdamW(params, lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, plan.steps, cfg.warmup_steps, cfg.lr_schedule))
        # Under DP the training loss is an un-noised function of the sampled records (membership is
        # readable from it), so it is neither computed nor released unless explicitly asked for.
        track_train_loss = not plan.dp or cfg.log_train_loss
        curves: dict[str, list] = {"val_loss": [], "epsilon": []}
        if track_train_loss:
            curves["train_loss"] = []
        if state:
            load_lora_state(model, state["lora"])
            opt.load_state_dict(state["optimizer"]); sched.load_state_dict(state["scheduler"])  # noqa: E702
            rebase_optimizer(opt, sched, cfg.learning_rate, cfg.weight_decay)
            sampler.load_state_dict(state["sampler"]); engine.load_state_dict(state["engine"])  # noqa: E702
            restore_rng_state(state["rng"])
            curves = state["curves"]
        resumed_from = [*state.get("resumed_from", []), sampler.step] if state else []

        eps_at = dict(get_accountant(cfg.accountant).epsilon_curve(
            [MechanismEvent(plan.noise_multiplier, plan.sample_rate, plan.steps)], plan.delta, 20)) if plan.dp else {}
        steps_per_epoch = max(1, round(1 / plan.sample_rate))
        eval_every = cfg.eval_every or steps_per_epoch
        pad = tok.pad_token_id
        if val and not state:  # step 0: the base model (LoRA B starts at zero), the reference for every later value
            curves["val_loss"].append([0, evaluate(model, val.examples, pad, device, cfg.micro_batch_size)])
        model.train()  # from_pretrained returns eval mode; LoRA dropout and checkpointing act in train mode only
        scaler = LossScaler() if cfg.dtype == "fp16" else None
        if scaler is not None and state.get("loss_scale"):  # checkpoints from before it was saved have none
            scaler.load_state_dict(state["loss_scale"])
        first_step, t0, window = sampler.step, time.perf_counter(), []
        stopped_early: str | None = None
        before: dict[str, torch.Tensor] | None = snapshot_lora(model)
    except BaseException:
        abort_unstarted(ledger, run_id, resumed_run)
        raise
    status = "failed"

    def state_now() -> dict[str, Any]:
        return training_state(model, opt, sched, sampler, engine, scaler, capture_rng_state(), {
            "curves": curves, "fingerprint": fingerprint, "ledger_run": run_id,
            "mechanism": mechanism_record(cfg, plan), "resumed_from": resumed_from, "base_model": base_identity})

    try:
        try:
            for batch in sampler:
                step = batch.step + 1  # 1-based count of logical steps taken
                for mb in batch.micro_batches:
                    b = {k: v.to(device) for k, v in collate([data.examples[i] for i in mb.indices], pad).items()}
                    with oom_guard("a training step", _memory_settings(cfg)):
                        loss = backward_with_scaling(engine, lambda: per_sample_causal_lm_loss(
                            model(input_ids=b["input_ids"], attention_mask=b["attention_mask"]).logits, b["labels"]),
                            mb.units.to(device), scaler)
                    if track_train_loss:
                        window.append(float(loss.detach().sum()) / max(1, len(mb)))
                if ledger is not None and step > committed:
                    try:
                        ledger.recheck_budget(run_id)  # `ledger set-budget` may have lowered it
                        ledger.commit_steps(run_id, 1)  # spend is recorded before the update is kept
                    except BudgetLowered as exc:
                        # `ledger set-budget` lowered the budget under this run: this batch's update
                        # is dropped unspent; the adapter keeps the steps the ledger holds.
                        if step == 1:
                            raise
                        stopped_early = f"stopped after step {step - 1} of {plan.steps}: {exc}"
                        warn(f"WARNING: {stopped_early}")
                        break
                engine.step()
                opt.step(); sched.step(); opt.zero_grad(set_to_none=True)  # noqa: E702
                if before is not None and (plan.dp or batch.n_rows):
                    # The first update that can move the weights: without DP an empty Poisson batch
                    # (likely when batch_size is small against N) leaves them unchanged by design.
                    assert_lora_changed(model, before)
                    before = None
                if step % eval_every == 0 or step == plan.steps:
                    line = f"step {step}/{plan.steps}"
                    if track_train_loss:
                        train_loss = float(np.mean(window)) if window else math.nan
                        curves["train_loss"].append([step, train_loss])
                        line += f"  train_loss {train_loss:.4f}"
                        window = []
                    val_loss = evaluate(model, val.examples, pad, device, cfg.micro_batch_size) if val else None
                    eps = min((e for s, e in eps_at.items() if s >= step), default=None)
                    curves["val_loss"].append([step, val_loss])
                    log(line + (f"  val_loss {val_loss:.4f}" if val_loss is not None else "")
                        + (f"  eps<= {eps:.3f}" if eps is not None else ""))
                if progress:
                    progress(step, plan.steps)
                if ckpts and cfg.checkpoint.every and step % cfg.checkpoint.every == 0 and step < plan.steps:
                    ckpts.save(step, state_now())
        finally:
            engine.close()
        taken = sampler.step - (1 if stopped_early else 0)  # the sampler had drawn the dropped batch
        if ckpts is not None and taken > first_step and not stopped_early:
            ckpts.save(sampler.step, state_now())  # the trained state outlives a failed save of the outputs
        elapsed = time.perf_counter() - t0
        curves["epsilon"] = [[s, e] for s, e in sorted(eps_at.items()) if s <= taken]
        # epsilon for every update the adapter holds, and never for fewer steps than the ledger committed
        accounted = max(taken, committed_steps(ledger, fingerprint, run_id))

        def write() -> dict[str, Any]:
            privacy = write_outputs(cfg, model, paths, plan, fingerprint, data, curves, elapsed,
                                    steps_run=taken - first_step, accounted_steps=accounted,
                                    stopped_early=stopped_early,
                                    resumed_from=resumed_from, ledger_run=run_id,
                                    secure_noise=engine.config.secure_noise, validation_overlaps=val_overlaps)
            if adapter_key is not None:
                encrypt_adapter(paths["adapter"], adapter_key)
            record_after_training(cfg, paths, licence, fingerprint, log=log)  # provenance.json, card, BOM
            return privacy

        privacy = write_as_one_unit(write, cfg.output_dir, paths, steps=accounted, resumable=ckpts is not None)
        status = "completed"
    finally:
        if status == "completed":
            ledger.finish_run(run_id, "completed")
            ledger.close()
        else:  # a non-finite update too: --resume from the last checkpoint with a lower learning_rate
            close_stopped_run(ledger, cfg, plan, fingerprint, run_id, ckpts, resumable=True, warn=warn)
    if ckpts:  # the run finished: its training state is no longer needed on disk
        for _, path in ckpts.checkpoints():
            secure_unlink(path, missing_ok=True)
    return privacy
