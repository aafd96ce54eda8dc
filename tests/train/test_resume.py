"""A resume continues the planned mechanism: conflicting settings are refused, privacy.json
reports epsilon for every update the adapter holds (issue 10, item 1)."""

import json
import shutil
from pathlib import Path

import pytest

from privtune.demo.corpus import generate
from privtune.errors import MechanismConflict
from privtune.privacy.accountants import MechanismEvent, get_accountant
from privtune.privacy.ledger import Ledger
from privtune.train.config import TrainConfig
from privtune.train.loop import train

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    recs = list(generate(48, seed=5))
    (d / "train.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs[:40]))
    return d


class _Kill(Exception):
    pass


def _die_at(n):
    def progress(step, total):
        if step == n:
            raise _Kill()
    return progress


def _settings(tiny_llama_dir, data, out, **kw):
    base = dict(model=tiny_llama_dir, data=data / "train.jsonl", output_dir=out, steps=8, batch_size=8,
                micro_batch_size=8, max_length=64, noise_multiplier=1.0, checkpoint={"every": 2},
                ledger=str(out.parent / "ledger.sqlite"), dp_seed=3)
    base.update(kw)
    return base


def _crash(tiny_llama_dir, data, out):
    cfg = TrainConfig(**_settings(tiny_llama_dir, data, out))
    with pytest.raises(_Kill):
        train(cfg, progress=_die_at(5), log=lambda m: None)  # checkpoint at 4, 5 steps committed
    return cfg


def test_resume_with_other_steps_or_noise_is_refused_naming_the_setting(tiny_llama_dir, data, tmp_path, monkeypatch):
    monkeypatch.setenv("PRIVTUNE_KEY", KEY)
    out = tmp_path / "run"
    _crash(tiny_llama_dir, data, out)
    for change, name in (({"steps": 3}, "steps"), ({"noise_multiplier": 0.5}, "noise_multiplier"),
                         ({"max_grad_norm": 0.1}, "max_grad_norm"), ({"batch_size": 4}, "batch_size"),
                         ({"accountant": "rdp"}, "accountant")):
        cfg = TrainConfig(**_settings(tiny_llama_dir, data, out, resume=True, **change))
        with pytest.raises(MechanismConflict, match=f"{name} conflicts") as err:
            train(cfg, log=lambda m: None)
        assert "\n" not in str(err.value)
    assert not (out / "privacy.json").exists()


def test_resume_adopts_the_planned_mechanism_and_reports_every_update(tiny_llama_dir, data, tmp_path, monkeypatch):
    monkeypatch.setenv("PRIVTUNE_KEY", KEY)
    out = tmp_path / "run"
    cfg = _crash(tiny_llama_dir, data, out)
    # The resume names none of the mechanism settings: steps, sigma, clipping come from the checkpoint.
    minimal = {k: v for k, v in _settings(tiny_llama_dir, data, out).items()
               if k not in ("steps", "noise_multiplier", "batch_size")}
    privacy = train(TrainConfig(**minimal, resume=True), log=lambda m: None)
    expected = get_accountant("pld").epsilon([MechanismEvent(1.0, 8 / 40, 8)], privacy["delta"])
    assert privacy["steps"] == privacy["planned_steps"] == 8 and privacy["resumed_from_steps"] == [4]
    assert privacy["epsilon"] == pytest.approx(expected)
    report = json.loads((out / "train_report.json").read_text())
    assert report["steps_this_process"] == 4
    with Ledger.open(cfg.ledger) as ledger:
        (run,) = ledger.history(privacy["dataset_fingerprint"])
    assert run.status == "completed" and privacy["steps"] >= run.committed_steps == 8


def _stored(**config):
    from privtune.train.resume import MECHANISM_KEYS

    keys = {k: None for k in MECHANISM_KEYS} | dict(dp=True, privacy_unit="record", max_grad_norm=1.0,
                                                  accountant="pld", target_epsilon=8.0, batch_size=8, epochs=3.0)
    keys.update(config)
    return {"config": keys, "plan": {"dp": True, "n_units": 40, "sample_rate": 0.2, "steps": 200,
                                     "noise_multiplier": keys["noise_multiplier"] or 0.9, "delta": 0.01}}


def test_adopt_mechanism_fills_unnamed_settings_and_names_the_conflicting_one():
    from pathlib import Path

    from privtune.train.resume import adopt_mechanism

    cfg = TrainConfig(model=Path("m"), data=Path("d"), resume=True)
    adopted = adopt_mechanism(cfg, _stored(steps=200, noise_multiplier=1.0))
    assert (adopted.steps, adopted.noise_multiplier, adopted.delta, adopted.batch_size) == (200, 1.0, 0.01, 8)
    # The same target the first run had beside an explicit sigma is no conflict; another one is.
    same = TrainConfig(model=Path("m"), data=Path("d"), target_epsilon=8.0)
    assert adopt_mechanism(same, _stored(noise_multiplier=1.0)).noise_multiplier == 1.0
    other = TrainConfig(model=Path("m"), data=Path("d"), target_epsilon=4.0)
    with pytest.raises(MechanismConflict, match="target_epsilon conflicts.*noise_multiplier=1"):
        adopt_mechanism(other, _stored(noise_multiplier=1.0))
    for change in ({"privacy_unit": "user", "user_id_field": "u"}, {"delta": 1e-3}, {"epochs": 5.0}):
        with pytest.raises(MechanismConflict, match=f"{next(iter(change))} conflicts"):
            adopt_mechanism(TrainConfig(model=Path("m"), data=Path("d"), **change), _stored())


def test_checkpoint_without_stored_mechanism_falls_back_to_its_ledger_run(tiny_llama_dir, data, tmp_path, monkeypatch):
    from privtune.keys import load_key
    from privtune.train.checkpoint import CheckpointManager, load_checkpoint, save_checkpoint

    monkeypatch.setenv("PRIVTUNE_KEY", KEY)
    out = tmp_path / "run"
    _crash(tiny_llama_dir, data, out)
    key = load_key(tmp_path / "unused.key")  # PRIVTUNE_KEY wins over the file
    ((step, path),) = CheckpointManager(out / "checkpoints", key).checkpoints()
    payload = load_checkpoint(path, key)
    del payload["state"]["mechanism"]  # as written before the mechanism was stored
    save_checkpoint(path, payload, key)
    with pytest.raises(MechanismConflict, match="steps conflicts: this run was planned with steps=8"):
        train(TrainConfig(**_settings(tiny_llama_dir, data, out, resume=True, steps=3)), log=lambda m: None)


def test_a_new_run_over_an_interrupted_ones_checkpoint_is_refused(tiny_llama_dir, data, tmp_path, monkeypatch):
    # Without --resume the command started over in the same output dir and replaced the interrupted
    # run's checkpoint (its committed steps stay spent in the ledger all the same).
    from privtune.errors import ConfigError

    monkeypatch.setenv("PRIVTUNE_KEY", KEY)
    out = tmp_path / "run"
    cfg = _crash(tiny_llama_dir, data, out)
    before = sorted((out / "checkpoints").iterdir())
    with pytest.raises(ConfigError, match="interrupted run .*pass --resume"):
        train(cfg, log=lambda m: None)
    assert sorted((out / "checkpoints").iterdir()) == before


def test_resume_with_a_smaller_micro_batch_matches_the_uninterrupted_run(tiny_llama_dir, data, tmp_path, monkeypatch):
    # The out-of-memory message says "lower micro_batch_size"; the resume then refused with "sampler
    # state does not match this run: micro_batch_size differs", although micro-batches are summed
    # before the noise and never change what a step computes (nor does `auto` probing another size).
    import torch
    from safetensors.torch import load_file

    monkeypatch.setenv("PRIVTUNE_KEY", KEY)
    ref = train(TrainConfig(**_settings(tiny_llama_dir, data, tmp_path / "ref")), log=lambda m: None)
    out = tmp_path / "run"
    _crash(tiny_llama_dir, data, out)
    resumed = train(TrainConfig(**_settings(tiny_llama_dir, data, out, resume=True, micro_batch_size=3)),
                    log=lambda m: None)
    assert resumed["steps"] == 8 and resumed["epsilon"] == pytest.approx(ref["epsilon"])
    a = load_file(tmp_path / "ref" / "adapter" / "adapter_model.safetensors")
    b = load_file(out / "adapter" / "adapter_model.safetensors")
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=1e-4, atol=1e-5)


def test_a_save_that_fails_after_the_last_step_is_rewritten_by_resume_without_a_step(tiny_llama_dir, data, tmp_path,
                                                                                    monkeypatch):
    # The run was marked completed before its outputs were written: a failed save (disk full, a
    # permission) left only the step-6 checkpoint, `--resume` refused a run that was "not running",
    # and the 8 spent steps were lost.
    import torch
    from safetensors.torch import load_file

    from privtune.train.finish import OutputsNotSaved

    monkeypatch.setenv("PRIVTUNE_KEY", KEY)
    ref = train(TrainConfig(**_settings(tiny_llama_dir, data, tmp_path / "ref")), log=lambda m: None)
    out = tmp_path / "run"
    (out / "provenance.json").mkdir(parents=True)  # a directory where the last output goes: its write fails
    notes: list[str] = []
    with pytest.raises(OutputsNotSaved, match="training finished .8 steps.*--resume") as err:
        train(TrainConfig(**_settings(tiny_llama_dir, data, out)), log=lambda m: None, warn=notes.append)
    assert "\n" not in str(err.value) and "provenance.json" in str(err.value)
    # Nothing half-written stays: no adapter without its privacy.json.
    assert sorted(p.name for p in out.iterdir()) == ["checkpoints", "provenance.json"]
    with Ledger.open(str(tmp_path / "ledger.sqlite")) as ledger:
        run = max((r for d in ledger.datasets() for r in ledger.history(d.fingerprint)), key=lambda r: r.id)
    assert (run.status, run.committed_steps) == ("running", 8)
    assert "checkpoint of step 8" in notes[-1]

    (out / "provenance.json").rmdir()  # the user fixes the cause
    resumed = train(TrainConfig(**_settings(tiny_llama_dir, data, out, resume=True)), log=lambda m: None)
    assert resumed["steps"] == 8 and resumed["epsilon"] == pytest.approx(ref["epsilon"])
    with Ledger.open(str(tmp_path / "ledger.sqlite")) as ledger:
        run = next(r for d in ledger.datasets() for r in ledger.history(d.fingerprint) if r.id == run.id)
    assert (run.status, run.committed_steps) == ("completed", 8)  # no step taken (or spent) again
    a = load_file(tmp_path / "ref" / "adapter" / "adapter_model.safetensors")
    b = load_file(out / "adapter" / "adapter_model.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert not list((out / "checkpoints").iterdir())


def test_resume_with_other_lora_layers_or_another_base_model_is_refused(tiny_llama_dir, tiny_tokenizer, data,
                                                                         tmp_path, monkeypatch):
    # Another lora.r was a torch size-mismatch traceback, other target modules an optimizer
    # ValueError traceback; another base model of the same shapes loaded the LoRA weights in silence.
    from privtune.errors import ConfigError
    from privtune.models.tiny import build_model

    monkeypatch.setenv("PRIVTUNE_KEY", KEY)
    out = tmp_path / "run"
    _crash(tiny_llama_dir, data, out)
    other_base = tmp_path / "other_llama"
    build_model("llama", tiny_tokenizer, hidden=64, layers=2, heads=4, kv_heads=2, seed=1, out_dir=other_base)
    for change, match in (({"lora": {"r": 4}}, "LoRA layers differ .* has shape"),
                          ({"lora": {"include_mlp": False}}, "LoRA layers differ .* only in the checkpoint"),
                          ({"model": other_base}, "another base model than other_llama")):
        with pytest.raises(ConfigError, match=match) as err:
            train(TrainConfig(**_settings(tiny_llama_dir, data, out, resume=True, **change)), log=lambda m: None)
        assert "\n" not in str(err.value)
    # The refusals left the run resumable with its own settings (a moved copy of the base included).
    moved = tmp_path / "moved_llama"
    shutil.copytree(tiny_llama_dir, moved)
    resumed = train(TrainConfig(**_settings(moved, data, out, resume=True)), log=lambda m: None)
    assert resumed["steps"] == 8 and resumed["resumed_from_steps"] == [4]


def test_a_failed_save_puts_an_earlier_runs_outputs_back(tiny_llama_dir, data, tmp_path, monkeypatch):
    # A run into a directory holding an earlier run's outputs replaced them one by one; when a later
    # output failed, the clean-up removed what had been written, the earlier run's outputs with it.
    from privtune.train.finish import OutputsNotSaved

    monkeypatch.setenv("PRIVTUNE_KEY", KEY)
    out = tmp_path / "run"
    train(TrainConfig(**_settings(tiny_llama_dir, data, out, steps=4)), log=lambda m: None)
    earlier = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert Path("adapter/adapter_model.safetensors") in earlier and Path("privacy.json") in earlier
    (out / "bom.cdx.json").unlink()
    (out / "bom.cdx.json").mkdir()  # the last output's path is blocked: the second run's save fails there
    del earlier[Path("bom.cdx.json")]
    with pytest.raises(OutputsNotSaved, match="earlier run's outputs there were put back"):
        train(TrainConfig(**_settings(tiny_llama_dir, data, out)), log=lambda m: None)
    now = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
           if "checkpoints" not in p.parts}
    assert now == earlier
    assert sorted(p.name for p in out.iterdir()) == ["adapter", "bom.cdx.json", "checkpoints", "privacy.json",
                                                     "provenance.json", "train_report.json"]
    (out / "bom.cdx.json").rmdir()
    resumed = train(TrainConfig(**_settings(tiny_llama_dir, data, out, resume=True)), log=lambda m: None)
    assert resumed["steps"] == 8 and json.loads((out / "privacy.json").read_text())["steps"] == 8
    assert not list(out.glob(".previous-outputs-*")) and (out / "bom.cdx.json").is_file()
