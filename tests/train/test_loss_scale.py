"""fp16 loss scaling: the scaled DP step writes the same gradients as the unscaled one; an overflow
keeps nothing of the micro-batch and is recomputed at a lower scale."""

from __future__ import annotations

import pytest
import torch

from privtune.train.dp_step import DPConfig, DPStep, per_sample_causal_lm_loss
from privtune.train.loss_scale import Fp16Unstable, GradientOverflow, LossScaler, backward_with_scaling

from lora_models import tiny_lora_model
from test_grad_sample import padded_batch

torch.set_num_threads(1)


def step_grads(unit: str, dp: bool, scale: float, mode: str = "auto") -> list[torch.Tensor]:
    model = tiny_lora_model("llama")
    model.eval()
    ids, mask, labels = padded_batch()
    engine = DPStep(model, DPConfig(dp=dp, max_grad_norm=0.05, noise_multiplier=0.5, expected_batch_size=5.0,
                                    privacy_unit=unit, seed=3, norm_mode=mode))
    units = torch.tensor([0, 1, 0, 2, 1])
    for p in engine.params:  # stale grads from before the step must not leak into it
        p.grad = torch.full_like(p, 7.0)
    try:
        for rows in (slice(0, 3), slice(3, 5)):  # two micro-batches accumulate
            loss = per_sample_causal_lm_loss(model(input_ids=ids[rows], attention_mask=mask[rows]).logits, labels[rows])
            engine.backward(loss, units=units[rows], loss_scale=scale)
        info = engine.step()
        assert info.n_rows == 5
        return [p.grad.clone() for p in engine.params]
    finally:
        engine.close()


@pytest.mark.parametrize("unit,dp,mode", [("record", True, "materialize"), ("record", True, "ghost"),
                                          ("user", True, "auto"), ("record", False, "auto")])
def test_scaled_step_equals_unscaled(unit: str, dp: bool, mode: str) -> None:
    want = step_grads(unit, dp, 1.0, mode)
    got = step_grads(unit, dp, 1024.0, mode)
    assert any(float(g.abs().max()) > 0 for g in want)
    for a, b in zip(got, want):
        assert torch.allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dp", [True, False])
def test_overflow_keeps_nothing_then_recompute_matches(dp: bool) -> None:
    model = tiny_lora_model("llama")
    model.eval()
    ids, mask, labels = padded_batch()
    engine = DPStep(model, DPConfig(dp=dp, max_grad_norm=0.05, noise_multiplier=0.0, expected_batch_size=5.0, seed=0))
    forwards = []

    def compute():
        forwards.append(1)
        return per_sample_causal_lm_loss(model(input_ids=ids, attention_mask=mask).logits, labels)

    try:
        with pytest.raises(GradientOverflow):
            engine.backward(compute(), loss_scale=1e39)  # beyond fp32 range (3.4e38)
        assert engine._n_rows == 0 and engine._acc is None
        scaler = LossScaler(scale=2.0**130, growth_interval=1)  # overflows at first, then backs off
        backward_with_scaling(engine, compute, None, scaler)
        assert len(forwards) > 2 and scaler.scale < 2.0**130
        engine.step()
        got = [p.grad.clone() for p in engine.params]
        backward_with_scaling(engine, compute, None, None)
        engine.step()
        for a, p in zip(got, engine.params):
            assert torch.allclose(a, p.grad, rtol=1e-5, atol=1e-7)
    finally:
        engine.close()


def test_scaler_schedule_and_giving_up() -> None:
    s = LossScaler(scale=8.0, growth_interval=2, min_scale=1.0)
    s.succeeded(); s.succeeded()  # noqa: E702
    assert s.scale == 16.0
    s.backoff()
    assert s.scale == 8.0
    with pytest.raises(Fp16Unstable, match="dtype: bf16"):
        for _ in range(5):
            s.backoff()


def test_fp16_train_end_to_end(tiny_llama_dir, tmp_path) -> None:
    import json

    from safetensors.torch import load_file

    from privtune.demo.corpus import generate
    from privtune.train.config import TrainConfig
    from privtune.train.loop import train

    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in generate(20, seed=6)))
    cfg = TrainConfig(model=tiny_llama_dir, data=data, output_dir=tmp_path / "run", steps=2, batch_size=8,
                      micro_batch_size=4, max_length=48, noise_multiplier=1.0, target_epsilon=None, accountant="rdp",
                      ledger=str(tmp_path / "l.sqlite"), dp_seed=0, dtype="fp16")
    assert train(cfg, log=lambda m: None)["steps"] == 2
    weights = load_file(tmp_path / "run" / "adapter" / "adapter_model.safetensors")
    assert all(bool(torch.isfinite(w).all()) for w in weights.values())
    assert any(float(w.abs().sum()) > 0 for k, w in weights.items() if "lora_B" in k)


def test_resume_restores_the_loss_scale(tiny_llama_dir, tmp_path, monkeypatch) -> None:
    """The dynamic scale is part of the training state: a resume that restarted at 2**16 re-learned
    it through overflows (and restarted the growth clock), so the resumed run's scales differed
    from the uninterrupted run's at the same micro-batches."""
    import functools
    import json

    from privtune.demo.corpus import generate
    from privtune.train import loop
    from privtune.train.config import TrainConfig

    monkeypatch.setenv("PRIVTUNE_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
    # Growth after every clean micro-batch: the scale moves at each step, so a reset shows.
    monkeypatch.setattr(loop, "LossScaler", functools.partial(LossScaler, scale=2.0**4, growth_interval=1))
    seen: list[float] = []
    real = loop.backward_with_scaling

    def recording(engine, compute, units, scaler):
        seen.append(scaler.scale)
        return real(engine, compute, units, scaler)

    monkeypatch.setattr(loop, "backward_with_scaling", recording)
    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in generate(20, seed=6)))

    def cfg(out, **kw):
        return TrainConfig(model=tiny_llama_dir, data=data, output_dir=out, steps=6, batch_size=8,
                           micro_batch_size=8, max_length=48, noise_multiplier=1.0, target_epsilon=None,
                           accountant="rdp", ledger=str(tmp_path / f"{out.name}.sqlite"), dp_seed=0, dtype="fp16",
                           checkpoint={"every": 2}, **kw)

    loop.train(cfg(tmp_path / "ref"), log=lambda m: None)
    reference, seen[:] = list(seen), []

    def die_at_5(step, total):
        if step == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        loop.train(cfg(tmp_path / "run"), progress=die_at_5, log=lambda m: None)  # checkpoint at step 4
    before_crash, seen[:] = list(seen), []
    loop.train(cfg(tmp_path / "run", resume=True), log=lambda m: None)
    assert len(set(reference)) > 2  # the scale did move during the run
    assert before_crash == reference[:len(before_crash)]
    # The resumed run redoes step 5 onwards with the scale the checkpoint held at step 4.
    assert seen == reference[len(reference) - len(seen):]
