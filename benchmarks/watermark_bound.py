"""Oracle Neyman–Pearson bound for the green-list watermark on the demo model (issue 15).

Can *any* detector reach TPR ≥ 0.95 at z > 4 (one-sided p ≈ 3.2e-5) at δ 2 on this model? The
oracle knows everything a detector could: the key, the prompt, the model and the exact per-step
sampling distributions with (``q``) and without (``p``) the watermark bias, both after the
canonical-split mask, as actually sampled (temperature 1, no top-k/top-p: no other warper).

**Protocol.** The prompts, seeds, 200 tokens and the mask of `benchmarks/watermark.py`
(`generate_rows`, `load_prompts`); per key one watermarked output per prompt (sampled from
``q``) and one plain output (sampled from ``p``: the same mask, no bias; the null). One
processor (`OracleStep`) runs the library's `WatermarkLogitsProcessor` and
`CanonicalSplitProcessor` on a copy of the logits and records both distributions: the mask is the
set the served generation removes (computed on the biased logits) and is applied to ``p`` too,
so the two distributions share their support and differ by the bias alone.

**The statistic reduces to a green count.** With the same mask on both, ``q(x) = p(x) e^{δ g(x)} /
(1 + (e^δ − 1) G)``, ``G`` the green mass of ``p``, so the per-step log-likelihood ratio is
``λ = δ g(x) − log(1 + (e^δ − 1) G)``: two values per step. The oracle's path statistic Λ = Σλ is
a fixed increasing function of the green count S = Σ g given the path's G's, and its null moments
μ = E_p[λ], σ² = Var_p[λ] make z_oracle = (Λ − Σμ)/sqrt(Σσ²) = (S − ΣG)/sqrt(ΣG(1 − G)) (checked
numerically on every step: ``max_llr_identity_error``). Without the watermark, g(x_t) given the
past is Bernoulli(G_t) exactly, so besides the Gaussian z the script gives the exact
Poisson-binomial tail P(Σ Bern(G_t) ≥ S) for the path's G's (the contexts taken as given) and
Ville's bound P_H0(Λ ≥ c) ≤ e^{−c}, valid for the adaptive path too (e^Λ is a likelihood-ratio
martingale under H0): reject when Λ ≥ log(1/α) = 10.36 nats.

**What it bounds.** Any test that sees the text (a function of prompt and ids) and reaches power β
at level α on a prompt's outputs obeys d(β ‖ α) ≤ KL(Q ‖ P) (data processing on the test's
decision; d the binary KL), and KL(Q ‖ P) = E_Q[Σ_t KL(q_t ‖ p_t)] (chain rule). So 95 % power
at α = 3.17e-5 *needs* at least d(0.95 ‖ α) = 9.64 nats on the prompt; the equal-variance Gaussian
picture (Λ ~ N(∓D, 2D), power Φ(√(2D) − z_α)) needs √(2D) ≥ 4 + 1.645, D ≥ 15.9 nats. Each
output's path KL D = Σ_t KL(q_t ‖ p_t) is one draw whose mean is the prompt's KL;
``tpr_upper_bound_mean`` averages β_max(D) (largest β with d(β ‖ α) ≤ D) over outputs.

**After redaction.** The outputs are decoded, PII-redacted (the guard), re-encoded marking
placeholders; a generated position *survives* when its token id is in a matching block of
difflib's alignment of the generated ids with the redacted text's ids and not a placeholder
token (the ids a detector still sees, up to that alignment). The oracle restricted to those
positions keeps their true contexts (it still knows the prompt and the redacted tokens).

**Text-only diagnostic.** The same sampling-null statistic with G recomputed from BOS + the
redacted text (no prompt, no mask, redaction-aware skips): what a detector knowing model and key
but not the prompt would compute. Its null holds only for text sampled from that exact
distribution, so it is checked on the plain outputs and on ``--human-per-source`` human texts
per source (`watermark_negatives`): a diagnostic of where the oracle's edge lies, not a detector.

Also scored on the same outputs, for scale: the served detectors (key-only on the generated ids
with the prompt's last tokens as context; key-only and entropy-weighted p 0.5, redaction-aware,
on the redacted text, entropies from the text alone with the served distribution, ``visible``:
special tokens removed; before branch wm-lr2 these rows used the full distribution), and the same key-null weighted detector
with the *generation-time* entropies of ``p`` (a bound on what better weights could give).

    nice -n 10 python benchmarks/watermark_bound.py --keys 2 --prompts 137   # 15-40 min on 2 busy cores
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
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
ALPHA = 0.5 * math.erfc(Z / math.sqrt(2))  # one-sided p of z > 4: 3.17e-5


class OracleStep:
    """A transformers logits processor: the served watermark bias and canonical-split mask (library
    processors, on a copy), returning the logits of ``q`` (watermarked) or of ``p`` (the same mask,
    no bias). Records per row and step the green mass G of ``p``, E_p/Var_p of the log ratio λ,
    KL(q ‖ p), and (at the next step) λ and the green bit of the token sampled."""

    def __init__(self, bias: Any, mask: Any, delta: float, watermarked: bool) -> None:
        self.bias, self.mask, self.delta, self.watermarked = bias, mask, delta, watermarked
        self.steps: list[dict[str, Any]] = []  # per step: tensors over rows
        self._pending: tuple[Any, Any] | None = None  # (λ vector, green vector) of the last step
        self.max_llr_identity_error = 0.0

    def _take(self, chosen: Any) -> None:
        import torch

        llr, green = self._pending  # type: ignore[misc]
        step = self.steps[-1]
        step["llr_x"] = llr.gather(1, chosen[:, None])[:, 0]
        step["green_x"] = green.gather(1, chosen[:, None])[:, 0]
        # λ of the chosen token must be δ g − log(1 + (e^δ − 1) G): both distributions share the mask
        ident = self.delta * step["green_x"].double() - torch.log1p(math.expm1(self.delta) * step["G"])
        self.max_llr_identity_error = max(self.max_llr_identity_error,
                                          float((ident - step["llr_x"]).abs().max()))
        self._pending = None

    def finish(self, outputs: list[list[int]]) -> None:
        """Gather the last step's token (generation ends without another call)."""
        import torch

        if self._pending is not None:
            self._take(torch.tensor([o[-1] for o in outputs]))

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        if self._pending is not None:
            self._take(input_ids[:, -1].cpu())
        raw = scores.float()
        biased = self.bias(input_ids, raw.clone())
        green = (biased - raw) > 0.5 * self.delta  # NaN (−inf − −inf) compares False
        served = self.mask(input_ids, biased.clone())
        removed = torch.isfinite(biased) & ~torch.isfinite(served)
        logp = torch.log_softmax(raw.masked_fill(removed, float("-inf")).double(), dim=-1)
        logq = torch.log_softmax(served.double(), dim=-1)
        p, q = logp.exp(), logq.exp()
        llr = torch.nan_to_num(logq - logp, nan=0.0, posinf=0.0, neginf=0.0)  # off-support: p = q = 0
        mu = (p * llr).sum(-1)
        self.steps.append({"G": (p * green).sum(-1), "mu": mu, "var": ((p * llr * llr).sum(-1) - mu * mu).clamp_min(0),
                           "kl": (q * llr).sum(-1), "ent": -torch.where(p > 0, p * logp, torch.zeros_like(p)).sum(-1)})
        self._pending = (llr, green)
        out = served if self.watermarked else raw.masked_fill(removed, float("-inf"))
        return out.to(scores.dtype)

    def per_row(self) -> list[dict[str, np.ndarray]]:
        """Per output row: arrays over steps of G, mu, var, kl, llr_x, green_x, ent (Shannon entropy of p)."""
        keys = ("G", "mu", "var", "kl", "llr_x", "green_x", "ent")
        cols = {k: np.stack([s[k].double().numpy() for s in self.steps], axis=1) for k in keys}
        return [{k: cols[k][r] for k in keys} for r in range(cols["G"].shape[0])]


def poisson_binomial_tail(probs: np.ndarray, s: int) -> float:
    """P(Σ Bernoulli(probs_t) ≥ s), independent, exactly (dynamic programme over the count)."""
    dist = np.zeros(len(probs) + 1)
    dist[0] = 1.0
    for n, g in enumerate(probs, start=1):
        dist[1: n + 1] = dist[1: n + 1] * (1 - g) + dist[: n] * g
        dist[0] *= 1 - g
    return float(min(1.0, dist[s:].sum()))


def binary_kl(b: float, a: float) -> float:
    """d(b ‖ a): KL between Bernoulli(b) and Bernoulli(a)."""
    def term(x: float, y: float) -> float:
        return 0.0 if x == 0 else x * math.log(x / y)
    return term(b, a) + term(1 - b, 1 - a)


def max_power(kl: float, alpha: float = ALPHA) -> float:
    """Largest power β a level-α test can have when the two hypotheses are ``kl`` nats apart:
    max β with d(β ‖ α) ≤ kl (data processing on the decision)."""
    if binary_kl(1.0, alpha) <= kl:
        return 1.0
    lo, hi = alpha, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if binary_kl(mid, alpha) <= kl else (lo, mid)
    return lo


def surviving_positions(generated: list[int], redacted_ids: list[int], placeholder: list[bool]) -> list[int]:
    """Positions of ``generated`` whose ids a detector still sees after decode → redact → re-encode:
    those in difflib's matching blocks with the redacted ids, placeholder tokens excluded."""
    sm = difflib.SequenceMatcher(None, generated, redacted_ids, autojunk=False)
    keep = []
    for a, b, n in sm.get_matching_blocks():
        keep.extend(a + k for k in range(n) if not placeholder[b + k])
    return keep


def entropies_on_redacted(generated: list[int], redacted_ids: list[int], entropies: np.ndarray) -> list[float]:
    """The generation-time entropies carried over to the redacted text's tokens along difflib's
    alignment; tokens with no generated counterpart (placeholders, re-split words) get 0 (unscored)."""
    out = [0.0] * len(redacted_ids)
    for a, b, n in difflib.SequenceMatcher(None, generated, redacted_ids, autojunk=False).get_matching_blocks():
        out[b: b + n] = [float(v) for v in entropies[a: a + n]]
    return out


def oracle_scores(row: dict[str, np.ndarray], delta: float, positions: list[int] | None = None) -> dict[str, float]:
    """The oracle's statistics over ``positions`` (all by default) of one output."""
    sel = np.arange(len(row["G"])) if positions is None else np.asarray(positions, dtype=int)
    G, g = row["G"][sel], row["green_x"][sel].astype(float)
    lam, mu, var = float(row["llr_x"][sel].sum()), float(row["mu"][sel].sum()), float(row["var"][sel].sum())
    z = (lam - mu) / math.sqrt(var) if var > 0 else 0.0
    gw = math.exp(delta) * G / (1 + math.expm1(delta) * G)  # green probability under the watermark
    null_sd = math.sqrt(float((G * (1 - G)).sum()))
    # the Gaussian oracle test's power on these contexts (the mean of its TPR over H1 draws)
    alt_sd = math.sqrt(float((gw * (1 - gw)).sum()))
    power = (0.5 * math.erfc(-((gw.sum() - G.sum() - Z * null_sd) / alt_sd) / math.sqrt(2))) if alt_sd > 0 else 0.0
    return {"z": z, "llr": lam, "p_exact": poisson_binomial_tail(G, int(round(g.sum()))), "kl": float(row["kl"][sel].sum()),
            "green": float(g.sum()), "green_expected": float(G.sum()), "null_var_count": null_sd ** 2,
            "power_expected": float(power), "informative_steps": int(((G > 0.01) & (G < 0.99)).sum()), "n": int(len(sel))}


def text_only_green_mass(model: Any, bias: Any, delta: float, rows: list[list[int]], bos: int | None,
                         marks: list[list[bool]]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per row: the model's green mass G and the green bit g of each scorable token, the
    distribution recomputed from BOS + the text alone (no prompt, no canonical-split mask), as a
    detector that knows model and key but not the prompt would. Not scored: the first
    ``context_width`` tokens and the redaction-aware skips (`watermark.placeholder_skipped`)."""
    import torch

    from privtune.serve.guards.entropy import padded_logits
    from privtune.serve.guards.watermark import placeholder_skipped, token_green_bits

    width = bias.scheme.context_width
    probs = torch.softmax(padded_logits(model, rows, bos).double(), dim=-1)  # [k, j]: before rows[k][j]
    out = []
    for k, r in enumerate(rows):
        if len(r) <= width:
            out.append((np.zeros(0), np.zeros(0)))
            continue
        pos = list(range(width, len(r)))
        ctx = torch.tensor([r[j - width: j] for j in pos])
        green = bias(ctx, torch.zeros(len(pos), probs.shape[-1])) > 0.5 * delta
        anchors, bits = token_green_bits(bias.scheme, r)  # the detectors' own bits and anchors
        assert bits == green[torch.arange(len(pos)), torch.tensor(r[width:])].tolist()
        keep = [n for n, j in enumerate(pos) if not placeholder_skipped(bias.scheme, r, marks[k], j, anchors[n])]
        G = (probs[k, pos] * green).sum(-1).numpy()[keep]
        g = np.asarray(bits, dtype=float)[keep]
        out.append((G, g))
    return out


def sampling_null_scores(G: np.ndarray, g: np.ndarray) -> dict[str, float]:
    """z = (Σg − ΣG)/sqrt(ΣG(1 − G)) and the exact Poisson-binomial tail: valid when the text was
    sampled from the model that gave G (it is blind to human text's own distribution)."""
    var = float((G * (1 - G)).sum())
    return {"z": (float(g.sum()) - float(G.sum())) / math.sqrt(var) if var > 0 else 0.0,
            "p_exact": poisson_binomial_tail(G, int(round(g.sum())))}


def text_only_summary(scores: list[dict[str, float]]) -> dict[str, Any]:
    zs = [s["z"] for s in scores]
    return {"n": len(zs), "z_mean": round(statistics.mean(zs), 3), "z_sd": round(statistics.stdev(zs), 3),
            "z_max": round(max(zs), 2), "z_median": round(statistics.median(zs), 2),
            "share_z_gt_4": round(sum(z > Z for z in zs) / len(zs), 4),
            "share_p_exact_lt_alpha": round(sum(s["p_exact"] < ALPHA for s in scores) / len(zs), 4)}


def _q(xs: list[float]) -> dict[str, float]:
    a = np.asarray(xs, dtype=float)
    return {k: round(float(np.quantile(a, v)), 3) for k, v in
            (("q05", .05), ("q25", .25), ("median", .5), ("q75", .75), ("q95", .95))}


def summarise_watermarked(scores: list[dict[str, float]]) -> dict[str, Any]:
    n = len(scores)
    ville = math.log(1 / ALPHA)
    return {"n": n,
            "tpr_z_gt_4": round(sum(s["z"] > Z for s in scores) / n, 3),
            "tpr_exact_poisson_binomial": round(sum(s["p_exact"] < ALPHA for s in scores) / n, 3),
            "tpr_ville_llr_ge_log_1_over_alpha": round(sum(s["llr"] >= ville for s in scores) / n, 3),
            "power_expected_mean": round(statistics.mean(s["power_expected"] for s in scores), 3),
            "z": _q([s["z"] for s in scores]), "kl_nats": _q([s["kl"] for s in scores]),
            "kl_below_9_64_rigorous": round(sum(s["kl"] < REQUIRED_KL for s in scores) / n, 3),
            "kl_below_15_9_gaussian": round(sum(s["kl"] < GAUSSIAN_KL for s in scores) / n, 3),
            "tpr_upper_bound_mean": round(statistics.mean(max_power(s["kl"]) for s in scores), 3),
            "informative_steps_median": statistics.median(s["informative_steps"] for s in scores),
            "positions_median": statistics.median(s["n"] for s in scores)}


def summarise_null(scores: list[dict[str, float]]) -> dict[str, Any]:
    zs = [s["z"] for s in scores]
    return {"n": len(zs), "z_mean": round(statistics.mean(zs), 3), "z_sd": round(statistics.stdev(zs), 3),
            "z_max": round(max(zs), 2), "fp_z_gt_4": sum(z > Z for z in zs),
            "fp_exact": sum(s["p_exact"] < ALPHA for s in scores), "p_exact_min": float(min(s["p_exact"] for s in scores)),
            "share_p_exact_lt_0_05": round(sum(s["p_exact"] < 0.05 for s in scores) / len(zs), 3),
            "fp_ville": sum(s["llr"] >= math.log(1 / ALPHA) for s in scores), "llr_max": round(max(s["llr"] for s in scores), 2)}


REQUIRED_KL = binary_kl(0.95, ALPHA)  # 9.64 nats: necessary for 95 % power at α (data processing)
GAUSSIAN_KL = (Z + 1.6448536269514722) ** 2 / 2  # 15.9 nats: equal-variance Gaussian approximation


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=137, help="at most this many prompts (the chats give 273)")
    ap.add_argument("--keys", type=int, default=2, help="fresh random keys, each a watermarked and a plain run")
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--batch", type=int, default=137)
    ap.add_argument("--gamma", type=float, default=0.25)
    ap.add_argument("--delta", type=float, default=2.0)
    ap.add_argument("--human-per-source", type=int, default=50,
                    help="human texts per source (benchmarks/watermark_negatives.py) for the text-only diagnostic's null")
    ap.add_argument("--out", type=Path, help="write the per-output statistics (JSON) here")
    args = ap.parse_args()

    import torch

    from privtune.serve.guards.canonical import CanonicalPairs, CanonicalSplitProcessor
    from privtune.serve.guards.entropy import DEFAULT_ENTROPY_DISTRIBUTION, batch_entropies, entropy_source
    from privtune.serve.guards.pii import PIIGuard
    from privtune.serve.guards.placeholders import encode_marking_placeholders
    from privtune.serve.guards.watermark import WatermarkLogitsProcessor, WatermarkScheme, detect_ids
    from watermark import _model_dir, generate_rows, load_demo_model, load_prompts
    from watermark_negatives import load_negatives

    torch.set_num_threads(2)
    t_start = time.perf_counter()
    tok, model, vocab = load_demo_model()
    prompts = load_prompts(tok, args.prompts)
    redactor = PIIGuard().redactors["redact"]
    eos = model.generation_config.eos_token_id
    pairs = CanonicalPairs(tok)
    per_key: list[dict[str, Any]] = []
    details: list[dict[str, Any]] = []
    identity_error = 0.0
    humans = [encode_marking_placeholders(tok, t) for texts in
              load_negatives(ROOT, tok, args.tokens, args.human_per_source).values() for t in texts] \
        if args.human_per_source > 0 else []
    window = int(model.config.max_position_embeddings) - 1
    humans = [h for h in humans if 0 < len(h[0]) <= window]
    text_only: dict[str, list[dict[str, float]]] = {"watermarked": [], "plain": [], "human": []}
    for key_no in range(args.keys):
        scheme = WatermarkScheme(os.urandom(32), args.gamma, args.delta)
        wm_bias = WatermarkLogitsProcessor(scheme, vocab)
        runs: dict[str, list[dict[str, Any]]] = {"watermarked": [], "plain": []}
        for run, watermarked in (("watermarked", True), ("plain", False)):
            for i in range(0, len(prompts), args.batch):
                rows = prompts[i: i + args.batch]
                step = OracleStep(wm_bias, CanonicalSplitProcessor(pairs, end_ids=eos if isinstance(eos, list) else [eos]),
                                  args.delta, watermarked)
                # benchmarks/watermark.py's seeds (sample 0): watermarked 1000·0 + i + δ·100000, plain i
                outs = generate_rows(model, tok, rows, [step], seed=i + (int(args.delta * 100_000) if watermarked else 0),
                                     tokens=args.tokens)
                step.finish(outs)
                identity_error = max(identity_error, step.max_llr_identity_error)
                for k, (o, rec) in enumerate(zip(outs, step.per_row())):
                    text = redactor.redact_text(tok.decode(o, skip_special_tokens=True))
                    ids_r, marked = encode_marking_placeholders(tok, text)
                    runs[run].append({"prompt": rows[k], "ids": o, "rec": rec, "ids_r": ids_r, "marked": marked,
                                      "survive": surviving_positions(o, ids_r, marked)})
            print(f"key {key_no} {run}: {time.perf_counter() - t_start:.0f} s", file=sys.stderr, flush=True)
        # the served detectors on the same outputs, for scale (the served entropy distribution)
        served_source = entropy_source(tok, DEFAULT_ENTROPY_DISTRIBUTION)
        for run in runs.values():
            order = sorted(range(len(run)), key=lambda j: len(run[j]["ids_r"]))
            for b in range(0, len(order), 32):
                idx = order[b: b + 32]
                for j, e in zip(idx, batch_entropies(model, [run[j]["ids_r"] for j in idx], tok.bos_token_id,
                                                    served_source)):
                    run[j]["ent"] = e
        # text-only diagnostic: the oracle's sampling null with G recomputed from the redacted text
        for name, texts in (("watermarked", [(r["ids_r"], r["marked"]) for r in runs["watermarked"]]),
                            ("plain", [(r["ids_r"], r["marked"]) for r in runs["plain"]]), ("human", humans)):
            order = sorted(range(len(texts)), key=lambda j: len(texts[j][0]))
            for b in range(0, len(order), 32):
                idx = order[b: b + 32]
                for G, g in text_only_green_mass(model, wm_bias, args.delta, [texts[j][0] for j in idx],
                                                 tok.bos_token_id, [texts[j][1] for j in idx]):
                    text_only[name].append(sampling_null_scores(G, g))
        out_key: dict[str, Any] = {"key": key_no}
        for name, run in runs.items():
            full = [oracle_scores(r["rec"], args.delta) for r in run]
            red = [oracle_scores(r["rec"], args.delta, r["survive"]) for r in run]
            served = {
                "key_only_ids_with_prompt": [detect_ids(scheme, r["prompt"][-4:] + r["ids"]).z_score for r in run],
                "key_only_redacted_aware": [detect_ids(scheme, r["ids_r"], placeholder=r["marked"]).z_score for r in run],
                "weighted_p0_5_redacted_aware": [detect_ids(scheme, r["ids_r"], r["ent"], placeholder=r["marked"],
                                                            entropy_weight_power=0.5).z_score for r in run],
                # key-null detection (valid on human text) with the oracle's weights: generation-time
                # entropies (prompt and mask known), √entropy as above
                "weighted_p0_5_generation_entropies_ids_with_prompt": [
                    detect_ids(scheme, r["prompt"][-4:] + r["ids"], [0.0] * 4 + r["rec"]["ent"].tolist(),
                               entropy_weight_power=0.5).z_score for r in run],
                "weighted_p0_5_generation_entropies_redacted_aware": [
                    detect_ids(scheme, r["ids_r"], entropies_on_redacted(r["ids"], r["ids_r"], r["rec"]["ent"]),
                               placeholder=r["marked"], entropy_weight_power=0.5).z_score for r in run]}
            summ = summarise_watermarked if name == "watermarked" else summarise_null
            out_key[name] = {"oracle_ids_with_prompt": summ(full), "oracle_after_redaction": summ(red),
                             "surviving_share_mean": round(statistics.mean(len(r["survive"]) / len(r["ids"]) for r in run), 4),
                             "served_detectors": {k: ({"tpr_z_gt_4": round(sum(z > Z for z in v) / len(v), 3),
                                                       "z_median": round(statistics.median(v), 2)} if name == "watermarked"
                                                      else {"fp_z_gt_4": sum(z > Z for z in v), "z_max": round(max(v), 2)})
                                                  for k, v in served.items()}}
            details.extend({"key": key_no, "run": name, "full": f, "redacted": r} for f, r in zip(full, red))
        per_key.append(out_key)

    def pooled(run: str, variant: str) -> dict[str, Any]:
        rows = [d[variant] for d in details if d["run"] == run]
        return summarise_watermarked(rows) if run == "watermarked" else summarise_null(rows)

    result = {"bench": "watermark_bound", "model": f"demo base {_model_dir().name}", "gamma": args.gamma, "delta": args.delta,
              "tokens": args.tokens, "prompts": len(prompts), "keys": args.keys, "alpha": ALPHA,
              "kl_needed_rigorous_nats": round(REQUIRED_KL, 3), "kl_needed_gaussian_nats": round(GAUSSIAN_KL, 3),
              "ville_threshold_nats": round(math.log(1 / ALPHA), 3), "max_llr_identity_error": identity_error,
              "pooled": {f"{run}_{variant}": pooled(run, variant) for run in ("watermarked", "plain")
                         for variant in ("full", "redacted")},
              "text_only_sampling_null": {k: text_only_summary(v) for k, v in text_only.items() if len(v) > 1},
              "per_key": per_key, "seconds": round(time.perf_counter() - t_start, 1)}
    if args.out:
        args.out.write_text(json.dumps({"result": result, "outputs": details}))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
