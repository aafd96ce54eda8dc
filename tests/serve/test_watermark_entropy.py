"""Entropy-aware watermark detection (SWEET) and the generation side's processor order.

The model here is a real transformers Llama whose weights are set by hand to a bigram model
with two kinds of step: after a token of A (ids 300-399) the next token is certain (A + 100),
after a token of B (400-499) it is uniform over A. Half the steps are thus near-zero entropy,
where +δ cannot change the choice: the low-entropy case that dilutes key-only detection.
"""

from __future__ import annotations

import random
import statistics

import pytest
import torch

from privtune.serve.guards.entropy import batch_entropies, token_entropies
from privtune.serve.guards.watermark import WatermarkLogitsProcessor, WatermarkScheme, detect_ids

KEY = b"e" * 32
A = range(300, 400)


@pytest.fixture(scope="module")
def bigram_model() -> torch.nn.Module:
    from transformers import LlamaConfig, LlamaForCausalLM

    cfg = LlamaConfig(vocab_size=512, hidden_size=256, intermediate_size=32, num_hidden_layers=1,
                      num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=64,
                      tie_word_embeddings=False, bos_token_id=0, eos_token_id=1, pad_token_id=2)
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg).eval()
    with torch.no_grad():
        layer = model.model.layers[0]
        layer.self_attn.o_proj.weight.zero_()  # the block adds nothing: the last hidden state is
        layer.mlp.down_proj.weight.zero_()     # the current token's embedding
        emb, head = model.model.embed_tokens.weight, model.lm_head.weight
        emb.zero_()
        head.zero_()
        for j, a in enumerate(A):
            emb[a, j] = 1.0            # A tokens on dims 0-99, B tokens on dims 100-199
            emb[a + 100, 100 + j] = 1.0
            head[a + 100, j] = 1.0     # after a: a + 100 (logit 16 after RMSNorm, others 0)
            head[a, 100:200] = 1.0     # after any b: every A token alike
        for t in range(300):           # other tokens (prompt starts): followed by A
            emb[t, 200 + t % 56] = 1.0
            head[list(A), 200 + t % 56] = 1.0
    return model


def _generate(model: torch.nn.Module, scheme: WatermarkScheme | None, rows: int, seed: int) -> list[list[int]]:
    from transformers import LogitsProcessorList

    kw = {"logits_processor": LogitsProcessorList([WatermarkLogitsProcessor(scheme, 512)])} if scheme else {}
    torch.manual_seed(seed)
    prompt = torch.tensor([[5, 300 + seed, 6, 350]] * rows)
    with torch.inference_mode():
        out = model.generate(input_ids=prompt, attention_mask=torch.ones_like(prompt), do_sample=True, top_k=0,
                             max_new_tokens=200, min_new_tokens=200, pad_token_id=2, **kw)
    return [r[prompt.shape[1]:].tolist() for r in out]


def test_bigram_model_has_certain_and_uncertain_steps(bigram_model):
    ent = batch_entropies(bigram_model, [[300, 400, 301, 401]], bos=0)[0]
    assert ent[1] < 0.01 and ent[3] < 0.01  # after an A token: certain
    assert ent[2] == pytest.approx(4.6, abs=0.1)  # after a B token: about uniform over 100 tokens


def test_entropy_aware_detection_rises_on_watermarked_and_stays_low_on_plain(bigram_model):
    scheme = WatermarkScheme(KEY, delta=2.0)
    marked = _generate(bigram_model, scheme, rows=6, seed=1)
    plain = _generate(bigram_model, None, rows=6, seed=2)
    ent_m = batch_entropies(bigram_model, marked, bos=0)
    ent_p = batch_entropies(bigram_model, plain, bos=0)
    key_only = [detect_ids(scheme, ids) for ids in marked]
    aware = [detect_ids(scheme, ids, e, 1.0) for ids, e in zip(marked, ent_m)]
    # half the tokens were certain: they are dropped, and the z-score rises on every text
    assert all(a.tokens_scored < 0.6 * k.tokens_scored for a, k in zip(aware, key_only))
    assert all(a.z_score > k.z_score for a, k in zip(aware, key_only))
    assert statistics.median(a.z_score for a in aware) > 6
    # no watermark, or another key: the filter does not depend on the key, z stays below 4
    other = WatermarkScheme(b"o" * 32)
    assert max(detect_ids(scheme, ids, e, 1.0).z_score for ids, e in zip(plain, ent_p)) < 4
    assert max(detect_ids(other, ids, e, 1.0).z_score for ids, e in zip(marked, ent_m)) < 4


def test_entropy_threshold_rules():
    scheme = WatermarkScheme(KEY)
    r = random.Random(5)
    ids = [r.randrange(5000) for _ in range(120)]
    ent = [r.random() * 4 for _ in ids]
    with pytest.raises(ValueError, match="one entropy per token"):
        detect_ids(scheme, ids, ent[:-1], 1.0)
    # threshold 0: every token with any entropy counts, as key-only does
    assert detect_ids(scheme, ids, ent, 0.0).tokens_scored == detect_ids(scheme, ids).tokens_scored
    kept = sum(e > 2.0 for e in ent[scheme.context_width:])
    det = detect_ids(scheme, ids, ent, 2.0)
    assert det.tokens_scored == kept and det.as_dict()["entropy_threshold"] == 2.0
    assert detect_ids(scheme, ids, ent, 10.0).tokens_scored == 0
    # a repeated (anchor, token) pair among the kept tokens still counts once
    assert detect_ids(scheme, [7, 8, 9, 10, 11] * 40, [3.0] * 200, 1.0).tokens_scored == 5


def test_long_text_entropies_match_the_whole(bigram_model):
    """Longer than the 64-position window: overlapping windows give every token its entropy, aligned."""
    r = random.Random(1)
    starts = [r.choice(A) for _ in range(80)]
    ids = [x for a in starts for x in (a, a + 100)]  # 160 tokens
    whole = batch_entropies(bigram_model, [ids], bos=0)[0]  # the bigram model ignores position
    windowed = token_entropies(bigram_model, ids, bos=0)
    assert len(windowed) == len(ids) == len(whole)
    assert windowed[1:] == pytest.approx(whole[1:], abs=1e-4)


def test_bias_applies_to_raw_logits_before_temperature_and_top_p(bigram_model):
    """The reference adds δ to the logits before sampling's temperature and truncation
    (transformers once ran custom processors after the warpers): our processor must see the
    model's raw logits, with no -inf from top-p and no division by the temperature."""
    from transformers import LogitsProcessorList

    seen: list[torch.Tensor] = []

    class Recording(WatermarkLogitsProcessor):
        def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
            seen.append(scores.clone())
            return super().__call__(input_ids, scores)

    prompt = torch.tensor([[5, 300]])
    with torch.inference_mode():
        raw = bigram_model(input_ids=prompt).logits[0, -1]
        bigram_model.generate(input_ids=prompt, attention_mask=torch.ones_like(prompt), do_sample=True,
                              temperature=0.5, top_p=0.5, top_k=0, max_new_tokens=1, pad_token_id=2,
                              logits_processor=LogitsProcessorList([Recording(WatermarkScheme(KEY), 512)]))
    assert torch.isfinite(seen[0]).all()
    assert torch.allclose(seen[0][0], raw, atol=1e-5)


def test_gateway_route_and_cli_entropy_aware(make_gateway, loaded_model, tmp_path, tiny_llama_dir, serve_run_dir):
    """The route uses the served model (base + adapter) and the server's default threshold; a
    request may set its own or ask for key-only; the CLI with --adapter gives the same z-score."""
    import json
    import os
    import subprocess
    import sys

    from fastapi.testclient import TestClient

    from privtune.serve.guards.entropy import detect_text_entropy_aware, entropy_source
    from privtune.serve.guards.watermark import encode_for_detection
    from serve_helpers import ROOT, bearer, detect_as_auditor, role_keys, watermarked_completion, write_watermark_key

    key = write_watermark_key(tmp_path, b"e7")
    model, tok, _ = loaded_model
    gw = make_gateway(watermark={"key_file": str(key), "delta": 8.0, "entropy_threshold": 0.0, "detector": "weighted",
                                 "entropy_weight_power": None})
    keys = role_keys(gw)
    with TestClient(gw.app) as c:
        text = watermarked_completion(c, keys)
        ids = encode_for_detection(tok, text)
        # the served default distribution (special tokens removed: `entropy.entropy_source`)
        mid = statistics.median(token_entropies(model, ids, tok.bos_token_id, entropy_source(tok))[4:])

        def ask(**extra):
            return detect_as_auditor(c, keys, text, **extra)

        default, key_only, at_mid, none_left = ask(), ask(key_only=True), ask(entropy_threshold=mid), ask(entropy_threshold=99.0)
        info = c.get("/info", headers=bearer(keys["user"])).json()["watermark"]
    assert info["detection"] == "entropy-aware" and info["entropy_threshold"] == 0.0
    assert default["entropy_threshold"] == 0.0 and "entropy_threshold" not in key_only
    assert default["z_score"] == key_only["z_score"]  # every token of a random model has entropy > 0
    direct = detect_text_entropy_aware(gw.backend.watermark_scheme, model, tok, text, mid)
    assert at_mid["z_score"] == pytest.approx(direct.z_score, abs=1e-3)
    assert 0 < at_mid["tokens_scored"] < key_only["tokens_scored"]
    assert none_left["tokens_scored"] == 0 and none_left["watermarked"] is False
    (tmp_path / "out.txt").write_bytes(text.encode())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "privtune.cli", "watermark", "detect", "--key-file", str(key), "--base",
           str(tiny_llama_dir), "--adapter", str(serve_run_dir / "adapter"), "--entropy-threshold", repr(mid),
           "--device", "cpu", "--detector", "weighted", "--entropy-weight-power", "0", str(tmp_path / "out.txt")]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["z_score"] == pytest.approx(at_mid["z_score"], abs=1e-3) and out["tokens_scored"] == at_mid["tokens_scored"]
    # --adapter without --entropy-threshold is refused (key-only detection loads no model)
    bad = subprocess.run(cmd[:11] + cmd[15:], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode != 0 and "--adapter is used only with --entropy-threshold" in bad.stderr + bad.stdout
