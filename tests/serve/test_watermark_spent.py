"""Spent pairs (`watermark.spent_pair_mask`): generation leaves a pair the output already wrote
unbiased, and the posterior detector that mirrors it keeps its key null."""

from __future__ import annotations

import hashlib
import random
import statistics

import torch

from privtune.serve.guards.detectors import TextFeatures, model_features
from privtune.serve.guards.entropy import EntropySource
from privtune.serve.guards.watermark import WatermarkLogitsProcessor, WatermarkScheme, token_green_bits
from privtune.serve.guards.watermark_posterior import detect_posterior
from test_watermark_entropy import _generate, bigram_model  # noqa: F401  (a fixture, used by name)


def _key(k: int) -> bytes:
    return hashlib.sha256(b"spent" + k.to_bytes(4, "little")).digest()


def test_a_pair_the_output_already_wrote_gets_no_bias():
    scheme, vocab, prompt = WatermarkScheme(_key(0)), 40, 3
    spent = WatermarkLogitsProcessor(scheme, vocab, spent_unbiased=True).for_prompt(prompt)
    plain = WatermarkLogitsProcessor(scheme, vocab)
    rng = random.Random(0)
    unbiased_green = 0
    for _ in range(150):
        ids = [rng.randrange(8) for _ in range(prompt + rng.randrange(1, 40))]  # 8 tokens: many repeats
        got = spent(torch.tensor([ids]), torch.zeros(1, vocab))[0]
        want = plain(torch.tensor([ids]), torch.zeros(1, vocab))[0]
        out = ids[prompt:]
        written = set(zip(*token_green_bits(scheme, out)[:1], out[scheme.context_width:]))
        for t in range(vocab):
            anchor = token_green_bits(scheme, ids[-scheme.context_width:] + [t])[0][-1]
            if (anchor, t) in written:
                unbiased_green += int(want[t] > 0)
                assert got[t] == 0.0
            else:
                assert got[t] == want[t]
    assert unbiased_green > 20  # the rule was exercised on green candidates


def test_spent_aware_posterior_null_over_keys(bigram_model):  # noqa: F811
    """A plain text that repeats a stretch: z under 300 keys has mean ≈ 0 and sd ≈ 1."""
    base = _generate(bigram_model, None, rows=1, seed=11)[0][:20]
    ids = base * 6 + base[:5]
    f = TextFeatures(ids, None, *model_features(bigram_model, ids, 0, EntropySource()))
    zs = [detect_posterior(WatermarkScheme(_key(k)), f.ids, f.cand_ids, f.cand_probs, exact=False,
                           spent_unbiased=True).z_score for k in range(300)]
    assert abs(statistics.mean(zs)) < 0.15 and 0.88 < statistics.pstdev(zs) < 1.12


def test_spent_aware_posterior_detects_spent_generation(bigram_model):  # noqa: F811
    from transformers import LogitsProcessorList

    scheme = WatermarkScheme(_key(1), delta=4.0)
    proc = WatermarkLogitsProcessor(scheme, 512, spent_unbiased=True).for_prompt(4)
    torch.manual_seed(3)
    prompt = torch.tensor([[5, 303, 6, 350]] * 2)
    with torch.inference_mode():
        out = bigram_model.generate(input_ids=prompt, attention_mask=torch.ones_like(prompt), do_sample=True, top_k=0,
                                    max_new_tokens=200, min_new_tokens=200, pad_token_id=2,
                                    logits_processor=LogitsProcessorList([proc]))
    for ids in (r[4:].tolist() for r in out):
        ci, cp = model_features(bigram_model, ids, 0, EntropySource())[1:]
        assert detect_posterior(scheme, ids, ci, cp, spent_unbiased=True).z_score > 4
