"""One LoRA training step: non-private vs privtune DP-SGD vs Opacus (hooks, ghost clipping).

Same random-init model, same batch, same AdamW. Time: all modes live in one subprocess and
their steps are interleaved, order rotating, so load from other processes hits every mode
alike; ratios are medians of per-round paired ratios. Memory: each mode in its own subprocess
(peak memory and allocator state do not leak between modes). Prints one JSON line.

Memory: CUDA -> ``torch.cuda.max_memory_allocated`` during the steps minus the allocation after
setup (model, adapters, optimizer), plus the absolute peak. CPU -> growth of the process's peak
resident set (VmHWM, reset via /proc/self/clear_refs after setup) over the RSS after setup,
with glibc's mmap threshold pinned so freed tensors leave the RSS: it sees every allocation
torch makes, but is coarser than the CUDA figure.

    python benchmarks/train_step.py --device cpu --seq-len 128 --batch 16 --rank 8
    python benchmarks/train_step.py --device cuda --model qwen2-0.5b-shape --seq-len 512
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any, Callable

import torch
from torch import nn

MODES = ("nonprivate", "privtune_dp", "privtune_dp_secure", "opacus_hooks", "opacus_ghost")
MODEL_DESC = {
    "tiny-gpt2": "GPT-2 4 layers, d=128, 4 heads, vocab 8192, base dropout 0, fp32; LoRA on attn.c_attn+attn.c_proj",
    "qwen2-0.5b-shape": "Qwen2 24 layers, d=896, 14 heads / 2 kv, ffn 4864, vocab 151936, tied, bf16 on cuda; "
                        "LoRA on q,k,v,o",
}
SIGMA, CLIP = 1.0, 1.0


def build_model(name: str, device: str, seq_len: int) -> nn.Module:
    from transformers import AutoModelForCausalLM, GPT2Config, Qwen2Config

    torch.manual_seed(0)
    if name == "tiny-gpt2":
        # Base-model dropout off: the same in every mode, and on CPU attention dropout forces
        # the O(T^2)-memory math attention path, which would swamp everything at T=1024.
        cfg = GPT2Config(n_layer=4, n_embd=128, n_head=4, vocab_size=8192, n_positions=max(1024, seq_len),
                         resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0)
        dtype = torch.float32
    elif name == "qwen2-0.5b-shape":
        cfg = Qwen2Config(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                          num_attention_heads=14, num_key_value_heads=2, tie_word_embeddings=True,
                          max_position_embeddings=max(32768, seq_len))
        dtype = torch.bfloat16 if device == "cuda" else torch.float32
    else:
        raise SystemExit(f"unknown model {name}")
    with torch.device(device):  # initialise in place: no CPU detour for the 0.5B model
        return AutoModelForCausalLM.from_config(cfg, dtype=dtype)


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


class MemMeter:
    """Peak memory growth over the level at ``start()``, in MiB."""

    def __init__(self, device: str) -> None:
        self.device = device

    def start(self) -> None:
        gc.collect()
        if self.device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.base = torch.cuda.memory_allocated()
        else:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # resets VmHWM to the current RSS
            self.base = _status_kb("VmRSS") * 1024

    def peak(self) -> dict[str, float]:
        if self.device == "cuda":
            peak = torch.cuda.max_memory_allocated()
            return {"mem_mib": (peak - self.base) / 2**20, "abs_peak_mib": peak / 2**20}
        return {"mem_mib": (_status_kb("VmHWM") * 1024 - self.base) / 2**20}


def make_step(mode: str, model: nn.Module, ids: torch.Tensor, labels: torch.Tensor) -> Callable[[], None]:
    """Set up ``mode`` on ``model`` and return a closure running one full training step."""
    from privtune.train.dp_step import DPConfig, DPStep, per_sample_causal_lm_loss

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    bsz = ids.shape[0]
    if mode == "nonprivate":
        def step() -> None:
            per_sample_causal_lm_loss(model(input_ids=ids).logits, labels).mean().backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        return step
    if mode in ("privtune_dp", "privtune_dp_secure"):
        # privtune_dp_secure: secure_noise (ChaCha20 + sum of 4 Gaussians), the default without a dp_seed.
        secure = mode == "privtune_dp_secure"
        engine = DPStep(model, DPConfig(max_grad_norm=CLIP, noise_multiplier=SIGMA, expected_batch_size=bsz,
                                        seed=None if secure else 0, secure_noise=secure))

        def step() -> None:
            engine.backward(per_sample_causal_lm_loss(model(input_ids=ids).logits, labels))
            engine.step()
            opt.step()
            opt.zero_grad(set_to_none=True)
        return step

    from opacus import PrivacyEngine
    from torch.utils.data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(ids.cpu()), batch_size=bsz)  # only read for the batch size
    common = dict(optimizer=opt, data_loader=loader, noise_multiplier=SIGMA, max_grad_norm=CLIP,
                  poisson_sampling=False)
    if mode == "opacus_hooks":
        gsm, dp_opt, _ = PrivacyEngine().make_private(module=model, grad_sample_mode="hooks", **common)

        def step() -> None:
            per_sample_causal_lm_loss(gsm(input_ids=ids).logits, labels).mean().backward()
            dp_opt.step()
            dp_opt.zero_grad(set_to_none=True)
        return step
    if mode == "opacus_ghost":
        gsm, dp_opt, criterion, _ = PrivacyEngine().make_private(
            module=model, grad_sample_mode="ghost", criterion=nn.CrossEntropyLoss(ignore_index=-100), **common)
        # Same loss as ours: targets shifted by one, per-row mean over unmasked tokens.
        targets = torch.nn.functional.pad(labels[:, 1:], (0, 1), value=-100)

        def step() -> None:
            logits = gsm(input_ids=ids).logits.float()
            loss = criterion(logits.flatten(0, 1), targets.flatten(), shape=logits.shape[:2])
            loss.backward()  # two backward passes inside
            dp_opt.step()
            dp_opt.zero_grad(set_to_none=True)
        return step
    raise SystemExit(f"unknown mode {mode}")


def setup(args: argparse.Namespace, mode: str) -> Callable[[], None]:
    """Fresh model + adapters + optimizer for ``mode``; returns its step closure."""
    from privtune.train.lora import attach_lora

    device = args.device
    model = attach_lora(build_model(args.model, device, args.seq_len), r=args.rank, alpha=2 * args.rank,
                        device=device)
    model.train()
    g = torch.Generator().manual_seed(1)
    vocab = model.get_input_embeddings().num_embeddings
    ids = torch.randint(0, vocab, (args.batch, args.seq_len), generator=g).to(device)
    return make_step(mode, model, ids, ids.clone())


def timed(step: Callable[[], None], device: str) -> tuple[float, float]:
    """Wall and process-CPU seconds of one step. On a shared CPU box the CPU time is the
    steadier figure: it does not count time spent waiting for a core."""
    if device == "cuda":
        torch.cuda.synchronize()
    t0, c0 = time.perf_counter(), time.process_time()
    step()
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0, time.process_time() - c0


def worker_mem(args: argparse.Namespace, mode: str) -> dict[str, Any]:
    """Peak memory of ``mode`` alone in this process: setup, then warm-up + 2 steps."""
    step = setup(args, mode)
    meter = MemMeter(args.device)
    meter.start()
    for _ in range(args.warmup + 2):
        step()
    return meter.peak()


def worker_time(args: argparse.Namespace, modes: list[str]) -> dict[str, dict[str, list[float]]]:
    """All modes in one process, steps interleaved (order rotating each round) so that load
    from other processes hits every mode alike. Returns wall and CPU ms per step per mode."""
    steps = {m: setup(args, m) for m in modes}
    times: dict[str, dict[str, list[float]]] = {m: {"wall": [], "cpu": []} for m in modes}
    for i in range(args.warmup + args.steps):
        order = modes[i % len(modes):] + modes[:i % len(modes)]
        for m in order:
            wall, cpu = timed(steps[m], args.device)
            if i >= args.warmup:
                times[m]["wall"].append(1000 * wall)
                times[m]["cpu"].append(1000 * cpu)
    return times


def _run_worker(args: argparse.Namespace, flag: str, value: str) -> Any:
    cmd = [sys.executable, __file__, flag, value] + [
        f"--{k.replace('_', '-')}={v}" for k, v in vars(args).items() if v is not None and k not in _PRIVATE]
    env = dict(os.environ)
    if flag == "--worker-mem":
        # glibc's adaptive mmap threshold otherwise keeps freed tensor memory resident at random,
        # which made the CPU peak-RSS figure wobble by +-10 MiB between identical runs. Not for
        # the timing worker: mmap-per-tensor adds page-fault time.
        env.update(MALLOC_MMAP_THRESHOLD_="65536", MALLOC_TRIM_THRESHOLD_="0")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


_PRIVATE = ("worker_mem", "worker_time")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--seq-len", type=int, default=128)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--model", choices=["tiny-gpt2", "qwen2-0.5b-shape"], default="tiny-gpt2")
    ap.add_argument("--steps", type=int, default=10, help="timed steps per mode")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--worker-mem", help=argparse.SUPPRESS)
    ap.add_argument("--worker-time", help=argparse.SUPPRESS)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.worker_mem:
        print(json.dumps(worker_mem(args, args.worker_mem)))
        return
    if args.worker_time:
        print(json.dumps(worker_time(args, args.worker_time.split(","))))
        return

    modes = args.modes.split(",")
    mem = {m: _run_worker(args, "--worker-mem", m) for m in modes}
    times = _run_worker(args, "--worker-time", ",".join(modes))
    result: dict[str, Any] = {
        "bench": "train_step",
        "config": {k: v for k, v in vars(args).items() if k not in _PRIVATE},
        "model_desc": MODEL_DESC[args.model],
        "dp": {"noise_multiplier": SIGMA, "max_grad_norm": CLIP, "loss": "per-row mean token CE"},
        "torch": torch.__version__,
        "time": "median ms over interleaved steps in one process; ratios = median of paired ratios",
        "mem": "cuda max_memory_allocated growth over post-setup" if args.device == "cuda"
        else "peak RSS growth (VmHWM) over post-setup RSS, one process per mode",
    }
    if "error" in times:
        result["error"] = times["error"]
        times = {}
    for m in modes:
        entry: dict[str, Any] = dict(mem[m]) if "error" in mem[m] else {k: round(v, 1) for k, v in mem[m].items()}
        if m in times:
            entry["wall_ms"] = round(statistics.median(times[m]["wall"]), 2)
            entry["cpu_ms"] = round(statistics.median(times[m]["cpu"]), 2)
        result[m] = entry
    # CPU device: ratios of process CPU time (steadier on a shared box); CUDA: wall time.
    clock = "cpu" if args.device == "cpu" else "wall"
    result["ratio_clock"] = clock

    def paired(a: str, b: str) -> float:  # median over rounds of t_a / t_b, adjacent in time
        return round(statistics.median(x / y for x, y in zip(times[a][clock], times[b][clock])), 3)

    ratios: dict[str, float] = {}
    if "privtune_dp" in times:
        for peer in modes:
            if peer == "privtune_dp" or peer not in times:
                continue
            key = "dp_vs_nonprivate" if peer == "nonprivate" else f"{peer}_vs_dp"
            ratios[key + "_time"] = paired("privtune_dp", peer) if peer == "nonprivate" else paired(peer, "privtune_dp")
            if "mem_mib" in mem[peer] and "mem_mib" in mem["privtune_dp"]:
                ours, theirs = mem["privtune_dp"]["mem_mib"], mem[peer]["mem_mib"]
                ratios[key + "_mem"] = round(ours / theirs if peer == "nonprivate" else theirs / ours, 3)
    if "privtune_dp_secure" in times and "nonprivate" in times:
        ratios["dp_secure_vs_nonprivate_time"] = paired("privtune_dp_secure", "nonprivate")
    result["ratios"] = ratios
    print(json.dumps(result))


if __name__ == "__main__":
    main()
