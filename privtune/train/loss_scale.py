"""fp16 training: dynamic loss scaling that leaves DP-SGD's result unchanged.

fp16 has ~5 exponent bits: small activation gradients in the frozen fp16 base underflow to zero
unless the loss is scaled up before backward. The per-sample gradients are then scaled too, so
the DP engine divides norms by ``s`` and the clipped sum by ``s`` (``DPStep.backward(...,
loss_scale=s)``): clipping always sees true norms. When the scaled backward overflows (a
non-finite per-sample norm), the engine raises :class:`GradientOverflow` *before* anything is
accumulated; :func:`backward_with_scaling` halves the scale and recomputes that micro-batch.
Skipping it instead (what AMP's GradScaler does with a whole step) would drop other records'
contributions depending on one record's gradient, i.e. change the mechanism's sensitivity;
recomputing keeps every step's output the same function of the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import Tensor

from privtune.errors import PrivtuneError


class GradientOverflow(ArithmeticError):
    """The scaled backward produced inf/NaN; nothing of the micro-batch was kept."""


class Fp16Unstable(PrivtuneError):
    """Gradients stay non-finite even at a tiny loss scale."""


@dataclass
class LossScaler:
    """Dynamic scale: halve on overflow, double after ``growth_interval`` clean micro-batches."""

    scale: float = 2.0**16
    growth_interval: int = 200
    min_scale: float = 2.0**-4
    _clean: int = 0

    def backoff(self) -> None:
        self.scale /= 2.0
        self._clean = 0
        if self.scale < self.min_scale:
            raise Fp16Unstable(
                f"gradients overflow in fp16 even with loss scale {self.scale * 2:g}: train with dtype: bf16 "
                "(same memory, 8 exponent bits) or fp32, or lower learning_rate")

    def succeeded(self) -> None:
        self._clean += 1
        if self._clean >= self.growth_interval:
            self.scale *= 2.0
            self._clean = 0

    def state_dict(self) -> dict[str, float | int]:
        """Scale and clean-run count: a resume that restarted at 2**16 would overflow and back off
        again for every micro-batch until it re-learned the scale (and its growth clock would restart)."""
        return {"scale": self.scale, "clean": self._clean}

    def load_state_dict(self, state: dict[str, float | int]) -> None:
        self.scale, self._clean = float(state["scale"]), int(state["clean"])


def backward_with_scaling(engine: object, compute_loss: Callable[[], Tensor], units: Tensor | None,
                          scaler: LossScaler | None) -> Tensor:
    """Forward (``compute_loss``) and engine backward of one micro-batch, recomputed at a lower
    scale while it overflows. Returns the per-sample loss of the kept pass."""
    while True:
        loss = compute_loss()
        if scaler is None:
            engine.backward(loss, units=units)  # type: ignore[attr-defined]
            return loss
        try:
            engine.backward(loss, units=units, loss_scale=scaler.scale)  # type: ignore[attr-defined]
        except GradientOverflow:
            scaler.backoff()
            continue
        scaler.succeeded()
        return loss
