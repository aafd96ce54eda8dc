"""Audit scoring engine throughput vs a plain batched forward pass over the same tokens.

Peers, all in one process on the same model and sequences, interleaved round by round with
the order rotating (so load from other processes hits each alike); ratios are medians of
per-round paired ratios. Tokens/s counts real (unpadded) tokens.

- ``plain``: ``model(input_ids, attention_mask).logits`` on right-padded batches of
  ``--batch`` sequences in input order — the forward pass anyone would write, no scoring;
- ``plain_same_batches``: the same, on the engine's length-sorted batches (isolates the
  engine's post-processing cost from its padding savings);
- ``engine``: `score_sequences` (per-token log-probs); ``engine_moments``: with Min-K%++ μ/σ.

Also the canary path: ``candidates_cached`` (`score_continuations`, shared prefix run once)
vs ``candidates_full`` (`score_sequences` on prefix + candidate), same candidates.

    python benchmarks/audit_throughput.py                       # tiny model, CPU
    python benchmarks/audit_throughput.py --device cuda --hidden 512 --layers 8 --vocab 32000
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch


def build_model(args: argparse.Namespace) -> torch.nn.Module:
    from transformers import AutoModelForCausalLM, LlamaConfig

    cfg = LlamaConfig(vocab_size=args.vocab, hidden_size=args.hidden, intermediate_size=4 * args.hidden,
                      num_hidden_layers=args.layers, num_attention_heads=4, num_key_value_heads=2,
                      max_position_embeddings=1024, tie_word_embeddings=True)
    torch.manual_seed(0)
    return AutoModelForCausalLM.from_config(cfg).to(args.device).eval()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--sequences", type=int, default=96)
    ap.add_argument("--min-len", type=int, default=24)
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--candidates", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    from privtune.audit.scoring import TokenSeq, plan_batches, score_continuations, score_sequences

    model = build_model(args)
    rng = np.random.default_rng(0)
    lengths = rng.integers(args.min_len, args.max_len + 1, size=args.sequences).tolist()
    seqs = [TokenSeq(ids, [-100] + ids[1:]) for ids in (rng.integers(3, args.vocab, size=n).tolist() for n in lengths)]
    real_tokens = sum(lengths)
    pad = 0

    def forward(batches: list[list[int]]) -> None:
        with torch.no_grad():
            for b in batches:
                width = max(lengths[i] for i in b)
                ids = torch.full((len(b), width), pad, dtype=torch.long)
                attn = torch.zeros((len(b), width), dtype=torch.long)
                for row, i in enumerate(b):
                    ids[row, : lengths[i]] = torch.tensor(seqs[i].input_ids)
                    attn[row, : lengths[i]] = 1
                model(input_ids=ids.to(args.device), attention_mask=attn.to(args.device)).logits

    in_order = [list(range(i, min(i + args.batch, len(seqs)))) for i in range(0, len(seqs), args.batch)]
    sorted_batches = plan_batches(lengths, args.batch, 1 << 30)
    ctx = rng.integers(3, args.vocab, size=40).tolist()
    cands = [rng.integers(3, args.vocab, size=int(rng.integers(4, 9))).tolist() for _ in range(args.candidates)]
    cand_tokens = sum(len(c) for c in cands)
    peers: dict[str, Callable[[], object]] = {
        "plain": lambda: forward(in_order),
        "plain_same_batches": lambda: forward(sorted_batches),
        "engine": lambda: score_sequences(model, seqs, pad_id=pad, batch_size=args.batch, max_batch_tokens=1 << 30),
        "engine_moments": lambda: score_sequences(model, seqs, pad_id=pad, batch_size=args.batch,
                                                  max_batch_tokens=1 << 30, moments=True),
        "candidates_cached": lambda: score_continuations(model, ctx, cands, pad_id=pad, batch_size=256),
        "candidates_full": lambda: score_sequences(model, [TokenSeq.from_parts(ctx, c) for c in cands], pad_id=pad,
                                                   batch_size=256, max_batch_tokens=1 << 30),
    }
    for fn in peers.values():  # warm-up: allocator, kernels
        fn()
    times: dict[str, list[float]] = {k: [] for k in peers}
    names = list(peers)
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            if args.device == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            peers[name]()
            if args.device == "cuda":
                torch.cuda.synchronize()
            times[name].append(time.perf_counter() - t0)

    def ratio(a: str, b: str) -> float:  # throughput of a relative to b = time(b) / time(a), paired per round
        return round(statistics.median(tb / ta for ta, tb in zip(times[a], times[b])), 3)

    med = {k: statistics.median(v) for k, v in times.items()}
    print(json.dumps({
        "bench": "audit_throughput", "device": args.device, "model": f"llama h{args.hidden} l{args.layers} "
        f"v{args.vocab}", "sequences": args.sequences, "real_tokens": real_tokens, "batch": args.batch,
        "padding_in_order": round(sum(len(b) * max(lengths[i] for i in b) for b in in_order) / real_tokens - 1, 3),
        "padding_sorted": round(sum(len(b) * max(lengths[i] for i in b) for b in sorted_batches) / real_tokens - 1, 3),
        "tok_per_s": {k: round(real_tokens / med[k]) for k in ("plain", "plain_same_batches", "engine",
                                                                "engine_moments")},
        "engine_vs_plain": ratio("engine", "plain"),
        "engine_moments_vs_plain": ratio("engine_moments", "plain"),
        "engine_vs_plain_same_batches": ratio("engine", "plain_same_batches"),
        "engine_moments_vs_plain_same_batches": ratio("engine_moments", "plain_same_batches"),
        "candidate_tokens": cand_tokens,
        "candidates_cached_vs_full": ratio("candidates_cached", "candidates_full"),
        "rounds": args.rounds,
    }))


if __name__ == "__main__":
    main()
