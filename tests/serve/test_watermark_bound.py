"""The oracle Neyman-Pearson bound benchmark (benchmarks/watermark_bound.py): its recorder samples
exactly what the served processors sample, its log ratio is the two-valued green statistic, and
its exact tail and power bound are right."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from benchmarks.watermark import generate_rows
from benchmarks.watermark_bound import (ALPHA, REQUIRED_KL, OracleStep, binary_kl, max_power, oracle_scores,
                                        poisson_binomial_tail, surviving_positions)
from privtune.serve.guards.canonical import CanonicalPairs, CanonicalSplitProcessor
from privtune.serve.guards.watermark import WatermarkLogitsProcessor, WatermarkScheme


def test_poisson_binomial_tail_matches_enumeration_and_binomial():
    from scipy.stats import binom

    probs = np.array([0.1, 0.9, 0.5, 0.0, 1.0, 0.3])
    brute = {}
    for mask in range(1 << len(probs)):
        bits = [(mask >> i) & 1 for i in range(len(probs))]
        pr = math.prod(p if b else 1 - p for p, b in zip(probs, bits))
        brute[sum(bits)] = brute.get(sum(bits), 0.0) + pr
    for s in range(len(probs) + 1):
        assert poisson_binomial_tail(probs, s) == pytest.approx(sum(v for k, v in brute.items() if k >= s), abs=1e-12)
    assert poisson_binomial_tail(np.full(200, 0.25), 90) == pytest.approx(binom.sf(89, 200, 0.25), rel=1e-9)


def test_power_bound_inverts_the_binary_kl():
    assert REQUIRED_KL == pytest.approx(9.644, abs=1e-3)
    assert max_power(REQUIRED_KL) == pytest.approx(0.95, abs=1e-6)
    for d in (0.5, 3.0, 9.0):  # d(1 ‖ α) = log(1/α) = 10.36: beyond it nothing bounds the power
        b = max_power(d)
        assert binary_kl(b, ALPHA) == pytest.approx(d, rel=1e-6) and max_power(d + 1) > b
    assert max_power(10.4) == 1.0


def test_surviving_positions_drop_redacted_tokens_and_placeholders():
    generated = [5, 6, 7, 8, 9, 10]
    redacted = [5, 6, 99, 98, 10]  # 7, 8, 9 became a two-token placeholder
    assert surviving_positions(generated, redacted, [False, False, True, True, False]) == [0, 1, 5]
    # an id that equals a placeholder token by chance is still not counted
    assert surviving_positions([1, 2, 3], [1, 2, 3], [False, True, False]) == [0, 2]


def test_oracle_samples_as_served_and_separates_watermarked_from_plain(tiny_llama_dir, tiny_tokenizer):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama_dir)).eval()
    vocab = int(model.get_output_embeddings().weight.shape[0])
    scheme = WatermarkScheme(b"o" * 32, 0.25, 2.0)
    pairs = CanonicalPairs(tiny_tokenizer)
    eos = [tiny_tokenizer.eos_token_id]
    ids = tiny_tokenizer("the quick brown fox jumps over the lazy dog", add_special_tokens=False)["input_ids"][:6]
    rows = [ids] * 6
    served = generate_rows(model, tiny_tokenizer, rows,
                           [WatermarkLogitsProcessor(scheme, vocab), CanonicalSplitProcessor(pairs, end_ids=eos)], 7, 30)
    step = OracleStep(WatermarkLogitsProcessor(scheme, vocab), CanonicalSplitProcessor(pairs, end_ids=eos), 2.0, True)
    recorded = generate_rows(model, tiny_tokenizer, rows, [step], 7, 30)
    step.finish(recorded)
    assert recorded == served  # recording changes nothing that is sampled
    assert step.max_llr_identity_error < 1e-5  # λ = δ g − log(1 + (e^δ − 1) G) at every step
    wm = [oracle_scores(r, 2.0) for r in step.per_row()]
    plain_step = OracleStep(WatermarkLogitsProcessor(scheme, vocab), CanonicalSplitProcessor(pairs, end_ids=eos), 2.0, False)
    plain_out = generate_rows(model, tiny_tokenizer, rows, [plain_step], 7, 30)
    plain_step.finish(plain_out)
    plain = [oracle_scores(r, 2.0) for r in plain_step.per_row()]
    for s in wm + plain:  # the z-score of Λ is the standardised green count
        assert s["z"] == pytest.approx((s["green"] - s["green_expected"]) / math.sqrt(s["null_var_count"]), abs=1e-6)
        assert s["kl"] >= 0
    # a random tiny model spreads its mass: δ 2 shows in 30 tokens, the plain outputs do not
    assert min(s["z"] for s in wm) > 2 and max(s["z"] for s in plain) < 3.5
    assert all(s["p_exact"] < 0.05 for s in wm) and statistics_mean([s["p_exact"] for s in plain]) > 0.1


def statistics_mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def test_recorder_masks_p_and_q_alike():
    """The same candidates removed from both distributions: only the bias separates them."""
    torch.manual_seed(0)
    scheme = WatermarkScheme(b"k" * 32, 0.25, 2.0)
    bias = WatermarkLogitsProcessor(scheme, 16)

    def drop_three(input_ids, scores):
        scores[:, 3] = float("-inf")
        return scores

    step = OracleStep(bias, drop_three, 2.0, watermarked=False)
    out = step(torch.tensor([[1, 2, 4, 5]]), torch.randn(1, 16))
    assert out[0, 3] == float("-inf") and torch.isfinite(out[0, :3]).all()
    assert float(step.steps[0]["kl"][0]) >= 0 and 0 < float(step.steps[0]["G"][0]) < 1


def test_text_only_green_mass_uses_the_detectors_bits_and_skips(tiny_llama_dir, tiny_tokenizer):
    from transformers import AutoModelForCausalLM

    from benchmarks.watermark_bound import sampling_null_scores, text_only_green_mass

    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama_dir)).eval()
    bias = WatermarkLogitsProcessor(WatermarkScheme(b"t" * 32, 0.25, 2.0), int(model.get_output_embeddings().weight.shape[0]))
    rows = [tiny_tokenizer("a short line of text for the model to read", add_special_tokens=False)["input_ids"], [5, 6, 7]]
    marks = [[False] * len(rows[0]), [False] * 3]
    marks[0][6] = True  # one placeholder token: it and the windows anchored on it drop out
    (G, g), (G2, g2) = text_only_green_mass(model, bias, 2.0, rows, tiny_tokenizer.bos_token_id, marks)
    assert 0 < len(G) < len(rows[0]) - 4 and len(G) == len(g) and len(G2) == 0
    assert ((G > 0) & (G < 1)).all() and set(g.tolist()) <= {0.0, 1.0}
    s = sampling_null_scores(G, g)
    assert s["z"] == pytest.approx((g.sum() - G.sum()) / math.sqrt((G * (1 - G)).sum()))
    assert 0 < s["p_exact"] <= 1


def test_generation_entropies_follow_the_alignment_onto_the_redacted_text():
    from benchmarks.watermark_bound import entropies_on_redacted

    ent = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    assert entropies_on_redacted([1, 2, 3, 4, 5], [1, 2, 90, 91, 5], ent) == [0.1, 0.2, 0.0, 0.0, 0.5]
