"""Spike entropy (EWD's weight) against Shannon entropy in entropy-weighted watermark detection.

Kirchenbauer et al. (2023) bound the expected green share with the *spike entropy*
S(p) = Σ_k p_k / (1 + ζ p_k), ζ = (1 − γ)(e^δ − 1) / (1 + (e^δ − 1) γ) (1.85 at γ 0.25, δ 2);
EWD (Lu et al. 2024) weighs tokens by it. S runs from 1/(1 + ζ) (the model certain: +δ cannot
change the choice) to 1 (mass spread thin); unlike Shannon entropy it saturates, so a step
split between two tokens already weighs nearly as much as one spread over hundreds. Here the
weight is (S − 1/(1 + ζ)) ** p (zero for a certain token, as Shannon's entropy ** p) for a grid
of p, and the raw S (p 1, no offset) as EWD writes it; each fed to the served detector
(`detect_ids(..., entropy_weight_power=p)`, redaction-aware) in place of the Shannon entropy.
No library change: the weights depend on the model alone, never on the key, so the null stays
N(0, 1) as for Shannon weights. Both entropies are taken of the served distribution
(``visible``: special tokens removed, renormalised; `entropy.entropy_source`), as the served
detector does since branch wm-ctx (before branch wm-lr2 this script used the full distribution).

Scored on a saved run of `benchmarks/watermark.py --save-generations F` (same texts, key and
fitting / evaluation split): per weight the power p is fitted on fitting items (highest δ 2 TPR
at z > 4 with fitting FPR ≤ 1 %), TPR and FPR reported on evaluation items beside Shannon p 0.5
(the results' choice) and key-only.

    nice -n 10 python benchmarks/watermark_spike.py --load-generations /tmp/wm_gen.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("OMP_NUM_THREADS", "2")
Z = 4.0


def spike_modulus(gamma: float, delta: float) -> float:
    """ζ of Kirchenbauer et al.'s spike entropy for green share γ and bias δ."""
    a = math.expm1(delta)
    return (1 - gamma) * a / (1 + a * gamma)


def shannon_and_spike(model: Any, rows: list[list[int]], bos: int | None, zeta: float,
                      drop: tuple[int, ...] = ()) -> list[tuple[list[float], list[float]]]:
    """Per row, per token: Shannon entropy (nats) and spike entropy of the model's next-token
    distribution given BOS + the row's earlier tokens (rows must fit the model's window), the
    ``drop`` ids (`entropy.EntropySource.drop`: special tokens) removed and the rest renormalised."""
    import torch

    from privtune.serve.guards.entropy import padded_logits

    with torch.inference_mode():
        logits = padded_logits(model, rows, bos)
        if drop:
            logits[..., [t for t in drop if t < logits.shape[-1]]] = float("-inf")
        logp = torch.log_softmax(logits, dim=-1)
        p = logp.exp()
        ent = -torch.where(p > 0, p * logp, torch.zeros_like(p)).sum(-1).cpu()
        spike = (p / (1 + zeta * p)).sum(-1).cpu()
    return [(ent[k, : len(r)].tolist(), spike[k, : len(r)].tolist()) for k, r in enumerate(rows)]


def long_shannon_and_spike(model: Any, ids: list[int], bos: int | None, zeta: float, window: int,
                           drop: tuple[int, ...] = ()) -> tuple[list[float], list[float]]:
    """`shannon_and_spike` of a text longer than the window: half-overlapping windows, as
    `entropy.token_entropies` does for Shannon entropy."""
    win, out_e, out_s, start = window - 1, [], [], 0
    half = win // 2
    while start < len(ids):
        lo = max(0, start - half)
        chunk = ids[lo: start + (win - (start - lo))]
        first = bos if lo == 0 else None
        e, s = shannon_and_spike(model, [chunk], first, zeta, drop)[0]
        if first is None:  # nothing before the chunk's first token: it is context only
            e, s = [0.0] + e[:-1], [0.0] + s[:-1]
        out_e.extend(e[start - lo:])
        out_s.extend(s[start - lo:])
        start += len(e[start - lo:])
    return out_e, out_s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--load-generations", type=Path, required=True, help="a benchmarks/watermark.py --save-generations file")
    ap.add_argument("--gamma", type=float, default=0.25)
    ap.add_argument("--delta", type=float, default=2.0, help="the δ whose outputs are scored (and ζ's δ)")
    ap.add_argument("--spike-powers", default="0.5,1,2,3,4", help="p tried for (S − S_min) ** p")
    ap.add_argument("--shannon-powers", default="0.25,0.5,0.75,1", help="p tried for Shannon entropy ** p")
    args = ap.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from privtune.serve.guards.entropy import DEFAULT_ENTROPY_DISTRIBUTION, entropy_source
    from privtune.serve.guards.placeholders import encode_marking_placeholders
    from privtune.serve.guards.watermark import WatermarkScheme, detect_ids
    from watermark import _model_dir, upper95

    torch.set_num_threads(2)
    mdir = _model_dir()
    tok = AutoTokenizer.from_pretrained(str(mdir), local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(str(mdir), local_files_only=True).eval()
    saved = json.loads(args.load_generations.read_text(encoding="utf-8"))
    scheme = WatermarkScheme(bytes.fromhex(saved["key_hex"]), args.gamma)
    wm_name = next(j[0] for j in saved["jobs"] if j[1] is not None and float(j[1]) == args.delta and j[2])
    neg_names = {"plain", *saved["neg_sources"]}
    items = [it for it in saved["items"] if it[0] == wm_name or it[0] in neg_names]
    zeta = spike_modulus(args.gamma, args.delta)
    drop = entropy_source(tok, DEFAULT_ENTROPY_DISTRIBUTION).drop  # the served distribution
    floor = 1 / (1 + zeta)
    enc = [encode_marking_placeholders(tok, it[2]) for it in items]
    window = int(model.config.max_position_embeddings)
    ent: list[Any] = [None] * len(items)
    order = sorted(range(len(items)), key=lambda j: len(enc[j][0]))
    short = [j for j in order if 0 < len(enc[j][0]) < window]
    for b in range(0, len(short), 32):
        idx = short[b: b + 32]
        for j, es in zip(idx, shannon_and_spike(model, [enc[j][0] for j in idx], tok.bos_token_id, zeta, drop)):
            ent[j] = es
    for j in order:
        if ent[j] is None:
            ent[j] = long_shannon_and_spike(model, enc[j][0], tok.bos_token_id, zeta, window, drop) if enc[j][0] else ([], [])

    # weights per variant: (name, per-item weights or None for key-only, power)
    variants: list[tuple[str, str, float | None]] = [("key_only", "none", None)]
    variants += [(f"shannon_p{p}", "shannon", float(p)) for p in args.shannon_powers.split(",")]
    variants += [(f"spike_offset_p{p}", "spike_offset", float(p)) for p in args.spike_powers.split(",")]
    variants.append(("spike_raw_p1", "spike_raw", 1.0))

    def weights(j: int, kind: str) -> list[float] | None:
        e, s = ent[j]
        return {"none": None, "shannon": e, "spike_offset": [max(v - floor, 0.0) for v in s], "spike_raw": s}[kind]

    z = {name: [detect_ids(scheme, enc[j][0], weights(j, kind), placeholder=enc[j][1], entropy_weight_power=p).z_score
                for j in range(len(items))] for name, kind, p in variants}

    def rate(name: str, which: set[str], fit: bool) -> tuple[int, int]:
        sel = [j for j, it in enumerate(items) if it[0] in which and bool(it[1]) == fit]
        return sum(z[name][j] > Z for j in sel), len(sel)

    table = {}
    for name, _, _ in variants:
        (tf, nf), (te, ne) = rate(name, {wm_name}, True), rate(name, {wm_name}, False)
        (ff, mf), (fe, me) = rate(name, neg_names, True), rate(name, neg_names, False)
        null = [z[name][j] for j, it in enumerate(items) if it[0] in neg_names]
        mean = sum(null) / len(null)
        table[name] = {"tpr_fit": round(tf / nf, 3), "tpr_eval": round(te / ne, 3), "tp_eval": te, "n_eval": ne,
                       "fpr_fit": f"{ff}/{mf}", "fpr_eval": f"{fe}/{me}", "fpr_eval_upper95": round(upper95(fe, me), 4),
                       "null_mean": round(mean, 3), "null_sd": round((sum((v - mean) ** 2 for v in null) / (len(null) - 1)) ** 0.5, 3),
                       "null_max": round(max(null), 2)}

    def fitted(prefix: str) -> str:
        names = [n for n, _, _ in variants if n.startswith(prefix)]
        feasible = [n for n in names if rate(n, neg_names, True)[0] <= 0.01 * rate(n, neg_names, True)[1]]
        return max(feasible, key=lambda n: table[n]["tpr_fit"]) if feasible else ""

    print(json.dumps({"bench": "watermark_spike", "file": str(args.load_generations), "set": wm_name, "zeta": round(zeta, 4),
                      "spike_floor": round(floor, 4), "fitted_shannon": fitted("shannon_"),
                      "fitted_spike_offset": fitted("spike_offset_"), "variants": table}))


if __name__ == "__main__":
    main()
