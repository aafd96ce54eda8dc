"""Entropy-weighted watermark detection (EWD-style): z = Σ wᵢ(gᵢ − γ) / sqrt(γ(1−γ) Σ wᵢ²) with
wᵢ = entropyᵢ ** p. The weights come from a model, never the key, so on unwatermarked text the
z-score keeps its N(0, 1) null; on watermarked text from a low-entropy model it rises."""

from __future__ import annotations

import hashlib
import json
import math
import random
import statistics
from collections import Counter, defaultdict

import pytest

from privtune.serve.guards.entropy import batch_entropies
from privtune.serve.guards.placeholders import encode_marking_placeholders
from privtune.serve.guards.watermark import WatermarkScheme, detect_ids, token_green_bits
from serve_helpers import ROOT, support_chat_texts
from test_watermark_entropy import _generate, bigram_model  # noqa: F401  (a fixture, used by name)

KEY = b"w" * 32


def test_weighted_z_is_the_weighted_sum_over_first_occurrences():
    scheme = WatermarkScheme(KEY)
    r = random.Random(3)
    ids = [r.randrange(5000) for _ in range(150)]
    ids[100:110] = ids[60:70]  # a repeated stretch: its (anchor, token) pairs count once
    ent = [r.random() * 3 for _ in ids]
    ent[20] = 0.0  # weight 0: not scored
    anchors, bits = token_green_bits(scheme, ids)
    seen, num, sq, n = set(), 0.0, 0.0, 0
    for j, (a, g) in enumerate(zip(anchors, bits)):
        i = j + scheme.context_width
        w = ent[i] ** 2
        if w == 0 or (a, ids[i]) in seen:
            continue
        seen.add((a, ids[i]))
        num, sq, n = num + w * (int(g) - scheme.gamma), sq + w * w, n + 1
    det = detect_ids(scheme, ids, ent, entropy_weight_power=2.0)
    assert det.z_score == pytest.approx(num / math.sqrt(scheme.gamma * (1 - scheme.gamma) * sq))
    assert det.tokens_scored == n and 0 < det.effective_tokens < n
    d = det.as_dict()
    assert d["entropy_weight_power"] == 2.0 and "entropy_threshold" not in d
    # power 0: every weight 1, the unweighted z-score
    assert detect_ids(scheme, ids, ent, entropy_weight_power=0.0).z_score == pytest.approx(detect_ids(scheme, ids).z_score)
    # with a threshold as well: only tokens above it are weighted
    both = detect_ids(scheme, ids, ent, 1.5, entropy_weight_power=1.0)
    assert both.tokens_scored == detect_ids(scheme, ids, ent, 1.5).tokens_scored
    with pytest.raises(ValueError, match="one entropy per token"):
        detect_ids(scheme, ids, None, entropy_weight_power=1.0)


def _bigram_entropies(rows: list[list[int]]) -> list[list[float]]:
    """Next-token entropy (nats) of a bigram count model fitted on ``rows`` themselves: a real
    language model of the text, strongly varying from token to token, and keyless."""
    follow: dict[int, Counter[int]] = defaultdict(Counter)
    for ids in rows:
        for a, b in zip(ids, ids[1:]):
            follow[a][b] += 1

    def h(prev: int) -> float:
        c = follow[prev]
        tot = sum(c.values())
        return -sum(v / tot * math.log(v / tot) for v in c.values()) if tot else 0.0

    return [[0.0] + [h(a) for a in ids[:-1]] for ids in rows]


def test_weighted_null_stays_standard_normal_under_many_keys(tiny_tokenizer):
    """Human-written support chats (unwatermarked) under 48 keys, weights from a keyless model:
    the weighted z-score keeps mean ≈ 0, sd ≈ 1 and a ≈ 1 % tail, and flags nothing. Many keys,
    because the chats share phrases: under one key their z-scores move together (measured: the
    key-only mean over 12 keys is off 0 by up to 0.17), and only new keys average that out."""
    texts = support_chat_texts(61)
    encoded = [encode_marking_placeholders(tiny_tokenizer, t) for t in texts]
    ents = _bigram_entropies([ids for ids, _ in encoded])
    spread = [statistics.pstdev(e[4:]) for e in ents]
    assert statistics.median(spread) > 0.5  # the weights really vary within a text
    for power in (1.0, 3.0):
        zs = [detect_ids(WatermarkScheme(hashlib.sha256(bytes([k])).digest()), ids, e, placeholder=marked,
                         entropy_weight_power=power).z_score
              for k in range(48) for (ids, marked), e in zip(encoded, ents)]
        assert max(zs) < 4
        assert abs(statistics.mean(zs)) < 0.2 and 0.8 < statistics.pstdev(zs) < 1.2, power
        assert sum(z > 2.33 for z in zs) <= 2 * 0.01 * len(zs) + 3  # ≈ 1 % one-sided tail


def test_weighted_detection_rises_on_a_low_entropy_model(bigram_model):  # noqa: F811
    """Half the bigram model's steps are certain: weighting by entropy silences them, so the
    z-score of watermarked text rises above key-only, while another key stays below 4."""
    scheme = WatermarkScheme(KEY, delta=2.0)
    marked = _generate(bigram_model, scheme, rows=6, seed=1)
    ents = batch_entropies(bigram_model, marked, bos=0)
    key_only = [detect_ids(scheme, ids) for ids in marked]
    weighted = [detect_ids(scheme, ids, e, entropy_weight_power=1.0) for ids, e in zip(marked, ents)]
    assert all(w.z_score > k.z_score for w, k in zip(weighted, key_only))
    assert statistics.median(w.z_score for w in weighted) > 6
    other = WatermarkScheme(b"o" * 32)
    assert max(detect_ids(other, ids, e, entropy_weight_power=1.0).z_score for ids, e in zip(marked, ents)) < 4


def test_gateway_route_and_cli_entropy_weighted(make_gateway, loaded_model, tmp_path, tiny_llama_dir, serve_run_dir):
    """The server's default power applies on the route (a request may override it or ask for
    key-only), /info names the mode, and the CLI with --entropy-weight-power gives the same z."""
    import os
    import subprocess
    import sys

    from fastapi.testclient import TestClient

    from privtune.serve.guards.entropy import detect_text_entropy_aware
    from serve_helpers import bearer, detect_as_auditor, role_keys, watermarked_completion, write_watermark_key

    key = write_watermark_key(tmp_path, b"w3")
    model, tok, _ = loaded_model
    gw = make_gateway(watermark={"key_file": str(key), "delta": 8.0, "entropy_weight_power": 2.0, "detector": "weighted"})
    keys = role_keys(gw)
    with TestClient(gw.app) as c:
        text = watermarked_completion(c, keys)

        def ask(**extra):
            return detect_as_auditor(c, keys, text, **extra)

        default, key_only, flat, none_left = (ask(), ask(key_only=True), ask(entropy_weight_power=0.0),
                                              ask(entropy_threshold=99.0))
        info = c.get("/info", headers=bearer(keys["user"])).json()["watermark"]
    assert info["detection"] == "entropy-weighted" and info["entropy_weight_power"] == 2.0
    assert default["entropy_weight_power"] == 2.0 and "entropy_weight_power" not in key_only
    # power 0 from the request: every weight 1, the key-only z; a threshold combines with the weights
    assert flat["entropy_weight_power"] == 0.0 and flat["z_score"] == key_only["z_score"]
    assert none_left["tokens_scored"] == 0 and none_left["entropy_weight_power"] == 2.0
    direct = detect_text_entropy_aware(gw.backend.watermark_scheme, model, tok, text, None, entropy_weight_power=2.0)
    assert default["z_score"] == pytest.approx(direct.z_score, abs=1e-3)
    # a random model's entropies are all near log(512): the weights barely differ
    assert 0 < default["effective_tokens"] <= default["tokens_scored"] == key_only["tokens_scored"]
    (tmp_path / "out.txt").write_bytes(text.encode())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "privtune.cli", "watermark", "detect", "--key-file", str(key), "--base",
           str(tiny_llama_dir), "--adapter", str(serve_run_dir / "adapter"), "--entropy-weight-power", "2", "--detector", "weighted",
           "--device", "cpu", str(tmp_path / "out.txt")]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["z_score"] == pytest.approx(default["z_score"], abs=1e-3)
    assert out["effective_tokens"] == default["effective_tokens"]
