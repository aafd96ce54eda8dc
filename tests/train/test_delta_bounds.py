"""delta sanity and what the console says about the data (issue 10 item 4, issue 11 item 10)."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from privtune.demo.corpus import generate
from privtune.errors import ConfigError
from privtune.train.config import TrainConfig
from privtune.train.setup import plan_privacy


def _cfg(**kw):
    return TrainConfig(model=Path("m"), data=Path("d.jsonl"), **kw)


@pytest.mark.parametrize("n, delta", [(5, 0.2), (5, 0.5), (100, 0.01)])
def test_delta_at_or_above_one_over_n_is_refused(n, delta):
    with pytest.raises(ConfigError, match=r"not below 1/N .* in the clear"):
        plan_privacy(_cfg(delta=delta, batch_size=2), n)


def test_small_populations_warn_in_plain_words():
    five = plan_privacy(_cfg(batch_size=8), 5)  # default delta 1/5^1.1 = 0.17: allowed, but flagged
    assert five.delta == pytest.approx(5 ** -1.1) and five.delta_source == "default 1/N^1.1"
    assert any("close to 1/N" in w for w in five.warnings)
    users = plan_privacy(_cfg(batch_size=2, privacy_unit="user", user_id_field="u"), 4)
    assert any("only 4 users" in w for w in users.warnings)
    noisy = plan_privacy(_cfg(batch_size=2, target_epsilon=1.0, steps=200, delta=1e-4), 20)
    assert any("mostly noise" in w for w in noisy.warnings)
    big = plan_privacy(_cfg(batch_size=256, delta=1e-6), 100_000)
    assert big.warnings == ()


def test_cli_reports_dropped_records_delta_and_warnings_without_text(tiny_llama_dir, tmp_path, monkeypatch):
    from privtune.cli import app

    recs = list(generate(8, seed=2))
    lines = [json.dumps(r, ensure_ascii=False) for r in recs[:6]]
    lines.insert(2, '{"messages": [broken')  # unparseable: rejected
    lines.append(json.dumps({"messages": [{"role": "user", "content": "Only a question here"}]}))
    (tmp_path / "d.jsonl").write_text("\n".join(lines))
    cfg = {"model": str(tiny_llama_dir), "data": str(tmp_path / "d.jsonl"), "output_dir": str(tmp_path / "out"),
           "steps": 2, "batch_size": 3, "max_length": 64, "noise_multiplier": 1.0, "dp_seed": 1,
           "ledger": str(tmp_path / "l.sqlite")}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg))
    monkeypatch.setenv("COLUMNS", "400")
    result = CliRunner().invoke(app, ["train", str(tmp_path / "c.yaml"), "--quiet"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "1 unparseable line(s) rejected (line 3)" in out and "no_assistant_turn 1" in out  # shown even with -q
    assert "close to 1/N" in out
    privacy = json.loads((tmp_path / "out" / "privacy.json").read_text())
    assert privacy["delta_source"] == "default 1/N^1.1" and any("close to 1/N" in w for w in privacy["warnings"])
    assert "Only a question" not in out and recs[0]["messages"][0]["content"][:15] not in out
