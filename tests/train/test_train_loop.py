"""End-to-end `privtune train` on a tiny local model: outputs, ledger, resume, non-private baseline."""

import json

import pytest
import torch
from safetensors.torch import load_file

from privtune.demo.corpus import generate
from privtune.errors import BudgetExceeded, ConfigError
from privtune.privacy.ledger import Ledger
from privtune.train.config import TrainConfig
from privtune.train.loop import train

PRIVACY_KEYS = {"epsilon", "delta", "noise_multiplier", "sample_rate", "steps", "accountant", "max_grad_norm",
                "privacy_unit", "dataset_fingerprint", "dp"}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    recs = list(generate(72, seed=3))
    (d / "train.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs[:60]))
    (d / "val.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs[60:]))
    return d


def _cfg(tiny_llama_dir, data, out, **kw):
    base = dict(model=tiny_llama_dir, data=data / "train.jsonl", validation=data / "val.jsonl", output_dir=out,
                steps=4, batch_size=8, micro_batch_size=4, max_length=96, target_epsilon=8.0,
                ledger=str(out.parent / f"{out.name}.ledger.sqlite"), dp_seed=11, seed=0)
    base.update(kw)
    return TrainConfig(**base)


def test_dp_run_writes_peft_adapter_privacy_json_and_aggregate_report(tiny_llama_dir, data, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    cfg = _cfg(tiny_llama_dir, data, tmp_path / "run")
    privacy = train(cfg, log=lambda m: None)
    saved = json.loads((tmp_path / "run" / "privacy.json").read_text())
    assert PRIVACY_KEYS <= set(saved) and saved == privacy
    assert saved["dp"] is True and 0 < saved["epsilon"] <= 8.0 and saved["steps"] == 4
    assert saved["sample_rate"] == pytest.approx(8 / 60)
    # Plain PEFT loads the adapter.
    base = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    model = PeftModel.from_pretrained(base, tmp_path / "run" / "adapter")
    assert any("lora_B" in n for n, _ in model.named_parameters())
    weights = load_file(tmp_path / "run" / "adapter" / "adapter_model.safetensors")
    assert any(float(w.abs().sum()) > 0 for k, w in weights.items() if "lora_B" in k)
    # The report holds aggregate curves only: no record text.
    report_text = (tmp_path / "run" / "train_report.json").read_text()
    report = json.loads(report_text)
    assert report["curves"]["val_loss"] and report["curves"]["epsilon"][-1][0] == 4
    assert report["curves"]["val_loss"][0][0] == 0  # the base model's validation loss comes first
    first_user_turn = json.loads((data / "train.jsonl").read_text().splitlines()[0])["messages"][0]["content"]
    assert first_user_turn[:12] not in report_text
    # The ledger recorded exactly the steps taken.
    with Ledger.open(cfg.ledger) as ledger:
        (run,) = ledger.history(saved["dataset_fingerprint"])
        assert (run.status, run.committed_steps) == ("completed", 4)


def test_non_private_run_uses_same_path(tiny_llama_dir, data, tmp_path):
    privacy = train(_cfg(tiny_llama_dir, data, tmp_path / "run", dp=False), log=lambda m: None)
    assert privacy["dp"] is False and privacy["epsilon"] is None
    assert (tmp_path / "run" / "adapter" / "adapter_model.safetensors").exists()


def test_an_empty_first_poisson_batch_is_not_taken_for_a_broken_optimizer(tiny_llama_dir, data, tmp_path):
    # batch_size 1 of 60 records: the first batch is empty with probability (59/60)^60 = 36% (dp_seed 1
    # draws 0, 2, 0 records). Without DP nothing moves the weights then, and the no-op guard stopped
    # the run with LoraNotUpdatedError (a traceback; the ledger run left 'running').
    cfg = _cfg(tiny_llama_dir, data, tmp_path / "run", dp=False, batch_size=1, steps=3, dp_seed=1, validation=None)
    privacy = train(cfg, log=lambda m: None)
    assert privacy["steps"] == 3
    weights = load_file(tmp_path / "run" / "adapter" / "adapter_model.safetensors")
    assert any(float(w.abs().sum()) > 0 for k, w in weights.items() if "lora_B" in k)  # step 2 trained


def test_budget_refusal_happens_before_training(tiny_llama_dir, data, tmp_path):
    cfg = _cfg(tiny_llama_dir, data, tmp_path / "run", budget_epsilon=1.0)
    with pytest.raises(BudgetExceeded, match="budget"):
        train(cfg, log=lambda m: None)
    assert not (tmp_path / "run" / "adapter").exists()


def test_non_private_run_is_refused_on_a_budgeted_dataset(tiny_llama_dir, data, tmp_path):
    cfg = _cfg(tiny_llama_dir, data, tmp_path / "run", steps=1, budget_epsilon=50.0)
    privacy = train(cfg, log=lambda m: None)  # sets the budget with a DP run
    with pytest.raises(BudgetExceeded, match="non-private"):
        train(cfg.model_copy(update={"dp": False, "output_dir": tmp_path / "run2"}), log=lambda m: None)
    assert privacy["dp"] and not (tmp_path / "run2" / "adapter").exists()


class _Kill(Exception):
    pass


def test_kill_and_resume_matches_uninterrupted_run(tiny_llama_dir, data, tmp_path, monkeypatch):
    monkeypatch.setenv("PRIVTUNE_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
    kw = dict(steps=6, checkpoint={"every": 2})
    ref = train(_cfg(tiny_llama_dir, data, tmp_path / "ref", **kw), log=lambda m: None)

    def die_at_5(step, total):
        if step == 5:
            raise _Kill()

    cfg = _cfg(tiny_llama_dir, data, tmp_path / "crash", **kw)
    with pytest.raises(_Kill):
        train(cfg, progress=die_at_5, log=lambda m: None)
    with Ledger.open(cfg.ledger) as ledger:
        (run,) = ledger.history(ledger.datasets()[0].fingerprint)
        assert run.status == "running" and run.committed_steps == 5  # spend recorded before the crash
    resumed = train(cfg.model_copy(update={"resume": True}), log=lambda m: None)
    assert resumed["epsilon"] == pytest.approx(ref["epsilon"])
    a = load_file(tmp_path / "ref" / "adapter" / "adapter_model.safetensors")
    b = load_file(tmp_path / "crash" / "adapter" / "adapter_model.safetensors")
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=1e-5, atol=1e-6)
    with Ledger.open(cfg.ledger) as ledger:
        (run,) = ledger.history(ledger.datasets()[0].fingerprint)
        assert (run.status, run.committed_steps) == ("completed", 6)  # no double counting


def test_resume_without_checkpoint_is_a_clear_error(tiny_llama_dir, data, tmp_path, monkeypatch):
    monkeypatch.setenv("PRIVTUNE_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
    with pytest.raises(ConfigError, match="no checkpoint"):
        train(_cfg(tiny_llama_dir, data, tmp_path / "run", resume=True), log=lambda m: None)


def test_user_level_dp_counts_users_and_encrypted_adapter_loads(tiny_llama_dir, data, tmp_path, monkeypatch):
    from privtune.train.checkpoint import load_encrypted_adapter

    monkeypatch.setenv("PRIVTUNE_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
    privacy = train(_cfg(tiny_llama_dir, data, tmp_path / "run", privacy_unit="user", user_id_field="scenario",
                         batch_size=2, encrypt_adapter=True), log=lambda m: None)
    # Four scenarios are the users here: q = 2/4, and the accountant saw users, not records.
    assert privacy["privacy_unit"] == "user" and privacy["privacy_units"] == 4
    assert privacy["sample_rate"] == pytest.approx(0.5)
    adapter = tmp_path / "run" / "adapter"
    assert not (adapter / "adapter_model.safetensors").exists()
    weights = load_encrypted_adapter(adapter, b"0123456789abcdef0123456789abcdef")
    assert any("lora_B" in k for k in weights)


def test_bf16_base_trains_with_fp32_adapters(tiny_gpt2_dir, data, tmp_path):
    privacy = train(_cfg(tiny_gpt2_dir, data, tmp_path / "run", dtype="bf16", steps=2), log=lambda m: None)
    assert privacy["dp"] and privacy["steps"] == 2
    weights = load_file(tmp_path / "run" / "adapter" / "adapter_model.safetensors")
    assert all(torch.isfinite(w.float()).all() for w in weights.values())


def test_learning_rate_schedules():
    from privtune.train.loop import lr_factor

    assert [lr_factor(s, 10, 2, "constant") for s in (0, 1, 2, 9)] == [0.5, 1.0, 1.0, 1.0]
    cos = [lr_factor(s, 10, 2, "cosine") for s in range(10)]
    assert cos[:3] == [0.5, 1.0, 1.0] and all(a > b for a, b in zip(cos[2:], cos[3:])) and 0 < cos[-1] < 0.05
    lin = [lr_factor(s, 10, 0, "linear") for s in range(10)]
    assert lin[0] == 1.0 and lin[5] == pytest.approx(0.5) and lin[-1] == pytest.approx(0.1)


def test_too_few_examples_says_why_the_records_were_dropped(tiny_llama_dir, tmp_path):
    # Three records, two without an answer: the run stops for want of privacy units, and the
    # skip counts that explain it are printed first (they came after the plan, never shown).
    rows = [{"messages": [{"role": "user", "content": "Where is my parcel?"}]}] * 2 + [
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}]
    (tmp_path / "few.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    lines: list[str] = []
    cfg = _cfg(tiny_llama_dir, tmp_path, tmp_path / "run", validation=None).model_copy(
        update={"data": tmp_path / "few.jsonl"})
    with pytest.raises(Exception, match="need at least 2 privacy units to train, found 1"):
        train(cfg, log=lines.append)
    assert any("3 record(s) read -> 1 training example(s)" in m and "no_assistant_turn 2" in m for m in lines), lines
