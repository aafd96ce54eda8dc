#!/usr/bin/env bash
# GPU benchmark in one short run (<= 8 min on one H100): DP-LoRA step time/peak memory at
# Qwen2.5-0.5B and 7B shapes (random init, bf16, T=512) vs non-private LoRA and Opacus, with and
# without gradient checkpointing, a 4-bit 7B base when bitsandbytes is importable, and audit
# scoring throughput. One JSON line per figure, to stdout and $OUT/gpu_bench.jsonl.
#
# The device image has torch, transformers, peft, accelerate but not opacus or bitsandbytes:
# carry them as wheels in the ignored .whl/ folder at the repo root (see benchmarks/RESULTS.md):
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#     --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64 -d .whl opacus==1.6.0 bitsandbytes==0.50.2
# and run it with carry [".whl"]:  bash benchmarks/gpu/run.sh   (extra args go to bench.py)
set -euo pipefail
cd "$(dirname "$0")/../.."
if compgen -G ".whl/*.whl" > /dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
    export PYTHONPATH="/tmp/site:${PYTHONPATH:-}"
fi
export PYTHONPATH="$PWD:${PYTHONPATH:-}" PYTHONUNBUFFERED=1
outdir="${OUT:-bench_out}"
mkdir -p "$outdir"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
# 470 s: leaves the 8-minute budget room for interpreter start-up and the wheel install.
timeout 470 python3 benchmarks/gpu/bench.py --out "$outdir/gpu_bench.jsonl" "$@" 2>&1 | tee "$outdir/gpu_bench.log"
