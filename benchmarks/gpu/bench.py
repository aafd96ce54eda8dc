"""GPU benchmark of DP-LoRA at real sizes, in one short run (``benchmarks/gpu/run.sh``).

Random-init Qwen2.5-0.5B- and 7B-shaped models (configs written below: nothing is downloaded),
bf16, T = 512. For each model, with and without gradient checkpointing, one JSON line per figure:

* ``step``: mean step time and peak GPU memory of non-private LoRA, privtune DP (materialise and
  ghost), Opacus hooks and Opacus ghost clipping, each with the ratio to non-private LoRA
  measured in the same run; methods that fail (say Opacus under checkpointing) print
  ``{"skipped": reason}`` instead of a number;
* ``step`` with ``quant: nf4``: the 7B base in 4 bits (bitsandbytes, when importable), checkpointing on;
* ``audit``: scoring tokens/s of `privtune.audit.scoring.score_sequences` vs a plain batched forward.

``--smoke`` runs the same code on CPU with tiny shapes (the default tests call it) so the GPU run
does not meet its bugs first. Figures go to stdout and, with ``--out``, to a JSONL file.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from privtune.train.checkpointing import base_transformer, enable_gradient_checkpointing
from privtune.train.dp_step import DPConfig, DPStep, per_sample_causal_lm_loss
from privtune.train.lora import attach_lora

# Qwen2.5 shapes from the published config.json files (architecture fields only).
SHAPES: dict[str, dict[str, Any]] = {
    "qwen2.5-0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                         num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True, rope_theta=1e6,
                         max_position_embeddings=32768, rms_norm_eps=1e-6),
    "qwen2.5-7b": dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
                       num_key_value_heads=4, vocab_size=152064, tie_word_embeddings=False, rope_theta=1e6,
                       max_position_embeddings=32768, rms_norm_eps=1e-6),
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, vocab_size=512, tie_word_embeddings=True),
}
# Batch per model on an 80 GB card: forced ghost keeps every LoRA layer's (a, g) alive to the end
# of the backward (~1.5 GB per 7B layer at B=8, T=512), so the 7B runs at B=4.
BATCH = {"qwen2.5-0.5b": 8, "qwen2.5-7b": 4, "tiny": 3}
METHODS = ("lora", "dp_materialize", "dp_ghost", "opacus_hooks", "opacus_ghost")


def emit(record: dict[str, Any], out: Any) -> None:
    line = json.dumps(record, sort_keys=True)
    print(line, flush=True)
    if out is not None:
        out.write(line + "\n")
        out.flush()


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def peak_gib(device: torch.device) -> float | None:
    return round(torch.cuda.max_memory_allocated() / 2**30, 3) if device.type == "cuda" else None


def reset_peak(device: torch.device) -> None:
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def build_model(shape: str, device: torch.device, dtype: torch.dtype, r: int) -> nn.Module:
    from transformers import AutoModelForCausalLM, Qwen2Config

    config = Qwen2Config(**SHAPES[shape], use_cache=False)
    with torch.device(device):  # initialise on the device: seconds, not minutes, for 7B
        model = AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation="sdpa")
    return attach_lora(model, r=r, alpha=2 * r, include_mlp=True)


def quantize_base_4bit(model: nn.Module, compute_dtype: torch.dtype) -> int:
    """Swap every frozen base ``nn.Linear`` inside the decoder layers for a bitsandbytes NF4
    ``Linear4bit`` holding the same weights (what ``from_pretrained(quantization_config=...)``
    does at load time; random-init models are never saved, so we quantise in place)."""
    import bitsandbytes as bnb

    swapped = 0
    for name, module in list(model.named_modules()):
        base = getattr(module, "base_layer", None)
        if type(base) is not nn.Linear or ".layers." not in name:
            continue
        q = bnb.nn.Linear4bit(base.in_features, base.out_features, bias=base.bias is not None,
                              compute_dtype=compute_dtype, quant_type="nf4", device="meta")
        q.weight = bnb.nn.Params4bit(base.weight.data.to("cpu"), requires_grad=False, quant_type="nf4")
        if base.bias is not None:
            q.bias = nn.Parameter(base.bias.data, requires_grad=False)
        module.base_layer = q.to(base.weight.device)
        swapped += 1
    gc.collect()
    return swapped


def set_checkpointing(model: nn.Module, on: bool) -> None:
    if on:
        enable_gradient_checkpointing(model)
    else:
        base = base_transformer(model)
        if getattr(base, "is_gradient_checkpointing", False) or any(
                getattr(m, "gradient_checkpointing", False) for m in base.modules()):
            base.gradient_checkpointing_disable()


def make_step(method: str, model: nn.Module, batch: dict[str, torch.Tensor], clip: float
              ) -> tuple[Callable[[], None], Callable[[], None]]:
    """(one optimizer step, cleanup) for ``method`` on a fixed batch."""
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    ids, mask, labels = batch["input_ids"], batch["attention_mask"], batch["labels"]
    bsz = ids.shape[0]

    def losses(m: nn.Module) -> torch.Tensor:
        return per_sample_causal_lm_loss(m(input_ids=ids, attention_mask=mask).logits, labels)

    if method in ("lora", "dp_materialize", "dp_ghost"):
        mode = {"lora": "auto", "dp_materialize": "materialize", "dp_ghost": "ghost"}[method]
        engine = DPStep(model, DPConfig(dp=method != "lora", max_grad_norm=clip, noise_multiplier=1.0,
                                        expected_batch_size=float(bsz), seed=0, norm_mode=mode))

        def step() -> None:
            engine.backward(losses(model))
            engine.step()
            opt.step()
            opt.zero_grad(set_to_none=True)

        return step, engine.close

    def add_noise_and_step() -> None:
        g = torch.Generator(device=params[0].device).manual_seed(0)
        for p in params:
            noise = torch.randn(p.shape, generator=g, device=p.device, dtype=torch.float32) * clip
            p.grad = ((p.grad.float() if p.grad is not None else 0) + noise).div_(bsz).to(p.dtype)
        opt.step()
        opt.zero_grad(set_to_none=True)

    if method == "opacus_hooks":
        from opacus import GradSampleModule

        gsm = GradSampleModule(model, loss_reduction="sum", batch_first=True, strict=False)

        def step() -> None:
            losses(gsm).sum().backward()
            missing = sum(getattr(p, "grad_sample", None) is None for p in params)
            if missing:
                raise RuntimeError(f"Opacus hooks recorded no per-sample gradient for {missing} of {len(params)} "
                                   "LoRA tensors after the backward")
            norms = torch.sqrt(sum(p.grad_sample.float().flatten(1).square().sum(1) for p in params))
            coef = (clip / (norms + 1e-6)).clamp(max=1.0)
            for p in params:
                p.grad = torch.einsum("b,b...->...", coef.to(p.grad_sample.dtype), p.grad_sample)
                p.grad_sample = None
            add_noise_and_step()

        return step, gsm._close

    if method == "opacus_ghost":
        from opacus.grad_sample import GradSampleModuleFastGradientClipping

        gsm = GradSampleModuleFastGradientClipping(model, batch_first=True, loss_reduction="sum", strict=False,
                                                   max_grad_norm=clip, use_ghost_clipping=True)

        def step() -> None:
            per_sample = losses(gsm)
            per_sample.sum().backward(retain_graph=True)  # pass 1: per-sample norms only
            opt.zero_grad(set_to_none=True)
            coef = gsm.get_clipping_coef()
            gsm.disable_hooks()
            (coef.to(per_sample.device) * per_sample).sum().backward()  # pass 2: the clipped sum
            gsm.enable_hooks()
            add_noise_and_step()

        return step, gsm._close
    raise ValueError(method)


def time_steps(step: Callable[[], None], device: torch.device, warmup: int, steps: int) -> tuple[float, float | None]:
    for _ in range(warmup):
        step()
    sync(device)
    reset_peak(device)
    step()  # the peak of one steady-state step
    sync(device)
    peak = peak_gib(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    sync(device)
    return (time.perf_counter() - t0) / steps * 1000, peak


def synthetic_batch(bsz: int, seq: int, vocab: int, device: torch.device) -> dict[str, torch.Tensor]:
    """Random tokens; loss on the second half of each row (a prompt/answer split, as in chat data)."""
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, vocab, (bsz, seq), generator=g)
    labels = ids.clone()
    labels[:, : seq // 2] = -100
    return {"input_ids": ids.to(device), "attention_mask": torch.ones_like(ids).to(device), "labels": labels.to(device)}


def bench_steps(model: nn.Module, name: str, args: argparse.Namespace, device: torch.device, out: Any,
                methods: tuple[str, ...], ckpt_options: tuple[bool, ...], quant: str | None = None) -> None:
    bsz = args.batch or BATCH[name]
    batch = synthetic_batch(bsz, args.seq, SHAPES[name]["vocab_size"], device)
    model.train()
    for ckpt in ckpt_options:
        set_checkpointing(model, ckpt)
        base_ms = base_peak = None
        for method in methods:
            rec = {"figure": "step", "model": name, "method": method, "checkpointing": ckpt, "quant": quant,
                   "batch": bsz, "seq": args.seq, "dtype": args.dtype, "device": args.device_name}
            cleanup = None
            try:
                step, cleanup = make_step(method, model, batch, clip=1.0)
                ms, peak = time_steps(step, device, args.warmup, args.steps)
            except Exception as exc:  # noqa: BLE001 - a peer failing is a result, reported as such
                first_line = str(exc).splitlines()[0][:200] if str(exc) else ""
                rec["skipped"] = f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
                if args.verbose:
                    traceback.print_exc()
            else:
                rec.update(step_ms=round(ms, 2), peak_gib=peak, tokens_per_s=round(bsz * args.seq / ms * 1000))
                if method == "lora":
                    base_ms, base_peak = ms, peak
                if base_ms:
                    rec["time_vs_lora"] = round(ms / base_ms, 3)
                if base_peak and peak:
                    rec["mem_vs_lora"] = round(peak / base_peak, 3)
            finally:
                if cleanup is not None:
                    cleanup()
                for p in model.parameters():
                    p.grad = None
                    if hasattr(p, "grad_sample"):
                        p.grad_sample = None
            emit(rec, out)
    set_checkpointing(model, False)


def bench_audit(model: nn.Module, name: str, args: argparse.Namespace, device: torch.device, out: Any) -> None:
    """Scoring throughput: privtune's length-bucketed scorer vs one plain padded forward per batch."""
    from privtune.audit.scoring import TokenSeq, score_sequences

    model.eval()
    g = torch.Generator().manual_seed(1)
    vocab = SHAPES[name]["vocab_size"]
    lengths = torch.randint(args.seq // 4, args.seq + 1, (args.audit_records,), generator=g).tolist()
    items = [TokenSeq(torch.randint(0, vocab, (n,), generator=g).tolist(),
                      [-100] * (n // 2) + [1] * (n - n // 2)) for n in lengths]
    tokens = sum(lengths)
    with torch.no_grad():
        bsz = args.batch or BATCH[name]
        score_sequences(model, items[:bsz], pad_id=0, batch_size=bsz)  # warm-up
        sync(device)
        t0 = time.perf_counter()
        score_sequences(model, items, pad_id=0, batch_size=bsz, moments=True)
        sync(device)
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(0, len(items), bsz):  # the naive peer: arrival order, pad to the longest
            chunk = lengths[i:i + bsz]
            ids = torch.zeros((len(chunk), max(chunk)), dtype=torch.long)
            for row, n in enumerate(chunk):
                ids[row, :n] = torch.as_tensor(items[i + row].input_ids)
            mask = (torch.arange(ids.shape[1])[None] < torch.tensor(chunk)[:, None]).long()
            logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits
            torch.log_softmax(logits.float(), dim=-1)
            del logits
        sync(device)
        plain = time.perf_counter() - t0
    emit({"figure": "audit", "model": name, "records": len(items), "tokens": tokens, "device": args.device_name,
          "score_tokens_per_s": round(tokens / ours), "plain_forward_tokens_per_s": round(tokens / plain),
          "ratio_vs_plain": round(plain / ours, 3)}, out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="tiny shapes on CPU (the default tests run this)")
    ap.add_argument("--models", default="qwen2.5-0.5b,qwen2.5-7b")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--batch", type=int, default=0, help="rows per step (default: per model, see BATCH)")
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--audit-records", type=int, default=64)
    ap.add_argument("--no-quant", action="store_true", help="skip the 4-bit 7B figure")
    ap.add_argument("--out", default=None, help="also append the JSON lines to this file")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.smoke:
        args.models, args.seq, args.rank, args.steps, args.audit_records = "tiny", 32, 4, 1, 8
    device = torch.device("cuda" if torch.cuda.is_available() and not args.smoke else "cpu")
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    args.dtype = "bf16" if dtype == torch.bfloat16 else "fp32"
    args.device_name = torch.cuda.get_device_name() if device.type == "cuda" else "cpu"
    methods = tuple(m for m in args.methods.split(",") if m)
    out = open(args.out, "a", encoding="utf-8") if args.out else None
    try:
        emit({"figure": "env", "device": args.device_name, "torch": torch.__version__,
              "transformers": __import__("transformers").__version__, "smoke": args.smoke}, out)
        for name in args.models.split(","):
            t0 = time.perf_counter()
            model = build_model(name, device, dtype, args.rank)
            emit({"figure": "build", "model": name, "seconds": round(time.perf_counter() - t0, 1),
                  "params": sum(p.numel() for p in model.parameters()),
                  "lora_params": sum(p.numel() for p in model.parameters() if p.requires_grad)}, out)
            bench_steps(model, name, args, device, out, methods, (False, True))
            bench_audit(model, name, args, device, out)
            last = name == args.models.split(",")[-1]
            if last and not args.no_quant:
                bench_quantized(model, name, args, device, dtype, out)
            del model
            reset_peak(device)
    finally:
        if out is not None:
            out.close()
    return 0


def bench_quantized(model: nn.Module, name: str, args: argparse.Namespace, device: torch.device,
                    dtype: torch.dtype, out: Any) -> None:
    try:
        importlib.import_module("bitsandbytes")
    except ImportError:
        emit({"figure": "step", "model": name, "quant": "nf4", "skipped": "bitsandbytes not importable"}, out)
        return
    try:
        n = quantize_base_4bit(model, dtype)
        reset_peak(device)
        emit({"figure": "quantize", "model": name, "linears": n, "weights_gib": peak_gib(device)}, out)
    except Exception as exc:  # noqa: BLE001
        emit({"figure": "step", "model": name, "quant": "nf4", "skipped": f"{type(exc).__name__}: {exc}"[:200]}, out)
        return
    bench_steps(model, name, args, device, out, ("lora", "dp_materialize", "dp_ghost"), (True,), quant="nf4")


if __name__ == "__main__":
    sys.exit(main())
