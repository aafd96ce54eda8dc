"""Memory knobs: micro-batch probing (with an injected allocator failure), OOM messages that name
the settings to turn, attention-kernel selection."""

from __future__ import annotations

import pytest
import torch

from privtune.errors import ConfigError
from privtune.train.config import TrainConfig
from privtune.train.dp_step import DPConfig, DPStep
from privtune.train.memory import OutOfMemory, auto_micro_batch_size, largest_fitting, oom_guard, probe_step
from privtune.train.setup import check_attn_implementation, load_model_and_tokenizer

from lora_models import VOCAB, tiny_lora_model

torch.set_num_threads(1)


def allocator(limit: int, calls: list[int]):
    """A step that needs more memory than there is above ``limit`` rows, as torch reports it."""
    def fits(n: int) -> None:
        calls.append(n)
        if n > limit:
            raise torch.OutOfMemoryError(f"CUDA out of memory. Tried to allocate {n} GiB")
    return fits


@pytest.mark.parametrize("limit,upper", [(13, 64), (1, 64), (64, 64), (5, 5), (37, 1000)])
def test_largest_fitting_finds_the_limit_in_log_probes(limit: int, upper: int) -> None:
    calls: list[int] = []
    assert largest_fitting(allocator(limit, calls), upper) == min(limit, upper)
    assert len(calls) <= 2 * upper.bit_length() + 1
    assert max(n for n in calls if n <= limit) == min(limit, upper)


def test_nothing_fits_and_other_errors() -> None:
    with pytest.raises(OutOfMemory, match="gradient_checkpointing: true") as err:
        largest_fitting(allocator(0, []), 16)
    assert "quantization.bits: 4" in str(err.value)

    def broken(n: int) -> None:
        raise ValueError("shape mismatch")

    with pytest.raises(ValueError, match="shape mismatch"):  # only OOM means "too big"
        largest_fitting(broken, 16)
    # Older torch raised a RuntimeError with the allocator's text.
    assert largest_fitting(lambda n: (_ for _ in ()).throw(RuntimeError("CUDA out of memory")) if n > 3 else None,
                           8) == 3


def test_oom_guard_names_the_knobs_and_current_settings() -> None:
    with pytest.raises(OutOfMemory) as err:
        with oom_guard("a training step", {"micro_batch_size": 16, "max_length": 512}):
            raise torch.OutOfMemoryError("CUDA out of memory")
    msg = str(err.value)
    assert "micro_batch_size=16" in msg and "max_length=512" in msg and "set it to auto" in msg
    with pytest.raises(KeyError):
        with oom_guard("x", {}):
            raise KeyError("not memory")


def test_probe_step_runs_dp_work_and_leaves_nothing_behind() -> None:
    model = tiny_lora_model("llama")
    model.train()
    engine = DPStep(model, DPConfig(noise_multiplier=1.0, expected_batch_size=4.0, seed=0))
    try:
        probe_step(model, engine, 3, 16, VOCAB, torch.device("cpu"))
        assert all(p.grad is None for p in model.parameters())
        assert engine.grad_sampler is not None and engine.grad_sampler.batch_size is None
        assert engine._acc is None and engine._n_rows == 0  # the probe spent nothing of the step
        # CPU swaps instead of failing, so auto there is a fixed size capped by the logical batch.
        kw = dict(max_length=16, vocab=VOCAB, device=torch.device("cpu"))
        assert auto_micro_batch_size(model, engine, upper=3, **kw) == 3
        assert auto_micro_batch_size(model, engine, upper=100, **kw) == 8
    finally:
        engine.close()


def test_micro_batch_size_config_values(tmp_path) -> None:
    base = dict(model=tmp_path, data=tmp_path / "d.jsonl")
    assert TrainConfig(**base, micro_batch_size="auto").micro_batch_size == "auto"
    for bad in (0, "big"):
        with pytest.raises(ValueError):
            TrainConfig(**base, micro_batch_size=bad)


def test_attention_kernel_choice(tiny_llama_dir, tmp_path) -> None:
    with pytest.raises(ConfigError, match="flash-attn"):
        check_attn_implementation("flash_attention_2", torch.device("cpu"))
    for name in ("eager", "sdpa"):
        cfg = TrainConfig(model=tiny_llama_dir, data=tmp_path / "d.jsonl", attn_implementation=name)
        model, _ = load_model_and_tokenizer(cfg, torch.device("cpu"))
        assert model.config._attn_implementation == name


def test_train_with_auto_micro_batch_on_cpu(tiny_llama_dir, tmp_path) -> None:
    import json

    from privtune.demo.corpus import generate
    from privtune.train.loop import train

    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in generate(20, seed=4)))
    logs: list[str] = []
    cfg = TrainConfig(model=tiny_llama_dir, data=data, output_dir=tmp_path / "run", steps=1, batch_size=4,
                      micro_batch_size="auto", max_length=48, noise_multiplier=1.0, target_epsilon=None,
                      accountant="rdp", ledger=str(tmp_path / "l.sqlite"), dp_seed=0, attn_implementation="sdpa")
    assert train(cfg, log=logs.append)["steps"] == 1
    assert "micro_batch_size: auto -> 8" in logs
