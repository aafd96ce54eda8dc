"""Generation cost of the canonical-split mask: watermarked generation with and without it, on the
demo's cached base model, interleaved, CPU time of this process (not wall time: the box is
shared), after one warm-up pass (the pair verdicts are cached per
process, so a long-running server pays the tokenizer calls once per new pair; the cold pass is
reported too).

    nice -n 10 python benchmarks/watermark_canonical_cost.py --prompts 16 --tokens 100 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("OMP_NUM_THREADS", "2")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=16)
    ap.add_argument("--tokens", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch", type=int, default=1, help="rows per generate call (a server decodes one request at a time)")
    args = ap.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LogitsProcessorList

    from privtune.serve.guards.canonical import CanonicalPairs, CanonicalSplitProcessor
    from privtune.serve.guards.watermark import WatermarkLogitsProcessor, WatermarkScheme
    from watermark import _model_dir

    torch.set_num_threads(2)
    mdir = _model_dir()
    tok = AutoTokenizer.from_pretrained(str(mdir), local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(str(mdir), local_files_only=True).eval()
    chats = []
    for line in (ROOT / "examples/data/support_chats.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            chats.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    enc = [tok(c["messages"][0]["content"], add_special_tokens=False)["input_ids"] for c in chats]
    prompts = [e[:16] for e in enc if len(e) >= 16][: args.prompts]
    wm = WatermarkLogitsProcessor(WatermarkScheme(os.urandom(32)), int(model.get_output_embeddings().weight.shape[0]))
    canon = CanonicalSplitProcessor(CanonicalPairs(tok), end_ids=[tok.eos_token_id])

    def run(procs: list) -> float:
        # CPU time of this process: on a shared machine wall time mostly measures the neighbours
        t0 = time.process_time()
        for i in range(0, len(prompts), args.batch):
            x = torch.tensor(prompts[i: i + args.batch])
            torch.manual_seed(i)
            with torch.inference_mode():
                model.generate(input_ids=x, attention_mask=torch.ones_like(x), do_sample=True, top_k=0,
                               max_new_tokens=args.tokens, min_new_tokens=args.tokens, pad_token_id=tok.pad_token_id,
                               logits_processor=LogitsProcessorList(procs))
        return 1000 * (time.process_time() - t0) / (len(prompts) * args.tokens)

    class Timed:
        """The mask's own time per call (perf_counter around it): a short CPU-bound burst, far
        less exposed to the neighbours' load than the whole generation's wall time."""

        def __init__(self, inner: object) -> None:
            self.inner, self.seconds, self.calls = inner, 0.0, 0

        def __call__(self, input_ids, scores):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            out = self.inner(input_ids, scores)  # type: ignore[operator]
            self.seconds += time.perf_counter() - t
            self.calls += 1
            return out

    cold_timed = Timed(canon)
    cold = run([wm, cold_timed])
    timed = Timed(canon)
    plain, masked = [], []
    for r in range(args.rounds):  # ABBA order: drift in the machine's load hits both alike
        if r % 2 == 0:
            plain.append(run([wm]))
            masked.append(run([wm, timed]))
        else:
            masked.append(run([wm, timed]))
            plain.append(run([wm]))
    p, m = statistics.median(plain), statistics.median(masked)
    print(json.dumps({"bench": "watermark_canonical_cost", "model": mdir.name, "prompts": len(prompts),
                      "tokens": args.tokens, "batch": args.batch, "clock": "process CPU time", "ms_per_token_watermark": round(p, 2),
                      "ms_per_token_watermark_canonical": round(m, 2), "ratio": round(m / p, 3),
                      "ms_per_token_canonical_cold": round(cold, 2),
                      "mask_ms_per_step_warm": round(1000 * timed.seconds / timed.calls, 3),
                      "mask_ms_per_step_cold": round(1000 * cold_timed.seconds / cold_timed.calls, 3), "pairs_cached": len(canon.pairs._cache)}))


if __name__ == "__main__":
    main()
