"""Watermarked outputs under keys derived from stated seeds (issue 15): the generation half of the
per-key detector comparison (`watermark.py --keys-file`).

Key of seed s: sha256(b"privtune-wm17-key-" + str(s)) (32 bytes; a benchmark's throwaway secret,
written down so that every figure can be re-scored). Generation exactly as `watermark.py` does it
(the demo's base model, the first 16 tokens of each support chat's first user turn, temperature 1,
no top-k/top-p, exactly ``--tokens`` tokens, γ 0.25, δ 2, self-hash over ``--context-width`` previous
tokens (4 as served; 3 is the reference's h = 4 counting the candidate), the canonical-split mask as
served), then the PII guard's ``redact`` as a client receives it. Jobs (seed, batch of
prompts) run round-robin over the seeds, so that every key has as many outputs as any other
whenever the run is stopped; ``--worker i/n`` takes every n-th job (parallel processes). Each job
appends one JSON line per output to ``--save``: seed, prompt index, generated ids, raw text,
redacted text, the output's perplexity under the model without the watermark (given its prompt).

    nice -n 10 python benchmarks/watermark_keys.py --seeds 1701,1702,1703,1704,1705 \\
        --save /tmp/wm17/gen0.jsonl --worker 0/2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("OMP_NUM_THREADS", "1")


def key_of_seed(seed: int) -> bytes:
    """The benchmark key of ``seed`` (module docstring)."""
    return hashlib.sha256(b"privtune-wm17-key-" + str(seed).encode()).digest()


def perplexities(model: Any, rows: list[list[int]], outs: list[list[int]]) -> list[float]:
    """Each output's perplexity given its prompt under the model without the watermark."""
    import torch

    with torch.inference_mode():
        x = torch.tensor([p + o for p, o in zip(rows, outs)])
        start = len(rows[0])
        logits = model(x).logits[:, start - 1:-1]
        nll = torch.nn.functional.cross_entropy(logits.transpose(1, 2), x[:, start:], reduction="none")
    return [math.exp(v) for v in nll.mean(dim=1).tolist()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", required=True, help="comma-separated key seeds")
    ap.add_argument("--prompts", type=int, default=273)
    ap.add_argument("--batch", type=int, default=69)
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--gamma", type=float, default=0.25)
    ap.add_argument("--delta", type=float, default=2.0)
    ap.add_argument("--context-width", type=int, default=4, help="previous tokens in the self-hash window")
    ap.add_argument("--worker", default="0/1", help="i/n: this process runs every n-th job from the i-th")
    ap.add_argument("--save", type=Path, required=True, help="append one JSON line per output here")
    args = ap.parse_args()

    import torch

    from privtune.serve.guards.canonical import CanonicalPairs, CanonicalSplitProcessor
    from privtune.serve.guards.pii import PIIGuard
    from privtune.serve.guards.watermark import WatermarkLogitsProcessor, WatermarkScheme
    from watermark import generate_rows, load_demo_model, load_prompts

    torch.set_num_threads(1)
    me, n_workers = (int(v) for v in args.worker.split("/"))
    tok, model, vocab = load_demo_model()
    prompts = load_prompts(tok, args.prompts)
    redactor = PIIGuard().redactors["redact"]
    eos = model.generation_config.eos_token_id
    pairs = CanonicalPairs(tok)
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [(seed, start) for start in range(0, len(prompts), args.batch) for seed in seeds]
    done = set()
    if args.save.exists():  # resume: jobs whose first output is saved are done
        for line in args.save.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            done.add((r["seed"], r["prompt_index"] - r["prompt_index"] % args.batch))
    t0 = time.perf_counter()
    for n, (seed, start) in enumerate(jobs):
        if n % n_workers != me or (seed, start) in done:
            continue
        scheme = WatermarkScheme(key_of_seed(seed), args.gamma, args.delta, args.context_width)
        rows = prompts[start: start + args.batch]
        procs = [WatermarkLogitsProcessor(scheme, vocab),
                 CanonicalSplitProcessor(pairs, end_ids=eos if isinstance(eos, list) else [eos])]
        outs = generate_rows(model, tok, rows, procs, seed=seed * 1000 + start, tokens=args.tokens)
        lines = []
        for k, (o, ppl) in enumerate(zip(outs, perplexities(model, rows, outs))):
            raw = tok.decode(o, skip_special_tokens=True)
            lines.append(json.dumps({"seed": seed, "context_width": args.context_width,
                                     "prompt_index": start + k, "ids": o, "raw_text": raw,
                                     "text": redactor.redact_text(raw), "ppl": ppl}, ensure_ascii=False))
        with args.save.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        print(f"seed {seed} prompts {start}+{len(rows)}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
