"""The served detector is selectable (``watermark.detector``, ``--detector``, a request's
``detector``): weighted | lr | combined | joint. lr, combined and joint read the model's top-k
candidates from the same pass as the entropies; combined is Bonferroni, p = 2·min(p_weighted, p_lr);
joint is (z_w + z_lr) / sqrt(2 + 2ρ) with ρ their null correlation on the text."""

from __future__ import annotations

import hashlib
import json
import math
import statistics

import pytest
import torch

from privtune.errors import ConfigError
from privtune.serve.guards.detectors import (DETECTORS, TextFeatures, check_detector, detect_features,
                                             detect_text_with, model_features)
from privtune.serve.guards.entropy import EntropySource, batch_entropies, entropy_source, token_entropies
from privtune.serve.guards.watermark import WatermarkScheme
from privtune.serve.guards.watermark_lr import batch_candidates, token_candidates
from serve_helpers import bearer, detect_as_auditor, role_keys, watermarked_completion, write_watermark_key
from test_watermark_entropy import _generate, bigram_model  # noqa: F401  (a fixture, used by name)

KEY = b"d" * 32


def _features(model, rows: list[list[int]]) -> list[TextFeatures]:
    return [TextFeatures(ids, None, *model_features(model, ids, 0, EntropySource())) for ids in rows]


def test_one_pass_features_equal_the_separate_entropy_and_candidate_passes(bigram_model):  # noqa: F811
    """200 tokens through a 64-token window: the one-pass features equal `token_entropies` and
    `token_candidates` (the benchmarks' features), also with special tokens dropped."""
    ids = _generate(bigram_model, None, rows=1, seed=8)[0]
    for source in (EntropySource(), EntropySource("visible", tuple(range(300, 330)))):
        ent, ci, cp = model_features(bigram_model, ids, 0, source, top_k=8)
        ref_i, ref_p = token_candidates(bigram_model, ids, 0, top_k=8, drop=source.drop)
        assert ent == pytest.approx(token_entropies(bigram_model, ids, 0, source), abs=1e-4)
        assert torch.allclose(cp, ref_p, atol=1e-5)
        # equal probabilities may sort either way: compare where the probabilities differ
        assert (ci == ref_i)[cp > 1e-3].float().mean().item() > 0.99
    with pytest.raises(ValueError, match="top_k"):
        model_features(bigram_model, ids, 0, EntropySource(), top_k=15)


def test_lr_and_combined_detect_a_strong_mark_and_stay_null_without_it(bigram_model):  # noqa: F811
    """δ 4 on a model half certain, half uniform: lr and combined put every watermarked text far
    above 4; unwatermarked texts under 24 keys keep z ≈ N(0, 1) and never pass 4."""
    scheme = WatermarkScheme(KEY, delta=4.0)
    marked = _features(bigram_model, _generate(bigram_model, scheme, rows=4, seed=1))
    for det in ("lr", "combined", "joint"):
        zs = [detect_features(scheme, det, f, entropy_weight_power=0.5).z_score for f in marked]
        assert min(zs) > 8, (det, zs)
    plain = _features(bigram_model, _generate(bigram_model, None, rows=4, seed=2))
    for det in ("lr", "combined", "joint"):
        zs = [detect_features(WatermarkScheme(hashlib.sha256(bytes([k])).digest(), delta=4.0), det, f,
                              entropy_weight_power=0.5).z_score
              for k in range(24) for f in plain]
        assert max(zs) < 4, det
        if det in ("lr", "joint"):
            assert abs(statistics.mean(zs)) < 0.3 and 0.7 < statistics.pstdev(zs) < 1.3
        else:  # the better of two correlated tests, pushed down by the factor 2: mean below 0
            assert statistics.mean(zs) < 0.3


def test_combined_is_two_times_the_smaller_p_value(bigram_model):  # noqa: F811
    scheme = WatermarkScheme(KEY, delta=1.0)
    feats = _features(bigram_model, _generate(bigram_model, scheme, rows=3, seed=3))
    for f in feats:
        weighted = detect_features(scheme, "weighted", f, entropy_weight_power=0.5)
        lr = detect_features(scheme, "lr", f)
        both = detect_features(scheme, "combined", f, entropy_weight_power=0.5)
        assert both.p_value == pytest.approx(min(1.0, 2 * min(weighted.p_value, lr.p_value)), rel=1e-12)
        assert 0.5 * math.erfc(both.z_score / math.sqrt(2)) == pytest.approx(both.p_value, rel=1e-6)
        assert both.z_score < max(weighted.z_score, lr.z_score)
        d = both.as_dict()
        assert d["detector"] == "combined" and "detection" not in d and d["likelihood_ratio_top_k"] == 10
        assert d["components"]["weighted"]["z_score"] == pytest.approx(weighted.z_score, abs=1e-4)
        assert d["components"]["lr"]["tokens_scored"] == lr.tokens_scored
        assert lr.as_dict()["detector"] == "lr" and weighted.as_dict()["detector"] == "weighted"


def test_bad_detector_names_are_refused(bigram_model, tiny_tokenizer):  # noqa: F811
    from privtune.config import load_config
    from privtune.serve.config import ServeConfig

    assert DETECTORS == ("weighted", "lr", "combined", "joint", "linear", "posterior") and check_detector("lr") == "lr"
    with pytest.raises(ConfigError, match="'lrt'.*weighted, lr, combined, joint, linear"):
        detect_text_with(WatermarkScheme(KEY), tiny_tokenizer, "some text", "lrt")
    with pytest.raises(ConfigError, match=r"watermark\.detector.*'weighted', 'lr', 'combined', 'joint', 'linear' or 'posterior'"):
        load_config(ServeConfig, overrides={"watermark": {"detector": "likelihood"}})
    with pytest.raises(ValueError, match="needs the model"):
        detect_text_with(WatermarkScheme(KEY), tiny_tokenizer, "some text", "lr")


def test_gateway_detector_default_request_override_info_and_cli(make_gateway, loaded_model, tmp_path,
                                                                tiny_llama_dir, serve_run_dir):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from privtune.cli import app

    key = write_watermark_key(tmp_path, b"d4")
    model, tok, _ = loaded_model
    gw = make_gateway(watermark={"key_file": str(key), "delta": 8.0, "detector": "combined",
                                 "entropy_weight_power": 0.5, "lr_top_k": 6})
    keys = role_keys(gw)
    with TestClient(gw.app) as c:
        text = watermarked_completion(c, keys)
        default, lr, key_only = (detect_as_auditor(c, keys, text), detect_as_auditor(c, keys, text, detector="lr"),
                                 detect_as_auditor(c, keys, text, key_only=True))
        joint = detect_as_auditor(c, keys, text, detector="joint")
        bad = c.post("/v1/watermark/detect", headers=bearer(keys["auditor"]), json={"text": text, "detector": "lrt"})
        clash = c.post("/v1/watermark/detect", headers=bearer(keys["auditor"]),
                       json={"text": text, "detector": "lr", "key_only": True})
        info = c.get("/info", headers=bearer(keys["user"])).json()["watermark"]
    assert info["detector"] == "combined" and info["lr_top_k"] == 6
    # /info states how p is computed: lr / joint / combined by the Gaussian (an approximation)
    assert info["p_value_method"] == "bonferroni, lr part gaussian-approximation"
    assert info["p_value_methods"]["lr"] == info["p_value_methods"]["joint"] == "gaussian-approximation"
    assert info["p_value_methods"]["linear"] == info["p_value_methods"]["posterior"] == "saddle-point"
    assert lr["p_value_method"] == joint["p_value_method"] == "gaussian-approximation"
    assert default["detector"] == "combined" and default["z_score"] > 8 and default["watermarked"]
    assert default["p_value"] == pytest.approx(min(1.0, 2 * min(c["p_value"] for c in default["components"].values())))
    assert lr["detector"] == "lr" and lr["likelihood_ratio_top_k"] == 6 and lr["z_score"] > 8
    assert default["components"]["lr"]["z_score"] == lr["z_score"]
    assert key_only["detector"] == "weighted" and "entropy_weight_power" not in key_only
    assert joint["detector"] == "joint" and joint["z_score"] > 8 and -1 <= joint["null_correlation"] <= 1
    assert joint["components"]["lr"]["z_score"] == lr["z_score"]
    assert bad.status_code == 400 and "detector" in bad.json()["error"]["message"]
    assert "'weighted', 'lr', 'combined', 'joint', 'linear' or 'posterior'" in bad.json()["error"]["message"]
    assert clash.status_code == 400 and "key_only" in clash.json()["error"]["message"]
    direct = detect_text_with(gw.backend.watermark_scheme, tok, text, "combined", model, None, 0.5,
                              entropy_source(tok, "visible"), 6)
    assert default["z_score"] == pytest.approx(direct.z_score, abs=1e-4)
    (tmp_path / "out.txt").write_bytes(text.encode())
    runner = CliRunner()
    args = ["watermark", "detect", "--key-file", str(key), "--base", str(tiny_llama_dir), "--adapter",
            str(serve_run_dir / "adapter"), "--device", "cpu", "--delta", "8", "--lr-top-k", "6"]
    res = runner.invoke(app, [*args, "--detector", "combined", "--entropy-weight-power", "0.5", str(tmp_path / "out.txt")])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["detector"] == "combined" and out["z_score"] == pytest.approx(default["z_score"], abs=1e-3)
    assert out["p_value_method"] == "bonferroni, lr part gaussian-approximation"
    res = runner.invoke(app, [*args, "--detector", "nope", str(tmp_path / "out.txt")])
    assert res.exit_code != 0 and "--detector 'nope'" in str(res.exception) + res.output


def test_visible_candidates_drop_the_special_tokens(tiny_llama_dir, tiny_tokenizer):
    """The served source (visible): no special token among the candidates, as in the benchmarks."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama_dir)).eval()
    ids = tiny_tokenizer("a short line of text to score", add_special_tokens=False)["input_ids"]
    source = entropy_source(tiny_tokenizer, "visible")
    ent, ci, cp = model_features(model, ids, tiny_tokenizer.bos_token_id, source)
    ref_i, ref_p = batch_candidates(model, [ids], tiny_tokenizer.bos_token_id, 10, source.drop)[0]
    assert not set(ci.flatten().tolist()) & set(source.drop)
    assert torch.allclose(cp, ref_p, atol=1e-5)
    assert ent == pytest.approx(batch_entropies(model, [ids], tiny_tokenizer.bos_token_id, source)[0], abs=1e-4)


def _synthetic_features(seed: int, n: int = 240, vocab: int = 400, k: int = 10) -> TextFeatures:
    """A keyless text with varied next-token distributions: per position k candidates with peaked
    random probabilities (the written token among them or not), entropies of those distributions.
    A small vocabulary makes (anchor, token) pairs recur, so shared bits are exercised too."""
    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab, (n,), generator=gen).tolist()
    ci = torch.randint(0, vocab, (n, k), generator=gen)
    logits = torch.randn((n, k + 1), generator=gen, dtype=torch.double) * torch.rand((n, 1), generator=gen,
                                                                                      dtype=torch.double) * 4
    p = torch.softmax(logits, dim=-1)  # the last column: the mass outside the top k
    p_top = p[:, :k].sort(dim=-1, descending=True).values
    col = torch.randint(0, k + 3, (n,), generator=gen)  # >= k: the written token is outside the top k
    for i in range(n):
        if col[i] < k:
            ci[i, col[i]] = ids[i]
    ent = (-(p * p.log()).sum(-1)).tolist()
    return TextFeatures(ids, None, ent, ci, p_top)


def test_joint_correlation_is_the_null_correlation_of_the_two_scores():
    """ρ is derived, not fitted: on fixed texts, over 120 keys each (fresh green bits), the empirical
    correlation of z_w and z_lr matches the mean ρ, and z_joint has mean ≈ 0, sd ≈ 1."""
    for seed in (1, 2):
        f = _synthetic_features(seed)
        rows = []
        for k in range(120):
            d = detect_features(WatermarkScheme(hashlib.sha256(b"j" + bytes([seed, k])).digest(), delta=2.0), "joint",
                                f, entropy_weight_power=0.5)
            parts = {name: z for name, z, _, _, _ in d.components}
            rows.append((parts["weighted"], parts["lr"], d.null_correlation, d.z_score))
        zw, zl, rho, zj = zip(*rows)
        print(f"seed {seed}: mean rho {statistics.mean(rho):.3f}, empirical {statistics.correlation(zw, zl):.3f}, "
              f"joint mean {statistics.mean(zj):.3f} sd {statistics.pstdev(zj):.3f}")
        assert 0.2 < statistics.mean(rho) < 0.9  # neither independent nor the same statistic
        assert statistics.correlation(zw, zl) == pytest.approx(statistics.mean(rho), abs=0.12)
        assert 0.8 < statistics.pstdev(zj) < 1.2 and abs(statistics.mean(zj)) < 0.25
        assert all(z == pytest.approx((a + b) / math.sqrt(2 + 2 * r)) for a, b, r, z in rows)
    d = detect_features(WatermarkScheme(KEY), "joint", f, entropy_weight_power=0.5).as_dict()
    assert d["detector"] == "joint" and "null_correlation" in d and set(d["components"]) == {"weighted", "lr"}
    # a part that scored nothing (no entropy above 50 nats) leaves the other alone
    alone = detect_features(WatermarkScheme(KEY), "joint", f, entropy_threshold=50.0)
    assert alone.z_score == detect_features(WatermarkScheme(KEY), "lr", f).z_score and alone.null_correlation is None
