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
