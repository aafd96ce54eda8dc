import re

import pytest
from pydantic import BaseModel

from privtune.config import load_config, parse_set_overrides
from privtune.errors import ConfigError


class Lora(BaseModel):
    r: int = 8
    alpha: float = 16


class Cfg(BaseModel):
    model_config = {"extra": "forbid"}
    name: str = "x"
    dp: bool = True
    lora: Lora = Lora()


def test_yaml_then_overrides(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("name: from_yaml\nlora:\n  r: 4\n  alpha: 8\n")
    cfg = load_config(Cfg, p, parse_set_overrides(["lora.r=16", "dp=false"]))
    assert (cfg.name, cfg.dp, cfg.lora.r, cfg.lora.alpha) == ("from_yaml", False, 16, 8)


def test_errors_name_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"lora\.r"):
        load_config(Cfg, None, {"lora": {"r": "many"}})
    with pytest.raises(ConfigError, match="unknown_key"):
        load_config(Cfg, None, {"unknown_key": 1})
    with pytest.raises(ConfigError, match="not found"):
        load_config(Cfg, tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="key=value"):
        parse_set_overrides(["novalue"])


def test_errors_say_whether_a_flag_or_the_file_holds_the_bad_value(tmp_path):
    """Issue 11 item 15: a bad flag value must not be blamed on the YAML file."""
    p = tmp_path / "c.yaml"
    p.write_text("name: ok\nlora:\n  alpha: lots\n")
    with pytest.raises(ConfigError) as info:
        load_config(Cfg, p, parse_set_overrides(["lora.r=many"]))
    lines = str(info.value).splitlines()
    (r_line,) = [line for line in lines if "lora.r" in line or "--lora-r" in line]
    (alpha_line,) = [line for line in lines if "alpha" in line]
    assert "flag --lora-r" in r_line and str(p) not in r_line
    assert f"{p}: lora.alpha" in alpha_line


def test_preset_sits_below_the_file():
    cfg = load_config(Cfg, None, {"dp": False}, preset={"name": "preset", "dp": True})
    assert (cfg.name, cfg.dp) == ("preset", False)


def test_python_dash_m_privtune_runs_the_cli():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    res = subprocess.run([sys.executable, "-m", "privtune", "--version"], capture_output=True, text=True, cwd=root)
    assert res.returncode == 0 and res.stdout.startswith("privtune "), res.stderr


def test_bare_off_in_yaml_means_off_for_choice_fields(tmp_path):
    """YAML 1.1 reads `dedup: off` as false; a field whose choices include "off" takes it as "off"."""
    from privtune.scan.config import ScanConfig

    p = tmp_path / "scan.yaml"
    p.write_text("input: in.jsonl\ndedup: off\n")
    assert load_config(ScanConfig, p).dedup == "off"
    assert load_config(ScanConfig, None, {"input": "in.jsonl", **parse_set_overrides(["dedup=off"])}).dedup == "off"


def test_a_data_file_given_as_the_config_says_so(tmp_path):
    from privtune.config import read_config_file
    from privtune.errors import ConfigError

    data = tmp_path / "chats.jsonl"
    data.write_text('{"text": "hi"}\n')
    with pytest.raises(ConfigError, match="is a data file.*--data FILE"):
        read_config_file(data)
    arr = tmp_path / "chats.json"
    arr.write_text('[{"text": "hi"}]')
    with pytest.raises(ConfigError, match="expected a mapping.*--data FILE"):
        read_config_file(arr)


def test_scan_output_named_like_another_format_is_refused_before_scanning(tmp_path):
    # Before, `--out clean.csv` wrote JSON lines under a .csv name (and `--out clean.parquet`
    # under .parquet): the scan ran to the end, then the printed dataset fingerprint, and
    # `privtune train` after it, read the file as CSV/Parquet.
    import json as _json

    from typer.testing import CliRunner

    from privtune.cli import app
    from privtune.errors import ConfigError

    data = tmp_path / "d.jsonl"
    data.write_text(_json.dumps({"text": "call 415-555-0123"}) + "\n")
    for bad, why in (("clean.csv", "CSV output needs a CSV input"), ("clean.parquet", "does not end in .jsonl"),
                     ("clean", "does not end in .jsonl")):
        res = CliRunner().invoke(app, ["scan", str(data), "--out", str(tmp_path / bad), "-q"])
        msg = str(res.exception)
        assert isinstance(res.exception, ConfigError) and "--out" in msg and why in msg, msg
        assert not (tmp_path / bad).exists()
    res = CliRunner().invoke(app, ["scan", str(data), "--out", str(tmp_path / "clean.jsonl.gz")])
    assert res.exit_code == 0, res.output
    assert "dataset fingerprint" in res.output and "Traceback" not in res.output


def test_scan_never_overwrites_its_input_or_one_output_with_another(tmp_path):
    # Before, `privtune scan raw.jsonl --out raw.jsonl` replaced the raw data with the cleaned
    # copy (and rejected records, kept as hashes only, were gone with it).
    from pydantic import ValidationError

    from privtune.scan.config import ScanConfig

    raw = tmp_path / "raw.jsonl"
    raw.write_text('{"text": "x"}\n')
    for kw, words in (({"out": raw}, "out and input"),
                      ({"out": tmp_path / "c.jsonl", "findings": tmp_path / "sub" / ".." / "c.jsonl"}, "findings and out"),
                      ({"report": tmp_path / "r.html", "findings": tmp_path / "r.json"}, "report (its .json) and findings"),
                      ({"out": tmp_path / "c.jsonl", "key_file": tmp_path / "c.jsonl"}, "key_file and out")):
        with pytest.raises(ValidationError, match=re.escape(words)):
            ScanConfig(input=raw, **kw)
    ScanConfig(input=raw, out=tmp_path / "c.jsonl", findings=tmp_path / "f.jsonl", report=tmp_path / "r.html")


def test_default_rejects_file_of_a_compressed_output(tmp_path):
    from privtune.scan.config import ScanConfig
    from privtune.scan.outputs import default_rejects_path

    raw = tmp_path / "raw.jsonl"
    assert default_rejects_path(ScanConfig(input=raw, out=tmp_path / "c.jsonl.gz")).name == "c.rejects.jsonl"
    assert default_rejects_path(ScanConfig(input=tmp_path / "raw.csv.zst")).name == "raw.rejects.jsonl"


def test_a_missing_required_key_names_its_flag_and_meaning():
    from privtune.audit.config import AuditConfig

    with pytest.raises(ConfigError) as err:
        load_config(AuditConfig, None, {"base": "b", "adapter": "a", "members": "m.jsonl"})
    assert "nonmembers: Field required; pass --nonmembers (Held-out data" in str(err.value)


def test_an_other_commands_name_for_a_flag_is_suggested():
    """`train` reads the base model from --model, `audit` and `serve` from --base: a user going
    from one to the other got "unknown option --model" with no hint, or --base-model-id only."""
    from privtune.audit.config import AuditConfig
    from privtune.config import parse_config_args
    from privtune.train.config import TrainConfig

    with pytest.raises(ConfigError, match=r"unknown option --base; did you mean --model\b"):
        parse_config_args(TrainConfig, ["--base", "m", "--data", "d"])
    with pytest.raises(ConfigError, match=r"unknown option --model; did you mean --base\b"):
        parse_config_args(AuditConfig, ["--model", "m"])
    with pytest.raises(ConfigError, match=r"unknown option --out; did you mean --output-dir"):
        parse_config_args(TrainConfig, ["--out", "x"])


def test_an_explicit_null_override_clears_a_yaml_value(tmp_path):
    # `--set dp_seed=null` (back to a secret noise seed) and `--steps null` (back to epochs) were
    # dropped in silence: the run kept the YAML's known seed and step count.
    from privtune.config import parse_config_args
    from privtune.train.config import TrainConfig

    p = tmp_path / "train.yaml"
    p.write_text("model: m\ndata: d.jsonl\nsteps: 100\ndp_seed: 0\nnoise_multiplier: 0.8\n")
    _, flags = parse_config_args(TrainConfig, ["--steps", "null", "--noise-multiplier=null"])
    cfg = load_config(TrainConfig, p, {**flags, **parse_set_overrides(["dp_seed=null"])})
    assert (cfg.steps, cfg.dp_seed, cfg.noise_multiplier) == (None, None, None)
    # A key that cannot be null says so, naming the flag, instead of keeping the file's value.
    with pytest.raises(ConfigError, match="flag --epochs .*: Input should be a valid number"):
        load_config(TrainConfig, p, parse_set_overrides(["epochs=null"]))


@pytest.mark.parametrize("key", ["max_grad_norm", "learning_rate", "epochs", "lora.alpha", "target_epsilon"])
@pytest.mark.parametrize("value", ["inf", "nan"])
def test_train_refuses_a_non_finite_number_up_front(key, value):
    # max_grad_norm=inf passed, and the run spent a ledger step before its update came out inf;
    # epochs=inf was an OverflowError traceback in the privacy plan.
    from privtune.train.config import TrainConfig

    with pytest.raises(ConfigError, match=f"--{key.replace('.', '-').replace('_', '-')}.*finite|greater than 0"):
        load_config(TrainConfig, None, parse_set_overrides([f"{key}={value}", "model=m", "data=d"]))


def test_train_refuses_a_target_epsilon_and_a_noise_multiplier_together(tmp_path):
    # `privtune train --target-epsilon 1 --noise-multiplier 0.5` trained at sigma=0.5 and reported
    # whatever epsilon that gave (far above 1), with no word that the target was ignored.
    from privtune.config import parse_config_args
    from privtune.train.config import TrainConfig

    _, flags = parse_config_args(TrainConfig, ["--target-epsilon", "1", "--noise-multiplier", "0.5"])
    with pytest.raises(ConfigError, match="target_epsilon=1 and noise_multiplier=0.5 are both set; give one"):
        load_config(TrainConfig, None, {**flags, "model": "m", "data": "d"})
    # A YAML target plus a flag sigma is the same conflict (the error says how to clear the target).
    p = tmp_path / "train.yaml"
    p.write_text("model: m\ndata: d.jsonl\ntarget_epsilon: 8.0\n")
    with pytest.raises(ConfigError, match="target_epsilon=null"):
        load_config(TrainConfig, p, {"noise_multiplier": 1.0})
    cfg = load_config(TrainConfig, p, {"noise_multiplier": 1.0, "target_epsilon": None})
    assert (cfg.noise_multiplier, cfg.target_epsilon) == (1.0, None)
    # A sigma alone: the default target plays no part and is not recorded as the run's target.
    cfg = load_config(TrainConfig, None, {"model": "m", "data": "d", "noise_multiplier": 1.0})
    assert cfg.target_epsilon is None and "target_epsilon" not in cfg.model_fields_set
    # Without DP neither is used: no refusal.
    load_config(TrainConfig, None, {"model": "m", "data": "d", "dp": False, "target_epsilon": 1, "noise_multiplier": 1})


def test_train_refuses_dp_with_zero_noise():
    # dp: true with noise_multiplier 0 trained, and privacy.json said "dp": true, "epsilon": Infinity
    # (not standard JSON), the card "DP-SGD: (ε = inf, ...)": a DP claim for a run with no guarantee.
    from privtune.train.config import TrainConfig

    with pytest.raises(ConfigError, match="noise_multiplier=0 with dp: true gives no privacy guarantee"):
        load_config(TrainConfig, None, {"model": "m", "data": "d", "noise_multiplier": 0, "target_epsilon": None})
    cfg = load_config(TrainConfig, None, {"model": "m", "data": "d", "noise_multiplier": 0, "dp": False})
    assert cfg.dp is False


def test_a_model_validators_error_names_its_fields_and_where_they_came_from(tmp_path):
    """A model validator's error read "(top level): Value error, privacy_unit: user needs
    user_id_field": no field, no source, and pydantic's own prefix."""
    from privtune.serve.config import ServeConfig
    from privtune.train.config import TrainConfig

    base = {"model": "m", "data": "d.jsonl"}
    with pytest.raises(ConfigError) as info:
        load_config(TrainConfig, None, {**base, "privacy_unit": "user"})
    assert str(info.value).splitlines()[1] == ("  privacy_unit (flag --privacy-unit), user_id_field (not set): "
                                               "privacy_unit: user needs user_id_field")
    p = tmp_path / "c.yaml"
    p.write_text("dp: true\ntarget_epsilon: null\n")
    with pytest.raises(ConfigError) as info:
        load_config(TrainConfig, p, {**base, "noise_multiplier": None})
    line = str(info.value).splitlines()[1]
    assert line.startswith(f"  dp, target_epsilon ({p}), noise_multiplier (flag --noise-multiplier): dp: true needs")
    with pytest.raises(ConfigError) as info:
        load_config(ServeConfig, None, {"adapter": "a", "base": "b", "ssl_certfile": "c.pem"})
    text = str(info.value)
    assert "ssl_certfile (flag --ssl-certfile), ssl_keyfile (not set): ssl_certfile and ssl_keyfile go" in text
    assert "Value error" not in text and "top level" not in text
