"""Serve fixtures: a tiny base + adapter run dir, a loaded model shared by the session, and gateway apps.

`make_gateway(tmp_path, **overrides)` builds a full gateway (SQLite key store, audit log,
in-process limiter) around the shared model; `role_keys(gw)` makes one API key per role.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch


@pytest.fixture(scope="session")
def serve_run_dir(tmp_path_factory: pytest.TempPathFactory, tiny_llama_dir: Path) -> Path:
    """A training-run-shaped dir: adapter/ (LoRA r=4, random B) and privacy.json."""
    from transformers import AutoModelForCausalLM

    from privtune.train.lora import attach_lora

    run = tmp_path_factory.mktemp("serve_run")
    # seeded whole (lora_A's init too): outputs must not depend on which tests ran before
    with torch.no_grad(), torch.random.fork_rng():
        torch.manual_seed(3)
        model = attach_lora(AutoModelForCausalLM.from_pretrained(tiny_llama_dir), r=4, alpha=8.0)
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 0.5)
    model.save_pretrained(run / "adapter")
    (run / "privacy.json").write_text(json.dumps({
        "dp": True, "epsilon": 8.0, "delta": 1e-5, "accountant": "rdp", "noise_multiplier": 0.9,
        "steps": 10, "sample_rate": 0.1, "privacy_unit": "record", "privacy_units": 100,
        "dataset_fingerprint": "sha256:" + "ab" * 32, "base_model": str(tiny_llama_dir),
        "privtune_version": "0.1.0", "created": "2026-01-01T00:00:00+00:00"}))
    return run


@pytest.fixture(scope="session")
def loaded_model(tiny_llama_dir: Path, serve_run_dir: Path) -> tuple[Any, Any, Any]:
    from privtune.serve.backends.embedded import load_model

    return load_model(tiny_llama_dir, serve_run_dir / "adapter", "cpu")


@pytest.fixture()
def make_gateway(tiny_llama_dir: Path, serve_run_dir: Path, loaded_model: tuple[Any, Any, Any],
                 tmp_path: Path) -> Callable[..., Any]:
    from privtune.config import deep_merge
    from privtune.serve.app import build_gateway, create_app
    from privtune.serve.backends.embedded import EmbeddedBackend
    from privtune.serve.config import ServeConfig

    def make(backend: Any = None, guards: list[Any] | None = None, **overrides: Any) -> Any:
        data = {"base": str(tiny_llama_dir), "adapter": str(serve_run_dir / "adapter"), "model_name": "tiny",
                "auth": {"key_store": str(tmp_path / "keys.sqlite3")},
                "audit_log": {"path": str(tmp_path / "audit.jsonl")},
                "pii": {"output": "off"}}  # tests of the PII guard turn it on
        cfg = ServeConfig.model_validate(deep_merge(data, overrides))
        if backend is None:
            model, tok, dev = loaded_model
            backend = EmbeddedBackend(model, tok, dev, "tiny", cfg.limits.queue_size)
        gw = build_gateway(cfg, backend=backend, guards=guards)
        create_app(gw)
        return gw

    return make
