"""`benchmarks/gpu/bench.py --smoke`: the GPU benchmark's own code, on CPU with tiny shapes, so the
one lent GPU run does not meet its bugs first. Figures here are not measurements."""

from __future__ import annotations

import json

import torch

from benchmarks.gpu import bench


def test_gpu_bench_smoke_runs_every_figure(tmp_path) -> None:
    torch.set_num_threads(1)
    out = tmp_path / "bench.jsonl"
    assert bench.main(["--smoke", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    steps = [r for r in rows if r["figure"] == "step"]
    assert {(r["method"], r["checkpointing"]) for r in steps} == {(m, c) for m in bench.METHODS for c in (False, True)}
    for r in steps:
        if r["method"] in ("lora", "dp_materialize", "dp_ghost"):  # ours must always run
            assert "skipped" not in r and r["step_ms"] > 0 and r["time_vs_lora"] > 0, r
        else:  # a peer either ran or says why not
            assert ("step_ms" in r) != ("skipped" in r), r
    audit = next(r for r in rows if r["figure"] == "audit")
    assert audit["score_tokens_per_s"] > 0 and audit["plain_forward_tokens_per_s"] > 0
    assert rows[0]["figure"] == "env" and rows[0]["smoke"] is True
    quant = [r for r in steps if r["quant"] == "nf4"]  # the 4-bit path, on bitsandbytes' CPU backend
    assert quant or any(r.get("skipped") == "bitsandbytes not importable" for r in rows)


def test_configs_are_the_published_shapes() -> None:
    from transformers import AutoModelForCausalLM, Qwen2Config

    with torch.device("meta"):  # parameter count without allocating 7B
        for name, billions in (("qwen2.5-0.5b", 0.494), ("qwen2.5-7b", 7.62)):
            model = AutoModelForCausalLM.from_config(Qwen2Config(**bench.SHAPES[name]))
            assert abs(sum(p.numel() for p in model.parameters()) / 1e9 - billions) < 0.01, name
