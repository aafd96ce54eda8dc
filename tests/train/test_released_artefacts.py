"""Under DP nothing un-noised derived from training records leaves the run (issue 10, item 2):
two datasets that differ in one record give the same report, logs and privacy.json, apart from
the held-out validation loss (post-processing of the DP model), timestamps and fingerprints."""

import json
import re

import pytest

from privtune.demo.corpus import generate
from privtune.train.config import TrainConfig
from privtune.train.loop import train

VOLATILE = {"seconds", "created", "dataset_fingerprint", "val_loss", "data", "output_dir", "ledger"}


@pytest.fixture(scope="module")
def neighbours(tmp_path_factory):
    d = tmp_path_factory.mktemp("neighbours")
    recs = list(generate(60, seed=9))
    train_a, val = recs[:40], recs[40:]
    train_b = [recs[59 - 20]] + train_a[1:]  # record 0 replaced by another well-formed chat
    for name, rows in (("a.jsonl", train_a), ("b.jsonl", train_b), ("val.jsonl", val[:8])):
        (d / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    return d


def _strip(obj):
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def _run(tiny_llama_dir, d, name, tmp_path, **kw):
    out = tmp_path / name
    logs: list[str] = []
    cfg = TrainConfig(**{**dict(model=tiny_llama_dir, data=d / f"{name}.jsonl", validation=d / "val.jsonl",
                                output_dir=out, steps=6, batch_size=20, micro_batch_size=10, max_length=64,
                                noise_multiplier=50.0, eval_every=1, dp_seed=7,
                                ledger=str(tmp_path / f"{name}.sqlite")), **kw})
    privacy = train(cfg, log=logs.append)
    report = json.loads((out / "train_report.json").read_text())
    return privacy, report, logs


def test_neighbouring_datasets_release_no_training_loss_difference(tiny_llama_dir, neighbours, tmp_path):
    pa, ra, la = _run(tiny_llama_dir, neighbours, "a", tmp_path)
    pb, rb, lb = _run(tiny_llama_dir, neighbours, "b", tmp_path)
    assert pa["dataset_fingerprint"] != pb["dataset_fingerprint"]
    assert "train_loss" not in ra["curves"] and not any("train_loss" in line for line in la + lb), "train loss released"
    assert len(ra["curves"]["val_loss"]) == 7  # held-out validation loss is still reported
    assert _strip(ra) == _strip(rb) and _strip(pa) == _strip(pb)
    assert [re.sub(r"  val_loss \S+", "", line) for line in la] == [re.sub(r"  val_loss \S+", "", line) for line in lb]
    assert not any("training-loss" in note for note in pa["outside_guarantee"])


def test_a_fixed_dp_seed_is_declared_outside_the_guarantee(tiny_llama_dir, neighbours, tmp_path):
    # dp_seed (here for reproducibility) fixes the noise: privacy.json and the model card stated epsilon
    # without a word of it, though anyone holding the config can remove the noise.
    privacy, _, logs = _run(tiny_llama_dir, neighbours, "a", tmp_path)
    (note,) = privacy["outside_guarantee"]
    assert "fixed dp_seed" in note and "does NOT hold against them" in note
    assert any("WARNING: The DP noise and Poisson batches were drawn from a fixed dp_seed" in m for m in logs)
    card = (tmp_path / "a" / "adapter" / "README.md").read_text(encoding="utf-8")
    assert "Not covered by ε: The DP noise and Poisson batches were drawn from a fixed dp_seed" in card


def test_opt_in_train_loss_is_declared_outside_the_guarantee(tiny_llama_dir, neighbours, tmp_path):
    privacy, report, logs = _run(tiny_llama_dir, neighbours, "a", tmp_path, log_train_loss=True)
    assert len(report["curves"]["train_loss"]) == 6 and sum("train_loss" in line for line in logs) == 6
    (note,) = [n for n in privacy["outside_guarantee"] if "training-loss" in n]
    assert "NOT covered" in note and "training-loss curve" in note


def test_a_validation_set_holding_training_records_is_declared_outside_the_guarantee(tiny_llama_dir, neighbours,
                                                                                      tmp_path):
    # The validation loss on held-out records is post-processing of the DP adapter; on training records
    # it is an un-noised query of the private data. The run warned only that it "understates the loss
    # on unseen data" and privacy.json claimed epsilon for the released curve all the same.
    mixed = neighbours / "val_with_train.jsonl"
    mixed.write_text((neighbours / "val.jsonl").read_text() + "\n" + (neighbours / "a.jsonl").read_text().splitlines()[0])
    privacy, _, logs = _run(tiny_llama_dir, neighbours, "a", tmp_path, validation=mixed)
    (note,) = [n for n in privacy["outside_guarantee"] if "validation-loss" in n]
    assert "NOT covered" in note and "also training records" in note
    assert any("validation records are also training records" in m and "NOT covered by epsilon" in m for m in logs)
    clean, _, _ = _run(tiny_llama_dir, neighbours, "b", tmp_path)
    assert not any("validation-loss" in n for n in clean["outside_guarantee"])
