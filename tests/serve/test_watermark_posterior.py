"""Posterior-weighted detection and exact tails (`watermark_posterior`): the per-candidate
likelihood ratios against brute force, the saddle-point tail against Monte Carlo, and the
statistic's key null on a text that repeats itself."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import statistics

import pytest
import torch

from privtune.serve.guards.detectors import TextFeatures, detect_text_with, model_features
from privtune.serve.guards.entropy import EntropySource, entropy_source
from privtune.serve.guards.watermark import WatermarkScheme
from privtune.serve.guards.watermark_posterior import (deflection_weights, detect_posterior, exact_tail,
                                                       position_log_ratios, posterior_statistic, z_of_tail)
from serve_helpers import bearer, detect_as_auditor, role_keys, watermarked_completion, write_watermark_key
from test_watermark_entropy import _generate, bigram_model  # noqa: F401  (a fixture, used by name)


def _key(k: int) -> bytes:
    return hashlib.sha256(b"posterior" + k.to_bytes(4, "little")).digest()


def _brute_log_ratio(gamma: float, delta: float, p: list[float], x_col: int, j: int) -> float:
    """log P(x | m_j = 1) − log P(x | m_j = 0), other bits summed over with their prior (by hand)."""
    rest = 1.0 - sum(p)
    lik = {0: 0.0, 1: 0.0}
    for m in itertools.product((0, 1), repeat=len(p)):
        prior = math.prod(gamma if b else 1 - gamma for i, b in enumerate(m) if i != j)
        big_g = sum(pi * b for pi, b in zip(p, m)) + gamma * rest
        q = math.exp(delta * m[x_col]) / (1 + math.expm1(delta) * big_g) if x_col >= 0 else 1 / (1 + math.expm1(delta) * big_g)
        lik[m[j]] += prior * q
    return math.log(lik[1]) - math.log(lik[0])


def test_position_log_ratios_equal_brute_force():
    p = [[0.5, 0.2, 0.1], [0.9, 0.05, 0.01], [0.3, 0.3, 0.3]]
    x_col = [1, 0, -1]
    lam = position_log_ratios(0.25, 2.0, torch.tensor(p, dtype=torch.double), torch.tensor(x_col))
    for t in range(3):
        for j in range(3):
            assert lam[t, j].item() == pytest.approx(_brute_log_ratio(0.25, 2.0, p[t], x_col[t], j), abs=1e-9)
    # the written token's bit is evidence for green, the likely alternatives' against; a near-certain
    # token (row 1) says little either way
    assert lam[0, 1] > 0 > lam[0, 0] and abs(lam[1, 0]) < 0.5 < lam[0, 1]


@pytest.mark.parametrize("coef", [
    [1.0] * 60 + [0.5] * 60,                                     # right-skewed: heavier tail than the Gaussian
    [1.0] * 40 + [-0.3] * 200,                                   # mixed signs
    [3.0, 3.0, 2.0] + [0.2 + 0.01 * i for i in range(100)],      # a few heavy bits
])
def test_exact_tail_matches_monte_carlo(coef):
    g = 0.25
    c = torch.tensor(coef, dtype=torch.double)
    gen = torch.Generator().manual_seed(7)
    draws = 400_000
    total = torch.zeros(draws, dtype=torch.double)
    for i in range(0, c.numel(), 40):  # in slices: bounded memory
        cs = c[i: i + 40]
        total += ((torch.rand(draws, cs.numel(), generator=gen) < g).double() - g) @ cs
    sd = math.sqrt(g * (1 - g) * float((c * c).sum()))
    for z in (2.5, 3.0):
        mc = float((total >= z * sd - 1e-9).double().mean())
        assert exact_tail(c, g, z * sd) == pytest.approx(mc, rel=0.15), (z, mc)
    assert exact_tail(c, g, float(c.clamp(min=0).sum()) - g * float(c.sum()) + 1.0) == 0.0
    assert exact_tail(c, g, -sd) > 0.8


def test_exact_tail_on_a_right_skewed_sum_is_heavier_than_the_gaussian():
    """Equal positive weights: the Bernoulli(0.25) skew makes the Gaussian z anti-conservative in
    the tail; the exact tail says so (z 4 by the Gaussian is z < 3.9 exactly)."""
    c = torch.ones(150, dtype=torch.double)
    sd = math.sqrt(0.25 * 0.75 * 150)
    assert z_of_tail(exact_tail(c, 0.25, 4.0 * sd)) < 3.9


def test_posterior_null_is_exact_for_a_text_that_repeats_itself(bigram_model):  # noqa: F811
    """Over 300 keys, on one plain text that repeats a 20-token stretch six times (its bits shared
    across repeats): both weightings have z mean ≈ 0, sd ≈ 1, and the exact-tail p is uniform-ish."""
    base = _generate(bigram_model, None, rows=1, seed=11)[0][:20]
    ids = base * 6 + base[:5]
    f = TextFeatures(ids, None, *model_features(bigram_model, ids, 0, EntropySource()))
    for weights in ("deflection", "log-odds"):
        zs = [detect_posterior(WatermarkScheme(_key(k)), f.ids, f.cand_ids, f.cand_probs, weights=weights,
                               exact=False).z_score for k in range(300)]
        assert abs(statistics.mean(zs)) < 0.15 and 0.88 < statistics.pstdev(zs) < 1.12, (weights, statistics.mean(zs))
    ps = [detect_posterior(WatermarkScheme(_key(k)), f.ids, f.cand_ids, f.cand_probs).p_value for k in range(300)]
    assert 0.1 < sum(p < 0.5 for p in ps) / 300 < 0.9 and sum(p < 0.05 for p in ps) <= 30


def test_posterior_detects_a_mark_and_saturates_repeats(bigram_model):  # noqa: F811
    scheme = WatermarkScheme(_key(0), delta=4.0)
    rows = _generate(bigram_model, scheme, rows=3, seed=1)
    for ids in rows:
        ci, cp = model_features(bigram_model, ids, 0, EntropySource())[1:]
        assert detect_posterior(scheme, ids, ci, cp).z_score > 6
    ids = rows[0]
    ci, cp = model_features(bigram_model, ids, 0, EntropySource())[1:]
    s = posterior_statistic(scheme, ids, ci, cp)
    assert float(s.coefficients.max()) <= 0.75 and float(s.coefficients.min()) >= -0.25  # πᵦ − γ
    assert torch.allclose(deflection_weights(torch.tensor([0.0], dtype=torch.double), 0.25), torch.tensor([0.0], dtype=torch.double))


def test_posterior_is_the_served_default(make_gateway, loaded_model, tmp_path, tiny_llama_dir, serve_run_dir):
    """No detector configured: the gateway, /info and `privtune watermark detect` all answer posterior
    (linear before; benchmarks/RESULTS.md, "five fresh keys"), with the same z as the library call."""
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from privtune.cli import app
    from privtune.serve.config import WatermarkConfig

    assert WatermarkConfig().detector == "posterior"
    key = write_watermark_key(tmp_path, b"l8")
    model, tok, _ = loaded_model
    gw = make_gateway(watermark={"key_file": str(key), "delta": 8.0})
    keys = role_keys(gw)
    with TestClient(gw.app) as c:
        text = watermarked_completion(c, keys)
        default = detect_as_auditor(c, keys, text)
        info = c.get("/info", headers=bearer(keys["user"])).json()["watermark"]
    assert info["detector"] == "posterior" and info["lr_top_k"] == 10 and info["p_value_method"] == "saddle-point"
    assert default["detector"] == "posterior" and default["z_score"] > 8 and default["watermarked"]
    direct = detect_text_with(gw.backend.watermark_scheme, tok, text, "posterior", model, None, 0.5,
                              entropy_source(tok, "visible"), 10)
    assert default["z_score"] == pytest.approx(direct.z_score, abs=1e-4)
    (tmp_path / "out.txt").write_bytes(text.encode())
    res = CliRunner().invoke(app, ["watermark", "detect", "--key-file", str(key), "--base", str(tiny_llama_dir),
                                   "--adapter", str(serve_run_dir / "adapter"), "--device", "cpu", "--delta", "8",
                                   str(tmp_path / "out.txt")])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["detector"] == "posterior" and out["p_value_method"] == "saddle-point" and out["z_score"] == pytest.approx(default["z_score"], abs=1e-3)
