"""Where the detector's entropies go wrong (issue 15): text-only entropy sources against the
generation-time ones, and the key-null weighted detector's TPR after redaction with each.

The served entropy-weighted detector (`detect_ids(..., entropy_weight_power=0.5)`) weighs each
scored token's green bit by √entropy, the entropy recomputed by the model from BOS + the text.
With the *generation-time* entropies (prompt and canonical-split mask known; `watermark_bound.py`)
the same detector gains 0.1-0.15 TPR. This script generates watermarked outputs exactly as
`benchmarks/watermark_bound.py` does (its `OracleStep` records the per-step entropy of the masked,
unbiased distribution p), saves them (``--save``), and scores them (``--load`` re-scores without
generating) with these entropy sources, each a list of one entropy per token of the redacted text:

* ``generation``: the generation-time entropies of p, carried onto the redacted tokens along
  difflib's alignment (tokens with no generated counterpart get 0: unscored). Not a detector.
* ``text``: BOS + redacted text, the model's full distribution (the served detector before).
* ``text_masked``: the same with the canonical-split mask a detector can apply from the text
  alone (`entropy.masked_log_probs` with a keyless `CanonicalSplitProcessor`: tokens breaking
  UTF-8, and among the candidates carrying the mass those b whose pair [previous token, b] does
  not re-encode to itself, removed; renormalised).
* ``text_visible`` / ``text_visible_masked``: special tokens removed too (decoded text never holds
  them, so every scored token was drawn given "the next token is visible"; generation with
  ``min_new_tokens`` forbids the end tokens outright). ``visible`` is now the served default.
* ``user_header_visible_masked`` / ``assistant_header_visible_masked``: a neutral context, the chat
  template's turn opener, in place of bare BOS (the detector does not know the prompt, only the format).
* ``prompt`` / ``prompt_masked`` / ``prompt_visible_masked``: the prompt + the generated ids
  (diagnostics, not detectors: the prompt's share), carried onto the redacted tokens like
  ``generation``; the last should reproduce ``generation``.

Each source is also used as an expected-green-gain weight E_key[P_H1(green)] − γ over its top 10
(`watermark_lr.expected_green_gain`, power 1).

Per source: Pearson correlation and mean absolute error against ``generation`` on the tokens
that have a generated counterpart, and the weighted detector's TPR at z > 4 after redaction
(power 0.5; power 1 for the gain), per key. Nothing is fitted on the outputs.

    nice -n 10 python benchmarks/watermark_entropy_sources.py --prompts 137 --keys 2 --save /tmp/ents.json
    nice -n 10 python benchmarks/watermark_entropy_sources.py --load /tmp/ents.json
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("OMP_NUM_THREADS", "2")
Z = 4.0
HEADERS = {"user_header_visible_masked": "<|im_start|>user\n", "assistant_header_visible_masked": "<|im_start|>assistant\n"}


def _aligned(generated: list[int], redacted: list[int], marked: list[bool]) -> list[tuple[int, int]]:
    """(generated position, redacted position) pairs difflib matches, placeholder tokens left out."""
    sm = difflib.SequenceMatcher(None, generated, redacted, autojunk=False)
    return [(a + k, b + k) for a, b, n in sm.get_matching_blocks() for k in range(n) if not marked[b + k]]


def _carry(values: list[float], pairs: list[tuple[int, int]], n: int) -> list[float]:
    """Per-generated-position values onto the redacted tokens (0 where none: unscored)."""
    out = [0.0] * n
    for a, b in pairs:
        out[b] = float(values[a])
    return out


def _log_probs(model: Any, seqs: list[list[int]], starts: list[int], canonical: Any,
               drop: list[int] | None = None) -> list[Any]:
    import torch

    from privtune.serve.guards.entropy import masked_log_probs, padded_logits

    with torch.inference_mode():
        logits = padded_logits(model, seqs, None).cpu()
        return [masked_log_probs(logits[k], s, st, canonical, drop) for k, (s, st) in enumerate(zip(seqs, starts))]


def _ent_and_gain(logp: Any, gamma: float, delta: float) -> tuple[list[float], list[float]]:
    import torch

    from privtune.serve.guards.watermark_lr import expected_green_gain

    p = logp.exp()
    ent = (-torch.where(p > 0, p * logp, torch.zeros_like(p)).sum(-1)).tolist()
    gain = expected_green_gain(p.topk(10, dim=-1).values.double(), gamma, delta)
    return ent, gain


def score(data: dict[str, Any], tok: Any, model: Any, batch: int = 16) -> dict[str, Any]:
    """Every entropy source on every saved output, and the weighted detector's z with each."""
    from privtune.serve.guards.canonical import CanonicalPairs, CanonicalSplitProcessor
    from privtune.serve.guards.placeholders import encode_marking_placeholders
    from privtune.serve.guards.watermark import WatermarkScheme, detect_ids

    gamma, delta = data["gamma"], data["delta"]
    eos = model.generation_config.eos_token_id
    canonical = CanonicalSplitProcessor(CanonicalPairs(tok), end_ids=eos if isinstance(eos, list) else [eos])
    bos = tok.bos_token_id
    special = sorted(canonical.pairs.special_ids)  # never in decoded text: a detector knows the next token is none
    headers = {k: [bos] + tok.encode(v, add_special_tokens=False) for k, v in HEADERS.items()}
    t0 = time.perf_counter()
    per_key = []
    for key_no, kd in enumerate(data["keys"]):
        scheme = WatermarkScheme(bytes.fromhex(kd["key_hex"]), gamma, delta)
        outs = kd["outputs"]
        rows: list[dict[str, Any]] = []
        for o in outs:
            ids_r, marked = encode_marking_placeholders(tok, o["text"])
            al = _aligned(o["ids"], ids_r, marked)
            rows.append({"ids_r": ids_r, "marked": marked, "al": al, "src": {
                "generation": _carry(o["gen_ent"], al, len(ids_r))}, "gain": {}})
        for b in range(0, len(rows), batch):
            part, raw = rows[b: b + batch], outs[b: b + batch]
            text_seqs = [[bos] + r["ids_r"] for r in part]
            for name, mask, dr in (("text", None, None), ("text_masked", canonical, None),
                                   ("text_visible", None, special), ("text_visible_masked", canonical, special)):
                for r, lp in zip(part, _log_probs(model, text_seqs, [1] * len(part), mask, dr)):
                    r["src"][name], r["gain"][name] = _ent_and_gain(lp, gamma, delta)
            for name, pre in headers.items():
                seqs = [pre + r["ids_r"] for r in part]
                for r, lp in zip(part, _log_probs(model, seqs, [len(pre)] * len(part), canonical, special)):
                    r["src"][name], r["gain"][name] = _ent_and_gain(lp, gamma, delta)
            seqs = [o["prompt"] + o["ids"] for o in raw]
            for name, mask, dr in (("prompt", None, None), ("prompt_masked", canonical, None),
                                   ("prompt_visible_masked", canonical, special)):
                for r, o, lp in zip(part, raw, _log_probs(model, seqs, [len(o["prompt"]) for o in raw], mask, dr)):
                    ent, gain = _ent_and_gain(lp, gamma, delta)
                    r["src"][name] = _carry(ent, r["al"], len(r["ids_r"]))
                    r["gain"][name] = _carry(gain, r["al"], len(r["ids_r"]))
            print(f"key {key_no}: {b + len(part)} / {len(rows)} scored, {time.perf_counter() - t0:.0f} s",
                  file=sys.stderr, flush=True)
        summary: dict[str, Any] = {"key": key_no, "n": len(rows), "sources": {}}
        zs_key_only = [detect_ids(scheme, r["ids_r"], placeholder=r["marked"]).z_score for r in rows]
        summary["key_only"] = {"tpr_z_gt_4": round(sum(z > Z for z in zs_key_only) / len(rows), 3),
                               "z_median": round(statistics.median(zs_key_only), 2)}
        for name in rows[0]["src"]:
            gen_v, src_v, first_gen, first_src = [], [], [], []
            for r in rows:
                for a, b_ in r["al"]:
                    gen_v.append(r["src"]["generation"][b_])
                    src_v.append(r["src"][name][b_])
                    if a < 8:
                        first_gen.append(gen_v[-1])
                        first_src.append(src_v[-1])
            g, s_ = np.asarray(gen_v), np.asarray(src_v)
            zs = [detect_ids(scheme, r["ids_r"], r["src"][name], placeholder=r["marked"],
                             entropy_weight_power=0.5).z_score for r in rows]
            entry = {"pearson_r": round(float(np.corrcoef(g, s_)[0, 1]), 3), "mae": round(float(np.abs(g - s_).mean()), 3),
                     "mean_minus_generation": round(float((s_ - g).mean()), 3),
                     "mae_first_8_positions": round(float(np.abs(np.asarray(first_gen) - np.asarray(first_src)).mean()), 3),
                     "mae_after_8": round(float((np.abs(g - s_).sum() - np.abs(np.asarray(first_gen) - np.asarray(first_src)).sum())
                                                / max(1, len(g) - len(first_gen))), 3),
                     "sqrt_weighted": {"tpr_z_gt_4": round(sum(z > Z for z in zs) / len(rows), 3),
                                       "z_median": round(statistics.median(zs), 2)}}
            if name in rows[0]["gain"]:
                zg = [detect_ids(scheme, r["ids_r"], r["gain"][name], placeholder=r["marked"],
                                 entropy_weight_power=1.0).z_score for r in rows]
                entry["gain_weighted"] = {"tpr_z_gt_4": round(sum(z > Z for z in zg) / len(rows), 3),
                                          "z_median": round(statistics.median(zg), 2)}
            summary["sources"][name] = entry
        per_key.append(summary)
    return {"bench": "watermark_entropy_sources", "gamma": gamma, "delta": delta, "per_key": per_key,
            "seconds_scoring": round(time.perf_counter() - t0, 1)}


def generate(args: argparse.Namespace, tok: Any, model: Any, vocab: int) -> dict[str, Any]:
    """Watermarked outputs per key, as `watermark_bound.py` samples them; redacted text kept."""
    from privtune.serve.guards.canonical import CanonicalPairs, CanonicalSplitProcessor
    from privtune.serve.guards.pii import PIIGuard
    from privtune.serve.guards.watermark import WatermarkLogitsProcessor, WatermarkScheme
    from watermark import generate_rows, load_prompts
    from watermark_bound import OracleStep

    prompts = load_prompts(tok, args.prompts)
    redactor = PIIGuard().redactors["redact"]
    eos = model.generation_config.eos_token_id
    pairs = CanonicalPairs(tok)
    keys = []
    t0 = time.perf_counter()
    for key_no in range(args.keys):
        key = os.urandom(32)
        scheme = WatermarkScheme(key, args.gamma, args.delta)
        bias = WatermarkLogitsProcessor(scheme, vocab)
        outs_all = []
        for i in range(0, len(prompts), args.batch):
            rows = prompts[i: i + args.batch]
            step = OracleStep(bias, CanonicalSplitProcessor(pairs, end_ids=eos if isinstance(eos, list) else [eos]),
                              args.delta, True)
            outs = generate_rows(model, tok, rows, [step], seed=i + int(args.delta * 100_000), tokens=args.tokens)
            step.finish(outs)
            for k, (o, rec) in enumerate(zip(outs, step.per_row())):
                outs_all.append({"prompt": rows[k], "ids": o, "gen_ent": rec["ent"].tolist(),
                                 "text": redactor.redact_text(tok.decode(o, skip_special_tokens=True))})
        keys.append({"key_hex": key.hex(), "outputs": outs_all})
        print(f"key {key_no}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    return {"gamma": args.gamma, "delta": args.delta, "tokens": args.tokens, "keys": keys}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=137)
    ap.add_argument("--keys", type=int, default=2)
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--batch", type=int, default=69)
    ap.add_argument("--gamma", type=float, default=0.25)
    ap.add_argument("--delta", type=float, default=2.0)
    ap.add_argument("--save", type=Path, help="write the generated outputs (and throwaway keys) here")
    ap.add_argument("--load", type=Path, help="score a --save file instead of generating")
    ap.add_argument("--out", type=Path, help="write the per-key summary (JSON) here")
    args = ap.parse_args()

    import torch

    from watermark import load_demo_model

    torch.set_num_threads(2)
    tok, model, vocab = load_demo_model()
    if args.load:
        data = json.loads(args.load.read_text(encoding="utf-8"))
    else:
        data = generate(args, tok, model, vocab)
        if args.save:
            args.save.write_text(json.dumps(data), encoding="utf-8")
    result = score(data, tok, model)
    if args.out:
        args.out.write_text(json.dumps(result), encoding="utf-8")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
