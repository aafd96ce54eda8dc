"""Batched decoding: left padding is invisible, greedy equals `generate`, sampling is reproducible."""

from __future__ import annotations

import pytest
import torch

from privtune.audit.generation import Decoding, end_token_ids, generate
from privtune.audit.models import base_scope, load_models

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def perturbed(tiny_llama_dir, tmp_path_factory, save_random_adapter):
    """Base + an adapter with non-zero random LoRA weights, so tuned and base differ."""
    out = save_random_adapter(tiny_llama_dir, tmp_path_factory.mktemp("perturbed_adapter"), 1)
    return load_models(tiny_llama_dir, out, device="cpu")


def _prompts(tok) -> list[list[int]]:
    texts = ["Hello, the parcel for order", "Hi", "你好，我是经理", "Please bring your ID and your last"]
    return [[tok.bos_token_id] + tok(t, add_special_tokens=False)["input_ids"] for t in texts]


def test_left_padded_greedy_batch_equals_single_prompts_and_hf_generate(perturbed):
    from transformers import GenerationConfig

    m, tok = perturbed.model, perturbed.tokenizer
    prompts = _prompts(tok)
    assert len({len(p) for p in prompts}) == len(prompts)
    ends = end_token_ids(m, tok)
    dec = Decoding(max_new_tokens=12)
    batched = generate(m, prompts, dec, pad_id=tok.pad_token_id, end_ids=ends, batch_size=4)
    for p, got in zip(prompts, batched):
        alone = generate(m, [p], dec, pad_id=tok.pad_token_id, end_ids=ends)[0]
        assert got == alone
        ref = m.generate(input_ids=torch.tensor([p]), attention_mask=torch.ones(1, len(p), dtype=torch.long),
                         generation_config=GenerationConfig(do_sample=False, max_new_tokens=12, eos_token_id=ends,
                                                            pad_token_id=tok.pad_token_id))
        assert got == ref[0, len(p):].tolist()[: len(got)]
        assert len(got) == 12 or got[-1] in ends


def test_sampling_is_reproducible_and_independent_of_batching(perturbed):
    m, tok = perturbed.model, perturbed.tokenizer
    prompts = _prompts(tok)
    dec = Decoding(max_new_tokens=10, temperature=1.0, top_p=0.9, seed=5)
    batched = generate(m, prompts, dec, pad_id=tok.pad_token_id, batch_size=4)
    singles = [generate(m, [p], dec, pad_id=tok.pad_token_id, prompt_keys=[i])[0] for i, p in enumerate(prompts)]
    assert batched == singles
    other_seed = generate(m, prompts, Decoding(10, 1.0, 0.9, seed=6), pad_id=tok.pad_token_id)
    assert other_seed != batched


def test_base_scope_switches_the_adapter_off(perturbed, tiny_llama_dir):
    from transformers import AutoModelForCausalLM

    m, tok = perturbed.model, perturbed.tokenizer
    prompts = _prompts(tok)
    dec = Decoding(max_new_tokens=8, temperature=1.0, top_p=1.0, seed=2)
    plain = AutoModelForCausalLM.from_pretrained(tiny_llama_dir).eval()
    want = generate(plain, prompts, dec, pad_id=tok.pad_token_id)
    with base_scope(m) as base:
        got = generate(base, prompts, dec, pad_id=tok.pad_token_id)
    tuned = generate(m, prompts, dec, pad_id=tok.pad_token_id)
    assert got == want  # same uniforms, same distribution -> same samples
    assert tuned != want


def test_top_p_restricts_to_the_nucleus():
    from privtune.audit.generation import _next_tokens

    logits = torch.log(torch.tensor([[0.6, 0.3, 0.05, 0.05]]))
    dec = Decoding(1, temperature=1.0, top_p=0.5)
    # Only the first token is in the 0.5-nucleus: every uniform draw picks it.
    assert {int(_next_tokens(logits, dec, torch.tensor([u]))) for u in (0.0, 0.3, 0.7, 0.999)} == {0}
    wide = Decoding(1, temperature=1.0, top_p=0.85)
    picks = [int(_next_tokens(logits, wide, torch.tensor([u]))) for u in (0.1, 0.5, 0.7, 0.95)]
    assert picks == [0, 0, 1, 1]  # nucleus {0, 1} renormalised to 2/3, 1/3
