"""Keyed green-list watermark: generated text is detected with the key, not without it or in plain text;
repeats are not scored; the embedded gateway marks, the auditor-only endpoint and the CLI detect,
the audit record carries the flag, and upstream mode refuses a watermark key."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest
import torch
from fastapi.testclient import TestClient

from privtune.errors import ConfigError
from privtune.serve.guards.watermark import WatermarkScheme, detect_ids, setup_watermark
from serve_helpers import ROOT, bearer, role_keys

KEY = b"k" * 32


def test_random_tokens_score_near_zero_and_repeats_are_ignored():
    s = WatermarkScheme(KEY)
    r = random.Random(0)
    zs = [detect_ids(s, [r.randrange(5000) for _ in range(200)]).z_score for _ in range(20)]
    assert abs(sum(zs) / len(zs)) < 1.0 and max(zs) < 4
    rep = detect_ids(s, [1, 2, 3, 4, 5] * 50)
    assert rep.tokens_scored == 5  # the 5 distinct (context, token) grams, not 246


def test_green_mask_follows_gamma_and_key():
    vocab = torch.arange(20000)
    a, b = WatermarkScheme(KEY), WatermarkScheme(b"j" * 32)
    ma = a.green_mask([7, 8, 9, 10], vocab, a.hashed(vocab))
    mb = b.green_mask([7, 8, 9, 10], vocab, b.hashed(vocab))
    assert 0.23 < ma.float().mean().item() < 0.27
    assert (ma != mb).float().mean().item() > 0.3  # another key, another green list
    with pytest.raises(ConfigError):
        WatermarkScheme(b"short")


def test_processor_marks_generated_ids(loaded_model):
    """On token ids (no text round trip) every step's bias shows: nearly all tokens green."""
    from transformers import LogitsProcessorList

    from privtune.serve.guards.watermark import WatermarkLogitsProcessor

    model, _, _ = loaded_model
    scheme = WatermarkScheme(KEY, delta=8.0)
    wm = WatermarkLogitsProcessor(scheme, model.get_output_embeddings().weight.shape[0])
    torch.manual_seed(0)
    with torch.inference_mode():
        out = model.generate(input_ids=torch.tensor([[5, 6, 7]]), do_sample=True, top_k=0, max_new_tokens=60,
                             min_new_tokens=60, logits_processor=LogitsProcessorList([wm]), pad_token_id=0)
    det = detect_ids(scheme, out[0].tolist())
    assert det.z_score > 8 and det.green_tokens > 0.8 * det.tokens_scored
    assert detect_ids(WatermarkScheme(b"j" * 32), out[0].tolist()).z_score < 4


def _key_file(tmp_path, secret: bytes = b"a3" * 32):
    p = tmp_path / "wm.key"
    # a fixed key: the z-score of the tiny random model's text moves with the key (1.7-7 seen
    # over random keys), and a test must not pass or fail by the draw of one
    p.write_bytes(secret)
    p.chmod(0o600)
    return p


def test_gateway_watermarks_and_auditor_detects(make_gateway, tmp_path, tiny_llama_dir):
    key = _key_file(tmp_path)
    log = tmp_path / "wm.jsonl"
    gw = make_gateway(watermark={"key_file": str(key), "delta": 8.0}, audit_log={"path": str(log)})
    keys = role_keys(gw)
    # The random tiny model emits byte tokens that do not survive decode + re-encode, which dilutes
    # the signal detection sees in the text (z 3-7 here, by sampling state); the token-level
    # strength is asserted in test_processor_marks_generated_ids, the demo model's real figures
    # are in benchmarks/RESULTS.md. Here: the route, the role, the CLI agreeing with the route.
    req = {"model": "tiny", "prompt": "Hello", "max_tokens": 200, "temperature": 1.0, "seed": 2, "ignore_eos": True}
    with TestClient(gw.app) as c:
        text = c.post("/v1/completions", headers=bearer(keys["user"]), json=req).json()["choices"][0]["text"]
        det = c.post("/v1/watermark/detect", headers=bearer(keys["auditor"]), json={"text": text}).json()
        denied = c.post("/v1/watermark/detect", headers=bearer(keys["user"]), json={"text": text})
        info = c.get("/info", headers=bearer(keys["user"])).json()
    assert det["z_score"] > 2 and det["p_value"] < 0.05 and det["tokens_scored"] > 100
    assert det["watermarked"] == (det["z_score"] > 4)
    assert denied.status_code == 403
    assert info["watermark"]["active"] and info["watermark"]["gamma"] == 0.25 and "key" not in json.dumps(info["watermark"]).replace('"keyed"', "")
    rec = [json.loads(x) for x in log.read_text().splitlines() if '"/v1/completions"' in x][-1]
    assert rec["guards"]["watermarked"] is True
    # the CLI, from a file and from stdin, with the key; another key finds nothing
    (tmp_path / "out.txt").write_bytes(text.encode())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # --delta as the server's (the default detector, linear, does not read it; lr, combined and joint do)
    cmd = [sys.executable, "-m", "privtune.cli", "watermark", "detect", "--key-file", str(key), "--base", str(tiny_llama_dir),
           "--delta", "8"]
    res = subprocess.run([*cmd, str(tmp_path / "out.txt")], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    # The default detector (linear) reads the model's top candidates: on a random model they are
    # near ties, and the two processes' float sums order them differently now and then (~0.1 %).
    assert json.loads(res.stdout)["z_score"] == pytest.approx(det["z_score"], rel=2e-3)
    (tmp_path / "o").mkdir()
    other = _key_file(tmp_path / "o", b"5c" * 32)
    res = subprocess.run([*cmd[:6], str(other), *cmd[7:], "-"], input=text.encode(), capture_output=True, env=env, timeout=120)
    assert json.loads(res.stdout)["z_score"] < 2


def test_no_key_no_watermark_and_upstream_refuses(make_gateway, tmp_path):
    gw = make_gateway()
    keys = role_keys(gw)
    with TestClient(gw.app) as c:
        r = c.post("/v1/watermark/detect", headers=bearer(keys["auditor"]), json={"text": "hello"})
    assert r.status_code == 409 and gw.info["watermark"]["active"] is False

    class Upstream:  # setup only asks whether the backend can bias logits; an upstream one cannot
        pass

    wm = type("W", (), {"key_file": _key_file(tmp_path), "gamma": 0.25, "delta": 2.0, "context_width": 4, "z_threshold": 4.0})
    with pytest.raises(ConfigError, match="upstream mode cannot watermark"):
        setup_watermark(wm, Upstream())
    wm.key_file = None
    assert "upstream mode cannot watermark" in setup_watermark(wm, Upstream())["reason"]


def test_self_anchored_frequent_token_counts_once():
    """A token whose own keyed hash is the smallest around it has the same green bit in every
    context; a text that uses it often (human text: 的, commas) must not look watermarked."""
    s = WatermarkScheme(KEY)
    vocab = torch.arange(5000)
    hashed = s.hashed(vocab)
    order = torch.argsort(hashed).tolist()
    t = next(int(v) for v in order[:50] if s.green_mask([int(v)] * 4, torch.tensor([int(v)]), hashed[[int(v)]])[0])
    r = random.Random(3)
    ids = [x for _ in range(150) for x in (t, r.randrange(5000))]
    det = detect_ids(s, ids)
    assert det.z_score < 4, det
