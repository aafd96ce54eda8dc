"""Canonical-split generation: non-canonical token pairs are masked, canonical ones untouched,
and watermarked generation re-encodes to the very tokens it sampled (byte-level BPE and a
SentencePiece-style BPE, both trained here from a few hundred local sentences)."""

from __future__ import annotations

import pytest
import torch

from privtune.serve.guards.canonical import (CanonicalPairs, CanonicalSplitProcessor, identical_share,
                                             reencodes_identically)
from privtune.serve.guards.watermark import WatermarkLogitsProcessor, WatermarkScheme, detect_ids

KEY = b"c" * 32


def _merged_pair(tok) -> tuple[int, int, int]:
    """(a, b, ab): a learned merge whose result is a token, so [a, b] is never how BPE splits it."""
    model = tok.backend_tokenizer.model
    vocab = tok.get_vocab()
    import json

    merges = json.loads(tok.backend_tokenizer.to_str())["model"]["merges"]
    for m in merges[::-1]:  # late merges: whole words, both halves multi-byte
        left, right = m if isinstance(m, list) else m.split(" ")
        if left in vocab and right in vocab and left + right in vocab and len(left) > 1 and len(right) > 1:
            ab = vocab[left + right]
            if [t.id for t in model.tokenize(left + right)] == [ab]:
                return vocab[left], vocab[right], ab
    raise AssertionError("no multi-character merge in this tokenizer")


@pytest.fixture(scope="module")
def sp_tokenizer():
    """A Llama-style SentencePiece BPE (▁ for spaces, prepended, byte fallback), built locally."""
    from tokenizers import Tokenizer, decoders, models, normalizers, trainers
    from transformers import PreTrainedTokenizerFast

    from privtune.models.tiny import sample_corpus

    backend = Tokenizer(models.BPE(byte_fallback=True, unk_token="<unk>", fuse_unk=True))
    backend.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    backend.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                         decoders.Strip(" ", 1, 0)])
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["<unk>", "<s>", "</s>"], show_progress=False,
                                  initial_alphabet=[f"<0x{i:02X}>" for i in range(256)])
    backend.train_from_iterator(sample_corpus(300), trainer)
    return PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>", unk_token="<unk>")


@pytest.mark.parametrize("which", ["byte_level", "sentencepiece"])
def test_non_canonical_pair_masked_canonical_pairs_untouched(which, tiny_tokenizer, sp_tokenizer):
    tok = tiny_tokenizer if which == "byte_level" else sp_tokenizer
    pairs = CanonicalPairs(tok)
    assert pairs.text_route is (which == "byte_level")  # "▁" prepended on encode: pieces route
    a, b, ab = _merged_pair(tok)
    assert not pairs.ok(a, b)
    # every adjacent pair of the tokenizer's own output is canonical
    text = "The assistant shipped the order yesterday 我们已经收到您的订单 and 42 refunds."
    ids = tok.encode(text, add_special_tokens=False)
    assert all(pairs.ok(x, y) for x, y in zip(ids, ids[1:]))
    assert reencodes_identically(tok, ids) or which == "sentencepiece"  # ▁ at the start differs

    # the processor removes exactly the non-canonical candidate; every other logit is untouched
    proc = CanonicalSplitProcessor(pairs, end_ids=[tok.eos_token_id])
    vocab = len(tok)
    scores = torch.zeros(1, vocab)
    scores[0, b] = 5.0  # the non-canonical continuation is the likeliest
    scores[0, ab] = 4.0
    before = scores.clone()
    after = proc(torch.tensor([[ab, a]]), scores)
    assert after[0, b] == float("-inf")
    masked = set(torch.nonzero(~torch.isfinite(after[0])).flatten().tolist())
    utf8_banned = set(torch.nonzero(~pairs.utf8_mask(pairs.pending([ab, a]), vocab)).flatten().tolist())
    # nothing else is touched: a masked token is non-canonical after `a`, breaks UTF-8 or is a
    # special token that would vanish from the text; every finite logit keeps its value
    assert all(c in utf8_banned or c in proc.invisible or not pairs.ok(a, c) for c in masked)
    assert tok.eos_token_id not in masked
    assert (ab in masked) == (not pairs.ok(a, ab))
    finite = torch.isfinite(after[0])
    assert torch.equal(after[0][finite], before[0][finite])


def test_utf8_mask_forbids_stray_continuation_bytes(tiny_tokenizer):
    tok = tiny_tokenizer
    pairs = CanonicalPairs(tok)
    vocab = tok.get_vocab()
    cont = vocab["\u0124"]  # byte 0x84 in GPT-2's byte alphabet: a UTF-8 continuation byte
    lead = vocab["\u00e6"]  # byte 0xE6: opens a 3-byte character (e.g. 我 = e6 88 91)
    assert not pairs.utf8_mask(b"", len(tok))[cont]
    assert pairs.utf8_mask(b"", len(tok))[lead]
    assert pairs.utf8_mask(b"\xe6", len(tok))[cont]
    assert not pairs.utf8_mask(b"\xe6", len(tok))[vocab["a"]]
    assert pairs.pending([vocab["a"], lead]) == b"\xe6"


def _diff(tok, pairs, ids: list[int]) -> list[str]:
    """The spans where the round trip differs, as pieces (for the failure message)."""
    import difflib

    again = tok.encode(tok.decode(ids, skip_special_tokens=False), add_special_tokens=False)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ids, b=again, autojunk=False).get_opcodes():
        if op != "equal":
            ctx = ids[max(0, i1 - 1): i2 + 1]
            out.append(f"{tok.convert_ids_to_tokens(ctx)} -> {tok.convert_ids_to_tokens(again[max(0, j1 - 1): j2 + 1])}"
                       f" pairs ok: {[pairs.ok(x, y) for x, y in zip(ctx, ctx[1:])]}")
    return out


def _generate(model, tok, procs, seed: int) -> list[list[int]]:
    from transformers import LogitsProcessorList

    prompts = torch.tensor([tok.encode("The customer", add_special_tokens=False)] * 6)
    torch.manual_seed(seed)
    with torch.inference_mode():
        out = model.generate(input_ids=prompts, attention_mask=torch.ones_like(prompts), do_sample=True, top_k=0,
                             temperature=1.0, max_new_tokens=40, min_new_tokens=40, pad_token_id=tok.pad_token_id,
                             logits_processor=LogitsProcessorList(procs))
    return [r[prompts.shape[1]:].tolist() for r in out]


def test_generation_reencodes_identically(loaded_model):
    """A random model samples non-canonical splits and broken UTF-8 all the time; with the mask
    after the watermark's bias, every output decodes and re-encodes to the sampled ids, and the
    watermark is still there on the re-encoded text."""
    model, tok, _ = loaded_model
    vocab = int(model.get_output_embeddings().weight.shape[0])
    scheme = WatermarkScheme(KEY, delta=4.0)
    wm = WatermarkLogitsProcessor(scheme, vocab)
    plain_rows = _generate(model, tok, [wm], seed=0)
    assert sum(not reencodes_identically(tok, r) for r in plain_rows) >= 3  # the problem exists here
    # a random model is nearly flat over 512 tokens: check them all (the default stops at 256)
    canon = CanonicalSplitProcessor(CanonicalPairs(tok), max_candidates=vocab, end_ids=[tok.eos_token_id])
    rows = _generate(model, tok, [wm, canon], seed=0)
    assert canon.masked > 0
    for r in rows:
        while canon.pairs.pending(r):  # cut by max_new_tokens inside a character: that one is lost
            r = r[:-1]
        assert reencodes_identically(tok, r), _diff(tok, canon.pairs, r)
        again = tok.encode(tok.decode(r), add_special_tokens=False)
        assert identical_share(r, again) == 1.0
    z = [detect_ids(scheme, tok.encode(tok.decode(r), add_special_tokens=False)).z_score for r in rows]
    assert sorted(z)[len(z) // 2] > 2.0
