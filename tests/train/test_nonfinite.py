"""Ghost-norm round-off and non-finite updates (issue 10 item 7)."""

import json

import pytest
import torch
from torch import nn

from privtune.demo.corpus import generate
from privtune.errors import NonFiniteUpdate
from privtune.privacy.ledger import Ledger
from privtune.train.config import TrainConfig
from privtune.train.dp_step import DPConfig, DPStep
from privtune.train.grad_sample import LoraGradSampler
from privtune.train.loop import train


def _cancelling_rows(lin: nn.Linear, rows: int = 200) -> torch.Tensor:
    """Per-row loss whose gradient is two large, almost equal and opposite token terms."""
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(rows, 1, 64, generator=gen) * 30
    v = torch.randn(rows, 64, generator=gen) * 30
    y = lin(torch.cat([a, a], dim=1))  # the same activation at both positions
    return (y[:, 0] * v).sum(1) - (y[:, 1] * v * (1 + 1e-6)).sum(1)


def test_ghost_squared_norms_of_near_cancelling_rows_are_never_negative():
    torch.manual_seed(0)
    lin = nn.Linear(64, 64, bias=False)
    sampler = LoraGradSampler(nn.Sequential(lin), mode="ghost")
    _cancelling_rows(lin).sum().backward()
    norm_sq = sampler.norm_sq()
    assert bool(torch.isfinite(norm_sq).all()) and float(norm_sq.min()) >= 0.0  # ~88 of 200 went negative


def test_clipped_noisy_update_of_cancelling_rows_is_finite():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64, bias=False))
    engine = DPStep(model, DPConfig(max_grad_norm=1.0, noise_multiplier=1.0, expected_batch_size=200.0,
                                    norm_mode="ghost", seed=0))
    engine.backward(_cancelling_rows(model[0]))
    engine.step()
    assert bool(torch.isfinite(model[0].weight.grad).all())


def test_non_finite_update_stops_before_it_reaches_grad():
    model = nn.Sequential(nn.Linear(8, 4, bias=False))
    engine = DPStep(model, DPConfig(max_grad_norm=1.0, noise_multiplier=1.0, expected_batch_size=2.0, seed=0))
    x = torch.randn(2, 3, 8)
    x[0, 1, 2] = float("inf")
    engine.backward(model(x).pow(2).sum(dim=(1, 2)))
    with pytest.raises(NonFiniteUpdate, match="not applied"):
        engine.step()
    assert model[0].weight.grad is None


def test_training_run_with_a_diverging_update_stops_and_spends_only_what_was_committed(tiny_llama_dir, tmp_path):
    recs = list(generate(30, seed=4))
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs))
    cfg = TrainConfig(model=tiny_llama_dir, data=tmp_path / "d.jsonl", output_dir=tmp_path / "out", steps=6,
                      batch_size=10, micro_batch_size=10, max_length=64, noise_multiplier=1.0, dp_seed=2,
                      learning_rate=1e30, ledger=str(tmp_path / "l.sqlite"))  # weights overflow after step 1
    with pytest.raises(NonFiniteUpdate) as err:
        train(cfg, log=lambda m: None)
    step = int(str(err.value).split()[1].rstrip(":"))
    with Ledger.open(cfg.ledger) as ledger:
        (run,) = ledger.history(ledger.datasets()[0].fingerprint)
    assert run.status == "failed" and run.committed_steps == step < 6
    assert not (tmp_path / "out" / "adapter").exists() and not (tmp_path / "out" / "privacy.json").exists()


def test_a_nan_per_sample_gradient_stops_spent_and_resumable_with_a_lower_learning_rate(tiny_llama_dir, tmp_path,
                                                                                      monkeypatch):
    """One record's loss goes NaN at step 3: the run stops with a named error that gives the step and
    no data, step 3 stays spent, and the run stays resumable from its step-2 checkpoint. It was
    closed as failed ("a resume would hit it again"), though a lower learning_rate is the fix; and
    a resume ignored a new learning_rate anyway (the optimizer's saved one won)."""
    from safetensors.torch import load_file

    from privtune.train import loop
    from privtune.train.checkpoint import CheckpointManager, load_key

    monkeypatch.setenv("PRIVTUNE_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
    recs = list(generate(40, seed=4))
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs))
    at = {"step": 0}
    real_loss = loop.per_sample_causal_lm_loss

    def loss_with_one_nan_row_at_step_3(logits, labels):
        loss = real_loss(logits, labels)
        if at["step"] == 2:  # during step 3: row 0's gradient is NaN, the others are finite
            loss = loss * torch.where(torch.arange(len(loss)) == 0, float("nan"), 1.0)
        return loss

    def progress(step, total):
        at["step"] = step

    monkeypatch.setattr(loop, "per_sample_causal_lm_loss", loss_with_one_nan_row_at_step_3)
    out = tmp_path / "out"
    settings = dict(model=tiny_llama_dir, data=tmp_path / "d.jsonl", output_dir=out, steps=6, batch_size=10,
                    micro_batch_size=10, max_length=64, noise_multiplier=1.0, dp_seed=2, learning_rate=0.05,
                    checkpoint={"every": 2}, ledger=str(tmp_path / "l.sqlite"))
    notes: list[str] = []
    with pytest.raises(NonFiniteUpdate) as err:
        loop.train(TrainConfig(**settings), progress=progress, log=lambda m: None, warn=notes.append)
    message = str(err.value)
    assert message.startswith("step 3: ") and "--resume" in message and "learning_rate" in message
    texts = [m["content"] for r in recs for m in r["messages"]]
    assert not any(word in message for t in texts for word in t.split() if len(word) > 6)  # no data
    with Ledger.open(settings["ledger"]) as ledger:
        (run,) = ledger.history(ledger.datasets()[0].fingerprint)
    assert (run.status, run.committed_steps) == ("running", 3)  # step 3 spent; the run can go on
    assert "checkpoint of step 2" in notes[-1]
    step, state = CheckpointManager(out / "checkpoints", load_key(None)).latest()
    assert step == 2

    monkeypatch.setattr(loop, "per_sample_causal_lm_loss", real_loss)
    privacy = loop.train(TrainConfig(**{**settings, "learning_rate": 1e-5}, resume=True), log=lambda m: None)
    assert privacy["steps"] == 6
    with Ledger.open(settings["ledger"]) as ledger:
        (run,) = ledger.history(ledger.datasets()[0].fingerprint)
    assert (run.status, run.committed_steps) == ("completed", 6)  # step 3, redone, was not spent twice
    # Steps 3-6 ran at the new learning rate: the weights barely moved from the checkpoint's.
    adapter = load_file(out / "adapter" / "adapter_model.safetensors")
    saved = {k.replace(".default", ""): v for k, v in state["lora"].items()}
    assert adapter.keys() == saved.keys()
    assert max(float((adapter[k] - saved[k]).abs().max()) for k in adapter) < 5e-4  # 4 steps of ~1e-5 (0.05: ~0.2)
