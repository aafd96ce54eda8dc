"""The spike-entropy weights of benchmarks/watermark_spike.py: Kirchenbauer's modulus, the
spike entropy's range, and Shannon entropies identical to the served detector's."""

from __future__ import annotations

import math

import pytest

from benchmarks.watermark_spike import long_shannon_and_spike, shannon_and_spike, spike_modulus


def test_spike_modulus_at_the_reference_settings():
    # (1 − γ)(e^δ − 1) / (1 + (e^δ − 1) γ) at γ 0.25, δ 2
    assert spike_modulus(0.25, 2.0) == pytest.approx(0.75 * math.expm1(2) / (1 + 0.25 * math.expm1(2)))
    assert spike_modulus(0.25, 2.0) == pytest.approx(1.845, abs=1e-3)


def test_shannon_matches_the_library_and_spike_stays_in_range(tiny_llama_dir, tiny_tokenizer):
    from transformers import AutoModelForCausalLM

    from privtune.serve.guards.entropy import batch_entropies, token_entropies

    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama_dir)).eval()
    zeta = spike_modulus(0.25, 2.0)
    rows = [tiny_tokenizer(t, add_special_tokens=False)["input_ids"] for t in ("one short line", "and a second, longer line of text")]
    got = shannon_and_spike(model, rows, tiny_tokenizer.bos_token_id, zeta)
    for (e, s), ref in zip(got, batch_entropies(model, rows, tiny_tokenizer.bos_token_id)):
        assert e == pytest.approx(ref, abs=1e-5)
        assert all(1 / (1 + zeta) - 1e-9 <= v <= 1 for v in s)
    # longer than the window: the same half-overlapping windows as the library's Shannon entropies
    window = int(model.config.max_position_embeddings)
    long_ids = (rows[1] * (window // len(rows[1]) + 3))[: window + 40]
    e, s = long_shannon_and_spike(model, long_ids, tiny_tokenizer.bos_token_id, zeta, window)
    assert len(e) == len(s) == len(long_ids)
    assert e == pytest.approx(token_entropies(model, long_ids, tiny_tokenizer.bos_token_id), abs=1e-5)
