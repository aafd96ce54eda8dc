"""Watermark quality: TPR at z > 4 after redaction, FPR on unwatermarked text, perplexity cost;
key-only, entropy-aware (SWEET: hard threshold) and entropy-weighted (EWD: weight entropy ** p)
detection, the threshold and the power p fitted on held-apart prompts.

Model: the demo's cached base model (``~/.cache/privtune/demo-base-*``, a small Llama pretrained
by `privtune demo`). Prompts: the first 16 tokens of the first user turn of each chat in
examples/data/support_chats.jsonl (no padding). Every fourth prompt (and every fourth human text)
is a *fitting* item, the rest *evaluation* items: the entropy threshold and the weight power are
chosen on fitting items only (the highest TPR at z > 4 for δ = 2 with fitting FPR ≤ 1 %, lowest such value),
the figures reported are on evaluation items.

Per δ, ``--samples`` outputs of exactly ``--tokens`` tokens per prompt (temperature 1, no
top-k/top-p) with the keyed watermark (γ 0.25, self-hash over 4 tokens, one fresh key per run);
``--plain-samples`` outputs per prompt without it. Every output goes through the PII guard
(redact) before detection, as a client receives it. Unwatermarked texts: the plain outputs and
human-written text (benchmarks/watermark_negatives.py: support chats, Weibo, People's Daily,
CVs, CLUENER, tweets, WNUT-17, wikigold), chunked to about ``--tokens`` tokens. Entropy-aware
detection recomputes each token's entropy from the text alone (no prompt), as a detector must, of
the distribution ``--entropy-distribution`` (default ``visible``, as served: special tokens removed;
``--compare-distribution model`` also scores weighted p 0.5 with the full distribution's entropies).
Perplexity: of each output's tokens given its prompt under the model without watermark, median.

Canonical splits (``--canonical``, default ``both``): watermarked outputs with the canonical-split
mask (``wm2``: what `privtune serve` does by default) and, for comparison, without it
(``wm2-split``). Detection is redaction-aware (windows touching a PII placeholder not scored) for
every text, watermarked or not; the z-score of each watermarked output is also reported at each
stage: on the generated ids, on its decoded and re-encoded text, after redaction (every window
scored), and after redaction with the placeholders' windows skipped.

Likelihood-ratio detection (`privtune/serve/guards/watermark_lr.py`, top ``--lr-top-k``
candidates, δ 2 as served) has no free parameter: it is scored on the same texts beside the others
(``likelihood_ratio`` per δ, its FPR tables, and the unwatermarked z's mean / sd / max for each
detector under the run's key), with two companions: the LR without its shared-bit covariance term
(a diagnostic: its null sd is too large) and the key-only bits weighted by the keyless expected
green gain (`likelihood_ratio.expected_green_gain`). Generation is the slow part: ``--save-generations F`` writes the
redacted outputs, human texts, stage z-scores and the run's throwaway key, and
``--load-generations F`` re-scores them with the current detectors (no generation).

    nice -n 10 python benchmarks/watermark.py --out /tmp/wm.json   # ≈ 30 min on 2 busy cores

Per-key comparison of the served detectors (``--keys-outputs``, `watermark_keys_score.py`): the
outputs of `watermark_keys.py` (keys from stated seeds), the unwatermarked texts of a
``--save-generations`` file, TPR at z > 4 and at exact p < 3.17e-5 per key and pooled, sign test
against ``linear``, FPR under every key, perplexity cost:

    nice -n 10 python benchmarks/watermark.py --keys-outputs GEN0 GEN1 --negatives-from WM_GEN \
        --features-cache FEATS --out /tmp/keys.json
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("OMP_NUM_THREADS", "2")
PROMPT_TOKENS = 16
Z = 4.0


def _model_dir() -> Path:
    cached = sorted((Path.home() / ".cache" / "privtune").glob("demo-base-*/config.json"))
    if cached:
        return cached[0].parent
    raise SystemExit("no cached demo base model under ~/.cache/privtune: run `privtune demo` once first")


def load_demo_model() -> tuple[Any, Any, int]:
    """(tokenizer, model in eval mode, vocabulary size of its logits): the cached demo base model."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    mdir = _model_dir()
    tok = AutoTokenizer.from_pretrained(str(mdir), local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(str(mdir), local_files_only=True).eval()
    return tok, model, int(model.get_output_embeddings().weight.shape[0])


def load_prompts(tok: Any, limit: int) -> list[list[int]]:
    """The first PROMPT_TOKENS token ids of each bundled chat's first user turn (shorter ones skipped)."""
    chats = []
    for line in (ROOT / "examples/data/support_chats.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            chats.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # the bundled file has one deliberately broken line (see the README walk-through)
    encoded = [tok(c["messages"][0]["content"], add_special_tokens=False)["input_ids"] for c in chats]
    return [ids[:PROMPT_TOKENS] for ids in encoded if len(ids) >= PROMPT_TOKENS][:limit]


def generate_rows(model: Any, tok: Any, rows: list[list[int]], procs: list[Any], seed: int,
                  tokens: int) -> list[list[int]]:
    """Exactly ``tokens`` new ids per row (equal-length prompts, no padding): temperature 1, no
    top-k/top-p, ``procs`` as custom logits processors."""
    import torch
    from transformers import LogitsProcessorList

    input_ids = torch.tensor(rows)
    kw = {"logits_processor": LogitsProcessorList(procs)} if procs else {}
    torch.manual_seed(seed)
    with torch.inference_mode():
        out = model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), do_sample=True,
                             temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=tokens,
                             min_new_tokens=tokens, pad_token_id=tok.pad_token_id, **kw)
    return [r[input_ids.shape[1]:].tolist() for r in out]


def upper95(k: int, n: int) -> float:
    """One-sided 95 % Clopper-Pearson upper bound of a rate seen k times in n."""
    from scipy.stats import beta

    return 1.0 if k >= n else float(beta.ppf(0.95, k + 1, n - k))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=1000, help="at most this many prompts (the chats give 273)")
    ap.add_argument("--samples", type=int, default=1, help="watermarked outputs per prompt and delta")
    ap.add_argument("--plain-samples", type=int, default=2, help="unwatermarked outputs per prompt")
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--batch", type=int, default=137, help="prompts per generate call (273 prompts: 2 calls)")
    ap.add_argument("--gamma", type=float, default=0.25)
    ap.add_argument("--deltas", default="2,3,4")
    ap.add_argument("--human-per-source", type=int, default=800)
    ap.add_argument("--thresholds", default="0.25,0.5,0.75,1,1.25,1.5,2,2.5", help="entropy thresholds (nats) tried")
    ap.add_argument("--weight-powers", default="0.25,0.5,0.75,1,1.5,2,3",
                    help="entropy-weighted detection: powers p tried (weight = entropy ** p)")
    ap.add_argument("--canonical", choices=["on", "off", "both"], default="both",
                    help="watermarked outputs with the canonical-split mask, without, or both")
    ap.add_argument("--out", type=Path, help="write the full tables (JSON) here")
    ap.add_argument("--save-generations", type=Path,
                    help="write the redacted outputs, human texts, stage z-scores and the run's throwaway key here")
    ap.add_argument("--load-generations", type=Path,
                    help="re-score a --save-generations file: no generation (prompt/sample/delta options then ignored)")
    ap.add_argument("--entropy-distribution", default="visible",
                    help="entropy-aware/weighted detection: whose entropies (privtune.serve.guards.entropy."
                         "ENTROPY_DISTRIBUTIONS; the served default: visible)")
    ap.add_argument("--compare-distribution", default=None,
                    help="also score weighted p 0.5 with this distribution's entropies (e.g. model: the detector before)")
    ap.add_argument("--lr-top-k", type=int, default=10,
                    help="likelihood-ratio detection: candidates per position whose green bits enter exactly (<= 14)")
    ap.add_argument("--keys-outputs", type=Path, nargs="*", default=None,
                    help="per-key comparison instead (benchmarks/watermark_keys_score.py): watermark_keys.py output files")
    ap.add_argument("--negatives-from", type=Path, help="--keys-outputs: a --save-generations file (its unwatermarked texts)")
    ap.add_argument("--features-cache", type=Path, help="--keys-outputs: keyless features by text (computed once)")
    ap.add_argument("--cached-marks", default="linear,posterior",
                    help="--keys-outputs: detectors also scored with the cache's placeholder marks (the marking before)")
    ap.add_argument("--null-every", type=int, default=1, help="--keys-outputs: every n-th unwatermarked text")
    ap.add_argument("--detectors", default=",".join(("weighted", "linear", "posterior", "lr", "joint")),
                    help="--keys-outputs: the served detectors scored (comma-separated; linear is always one)")
    args = ap.parse_args()
    if args.keys_outputs:
        from watermark_keys_score import score_keys

        if args.negatives_from is None or args.features_cache is None:
            raise SystemExit("--keys-outputs needs --negatives-from and --features-cache")
        result = score_keys(args.keys_outputs, args.negatives_from, args.features_cache,
                            [d for d in args.cached_marks.split(",") if d], args.null_every,
                            tuple(d for d in args.detectors.split(",") if d))
        if args.out:
            args.out.write_text(json.dumps(result, indent=1))
        print(json.dumps({k: result[k] for k in ("bench", "seeds", "outputs", "unwatermarked_texts", "pooled",
                                                 "perplexity", "seconds")}))
        return

    import torch

    from privtune.serve.guards.canonical import CanonicalPairs, CanonicalSplitProcessor, identical_share
    from privtune.serve.guards.entropy import batch_entropies, entropy_source, token_entropies
    from privtune.serve.guards.watermark_lr import batch_candidates, detect_ids_likelihood_ratio, expected_green_gain, token_candidates
    from privtune.serve.guards.placeholders import encode_marking_placeholders
    from privtune.serve.guards.pii import PIIGuard
    from privtune.serve.guards.watermark import (WatermarkLogitsProcessor, WatermarkScheme, detect_ids,
                                                 encode_for_detection)
    from watermark_negatives import load_negatives

    torch.set_num_threads(2)
    t_start = time.perf_counter()
    tok, model, vocab = load_demo_model()
    key = os.urandom(32)
    deltas = [float(d) for d in args.deltas.split(",")]
    thresholds: list[float | None] = [None] + [float(t) for t in args.thresholds.split(",")]
    redactor = PIIGuard().redactors["redact"]

    prompts = load_prompts(tok, args.prompts)

    def generate(rows: list[list[int]], procs: list[Any], seed: int) -> list[list[int]]:
        return generate_rows(model, tok, rows, procs, seed, args.tokens)

    def perplexities(rows: list[list[int]], outs: list[list[int]]) -> list[float]:
        with torch.inference_mode():
            x = torch.tensor([p + o for p, o in zip(rows, outs)])
            logits = model(x).logits[:, PROMPT_TOKENS - 1:-1]
            nll = torch.nn.functional.cross_entropy(logits.transpose(1, 2), x[:, PROMPT_TOKENS:], reduction="none")
        return [math.exp(v) for v in nll.mean(dim=1).tolist()]

    # items: (set name, fitting?, text, perplexity or None)
    items: list[tuple[str, bool, str, float | None]] = []
    stages: dict[str, list[dict[str, float]]] = {}  # per watermarked set: z at each stage, per output
    gen_time: dict[str, float] = {}
    eos = model.generation_config.eos_token_id
    pairs = CanonicalPairs(tok)
    canon_modes = {"on": [True], "off": [False], "both": [True, False]}[args.canonical]
    jobs = [(f"wm{d:g}" + ("" if c else "-split"), d, c, args.samples) for d in deltas for c in canon_modes]
    jobs.append(("plain", None, False, args.plain_samples))
    masked: dict[str, int] = {}
    if args.load_generations:  # re-score a saved run: same key, texts and fitting split
        saved = json.loads(args.load_generations.read_text(encoding="utf-8"))
        key = bytes.fromhex(saved["key_hex"])
        items = [tuple(it) for it in saved["items"]]  # type: ignore[misc]
        stages, gen_time, masked = saved["stages"], saved["gen_time"], saved["masked"]
        jobs = [tuple(j) for j in saved["jobs"]]  # type: ignore[misc]
        deltas = sorted({float(j[1]) for j in jobs if j[1] is not None})
        prompts = prompts[: saved["prompts"]]
        args.samples, args.plain_samples, args.tokens = saved["samples"], saved["plain_samples"], saved["tokens"]
    for name, d, canon, samples in ([] if args.load_generations else jobs):
        scheme_d = WatermarkScheme(key, args.gamma, d) if d is not None else None
        procs: list[Any] = [WatermarkLogitsProcessor(scheme_d, vocab)] if scheme_d is not None else []
        if canon:
            procs.append(CanonicalSplitProcessor(pairs, end_ids=eos if isinstance(eos, list) else [eos]))
        t0 = time.perf_counter()
        for s in range(samples):
            for i in range(0, len(prompts), args.batch):
                rows = prompts[i: i + args.batch]
                # the same seed with and without the mask: the two differ by the mask alone
                outs = generate(rows, procs, seed=1000 * s + i + (0 if d is None else int(d * 100_000)))
                for k, (o, ppl) in enumerate(zip(outs, perplexities(rows, outs))):
                    raw_text = tok.decode(o, skip_special_tokens=True)
                    text = redactor.redact_text(raw_text)
                    items.append((name, (i + k) % 4 == 0, text, ppl))
                    if scheme_d is not None:
                        again = encode_for_detection(tok, raw_text)
                        ids_r, marked = encode_marking_placeholders(tok, text)
                        stages.setdefault(name, []).append({
                            "fit": float((i + k) % 4 == 0),
                            "z_ids": detect_ids(scheme_d, rows[k][-4:] + o).z_score,
                            "z_reencoded": detect_ids(scheme_d, again).z_score,
                            "identical_share": identical_share(o, again),
                            "z_redacted": detect_ids(scheme_d, ids_r).z_score,
                            "z_redacted_aware": detect_ids(scheme_d, ids_r, placeholder=marked).z_score})
        gen_time[name] = time.perf_counter() - t0
        masked[name] = procs[-1].masked if canon else 0
        print(f"{name}: {gen_time[name]:.0f} s", file=sys.stderr, flush=True)
    if args.load_generations:
        negatives = {src: [] for src in saved["neg_sources"]}
    else:
        negatives = load_negatives(ROOT, tok, args.tokens, args.human_per_source)
        for src, texts in negatives.items():
            items.extend((src, j % 4 == 0, t, None) for j, t in enumerate(texts))
    if args.save_generations:  # a benchmark's throwaway key, written so that detectors can be re-scored
        args.save_generations.write_text(json.dumps({
            "key_hex": key.hex(), "items": items, "stages": stages, "gen_time": gen_time, "masked": masked,
            "jobs": jobs, "neg_sources": list(negatives), "prompts": len(prompts), "samples": args.samples,
            "plain_samples": args.plain_samples, "tokens": args.tokens}, ensure_ascii=False), encoding="utf-8")

    # entropies once per text (the threshold only filters), sorted by length to pad little
    enc_all = [encode_marking_placeholders(tok, it[2]) for it in items]
    ids_all = [e[0] for e in enc_all]
    marks_all = [e[1] for e in enc_all]
    ent_all: list[list[float]] = [[] for _ in items]
    source = entropy_source(tok, args.entropy_distribution)
    source_cmp = entropy_source(tok, args.compare_distribution) if args.compare_distribution else None
    ent_cmp: list[list[float]] = [[] for _ in items]
    window = int(model.config.max_position_embeddings) - 1
    order = sorted(range(len(items)), key=lambda j: len(ids_all[j]))
    short = [j for j in order if 0 < len(ids_all[j]) <= window]
    scheme = WatermarkScheme(key, args.gamma)  # detection needs γ and the key; LR also δ (the reference 2)
    dets_lr: list[Any] = [None] * len(items)  # likelihood-ratio detection, scored batch by batch (no cache)
    dets_lr_nocov: list[Any] = [None] * len(items)  # the same without the shared-bit covariance (diagnostic)
    dets_gain: list[Any] = [None] * len(items)  # key-only bits weighted by the expected green gain

    def score_lr(j: int, ci: Any, cp: Any) -> None:
        dets_lr[j] = detect_ids_likelihood_ratio(scheme, ids_all[j], ci, cp, placeholder=marks_all[j])
        dets_lr_nocov[j] = detect_ids_likelihood_ratio(scheme, ids_all[j], ci, cp, placeholder=marks_all[j],
                                                       shared_bit_covariance=False)
        dets_gain[j] = detect_ids(scheme, ids_all[j], expected_green_gain(cp, args.gamma, 2.0), placeholder=marks_all[j],
                                  entropy_weight_power=1.0)
    for b in range(0, len(short), 32):
        idx = short[b: b + 32]
        rows_b = [ids_all[j] for j in idx]
        for j, e in zip(idx, batch_entropies(model, rows_b, tok.bos_token_id, source)):
            ent_all[j] = e
        if source_cmp is not None:
            for j, e in zip(idx, batch_entropies(model, rows_b, tok.bos_token_id, source_cmp)):
                ent_cmp[j] = e
        for j, (ci, cp) in zip(idx, batch_candidates(model, rows_b, tok.bos_token_id, args.lr_top_k, source.drop)):
            score_lr(j, ci, cp)
    for j in order:
        if len(ids_all[j]) > window:
            ent_all[j] = token_entropies(model, ids_all[j], tok.bos_token_id, source)
            if source_cmp is not None:
                ent_cmp[j] = token_entropies(model, ids_all[j], tok.bos_token_id, source_cmp)
        if dets_lr[j] is None:
            score_lr(j, *token_candidates(model, ids_all[j], tok.bos_token_id, args.lr_top_k, source.drop))

    print(f"entropies: {time.perf_counter() - t_start:.0f} s", file=sys.stderr, flush=True)
    # z[j][t], scored[j][t]: item j at threshold index t (0: key-only)
    dets = [[detect_ids(scheme, ids_all[j], ent_all[j], thr, placeholder=marks_all[j]) for thr in thresholds]
            for j in range(len(items))]
    powers = [float(p) for p in args.weight_powers.split(",")]
    dets_w = [[detect_ids(scheme, ids_all[j], ent_all[j], placeholder=marks_all[j], entropy_weight_power=p)
               for p in powers] for j in range(len(items))]
    # weighted p 0.5 (the results' choice, nothing fitted) with the run's entropies and the comparison's
    fixed_w = {args.entropy_distribution: [[detect_ids(scheme, ids_all[j], ent_all[j], placeholder=marks_all[j],
                                                       entropy_weight_power=0.5)] for j in range(len(items))]}
    if source_cmp is not None:
        fixed_w[args.compare_distribution] = [[detect_ids(scheme, ids_all[j], ent_cmp[j], placeholder=marks_all[j],
                                                          entropy_weight_power=0.5)] for j in range(len(items))]
    # the same texts without redaction-awareness (the detector before): does any FPR move?
    dets_unaware = [detect_ids(scheme, ids_all[j]) for j in range(len(items))]

    def rate(names: list[str], fit: bool | None, t: int, table: list[list[Any]] = dets) -> tuple[int, int]:
        sel = [j for j, it in enumerate(items) if it[0] in names and (fit is None or it[1] == fit)]
        return sum(table[j][t].z_score > Z for j in sel), len(sel)

    neg_names = ["plain", *negatives]
    wm_names = [name for name, d, _, _ in jobs if d is not None]
    # threshold choice on fitting items only
    feasible = [t for t in range(1, len(thresholds)) if rate(neg_names, True, t)[0] <= 0.01 * rate(neg_names, True, t)[1]]
    best_t = max(feasible, key=lambda t: (rate([wm_names[0]], True, t)[0], -t)) if feasible and 2.0 in deltas else None
    feasible_w = [p for p in range(len(powers)) if rate(neg_names, True, p, dets_w)[0] <= 0.01 * rate(neg_names, True, p, dets_w)[1]]
    best_p = (max(feasible_w, key=lambda p: (rate([wm_names[0]], True, p, dets_w)[0], -p))
              if feasible_w and 2.0 in deltas else None)

    def summary(name: str, t: int, table: list[list[Any]] = dets) -> dict[str, Any]:
        sel = [j for j, it in enumerate(items) if it[0] == name and not it[1]]
        k, n = rate([name], False, t, table)
        return {"tpr": round(k / n, 3), "tp": k, "n": n,
                "z_median": round(statistics.median(table[j][t].z_score for j in sel), 2),
                "tokens_scored_median": statistics.median(table[j][t].tokens_scored for j in sel)}

    dets_lr1 = [[d] for d in dets_lr]  # a one-column table for rate/summary/fpr_table
    dets_lr0 = [[d] for d in dets_lr_nocov]
    dets_g1 = [[d] for d in dets_gain]

    def null_stats(table: list[list[Any]], t: int) -> dict[str, float]:
        zs = [table[j][t].z_score for j, it in enumerate(items) if it[0] in neg_names]
        return {"mean": round(statistics.mean(zs), 3), "sd": round(statistics.stdev(zs), 3), "max": round(max(zs), 2)}

    ppl_plain = statistics.median(it[3] for it in items if it[0] == "plain")
    per_delta = {}
    n_tokens = len(prompts) * args.tokens
    for name in wm_names:
        ppl_wm = statistics.median(it[3] for it in items if it[0] == name)
        ev = [st for st in stages[name] if not st["fit"]]
        stage_z = {f"{k}_median": round(statistics.median(st[k] for st in ev), 2)
                   for k in ("z_ids", "z_reencoded", "z_redacted", "z_redacted_aware")}
        stage_tpr = {f"tpr_{k}": round(sum(st[k] > Z for st in ev) / len(ev), 3)
                     for k in ("z_ids", "z_reencoded", "z_redacted", "z_redacted_aware")}
        per_delta[name] = {"key_only": summary(name, 0), "entropy_aware": summary(name, best_t) if best_t else None,
                           "entropy_weighted": summary(name, best_p, dets_w) if best_p is not None else None,
                           "likelihood_ratio": summary(name, 0, dets_lr1),
                           "likelihood_ratio_no_shared_bit_cov": summary(name, 0, dets_lr0),
                           "expected_gain_weighted": summary(name, 0, dets_g1),
                           "stages": {**stage_z, **stage_tpr,
                                      "identical_share_mean": round(statistics.mean(st["identical_share"] for st in ev), 4),
                                      "outputs_all_identical": round(sum(st["identical_share"] == 1.0 for st in ev) / len(ev), 3)},
                           "ppl_plain": round(ppl_plain, 2), "ppl_wm": round(ppl_wm, 2), "ppl_ratio": round(ppl_wm / ppl_plain, 3),
                           "ms_per_token": round(1000 * gen_time[name] / args.samples / n_tokens, 2),
                           "ms_per_token_plain": round(1000 * gen_time["plain"] / args.plain_samples / n_tokens, 2),
                           "candidates_masked": masked[name],
                           "gen_time_ratio_vs_plain": round(gen_time[name] / args.samples / (gen_time["plain"] / args.plain_samples), 3)}

    def fpr_unaware() -> dict[str, Any]:
        sel = [j for j, it in enumerate(items) if it[0] in neg_names]
        k = sum(dets_unaware[j].z_score > Z for j in sel)
        return {"fp": k, "n": len(sel), "z_max": round(max(dets_unaware[j].z_score for j in sel), 2),
                "z_max_aware": round(max(dets[j][0].z_score for j in sel), 2),
                "texts_with_placeholders": sum(any(marks_all[j]) for j in sel)}

    def fpr_table(t: int, fit: bool | None, table: list[list[Any]] = dets) -> dict[str, Any]:
        rows = {}
        for src in neg_names:
            k, n = rate([src], fit, t, table)
            zs = [table[j][t].z_score for j, it in enumerate(items) if it[0] == src and (fit is None or it[1] == fit)]
            rows[src] = {"fp": k, "n": n, "fpr": round(k / n, 4), "upper95": round(upper95(k, n), 4), "z_max": round(max(zs), 2)}
        k, n = rate(neg_names, fit, t, table)
        rows["all"] = {"fp": k, "n": n, "fpr": round(k / n, 4), "upper95": round(upper95(k, n), 4)}
        return rows

    sweep = []
    for t, thr in enumerate(thresholds):
        row: dict[str, Any] = {"entropy_threshold": thr}
        for name in wm_names:
            for split, fit in (("fit", True), ("eval", False)):
                k, n = rate([name], fit, t)
                row[f"tpr_{name}_{split}"] = round(k / n, 3)
        for split, fit in (("fit", True), ("eval", False)):
            k, n = rate(neg_names, fit, t)
            row[f"fpr_{split}"] = f"{k}/{n}"
        zs = [dets[j][t].z_score for j, it in enumerate(items) if it[0] in neg_names]
        row["null_z_mean"], row["null_z_sd"] = round(statistics.mean(zs), 3), round(statistics.stdev(zs), 3)
        sweep.append(row)
    sweep_w = []
    for p, power in enumerate(powers):
        row = {"entropy_weight_power": power}
        for name in wm_names:
            for split, fit in (("fit", True), ("eval", False)):
                k, n = rate([name], fit, p, dets_w)
                row[f"tpr_{name}_{split}"] = round(k / n, 3)
        for split, fit in (("fit", True), ("eval", False)):
            k, n = rate(neg_names, fit, p, dets_w)
            row[f"fpr_{split}"] = f"{k}/{n}"
        zs = [dets_w[j][p].z_score for j, it in enumerate(items) if it[0] in neg_names]
        row["null_z_mean"], row["null_z_sd"] = round(statistics.mean(zs), 3), round(statistics.stdev(zs), 3)
        sweep_w.append(row)

    result = {
        "bench": "watermark", "model": f"demo base {_model_dir().name}", "gamma": args.gamma, "tokens": args.tokens,
        "prompts": len(prompts), "samples": args.samples, "plain_samples": args.plain_samples,
        "entropy_threshold_chosen": thresholds[best_t] if best_t else None,
        "per_delta_eval": per_delta,
        "fpr_key_only_all": fpr_table(0, None),
        "fpr_key_only_not_redaction_aware": fpr_unaware(),
        "fpr_entropy_aware_eval": fpr_table(best_t, False) if best_t else None,
        "entropy_weight_power_chosen": powers[best_p] if best_p is not None else None,
        "fpr_entropy_weighted_eval": fpr_table(best_p, False, dets_w) if best_p is not None else None,
        "fpr_likelihood_ratio_all": fpr_table(0, None, dets_lr1),
        "fpr_likelihood_ratio_eval": fpr_table(0, False, dets_lr1),
        "fpr_expected_gain_weighted_all": fpr_table(0, None, dets_g1),
        "null_z_all_unwatermarked": {"key_only": null_stats(dets, 0), "likelihood_ratio": null_stats(dets_lr1, 0),
                                     "likelihood_ratio_no_shared_bit_cov": null_stats(dets_lr0, 0),
                                     "expected_gain_weighted": null_stats(dets_g1, 0),
                                     **({"entropy_weighted": null_stats(dets_w, best_p)} if best_p is not None else {})},
        "likelihood_ratio_top_k": args.lr_top_k,
        "entropy_distribution": args.entropy_distribution,
        "weighted_p0_5_fixed": {dist: {
            "tpr_eval": {name: summary(name, 0, tab) for name in wm_names},
            "tpr_all_prompts": {name: round(sum(tab[j][0].z_score > Z for j, it in enumerate(items) if it[0] == name)
                                            / sum(it[0] == name for it in items), 3) for name in wm_names},
            "fpr_all": fpr_table(0, None, tab), "null_z_all_unwatermarked": null_stats(tab, 0)}
            for dist, tab in fixed_w.items()},
        "sweep": sweep, "sweep_weighted": sweep_w, "seconds": round(time.perf_counter() - t_start, 1),
    }
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    print(json.dumps({"weighted_p0_5_fixed": {d: {k: v for k, v in r.items() if k != "fpr_all"} | {"fpr_all": r["fpr_all"]["all"]}
                                              for d, r in result["weighted_p0_5_fixed"].items()}}))
    print(json.dumps({k: result[k] for k in ("bench", "model", "entropy_threshold_chosen",
                                             "entropy_weight_power_chosen", "per_delta_eval", "null_z_all_unwatermarked",
                                             "fpr_key_only_not_redaction_aware", "seconds")}))
    print(json.dumps({"fpr_all": result["fpr_key_only_all"]["all"]}))


if __name__ == "__main__":
    main()
