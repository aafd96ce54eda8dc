"""secure_noise: ChaCha20-backed Gaussian noise, summed Gaussians, checkpointable state."""

import json

import numpy as np
import pytest
import torch
from lora_models import tiny_lora_model
from safetensors.torch import load_file
from scipy import stats

from privtune.demo.corpus import generate
from privtune.train.config import TrainConfig
from privtune.train.dp_step import DPConfig, DPStep
from privtune.train.loop import train
from privtune.train.secure_noise import SecureGaussian

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def test_samples_are_standard_normal():
    x = SecureGaussian.from_seed(7).sample(200_000).double().numpy()
    n = len(x)
    assert abs(x.mean()) < 5 / np.sqrt(n) and abs(x.std() - 1) < 5 / np.sqrt(2 * n)
    assert stats.kstest(x, "norm").pvalue > 1e-3
    assert abs(stats.kurtosis(x)) < 0.05  # a sum of 4 normals is normal, not a flattened sum of uniforms


def test_stream_is_keyed_and_state_resumes_exactly():
    a, b = SecureGaussian.from_seed(1), SecureGaussian.from_seed(1)
    assert torch.equal(a.sample(1000), b.sample(1000))
    assert not torch.equal(a.sample(1000), SecureGaussian.from_seed(2).sample(1000))
    assert not torch.equal(SecureGaussian().sample(100), SecureGaussian().sample(100))  # fresh urandom keys
    state = a.state_dict()
    want = [a.sample(500) for _ in range(2)]
    c = SecureGaussian()
    c.load_state_dict(state)
    assert all(torch.equal(c.sample(500), w) for w in want)
    assert not torch.equal(a.sample(500), want[-1])  # every call draws a fresh part of the keystream


def test_dp_step_secure_noise_has_the_calibrated_std_and_checkpoints():
    model = tiny_lora_model("gpt2")
    sigma, clip, e = 1.3, 0.7, 3.5
    cfg = DPConfig(max_grad_norm=clip, noise_multiplier=sigma, expected_batch_size=e, secure_noise=True)
    engine = DPStep(model, cfg)
    engine.step()
    state = engine.state_dict()
    draws = []
    for _ in range(6):
        engine.step()
        draws.append(torch.cat([p.grad.flatten() for p in engine.params]).clone())
    engine.close()
    noise = torch.stack(draws).double()
    assert abs(float(noise.std()) / (sigma * clip / e) - 1) < 5 / np.sqrt(2 * noise.numel())
    again = DPStep(model, cfg)
    again.load_state_dict(state)
    again.step()
    assert torch.equal(torch.cat([p.grad.flatten() for p in again.params]).double(), noise[0])
    again.close()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    (d / "t.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in generate(30, seed=6)))
    return d


def _cfg(tiny_llama_dir, data, out, **kw):
    base = dict(model=tiny_llama_dir, data=data / "t.jsonl", output_dir=out, steps=4, batch_size=10,
                micro_batch_size=10, max_length=64, noise_multiplier=1.0, ledger=str(out.parent / f"{out.name}.sqlite"))
    return TrainConfig(**{**base, **kw})


def test_training_uses_secure_noise_by_default_and_resumes_it(tiny_llama_dir, data, tmp_path, monkeypatch):
    monkeypatch.setenv("PRIVTUNE_KEY", KEY)
    default = train(_cfg(tiny_llama_dir, data, tmp_path / "default", steps=1), log=lambda m: None)
    assert default["noise_source"].startswith("ChaCha20")
    seeded = dict(dp_seed=5, secure_noise=True, checkpoint={"every": 2})
    ref = train(_cfg(tiny_llama_dir, data, tmp_path / "ref", **seeded), log=lambda m: None)
    assert ref["noise_source"].startswith("ChaCha20")

    def die_at_3(step, total):
        if step == 3:
            raise KeyboardInterrupt

    cfg = _cfg(tiny_llama_dir, data, tmp_path / "crash", **seeded)
    with pytest.raises(KeyboardInterrupt):
        train(cfg, progress=die_at_3, log=lambda m: None)
    train(cfg.model_copy(update={"resume": True}), log=lambda m: None)
    a = load_file(tmp_path / "ref" / "adapter" / "adapter_model.safetensors")
    b = load_file(tmp_path / "crash" / "adapter" / "adapter_model.safetensors")
    assert all(torch.equal(a[k], b[k]) for k in a)  # the secure stream resumed where it stopped
