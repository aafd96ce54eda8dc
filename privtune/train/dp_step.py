"""One DP-SGD step for LoRA: clip per privacy unit, sum over the logical batch, add noise once.

Usage (one logical batch = several physical micro-batches)::

    engine = DPStep(model, DPConfig(max_grad_norm=1.0, noise_multiplier=1.1,
                                    expected_batch_size=sampler.expected_batch_size))
    for batch in sampler:
        for mb in batch.micro_batches:
            logits = model(input_ids=ids[mb.indices], attention_mask=mask[mb.indices]).logits
            engine.backward(per_sample_causal_lm_loss(logits, labels[mb.indices]), units=mb.units)
        engine.step()          # writes .grad = (sum_u clip(g_u) + N(0, s^2 C^2)) / E[B]
        optimizer.step()

``dp=False`` runs the same calls with plain autograd and ``.grad`` = mean over the batch rows.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import asdict, dataclass
from typing import Any, Callable, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from privtune.errors import ConfigError, NonFiniteUpdate
from privtune.train.grad_sample import LoraGradSampler, NormMode
from privtune.train.secure_noise import SecureGaussian

# Opacus uses the same constant; it keeps the factor finite for zero gradients.
CLIP_EPS = 1e-6


def per_sample_causal_lm_loss(logits: Tensor, labels: Tensor, ignore_index: int = -100) -> Tensor:
    """Next-token loss of each row, averaged over that row's own unmasked targets, shape (B,).

    DP needs a row's loss to be independent of the other rows, so this is *not* the token-mean
    over the whole batch that Hugging Face computes. Rows with no target give 0.
    """
    # Shift the labels, not the logits: slicing (B, T, V) logits would copy them.
    targets = F.pad(labels[:, 1:], (0, 1), value=ignore_index)
    tok = F.cross_entropy(
        logits.float().flatten(0, 1), targets.flatten(), ignore_index=ignore_index, reduction="none"
    ).view(targets.shape)
    count = (targets != ignore_index).sum(dim=1).clamp(min=1)
    return tok.sum(dim=1) / count


def _check_finite(update: Tensor, step: int) -> None:
    """Stop before a NaN/inf update reaches ``.grad`` (one device-to-host sync per logical step).

    Raised after the ledger committed this step and before the optimizer runs: nothing beyond
    the committed steps is spent and the model keeps its last finite weights. A NaN/inf
    per-sample gradient lands here too (its clip factor is NaN). The message names the step
    only: which record or value went non-finite would be data.
    """
    if not bool(torch.isfinite(update).all()):
        raise NonFiniteUpdate(
            f"step {step}: the update has NaN/inf entries (a non-finite loss or per-sample gradient); it was not "
            "applied and the run stopped. Continue from the last checkpoint with --resume and a lower "
            "learning_rate (or dtype: fp32 instead of bf16/fp16)"
        )


@dataclass(frozen=True)
class DPConfig:
    """DP-SGD settings. ``expected_batch_size`` is q * (number of records or users)."""

    dp: bool = True
    max_grad_norm: float = 1.0
    noise_multiplier: float = 1.0
    expected_batch_size: float = 0.0
    privacy_unit: Literal["record", "user"] = "record"
    seed: int | None = None  # None draws a fresh secret seed; set it only for reproducible runs
    norm_mode: NormMode = "auto"
    # ChaCha20 CSPRNG + sum of Gaussians (`privtune.train.secure_noise`) instead of torch.randn.
    secure_noise: bool = False

    def validate(self) -> None:
        if self.privacy_unit not in ("record", "user"):
            raise ConfigError(f"privacy_unit must be 'record' or 'user', got {self.privacy_unit!r}")
        if not self.dp:
            return
        if not self.max_grad_norm > 0:
            raise ConfigError(f"max_grad_norm must be > 0, got {self.max_grad_norm}")
        if not self.noise_multiplier >= 0:
            raise ConfigError(f"noise_multiplier must be >= 0, got {self.noise_multiplier}")
        if not self.expected_batch_size > 0:
            raise ConfigError("expected_batch_size (sample_rate * units) must be > 0 when dp is on")


@dataclass(frozen=True)
class StepInfo:
    """What a step did. ``clipped_fraction`` and ``mean_norm`` are computed from the data
    without noise: fine for debugging, not for logs that leave the trust boundary."""

    n_rows: int
    n_units: int
    noise_std: float  # std of the noise in the final .grad, i.e. sigma*C/E[B]
    clipped_fraction: float
    mean_norm: float


class DPStep:
    """Accumulates clipped per-unit gradients over micro-batches and writes noisy ``.grad``."""

    def __init__(self, model: nn.Module, config: DPConfig) -> None:
        config.validate()
        self.config = config
        self.model = model
        self.params = [p for p in model.parameters() if p.requires_grad]
        if not self.params:
            raise ValueError("model has no trainable parameters (did you attach LoRA?)")
        self.grad_sampler: LoraGradSampler | None = None
        if config.dp:
            self.grad_sampler = LoraGradSampler(
                model, config.norm_mode, force_materialize=config.privacy_unit == "user"
            )
        device = self.params[0].device
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(config.seed if config.seed is not None else secrets.randbits(63))
        self.secure: SecureGaussian | None = None
        if config.secure_noise:
            self.secure = SecureGaussian.from_seed(config.seed) if config.seed is not None else SecureGaussian()
        self.steps = 0
        self._reset()

    # -- per micro-batch ---------------------------------------------------------------
    def _reset(self) -> None:
        self._acc: Tensor | None = None  # flat clipped sum (record mode)
        self._unit_parts: list[tuple[Tensor, Tensor]] = []  # user mode: (user ids, per-user sums)
        self._n_rows = 0
        self._n_units = 0
        # Debug statistics stay on the device until step(): no host sync per micro-batch.
        self._norm_sum: Tensor | float = 0.0
        self._n_clipped: Tensor | int = 0
        self._fresh = True

    def backward(self, per_sample_loss: Tensor, units: Tensor | None = None, *, loss_scale: float = 1.0) -> None:
        """Backpropagate one micro-batch. ``per_sample_loss`` has shape (B,) and row b's
        value must depend on row b only. ``units`` (B,) labels each row's privacy unit
        (user id) and is required in user mode; rows of one unit may span micro-batches.
        ``loss_scale`` (fp16): backpropagate ``s * loss`` and unscale before clipping; raises
        `GradientOverflow` with nothing accumulated when the scaled gradients are not finite."""
        if loss_scale != 1.0:
            self._backward_scaled(per_sample_loss, units, loss_scale)
            return
        if per_sample_loss.dim() != 1:
            raise ValueError(f"per_sample_loss must have shape (B,), got {tuple(per_sample_loss.shape)}")
        user_mode = self.config.privacy_unit == "user"
        if user_mode and units is None:
            raise ValueError("privacy_unit='user' needs units (a user id per row)")
        if self._fresh:
            for p in self.params:  # the logical step starts from a clean slate
                p.grad = None
            self._fresh = False
        bsz = per_sample_loss.shape[0]
        self._n_rows += bsz
        if bsz == 0:
            return
        if self.grad_sampler is None:  # non-private baseline: plain autograd sums into .grad
            per_sample_loss.sum().backward()
            return
        self.grad_sampler.clear()
        per_sample_loss.sum().backward()
        leaked = [p for p in self.params if p.grad is not None]
        if leaked:
            raise RuntimeError(
                f"{len(leaked)} trainable tensors received a plain autograd gradient, bypassing clipping; "
                "only LoRA A/B linears called as modules are supported. Their layers: "
                + self.grad_sampler.describe(leaked)
            )
        if self.grad_sampler.batch_size is None:
            raise RuntimeError("the backward pass never reached a LoRA layer")
        if self.grad_sampler.batch_size != bsz:
            # Every adapted layer saw token-flattened (B*T, d) rows: each "sample" would be a token,
            # and clipping would bound a token by C, a whole sequence only by T*C.
            rows = self.grad_sampler.batch_size
            self.grad_sampler.clear()
            raise ConfigError(
                f"the LoRA layers saw {rows} rows for a micro-batch of {bsz} sequences: they are fed token-"
                "flattened inputs, so per-sample clipping would bound each token, not each sequence, and "
                "epsilon would not hold; adapt other modules (lora.target_modules), e.g. the attention projections")
        if user_mode:
            assert units is not None
            uniq, local = torch.unique(units.reshape(-1).to(torch.int64).cpu(), return_inverse=True)
            self._unit_parts.append((uniq, self.grad_sampler.per_unit_grads(local, len(uniq))))
        else:
            self._add_clipped(self.grad_sampler.norm_sq(), self.grad_sampler.weighted_sum)
            self._n_units += bsz
        self.grad_sampler.clear()

    def _backward_scaled(self, per_sample_loss: Tensor, units: Tensor | None, scale: float) -> None:
        """:meth:`backward` of ``scale * loss`` with every kept quantity divided by ``scale``."""
        from privtune.train.loss_scale import GradientOverflow

        if self.grad_sampler is None:  # non-private: unscale this micro-batch's grads before summing
            kept = [None if self._fresh else p.grad for p in self.params]  # a fresh step starts from zero
            for p in self.params:
                p.grad = None
            self.backward(per_sample_loss * scale, units)
            fresh = [p.grad for p in self.params]
            bad = any(g is not None and not bool(torch.isfinite(g).all()) for g in fresh)
            for p, old, new in zip(self.params, kept, fresh):
                new = None if (bad or new is None) else new.div_(scale)
                p.grad = old if new is None else (new if old is None else old.add_(new))
            if bad:
                self._n_rows -= per_sample_loss.shape[0]
                raise GradientOverflow("non-finite gradient at loss scale %g" % scale)
            return
        sampler, n_rows = self.grad_sampler, self._n_rows
        real_norm_sq, real_weighted = sampler.norm_sq, sampler.weighted_sum
        real_per_unit = sampler.per_unit_grads

        def norm_sq() -> Tensor:
            out = real_norm_sq() / (scale * scale)
            if not bool(torch.isfinite(out).all()):
                raise GradientOverflow("non-finite per-sample norm at loss scale %g" % scale)
            return out

        def per_unit(units_: Tensor, n: int) -> Tensor:
            out = real_per_unit(units_, n).div_(scale)
            if not bool(torch.isfinite(out).all()):
                raise GradientOverflow("non-finite per-user gradient at loss scale %g" % scale)
            return out

        sampler.norm_sq = norm_sq  # type: ignore[method-assign]
        sampler.weighted_sum = lambda w: real_weighted(w / scale)  # type: ignore[method-assign]
        sampler.per_unit_grads = per_unit  # type: ignore[method-assign]
        try:
            self.backward(per_sample_loss * scale, units)
        except GradientOverflow:
            self._n_rows = n_rows  # nothing of this micro-batch was kept
            sampler.clear()
            raise
        finally:
            del sampler.norm_sq, sampler.weighted_sum, sampler.per_unit_grads

    def _add_clipped(self, norm_sq: Tensor, weighted_sum: Callable[[Tensor], Tensor]) -> None:
        """Clip factor min(1, C/(||g||+eps)) per unit, then add the weighted sum to the total."""
        norms = norm_sq.sqrt()
        self._norm_sum = self._norm_sum + norms.sum()
        self._n_clipped = self._n_clipped + (norms > self.config.max_grad_norm).sum()
        clipped = weighted_sum((self.config.max_grad_norm / (norms + CLIP_EPS)).clamp(max=1.0))
        self._acc = clipped if self._acc is None else self._acc.add_(clipped)

    def _finish_users(self) -> None:
        """Sum each user's parts across micro-batches, then clip per user."""
        if not self._unit_parts:
            return
        uniq, inverse = torch.unique(torch.cat([ids for ids, _ in self._unit_parts]), return_inverse=True)
        self._n_units = len(uniq)
        parts = torch.cat([g for _, g in self._unit_parts])
        per_user = torch.zeros((len(uniq), parts.shape[1]), dtype=torch.float32, device=parts.device)
        per_user.index_add_(0, inverse.to(parts.device), parts)
        self._unit_parts = []
        norm_sq = torch.linalg.vector_norm(per_user, dim=1).square()
        self._add_clipped(norm_sq, lambda f: f @ per_user)

    # -- per logical step --------------------------------------------------------------
    def step(self) -> StepInfo:
        """Finish the logical batch: write ``.grad`` of every trainable parameter.

        DP: ``(sum of clipped unit grads + N(0, (sigma*C)^2)) / expected_batch_size``, noise
        drawn once per step even when the batch is empty. Non-DP: mean over rows."""
        cfg = self.config
        if self._fresh:  # no backward this step (empty Poisson batch)
            for p in self.params:
                p.grad = None
        noise_std = 0.0
        if self.grad_sampler is not None:
            if cfg.privacy_unit == "user":
                self._finish_users()
            total = self._acc
            if total is None:
                total = torch.zeros(self.grad_sampler.numel, dtype=torch.float32, device=self.params[0].device)
            std = cfg.noise_multiplier * cfg.max_grad_norm
            if std > 0:
                if self.secure is not None:
                    noise = self.secure.sample(self.grad_sampler.numel, device=total.device)
                else:
                    noise = torch.randn(self.grad_sampler.numel, generator=self.generator, dtype=torch.float32,
                                        device=self.generator.device)
                total = total.add_(noise.to(total.device), alpha=std)
            total = total.div_(cfg.expected_batch_size)
            _check_finite(total, self.steps + 1)
            # .grad are views into one flat buffer: a single cast, no per-parameter copies.
            flat = total.to(self.grad_sampler.dtype)
            for p, g in self.grad_sampler.unflatten(flat).items():
                p.grad = g if g.dtype == p.dtype else g.to(p.dtype)
            noise_std = std / cfg.expected_batch_size
        else:
            self._n_units = self._n_rows
            for p in self.params:
                if p.grad is None or self._n_rows == 0:
                    p.grad = torch.zeros_like(p)
                else:
                    p.grad.div_(self._n_rows)
            _check_finite(torch.stack(torch._foreach_norm([p.grad for p in self.params])), self.steps + 1)
        info = StepInfo(
            n_rows=self._n_rows,
            n_units=self._n_units,
            noise_std=noise_std,
            clipped_fraction=float(self._n_clipped) / self._n_units if self._n_units else 0.0,
            mean_norm=float(self._norm_sum) / self._n_units if self._n_units and cfg.dp else math.nan,
        )
        self.steps += 1
        self._reset()
        return info

    # -- resume ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Noise RNG state and step count; save between logical steps."""
        if not self._fresh:
            raise RuntimeError("state_dict() in the middle of a logical step; call step() first")
        state = {"steps": self.steps, "generator": self.generator.get_state(), "config": asdict(self.config)}
        if self.secure is not None:
            state["secure_noise"] = self.secure.state_dict()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore from :meth:`state_dict`; the DP settings must match (the seed may differ,
        since the restored RNG state supersedes it)."""
        saved = dict(state["config"])
        now = asdict(self.config)
        saved.pop("seed", None)
        saved.setdefault("secure_noise", False)  # checkpoints from before secure noise existed
        now.pop("seed", None)
        if saved != now:
            diff = sorted(k for k in now if saved.get(k) != now[k])
            raise ConfigError(f"checkpoint was written with different DP settings: {diff}")
        self.generator.set_state(state["generator"].cpu() if isinstance(state["generator"], Tensor)
                                 else torch.as_tensor(state["generator"], dtype=torch.uint8))
        self.steps = int(state["steps"])
        if self.secure is not None:
            self.secure.load_state_dict(state["secure_noise"])

    def close(self) -> None:
        """Restore the model's original forwards."""
        if self.grad_sampler is not None:
            self.grad_sampler.detach()
            self.grad_sampler = None
