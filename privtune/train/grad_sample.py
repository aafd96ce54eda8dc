"""Per-sample gradients of the trainable (LoRA) linears, computed inside the backward pass.

PEFT's LoRA path is ``lora_B(lora_A(dropout(x))) * scaling`` for every layer type it wraps
(``nn.Linear`` and GPT-2's ``Conv1D`` alike), and ``lora_A``/``lora_B`` are plain ``nn.Linear``.
We replace the ``forward`` of each trainable ``nn.Linear`` with a custom autograd function
whose backward returns the input gradient as usual but, instead of the batch-summed weight
gradient, records per-sample information for the layer:

* materialise: ``G_b = g_b^T a_b`` (one batched matmul, the same FLOPs as the summed gradient
  autograd would have built and that we skip), written straight into a (B, P) matrix holding
  every covered parameter's per-sample gradient side by side;
* ghost: keep ``a`` and ``g`` and get ``||G_b||^2 = sum_{t,s} (a_t.a_s)(g_t.g_s)`` from two
  Gram matrices, then the clipped sum ``sum_b c_b G_b`` from one matmul (book-keeping).

The flat (B, P) layout makes clipping a handful of kernels whatever the number of layers: one
row-norm, one matrix-vector product. Capturing at ``lora_A``/``lora_B`` means dropout and
scaling need no special handling: ``lora_A``'s input already is ``dropout(x)`` and the output
gradient reaching ``lora_B`` already carries ``scaling``. Padding positions contribute nothing
as long as their loss is masked, because their output gradient ``g`` is then exactly zero.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

NormMode = Literal["auto", "materialize", "ghost"]


def prefers_ghost(seq_len: int, d_in: int, d_out: int) -> bool:
    """fastDP layer rule: ghost norms cost ~2T^2 per sample, materialising costs d_in*d_out."""
    return 2 * seq_len * seq_len < d_in * d_out


class _LayerRecord:
    """One captured linear: where its parameters live in the flat layout, what it saw."""

    __slots__ = ("name", "module", "w_off", "b_off", "calls", "ghost", "seen", "forward")

    def __init__(self, name: str, module: nn.Linear, w_off: int) -> None:
        self.name, self.module, self.w_off = name, module, w_off
        self.b_off = w_off + module.weight.numel()  # only meaningful with a bias
        self.calls = 0
        self.ghost: tuple[Tensor, Tensor] | None = None  # (a, g), each (B, T, d)
        self.seen = False  # the backward reached this layer's capture since the last clear()
        self.forward: object = None  # the capturing forward installed on the module


class _CapturedLinear(torch.autograd.Function):
    """``F.linear`` whose backward records per-sample data instead of the summed weight grad."""

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor | None, sampler: "LoraGradSampler",
                record: _LayerRecord) -> Tensor:
        ctx.save_for_backward(x, weight)
        ctx.sampler, ctx.record = sampler, record
        return F.linear(x, weight, bias)

    @staticmethod
    def backward(ctx, grad_out: Tensor):  # type: ignore[override]
        x, weight = ctx.saved_tensors
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_x = (grad_out @ weight.to(grad_out.dtype)).to(x.dtype)
        ctx.sampler._record(ctx.record, x, grad_out)
        # None for weight/bias: the per-sample data replaces the summed gradient, so no
        # non-private gradient ever reaches `.grad`.
        return grad_x, None, None, None, None


class LoraGradSampler:
    """Per-sample gradients / norms for every trainable ``nn.Linear`` of ``model``.

    All trainable parameters must belong to such linears (true for vanilla LoRA); anything
    else raises, because its gradient would escape clipping. Flat vectors returned by this
    class follow the order of :attr:`params`; :meth:`unflatten` maps them back. Use as a
    context manager or call :meth:`detach` to restore the original forwards.
    """

    def __init__(self, model: nn.Module, mode: NormMode = "auto", *, force_materialize: bool = False) -> None:
        if mode not in ("auto", "materialize", "ghost"):
            raise ValueError(f"unknown norm mode {mode!r}")
        self.mode: NormMode = mode
        # User-level DP sums several rows per unit; ghost norms are per row, so materialise.
        self.force_materialize = force_materialize
        self.records: list[_LayerRecord] = []
        self.params: list[nn.Parameter] = []
        for name, mod in model.named_modules():
            if type(mod) is nn.Linear and mod.weight.requires_grad:
                if mod.bias is not None and not mod.bias.requires_grad:
                    raise ValueError(f"{name}: trainable weight with frozen bias is not supported")
                self.records.append(_LayerRecord(name, mod, sum(p.numel() for p in self.params)))
                self.params.extend(mod.parameters())
        covered = {id(p) for p in self.params}
        uncovered = [n for n, p in model.named_parameters() if p.requires_grad and id(p) not in covered]
        if uncovered:
            raise ValueError(
                "per-sample gradients are only computed for trainable nn.Linear layers (LoRA A/B); "
                f"these trainable parameters would escape clipping: {uncovered[:5]}"
            )
        if not self.records:
            raise ValueError("model has no trainable nn.Linear layers (did you attach LoRA?)")
        if len({p.device for p in self.params}) > 1:
            raise ValueError("LoRA parameters on several devices are not supported")
        self.numel = sum(p.numel() for p in self.params)
        self.dtype = self.params[0].dtype
        for p in self.params:
            self.dtype = torch.promote_types(self.dtype, p.dtype)
        self._buf: Tensor | None = None  # (B, numel) per-sample grads of materialised layers
        # (B, T) of the last forward's token ids: lets an MoE shared expert, fed token-flattened
        # (B*T, d) rows in token order, be mapped back to samples. Checkpoint recomputation does
        # not re-enter the root forward, so the shape stays that of the batch being differentiated.
        self._tokens: tuple[int, int] | None = None
        self._shape_hook = model.register_forward_pre_hook(self._note_tokens, with_kwargs=True)
        for rec in self.records:
            rec.forward = rec.module.forward = self._make_forward(rec)  # instance attribute shadows the class method

    def _make_forward(self, rec: _LayerRecord):
        def forward(x: Tensor) -> Tensor:
            m = rec.module
            return _CapturedLinear.apply(x, m.weight, m.bias, self, rec)

        return forward

    def detach(self) -> None:
        """Restore the plain ``nn.Linear.forward`` on every captured layer."""
        self._shape_hook.remove()
        for rec in self.records:
            if "forward" in rec.module.__dict__:
                del rec.module.forward
        self.clear()

    def __enter__(self) -> "LoraGradSampler":
        return self

    def __exit__(self, *exc: object) -> None:
        self.detach()

    @property
    def batch_size(self) -> int | None:
        return None if self._buf is None else self._buf.shape[0]

    def clear(self) -> None:
        """Drop everything recorded; call between micro-batches."""
        for rec in self.records:
            rec.calls, rec.ghost, rec.seen = 0, None, False
        self._buf = None

    def describe(self, params: list[nn.Parameter]) -> str:
        """The captured layers ``params`` belong to, whether their capturing forward was still in place
        and whether the backward reached it: what a refused step needs to say (a whole-suite run once
        refused one, order-dependently, with nothing to go on)."""
        ids = {id(p) for p in params}
        out = [f"{rec.name} (capture {'in place' if rec.module.__dict__.get('forward') is rec.forward else 'GONE'}, "
               f"{'reached' if rec.seen else 'not reached'} in backward)"
               for rec in self.records if id(rec.module.weight) in ids
               or (rec.module.bias is not None and id(rec.module.bias) in ids)]
        return ", ".join(out[:8]) + (f" and {len(out) - 8} more" if len(out) > 8 else "")

    def unflatten(self, flat: Tensor) -> dict[nn.Parameter, Tensor]:
        """Views of a (..., numel) tensor, one per parameter, shaped (..., *p.shape)."""
        out, off = {}, 0
        for p in self.params:
            out[p] = flat[..., off:off + p.numel()].unflatten(-1, p.shape)
            off += p.numel()
        return out

    # -- backward-time recording -------------------------------------------------------
    def _region(self, off: int, shape: tuple[int, ...]) -> Tensor:
        assert self._buf is not None
        n = 1
        for s in shape:
            n *= s
        return self._buf[:, off:off + n].view(self._buf.shape[0], *shape)

    def _materialise(self, rec: _LayerRecord, a: Tensor, g: Tensor) -> None:
        w = rec.module.weight
        region = self._region(rec.w_off, tuple(w.shape))
        gt = g.transpose(1, 2)
        if rec.calls == 0 and a.dtype == region.dtype:
            torch.bmm(gt, a, out=region)  # strided batch output: no temporary, no copy
        else:
            # A second call of the same layer (weight sharing) adds to the first.
            region.add_(torch.bmm(gt, a).to(region.dtype))
        if rec.module.bias is not None:
            region_b = self._region(rec.b_off, (w.shape[0],))
            region_b.add_(g.sum(dim=1).to(region_b.dtype))
        rec.calls += 1

    def _note_tokens(self, module: nn.Module, args: tuple, kwargs: dict) -> None:
        ids = kwargs.get("input_ids", kwargs.get("inputs_embeds"))
        if ids is None and args and isinstance(args[0], Tensor):
            ids = args[0]
        self._tokens = (int(ids.shape[0]), int(ids.shape[1])) if isinstance(ids, Tensor) and ids.dim() >= 2 else None

    def _record(self, rec: _LayerRecord, x: Tensor, g: Tensor) -> None:
        rec.seen = True
        # Only layers known to see every token in order: routed experts get a permuted subset,
        # which no reshape could attribute (they then fail the batch-size check below).
        if x.dim() == 2 and ".shared_expert." in rec.name and self._tokens is not None and self._tokens[1] > 1 \
                and x.shape[0] == self._tokens[0] * self._tokens[1]:
            x = x.view(*self._tokens, x.shape[-1])  # token-flattened rows, row-major: b * T + t
            g = g.view(*self._tokens, g.shape[-1])
        bsz = x.shape[0]
        if self._buf is None:
            self._buf = torch.zeros((bsz, self.numel), dtype=self.dtype, device=x.device)
        elif self._buf.shape[0] != bsz:
            raise RuntimeError(
                f"{rec.name}: batch size {bsz} != {self._buf.shape[0]}; rows must be dim 0 (a layer fed "
                "token-flattened (B*T, d) rows, like a routed MoE expert, cannot be adapted under DP)")
        dtype = torch.promote_types(x.dtype, g.dtype)  # autocast may hand us mixed dtypes
        # Detached: ghost records outlive the backward pass and must not grow a graph.
        a = x.detach().reshape(bsz, -1, x.shape[-1]).to(dtype)
        gg = g.detach().reshape(bsz, -1, g.shape[-1]).to(dtype)
        ghost = self.mode == "ghost" or (
            self.mode == "auto" and prefers_ghost(a.shape[1], a.shape[2], gg.shape[2])
        )
        if rec.calls == 0 and rec.ghost is None and ghost and not self.force_materialize:
            rec.ghost = (a, gg)
            return
        # A second call of the same layer breaks the ghost factorisation (cross terms),
        # so fall back to materialising both contributions.
        self._materialise_ghost(rec)
        self._materialise(rec, a, gg)

    def _materialise_ghost(self, rec: _LayerRecord) -> None:
        if rec.ghost is not None:
            a, g = rec.ghost
            rec.ghost = None
            self._materialise(rec, a, g)

    def materialise_all(self) -> None:
        """Turn every ghost layer's record into per-sample gradients in the flat matrix."""
        for rec in self.records:
            self._materialise_ghost(rec)

    # -- after backward ----------------------------------------------------------------
    def _checked_buf(self) -> Tensor:
        if self._buf is None:
            raise RuntimeError("nothing recorded: run a backward pass through the model first")
        return self._buf

    def norm_sq(self) -> Tensor:
        """Per-sample squared gradient norm over all covered parameters, fp32, shape (B,)."""
        total = torch.linalg.vector_norm(self._checked_buf(), dim=1, dtype=torch.float32).square()
        for rec in self.records:
            if rec.ghost is None:
                continue
            a, g = (t.float() for t in rec.ghost)  # Gram sums run over T^2 terms: fp32
            gram_g = torch.bmm(g, g.transpose(1, 2))
            total = total + (torch.bmm(a, a.transpose(1, 2)) * gram_g).sum(dim=(1, 2))
            if rec.module.bias is not None:
                total = total + gram_g.sum(dim=(1, 2))
        # The Gram form sums T^2 products of both signs: for a near-zero gradient built from large
        # cancelling terms, fp32 rounding can make it negative, and sqrt(negative) = NaN would poison
        # the whole clipped sum. A squared norm is >= 0 (Opacus clamps the same way).
        return total.clamp_(min=0.0)

    def weighted_sum(self, weights: Tensor) -> Tensor:
        """``sum_b weights[b] * grad_b`` as a flat fp32 vector of length :attr:`numel` (the
        clipped sum when the weights are clip factors)."""
        buf = self._checked_buf()
        flat = weights.float() @ buf.float()
        for rec in self.records:
            if rec.ghost is None:
                continue
            a, g = rec.ghost
            gw = (g * weights.to(g.dtype)[:, None, None]).flatten(0, 1)
            w = rec.module.weight
            flat[rec.w_off:rec.w_off + w.numel()] = (gw.transpose(0, 1) @ a.flatten(0, 1)).flatten().float()
            if rec.module.bias is not None:
                flat[rec.b_off:rec.b_off + w.shape[0]] = gw.float().sum(dim=0)
        return flat

    def per_unit_grads(self, units: Tensor, n_units: int) -> Tensor:
        """Per-sample grads summed by unit: row u = sum of rows b with ``units[b] == u``;
        fp32, shape (n_units, numel). Materialises any ghost layer."""
        self.materialise_all()
        buf = self._checked_buf()
        out = torch.zeros((n_units, self.numel), dtype=torch.float32, device=buf.device)
        return out.index_add_(0, units.to(buf.device), buf.float())

    def per_sample_grads(self) -> dict[nn.Parameter, Tensor]:
        """Per-sample gradients by parameter, shape (B, *p.shape), fp32 (tests, debugging)."""
        self.materialise_all()
        return self.unflatten(self._checked_buf().float())
