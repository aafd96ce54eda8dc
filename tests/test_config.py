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
