"""Likelihood-ratio candidates and spike weights from the *visible* distribution (special tokens
removed, renormalised: the served entropy distribution), and LR scoring restricted to uncertain
positions (privtune/serve/guards/watermark_lr.py, benchmarks/watermark_spike.py; issue 15, branch wm-lr2)."""

from __future__ import annotations

import statistics

import pytest
import torch


from privtune.serve.guards.watermark_lr import (batch_candidates, detect_ids_likelihood_ratio, detect_ids_likelihood_ratio_variants,
                          token_candidates)
from privtune.serve.guards.entropy import batch_entropies, entropy_source, padded_logits
from privtune.serve.guards.watermark import WatermarkScheme
from test_watermark_entropy import _generate, bigram_model  # noqa: F401  (a fixture, used by name)

KEY = b"v" * 32
A_AFTER_B = list(range(300, 400))  # after a B token the bigram model spreads over these 100 tokens


def test_candidates_drop_tokens_and_renormalise(bigram_model):  # noqa: F811
    """Dropped ids never appear among the candidates and the others' probabilities are the full
    ones divided by the mass left: the distribution the written (visible) token was drawn from."""
    ids = _generate(bigram_model, None, rows=1, seed=4)[0][:40]
    drop = tuple(A_AFTER_B[:30])  # 30 % of the mass after every B token
    full_logits = padded_logits(bigram_model, [ids], 0)[0, : len(ids)]
    p_full = torch.softmax(full_logits.double(), dim=-1)
    ci, cp = batch_candidates(bigram_model, [ids], 0, top_k=8, drop=drop)[0]
    assert not set(ci.flatten().tolist()) & set(drop)
    kept = 1.0 - p_full[:, list(drop)].sum(-1)
    expect = p_full.gather(1, ci) / kept[:, None]
    assert torch.allclose(cp, expect, atol=1e-5)
    # the full distribution (no drop) is what the detector used before: different after B tokens
    ci0, _ = batch_candidates(bigram_model, [ids], 0, top_k=8)[0]
    assert set(ci0.flatten().tolist()) & set(drop)
    # windowed texts (longer than the window, 64) drop the same ids
    long_ids = _generate(bigram_model, None, rows=1, seed=5)[0][:150]
    cil, _ = token_candidates(bigram_model, long_ids, 0, top_k=8, drop=drop)
    assert cil.shape == (150, 8) and not set(cil.flatten().tolist()) & set(drop)


def test_variants_equal_single_calls_and_threshold_keeps_uncertain_positions(bigram_model):  # noqa: F811
    scheme = WatermarkScheme(KEY, delta=2.0)
    marked = _generate(bigram_model, scheme, rows=2, seed=6)
    for ids, (ci, cp) in zip(marked, batch_candidates(bigram_model, marked, bos=0)):
        ent = batch_entropies(bigram_model, [ids], bos=0)[0]
        variants = [(None, True), (None, False), (1.0, True), (10.0, True)]
        got = detect_ids_likelihood_ratio_variants(scheme, ids, ci, cp, None, ent, variants)
        for d, (t, cov) in zip(got, variants):
            one = detect_ids_likelihood_ratio(scheme, ids, ci, cp, shared_bit_covariance=cov, entropies=ent,
                                              entropy_threshold=t)
            assert d == one
        # the certain steps have null variance 0 already: the 1-nat threshold keeps every scored one
        uncertain = sum(e > 1.0 for e in ent[scheme.context_width:])
        assert 0 < got[2].tokens_scored <= uncertain
        assert got[3].tokens_scored == 0 and got[3].z_score == 0.0  # nothing above 10 nats
    with pytest.raises(ValueError, match="one entropy per token"):
        detect_ids_likelihood_ratio(scheme, marked[0], ci, cp, entropy_threshold=1.0)


def test_thresholded_null_under_many_keys(bigram_model):  # noqa: F811
    """The threshold reads the model alone, never the key: unwatermarked text stays N(0, 1)."""
    plain = _generate(bigram_model, None, rows=4, seed=7)
    cands = batch_candidates(bigram_model, plain, bos=0)
    ents = batch_entropies(bigram_model, plain, bos=0)
    zs = [detect_ids_likelihood_ratio(WatermarkScheme(bytes([k]) * 32, delta=2.0), ids, ci, cp, entropies=e,
                                      entropy_threshold=1.0).z_score
          for k in range(30) for ids, (ci, cp), e in zip(plain, cands, ents)]
    assert abs(statistics.mean(zs)) < 0.25 and 0.75 < statistics.pstdev(zs) < 1.25
    assert max(zs) < 4


def test_spike_script_uses_the_visible_distribution(tiny_llama_dir, tiny_tokenizer):
    from transformers import AutoModelForCausalLM

    from benchmarks.watermark_spike import shannon_and_spike, spike_modulus

    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama_dir)).eval()
    rows = [tiny_tokenizer(t, add_special_tokens=False)["input_ids"] for t in ("one short line", "and a longer line")]
    source = entropy_source(tiny_tokenizer, "visible")
    got = shannon_and_spike(model, rows, tiny_tokenizer.bos_token_id, spike_modulus(0.25, 2.0), source.drop)
    for (e, _), ref, full in zip(got, batch_entropies(model, rows, tiny_tokenizer.bos_token_id, source),
                                 batch_entropies(model, rows, tiny_tokenizer.bos_token_id)):
        assert e == pytest.approx(ref, abs=1e-5)
        assert e != pytest.approx(full, abs=1e-5)  # the random tiny model puts mass on special tokens


def test_either_of_two_detectors_is_bonferroni():
    """The union of two calibrated one-sided tests (the benchmark's served_or_lr, the server's
    combined detector): p = 2·min(p₁, p₂), back as a z-score."""
    import math

    from privtune.serve.guards.detectors import bonferroni
    from privtune.serve.guards.watermark import Detection

    def p_of(z: float) -> float:
        return 0.5 * math.erfc(z / math.sqrt(2))

    def either_z(*zs: float) -> float:
        return bonferroni([(str(i), Detection(z, p_of(z), 10, 3)) for i, z in enumerate(zs)]).z_score

    assert either_z(4.0) == pytest.approx(4.0, abs=1e-9)  # one test: unchanged
    assert p_of(either_z(4.3, 1.0)) == pytest.approx(2 * p_of(4.3), rel=1e-6)
    assert either_z(4.3, 1.0) == either_z(1.0, 4.3) < 4.3
    # "either > 4" needs the better one above 4.17: the pair's null rate stays <= 2·P(N(0,1) > 4.17) = P(N > 4)
    assert either_z(4.16, 4.16) < 4.0 < either_z(4.17, -2.0)
    assert either_z(-3.0, -3.0) == pytest.approx(-4.75, abs=0.01)  # p capped below 1
    # p underflows (z ≈ 40): a conservative z, still far above any threshold and below the better one
    assert 39.0 < either_z(40.0, 2.0) < 40.0
