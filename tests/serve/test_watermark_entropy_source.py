"""Which distribution the detector's entropies are of (`entropy.ENTROPY_DISTRIBUTIONS`).

Decoded text holds no special tokens, so every token a detector scores was drawn from the
model's distribution *given that the next token is visible*. Where the model put most of its mass
on ending the turn, the full distribution looks certain while the choice the watermark's bias
acted on was spread out (benchmarks/RESULTS.md, "detector entropies: mask and context"). The
model here is a real transformers Llama set by hand to one fixed next-token distribution:
the end-of-turn token holds ≈ 98 % of the mass, eight one-letter tokens share the rest equally.
"""

from __future__ import annotations

import hashlib
import math
import statistics

import pytest
import torch

from privtune.serve.guards.entropy import (batch_entropies, detect_text_entropy_aware, entropy_source,
                                           invisible_ids, token_entropies)
from privtune.serve.guards.placeholders import encode_marking_placeholders
from privtune.serve.guards.watermark import WatermarkScheme, detect_ids
from serve_helpers import support_chat_texts

LETTERS = list("eoailrst")
KEY = b"v" * 32


@pytest.fixture(scope="module")
def fixed_model(tiny_tokenizer):
    """Logits independent of the input: <|im_end|> 8, the letters 2, everything else −30
    (attention and MLP zeroed, every embedding the same unit vector; the head reads it)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    vocab = len(tiny_tokenizer)
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=64, intermediate_size=16, num_hidden_layers=1,
                      num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=256,
                      tie_word_embeddings=False, bos_token_id=0, eos_token_id=1, pad_token_id=2)
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg).eval()
    logits = torch.full((vocab,), -30.0)
    logits[tiny_tokenizer.convert_tokens_to_ids("<|im_end|>")] = 8.0
    letters = tiny_tokenizer.convert_tokens_to_ids(LETTERS)
    assert tiny_tokenizer.unk_token_id not in letters
    logits[letters] = 2.0
    with torch.no_grad():
        layer = model.model.layers[0]
        layer.self_attn.o_proj.weight.zero_()
        layer.mlp.down_proj.weight.zero_()
        model.model.embed_tokens.weight.zero_()
        model.model.embed_tokens.weight[:, 0] = 1.0  # RMSNorm turns it into sqrt(64) = 8 on dim 0
        model.lm_head.weight.zero_()
        model.lm_head.weight[:, 0] = logits / 8.0
    model.fixed_logits = logits  # what the hand computations start from
    return model


def _entropy_without(logits: torch.Tensor, removed: list[int]) -> float:
    """Hand computation: softmax over the tokens not removed, in float64, then Shannon entropy."""
    keep = torch.ones_like(logits, dtype=torch.bool)
    keep[removed] = False
    p = torch.softmax(logits[keep].double(), dim=0)
    return float(-(p * p.log()).sum())


def test_invisible_ids_are_the_special_tokens(tiny_tokenizer):
    assert invisible_ids(tiny_tokenizer) == [0, 1, 2, 3, 4]  # <s> </s> <pad> <|im_start|> <|im_end|>


def test_visible_entropy_removes_the_special_tokens_mass(fixed_model, tiny_tokenizer):
    ids = tiny_tokenizer.convert_tokens_to_ids(list("toast"))
    logits = fixed_model.fixed_logits
    full = batch_entropies(fixed_model, [ids], bos=0)[0]
    visible = batch_entropies(fixed_model, [ids], bos=0, source=entropy_source(tiny_tokenizer, "visible"))[0]
    assert full == pytest.approx([_entropy_without(logits, [])] * len(ids), abs=1e-4)
    assert full[0] < 0.2  # the end of turn holds ≈ 98 %: the full distribution looks certain
    by_hand = _entropy_without(logits, invisible_ids(tiny_tokenizer))
    assert by_hand == pytest.approx(math.log(8), abs=1e-6)  # eight equal letters; the tail is ~e^-32
    assert visible == pytest.approx([by_hand] * len(ids), abs=1e-4)
    # a text longer than the model's window (256): every window's tokens get the visible entropy too
    long_ids = (ids * 70)[:340]
    assert token_entropies(fixed_model, long_ids, 0, entropy_source(tiny_tokenizer, "visible")) == \
        pytest.approx([by_hand] * len(long_ids), abs=1e-4)
    # "model" is the full distribution, as before
    assert batch_entropies(fixed_model, [ids], bos=0, source=entropy_source(tiny_tokenizer, "model"))[0] == \
        pytest.approx(full, abs=1e-6)


def test_canonical_mask_removes_non_canonical_pairs_by_hand(fixed_model, tiny_tokenizer):
    """After "h", "e" would make the pair [h, e], which the tokenizer never produces ("he" is one
    token): the visible-canonical distribution drops it (and any other letter that merges with
    "h"); after "t" every letter stays. Expected values from the tokenizer's own encodings."""
    tok = tiny_tokenizer
    h, e, t = tok.convert_tokens_to_ids(["h", "e", "t"])
    letters = tok.convert_tokens_to_ids(LETTERS)

    def merges_after(a: int) -> list[int]:
        return [b for b in letters if tok.encode(tok.decode([a, b]), add_special_tokens=False) != [a, b]]

    assert tok.encode("he", add_special_tokens=False) == [tok.convert_tokens_to_ids("he")]
    after_h = merges_after(h)
    assert e in after_h and len(after_h) < len(letters)
    assert merges_after(t) == []
    ent = batch_entropies(fixed_model, [[h, t, t]], bos=0, source=entropy_source(tok, "visible-canonical"))[0]
    logits = fixed_model.fixed_logits
    drop = invisible_ids(tok)
    assert ent[1] == pytest.approx(_entropy_without(logits, drop + after_h), abs=1e-4)  # after "h"
    assert ent[1] == pytest.approx(math.log(len(letters) - len(after_h)), abs=1e-4)
    assert ent[0] == pytest.approx(_entropy_without(logits, drop), abs=1e-4)  # after BOS: no pair to judge
    assert ent[2] == pytest.approx(math.log(8), abs=1e-4)  # after "t"
    # visible alone keeps the non-canonical letters
    assert batch_entropies(fixed_model, [[h, t]], bos=0, source=entropy_source(tok, "visible"))[0][1] == \
        pytest.approx(math.log(8), abs=1e-4)


def test_served_detection_default_scores_what_the_full_distribution_called_certain(fixed_model, tiny_tokenizer):
    """Threshold 1.5 nats: the full distribution (≈ 0.1 nats) scores nothing, the visible one
    (log 8 = 2.08) scores every token; the result names the distribution."""
    scheme = WatermarkScheme(KEY)
    text = "toast lies at rest. it is late; eat"
    default = detect_text_entropy_aware(scheme, fixed_model, tiny_tokenizer, text, 1.5)
    full = detect_text_entropy_aware(scheme, fixed_model, tiny_tokenizer, text, 1.5, source="model")
    key_only = detect_ids(scheme, *encode_marking_placeholders(tiny_tokenizer, text)[:1])
    assert full.tokens_scored == 0
    assert default.tokens_scored == key_only.tokens_scored > 10
    assert default.as_dict()["entropy_distribution"] == "visible"
    with pytest.raises(ValueError, match="visible-canonical"):
        entropy_source(tiny_tokenizer, "prompt")


def test_visible_weights_keep_the_key_null_standard_normal(loaded_model):
    """Human support chats under 48 keys, weighted by √ of the served model's visible entropies
    (keyless): the weighted z keeps mean ≈ 0, sd ≈ 1, and flags nothing."""
    model, tok, _ = loaded_model
    encoded = [encode_marking_placeholders(tok, t) for t in support_chat_texts(61)]
    encoded = [(ids, m) for ids, m in encoded if len(ids) > 8]
    source = entropy_source(tok, "visible")
    ents = [e for ids, _ in encoded for e in batch_entropies(model, [ids], tok.bos_token_id, source)]
    zs = [detect_ids(WatermarkScheme(hashlib.sha256(bytes([k])).digest()), ids, e, placeholder=marked,
                     entropy_weight_power=0.5).z_score
          for k in range(48) for (ids, marked), e in zip(encoded, ents)]
    assert max(zs) < 4
    assert abs(statistics.mean(zs)) < 0.2 and 0.8 < statistics.pstdev(zs) < 1.2
    assert sum(z > 2.33 for z in zs) <= 2 * 0.01 * len(zs) + 3


def test_gateway_and_cli_entropy_distribution(make_gateway, loaded_model, tmp_path, tiny_llama_dir):
    """The route uses `watermark.entropy_distribution` (default visible) and names it; /info too;
    "model" gives the full distribution's z (the detector before). The CLI refuses an unknown one."""
    import os
    import subprocess
    import sys

    from fastapi.testclient import TestClient

    from serve_helpers import ROOT, bearer, detect_as_auditor, role_keys, watermarked_completion, write_watermark_key

    key = write_watermark_key(tmp_path, b"d5")
    model, tok, _ = loaded_model
    answers = {}
    for dist in (None, "model"):
        extra = {"entropy_distribution": dist} if dist else {}
        gw = make_gateway(watermark={"key_file": str(key), "delta": 8.0, "entropy_weight_power": 3.0,
                                     "detector": "weighted", **extra})
        keys = role_keys(gw)
        with TestClient(gw.app) as c:
            text = watermarked_completion(c, keys)
            answers[dist] = detect_as_auditor(c, keys, text)
            info = c.get("/info", headers=bearer(keys["user"])).json()["watermark"]
        assert info["entropy_distribution"] == (dist or "visible")
        assert answers[dist]["entropy_distribution"] == (dist or "visible")
        direct = detect_text_entropy_aware(gw.backend.watermark_scheme, model, tok, text, None,
                                           entropy_weight_power=3.0, source=dist or "visible")
        assert answers[dist]["z_score"] == pytest.approx(direct.z_score, abs=1e-3)
    (tmp_path / "t.txt").write_text("hello")
    res = subprocess.run([sys.executable, "-m", "privtune.cli", "watermark", "detect", "--key-file", str(key), "--base",
                          str(tiny_llama_dir), "--entropy-weight-power", "1", "--entropy-distribution", "prompt",
                          str(tmp_path / "t.txt")], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode != 0 and "--entropy-distribution 'prompt'" in res.stderr + res.stdout
    assert "Traceback" not in res.stderr
