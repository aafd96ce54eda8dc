"""The scoring engine against direct computation: one unpadded forward pass per sequence."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from privtune.audit.scoring import TokenSeq, plan_batches, score_continuations, score_sequences
from privtune.audit.stats import next_token_moments
from privtune.demo.corpus import generate
from privtune.train.data import load_examples

torch.set_num_threads(1)


@pytest.fixture(scope="module", params=["llama", "gpt2"])
def model_and_examples(request, tiny_llama_dir, tiny_gpt2_dir, tiny_tokenizer, tmp_path_factory):
    from transformers import AutoModelForCausalLM

    path = tiny_llama_dir if request.param == "llama" else tiny_gpt2_dir
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    data = tmp_path_factory.mktemp("scoring") / "d.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in generate(7, seed=11)), encoding="utf-8")
    loaded = load_examples(data, tiny_tokenizer, max_length=480)
    return model, loaded.examples


def _reference(model, ids: list[int], labels: list[int]):
    """float64 log-softmax of one unpadded forward pass, at the scored positions."""
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0].double()
    logp = torch.log_softmax(logits, dim=-1).numpy()
    rows = [t - 1 for t in range(1, len(ids)) if labels[t] != -100]
    return np.array([logp[r, ids[r + 1]] for r in rows]), logp[rows]


def test_batched_scores_match_unpadded_forward_passes(model_and_examples, tiny_tokenizer):
    model, examples = model_and_examples
    lengths = {len(e.input_ids) for e in examples}
    assert len(lengths) > 2  # the batch really mixes lengths, so padding is exercised
    got = score_sequences(model, examples, pad_id=tiny_tokenizer.pad_token_id, batch_size=3, moments=True)
    for ex, res in zip(examples, got):
        want, logp = _reference(model, ex.input_ids, ex.labels)
        assert res.logprobs.shape == want.shape and want.size > 0
        np.testing.assert_allclose(res.logprobs, want, atol=1e-5, rtol=0)
        mu, sigma = next_token_moments(logp)
        np.testing.assert_allclose(res.mu, mu, atol=1e-5, rtol=0)
        np.testing.assert_allclose(res.sigma, sigma, atol=1e-5, rtol=0)


def test_scores_do_not_depend_on_batch_mates_or_padding_value(model_and_examples, tiny_tokenizer):
    model, examples = model_and_examples
    alone = score_sequences(model, examples, pad_id=tiny_tokenizer.pad_token_id, batch_size=1)
    # A different pad id changes the padded inputs; masked attention must make that irrelevant.
    together = score_sequences(model, examples, pad_id=7, batch_size=len(examples))
    for a, b in zip(alone, together):
        np.testing.assert_allclose(a.logprobs, b.logprobs, atol=1e-5, rtol=0)


def test_only_labelled_positions_are_scored_and_order_is_kept(model_and_examples, tiny_tokenizer):
    model, examples = model_and_examples
    ex = examples[0]
    labels = [-100] * len(ex.input_ids)
    labels[5], labels[9] = ex.input_ids[5], ex.input_ids[9]
    items = [TokenSeq(list(ex.input_ids), labels), TokenSeq([1, 2, 3], [-100, -100, -100]), examples[1]]
    out = score_sequences(model, items, pad_id=tiny_tokenizer.pad_token_id, batch_size=2)
    want, _ = _reference(model, ex.input_ids, labels)
    assert out[0].logprobs.size == 2 and out[1].logprobs.size == 0
    np.testing.assert_allclose(out[0].logprobs, want, atol=1e-5)
    np.testing.assert_allclose(out[2].logprobs, _reference(model, examples[1].input_ids, examples[1].labels)[0],
                               atol=1e-5)
    np.testing.assert_allclose(out[0].losses, -out[0].logprobs)


def test_shared_context_scoring_equals_full_sequences(model_and_examples, tiny_tokenizer):
    model, examples = model_and_examples
    ctx = list(examples[0].input_ids[:12])
    rng = np.random.default_rng(0)
    conts = [rng.integers(10, 400, size=n).tolist() for n in (6, 1, 9, 3, 0, 6, 2, 7)]
    cached = score_continuations(model, ctx, conts, pad_id=tiny_tokenizer.pad_token_id, batch_size=3)
    full = score_sequences(model, [TokenSeq.from_parts(ctx, c) for c in conts], pad_id=tiny_tokenizer.pad_token_id)
    for a, b, c in zip(cached, full, conts):
        assert a.size == len(c)
        np.testing.assert_allclose(a, b.logprobs, atol=1e-5, rtol=0)


def test_plan_batches_sorts_by_length_and_respects_the_token_budget():
    lengths = [5, 50, 7, 49, 6, 48, 120]
    batches = plan_batches(lengths, batch_size=3, max_batch_tokens=150)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) <= 3
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 150
    # Similar lengths share a batch: the three ~50-token sequences go together.
    assert {1, 3, 5} in [set(b) for b in batches]
    with pytest.raises(ValueError):
        plan_batches(lengths, batch_size=0, max_batch_tokens=10)
