"""`privtune serve` options: each sets its ServeConfig key; YAML < options < --set; bad values name the option."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from privtune.cli import app
from privtune.config import config_flags
from privtune.serve import cli as serve_cli
from privtune.serve.config import ServeConfig


@pytest.fixture()
def captured(monkeypatch) -> list[Any]:
    """The config `privtune serve` would start with (the server itself is tested in test_processes)."""
    seen: list[Any] = []
    monkeypatch.setattr(serve_cli, "run_server", seen.append)
    return seen


def test_every_option_sets_its_key(captured, tmp_path):
    args = ["serve", "--base", str(tmp_path), "--model-name", "m", "--device", "cpu", "--key-store", "k.db",
            "--jwt-secret-file", "jwt.key", "--rate-limit-rpm", "7", "--rate-limit-tpm", "900",
            "--redis-url", "redis://127.0.0.1:1/0", "--max-tokens-cap", "99", "--queue-size", "3",
            "--request-timeout-s", "4.5", "--pii-output", "mask", "--watermark-key-file", "wm.key",
            "--audit-log", "a.jsonl", "--log-retention-days", "30", "--client-address", "off"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    cfg = captured[0]
    assert (cfg.model_name, cfg.device, cfg.auth.key_store, str(cfg.auth.jwt_secret_file)) == ("m", "cpu", "k.db", "jwt.key")
    assert (cfg.rate_limit.requests_per_min, cfg.rate_limit.tokens_per_min) == (7, 900)
    assert cfg.rate_limit.redis_url == "redis://127.0.0.1:1/0"
    assert (cfg.limits.max_tokens_cap, cfg.limits.queue_size, cfg.limits.request_timeout_s) == (99, 3, 4.5)
    assert cfg.pii.output == "mask" and str(cfg.watermark.key_file) == "wm.key"
    assert (str(cfg.audit_log.path), cfg.audit_log.retention_days, cfg.audit_log.client_address) == ("a.jsonl", 30, "off")
    # untouched sections keep their defaults
    assert cfg.limits.max_body_bytes == ServeConfig.model_fields["limits"].default_factory().max_body_bytes


def test_yaml_then_options_then_set(captured, tmp_path):
    (tmp_path / "serve.yaml").write_text(
        f"base: {tmp_path}\nrate_limit: {{requests_per_min: 1, tokens_per_min: 2}}\nlimits: {{queue_size: 5}}\n")
    r = CliRunner().invoke(app, ["serve", "-c", str(tmp_path / "serve.yaml"), "--rate-limit-rpm", "10",
                                 "--set", "rate_limit.requests_per_min=20", "--max-tokens-cap", "64"])
    assert r.exit_code == 0, r.output
    cfg = captured[0]
    assert cfg.rate_limit.requests_per_min == 20  # --set beats the option, which beats the file
    assert cfg.rate_limit.tokens_per_min == 2 and cfg.limits.queue_size == 5  # the file's, not reset by options
    assert cfg.limits.max_tokens_cap == 64


def test_bad_option_value_names_the_option_and_a_bad_file_value_names_the_file(captured, tmp_path):
    r = CliRunner().invoke(app, ["serve", "--base", str(tmp_path), "--client-address", "everything"])
    assert r.exit_code != 0 and not captured
    assert "--audit-log-client-address" in str(r.exception)
    (tmp_path / "serve.yaml").write_text(f"base: {tmp_path}\nlimits: {{queue_size: 0}}\n")
    r = CliRunner().invoke(app, ["serve", "-c", str(tmp_path / "serve.yaml")])
    assert r.exit_code != 0 and "serve.yaml" in str(r.exception) and "--limits" not in str(r.exception)


def test_each_named_option_is_also_spelled_as_its_config_key():
    # docs/config_reference.md links keys to options by the key's flag spelling (--limits-max-tokens-cap)
    group = typer.main.get_group(app)
    serve = group.commands["serve"]
    key_flags = set(config_flags(ServeConfig))
    for p in serve.params:
        if p.param_type_name != "option" or p.name in ("config", "set_", "help"):
            continue
        assert key_flags & set(p.opts), f"{p.opts} matches no ServeConfig key flag"


def test_a_port_in_use_is_refused_before_the_model_loads(tmp_path):
    # uvicorn found the port taken only after the model had loaded (minutes for a real one), then
    # logged "[Errno 98] ... address already in use" and exited 3. The base here is no model at all:
    # the port error must come first.
    import socket

    from privtune.errors import ConfigError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cfg = ServeConfig.model_validate({"base": str(tmp_path / "no-model"), "port": port})
        with pytest.raises(ConfigError, match=f"port {port} on 127.0.0.1 is already in use"):
            serve_cli.run_server(cfg)
    serve_cli.check_port_free("127.0.0.1", port)  # free again once the other socket is closed


@pytest.mark.parametrize("url", ["localhost:8001", "127.0.0.1:8001/v1", "htp://127.0.0.1:8001", "http://", "vllm"])
def test_an_upstream_that_is_not_an_http_url_is_refused_before_serving(captured, url):
    """A URL without its scheme (`localhost:8001`) used to start a gateway that answered every
    request with 502; it is a config error naming the option, with the spelling that works."""
    from privtune.errors import ConfigError

    r = CliRunner().invoke(app, ["serve", "--upstream", url])
    assert isinstance(r.exception, ConfigError) and not captured, r.output  # exit 2 from the CLI's handler
    assert "--upstream" in str(r.exception) and "e.g. http://" in str(r.exception)


def test_an_http_or_https_upstream_is_taken_as_given(captured):
    for url in ("http://127.0.0.1:8001", "https://engine.internal/v1"):
        assert CliRunner().invoke(app, ["serve", "--upstream", url]).exit_code == 0
    assert [c.upstream for c in captured] == ["http://127.0.0.1:8001", "https://engine.internal/v1"]


def test_model_name_help_says_what_the_default_is(tmp_path):
    """--help said "the adapter dir name"; given RUN/adapter the id is RUN's name (the docs' `support`)."""
    from privtune.serve.app import default_model_id

    run = tmp_path / "support"
    (run / "adapter").mkdir(parents=True)
    assert default_model_id(ServeConfig(base=tmp_path, adapter=run / "adapter")) == "support"
    assert default_model_id(ServeConfig(base=tmp_path, adapter=run)) == "support"
    assert default_model_id(ServeConfig(base=tmp_path / "Qwen")) == "Qwen"
    described = ServeConfig.model_fields["model_name"].description or ""
    assert "run directory's name" in described and "base model directory's" in described
