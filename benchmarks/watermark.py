"""Watermark quality: TPR at z > 4 after redaction, FPR on unwatermarked text, perplexity cost.

Model: the demo's cached base model (``~/.cache/privtune/demo-base-*``, a small Llama pretrained
by `privtune demo`) when present, else the random tiny model of the tests (then the numbers
say little about a real model: the JSON line names which one ran). Prompts: the first 16 tokens
of the first user turn of each chat in examples/data/support_chats.jsonl (no padding). For each prompt, one output of exactly
``--tokens`` new tokens is sampled (temperature 1, no top-k/top-p) with the keyed watermark
(γ 0.25, δ 2.0, self-hash) and one without. Watermarked outputs go through the PII guard
(redact) before detection, as a client would receive them. Unwatermarked texts: the base
outputs (also redacted) and the human-written chats (all turns joined). Perplexity: of each
output under the same model without watermark (teacher-forced), median per set.

    nice -n 10 python benchmarks/watermark.py --n 64 --tokens 200
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "2")
PROMPT_TOKENS = 16


def _model_dir() -> tuple[Path, str]:
    cached = sorted((Path.home() / ".cache" / "privtune").glob("demo-base-*/config.json"))
    if cached:
        return cached[0].parent, "demo base (cached, pretrained by privtune demo)"
    raise SystemExit("no cached demo base model under ~/.cache/privtune: run `privtune demo` once first")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=64, help="prompts (one watermarked + one plain output each)")
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--gamma", type=float, default=0.25)
    ap.add_argument("--delta", type=float, default=2.0)
    args = ap.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LogitsProcessorList

    from privtune.serve.guards.pii import PIIGuard
    from privtune.serve.guards.watermark import WatermarkLogitsProcessor, WatermarkScheme, detect_text

    torch.set_num_threads(2)
    mdir, which = _model_dir()
    tok = AutoTokenizer.from_pretrained(str(mdir), local_files_only=True)
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(str(mdir), local_files_only=True).eval()
    scheme = WatermarkScheme(os.urandom(32), args.gamma, args.delta)
    vocab = int(model.get_output_embeddings().weight.shape[0])
    wm = WatermarkLogitsProcessor(scheme, vocab)
    redactor = PIIGuard().redactors["redact"]

    chats = []
    for line in (ROOT / "examples/data/support_chats.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            chats.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # the bundled file has one deliberately broken line (see the README walk-through)
    # Every prompt cut to its first PROMPT_TOKENS tokens (shorter ones skipped): batches need no
    # padding, whose positions this small model was never trained on.
    encoded = [tok(c["messages"][0]["content"], add_special_tokens=False)["input_ids"] for c in chats]
    prompts = [ids[:PROMPT_TOKENS] for ids in encoded if len(ids) >= PROMPT_TOKENS][: args.n]

    def generate(batch: list[list[int]], watermark: bool, seed: int) -> tuple[list[list[int]], float]:
        input_ids = torch.tensor(batch)
        kw = {"logits_processor": LogitsProcessorList([wm])} if watermark else {}
        torch.manual_seed(seed)
        t0 = time.perf_counter()
        with torch.inference_mode():
            out = model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), do_sample=True,
                                 temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=args.tokens,
                                 min_new_tokens=args.tokens, pad_token_id=tok.pad_token_id, **kw)
        return [row[input_ids.shape[1]:].tolist() for row in out], time.perf_counter() - t0

    def ppl(prompt: list[int], ids: list[int]) -> float:
        """Perplexity of the generated tokens given the prompt, under the model without watermark."""
        with torch.inference_mode():
            x = torch.tensor([prompt + ids])
            logits = model(x).logits[0, len(prompt) - 1:-1]
            nll = torch.nn.functional.cross_entropy(logits, x[0, len(prompt):])
        return math.exp(nll.item())

    res: dict[str, list[float]] = {"z_wm": [], "z_plain": [], "z_human": [], "ppl_wm": [], "ppl_plain": [], "scored_wm": []}
    t_wm = t_plain = 0.0
    for i in range(0, len(prompts), args.batch):
        batch = prompts[i: i + args.batch]
        for watermark in (True, False):
            outs, dt = generate(batch, watermark, seed=i)
            if watermark:
                t_wm += dt
            else:
                t_plain += dt
            for prompt, ids in zip(batch, outs):
                text = redactor.redact_text(tok.decode(ids, skip_special_tokens=True))
                det = detect_text(scheme, tok, text)
                res["z_wm" if watermark else "z_plain"].append(det.z_score)
                res["ppl_wm" if watermark else "ppl_plain"].append(ppl(prompt, ids))
                if watermark:
                    res["scored_wm"].append(det.tokens_scored)
    for c in chats:
        res["z_human"].append(detect_text(scheme, tok, "\n".join(m["content"] for m in c["messages"])).z_score)
    unwm = res["z_plain"] + res["z_human"]
    out = {
        "bench": "watermark", "model": which, "gamma": args.gamma, "delta": args.delta, "tokens": args.tokens,
        "n_watermarked": len(res["z_wm"]), "n_unwatermarked": len(unwm),
        "n_base_outputs": len(res["z_plain"]), "n_human_chats": len(res["z_human"]),
        "tpr_at_z4": sum(z > 4 for z in res["z_wm"]) / len(res["z_wm"]),
        "fpr_at_z4": sum(z > 4 for z in unwm) / len(unwm),
        "z_wm_median": round(statistics.median(res["z_wm"]), 2), "z_wm_min": round(min(res["z_wm"]), 2),
        "z_unwm_max": round(max(unwm), 2), "tokens_scored_median": statistics.median(res["scored_wm"]),
        "ppl_wm_median": round(statistics.median(res["ppl_wm"]), 2),
        "ppl_plain_median": round(statistics.median(res["ppl_plain"]), 2),
        "ppl_ratio": round(statistics.median(res["ppl_wm"]) / statistics.median(res["ppl_plain"]), 3),
        "generation_time_ratio_wm_vs_plain": round(t_wm / t_plain, 3),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
