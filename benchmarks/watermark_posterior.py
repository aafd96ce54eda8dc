"""Posterior weights and exact tails against the served ``linear`` detector (issue 15).

Every detector compared here is a linear statistic of the keyed green bits, S = Σᵦ cᵦ(bᵦ − γ), with
keyless coefficients, so its key null is exact for any text (human included):

* ``linear``: the served default (`watermark_score.detect_linear`), Gaussian z;
* ``linear_exact``: the same statistic, p from the exact law of the weighted Bernoulli sum
  (`watermark_posterior.exact_tail`, saddle point) instead of the Gaussian;
* ``posterior`` / ``posterior_exact``: coefficients cᵦ = πᵦ − γ, πᵦ the bit's posterior under the
  watermark given the model's top-10 candidates and δ (`watermark_posterior`; deflection-optimal);
* ``logodds`` / ``logodds_exact``: cᵦ = Σₜ λₜᵦ (no saturation over repeats);
* ``posterior_plus_weighted``: the posterior statistic and the served √entropy-weighted count,
  each standardised, summed with equal weight (as ``linear`` sums the score and the count), exact tail.

Texts and keyless features as `watermark_gap.py --cache` reads them (`watermark_lr_visible.py
--features-only`): key E's evaluation outputs (its fitting outputs only to choose), every output of
the `--outputs` keys, and all unwatermarked texts under every key. Exact tails are computed where the
Gaussian z exceeds ``--exact-from`` (below it no statistic of a few hundred bits reaches z 4; the
Gaussian z is kept there). Nothing is fitted; the one choice among the variants is printed for key E's
fitting items (``fitting``) before any evaluation figure.

    nice -n 10 python benchmarks/watermark_posterior.py --cache FEATS --generations WM_GEN \\
        --outputs F1 [F2 ...] --out /tmp/post.json
"""

from __future__ import annotations

import argparse
import dataclasses
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
os.environ.setdefault("OMP_NUM_THREADS", "1")
Z = 4.0


def linear_coefficients(scheme: Any, f: dict[str, Any], check: bool = False) -> tuple[Any, float]:
    """(cᵦ of the served linear statistic, its Gaussian z), built as `detect_linear` builds them
    (``check``: assert the z equals the served `detect_features`' z)."""
    import torch

    from privtune.serve.guards.watermark import weighted_terms
    from privtune.serve.guards.watermark_score import bit_key, score_parts

    g = scheme.gamma
    s = score_parts(scheme, f["ids"], f["ci"], f["cp"], f["marks"])
    terms = weighted_terms(scheme, f["ids"], f["ent"], None, f["marks"], 0.5)
    c_w = torch.tensor([t[2] for t in terms], dtype=torch.double)
    b_w = torch.tensor([float(t[3]) for t in terms], dtype=torch.double)
    var_w = g * (1 - g) * float((c_w * c_w).sum())
    parts_k, parts_c, observed = [], [], 0.0
    if s.null_variance > 1e-12 and s.bit_keys is not None and s.bit_coefficients is not None:
        parts_k.append(s.bit_keys)
        parts_c.append(s.bit_coefficients / math.sqrt(s.null_variance))
        observed += s.total / math.sqrt(s.null_variance)
    if var_w > 1e-12:
        parts_k.append(bit_key(torch.tensor([t[0] for t in terms], dtype=torch.int64),
                               torch.tensor([t[1] for t in terms], dtype=torch.int64)))
        parts_c.append(c_w / math.sqrt(var_w))
        observed += float((c_w * (b_w - g)).sum()) / math.sqrt(var_w)
    if not parts_k:
        return torch.zeros(0, dtype=torch.double), 0.0
    uniq, inv = torch.unique(torch.cat(parts_k), return_inverse=True)
    coef = torch.zeros(uniq.shape[0], dtype=torch.double).index_add_(0, inv, torch.cat(parts_c))
    z = observed / math.sqrt(g * (1 - g) * float((coef * coef).sum()))
    if check:
        from privtune.serve.guards.detectors import TextFeatures, detect_features

        served = detect_features(scheme, "linear", TextFeatures(f["ids"], f["marks"], f["ent"], f["ci"], f["cp"]),
                                 entropy_weight_power=0.5).z_score
        assert abs(served - z) < 1e-6, (served, z)
    return coef, z


def weighted_statistic(scheme: Any, f: dict[str, Any]) -> Any:
    """The served √entropy-weighted count as a `BitStatistic` (dedup'd positions, as served)."""
    import torch

    from privtune.serve.guards.watermark import weighted_terms
    from privtune.serve.guards.watermark_posterior import BitStatistic
    from privtune.serve.guards.watermark_score import bit_key

    terms = weighted_terms(scheme, f["ids"], f["ent"], None, f["marks"], 0.5)
    keys = bit_key(torch.tensor([t[0] for t in terms], dtype=torch.int64),
                   torch.tensor([t[1] for t in terms], dtype=torch.int64))
    return BitStatistic(keys, torch.tensor([t[2] for t in terms], dtype=torch.double),
                        torch.tensor([float(t[3]) for t in terms], dtype=torch.double), len(terms))


def sum_statistics(a: Any, b: Any, gamma: float) -> Any:
    """Two `BitStatistic`s, each standardised by its null sd, as one (shared bits add their coefficients)."""
    import torch

    from privtune.serve.guards.watermark_posterior import BitStatistic

    parts = [(s, math.sqrt(s.null_variance(gamma))) for s in (a, b)]
    parts = [(s, sd) for s, sd in parts if sd > 1e-9]
    if not parts:
        return a
    keys = torch.cat([s.keys for s, _ in parts])
    coef = torch.cat([s.coefficients / sd for s, sd in parts])
    bits = torch.cat([s.bits for s, _ in parts])
    uniq, inv = torch.unique(keys, return_inverse=True)
    c = torch.zeros(uniq.shape[0], dtype=torch.double).index_add_(0, inv, coef)
    bit = torch.zeros(uniq.shape[0], dtype=torch.double).index_copy_(0, inv, bits)
    return BitStatistic(uniq, c, bit, max(s.scored for s, _ in parts))


def z_pair(coef: Any, observed: float, gamma: float, exact_from: float) -> tuple[float, float]:
    """(Gaussian z, exact-tail z) of a linear statistic's observed value."""
    from privtune.serve.guards.watermark_posterior import exact_tail, z_of_tail

    var = gamma * (1 - gamma) * float((coef * coef).sum())
    if var <= 1e-12:
        return 0.0, 0.0
    zg = observed / math.sqrt(var)
    if zg <= exact_from:
        return zg, zg
    return zg, z_of_tail(exact_tail(coef, gamma, observed))


def memo_hash(scheme: Any) -> Any:
    """``scheme`` with its keyed token hash memoised (the detectors hash the same tokens many times)."""
    import functools

    object.__setattr__(scheme, "_h", functools.lru_cache(maxsize=None)(scheme._h))
    return scheme


def all_detectors(scheme: Any, f: dict[str, Any], lam: Any, exact_from: float, check: bool = False) -> dict[str, float]:
    from privtune.serve.guards.watermark_posterior import deflection_weights, posterior_statistic

    g = scheme.gamma
    out: dict[str, float] = {}
    coef, zl = linear_coefficients(scheme, f, check)
    var = g * (1 - g) * float((coef * coef).sum())
    out["linear"] = zl
    out["linear_exact"] = z_pair(coef, zl * math.sqrt(var), g, exact_from)[1] if var > 1e-12 else 0.0
    lo = posterior_statistic(scheme, f["ids"], f["ci"], f["cp"], f["marks"], "log-odds", lam)
    post = dataclasses.replace(lo, coefficients=deflection_weights(lo.coefficients, g))
    out["posterior"], out["posterior_exact"] = z_pair(post.coefficients, post.observed(g), g, exact_from)
    out["logodds"], out["logodds_exact"] = z_pair(lo.coefficients, lo.observed(g), g, exact_from)
    both = sum_statistics(post, weighted_statistic(scheme, f), g)
    out["posterior_plus_weighted"], out["posterior_plus_weighted_exact"] = \
        z_pair(both.coefficients, both.observed(g), g, exact_from)
    return out


def text_features(texts: list[str], cache: Path) -> list[dict[str, Any]]:
    """Keyless features of each text (`watermark_lr_visible.features`: ids, placeholder marks,
    visible entropies and top-10 candidates), from ``cache`` (text -> features) where known."""
    import torch

    known: dict[str, Any] = torch.load(cache, weights_only=False) if cache.exists() else {}
    for extra in cache.parent.glob(cache.stem + ".part*.pt"):  # features computed apart (in parallel)
        known.update(torch.load(extra, weights_only=False))
    missing = sorted({t for t in texts if t not in known})
    if missing:
        from watermark import load_demo_model
        from watermark_lr_visible import features

        tok, model, _ = load_demo_model()
        torch.set_num_threads(2)
        known.update(zip(missing, features(missing, tok, model, 10)))
        torch.set_num_threads(1)
        tmp = cache.with_suffix(".tmp")
        torch.save(known, tmp)
        tmp.replace(cache)
    return [known[t] for t in texts]


def summarise(zp: list[float], zn: list[float]) -> dict[str, Any]:
    return {"tp": sum(z > Z for z in zp), "n": len(zp), "tpr": round(sum(z > Z for z in zp) / max(len(zp), 1), 3),
            "median_z": round(statistics.median(zp), 2) if zp else None, "fp": sum(z > Z for z in zn),
            "n_null": len(zn), "null_mean": round(statistics.mean(zn), 3) if zn else None,
            "null_sd": round(statistics.stdev(zn), 3) if len(zn) > 1 else None,
            "null_max": round(max(zn), 2) if zn else None, "null_over_3": sum(z > 3 for z in zn),
            "null_over_2_33": sum(z > 2.33 for z in zn)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, required=True,
                    help="keyless features by text (torch.save of a dict); missing texts computed and added")
    ap.add_argument("--generations", type=Path, help="the watermark.py --save-generations file")
    ap.add_argument("--warm-generated", action="store_true",
                    help="only compute the features of the --generations file's generated texts into --cache")
    ap.add_argument("--warm-human", type=int, default=0,
                    help="only compute the features of the human texts (this many per source) into --cache")
    ap.add_argument("--outputs", type=Path, nargs="*", default=[], help="watermark_entropy_sources.py --save files")
    ap.add_argument("--exact-from", type=float, default=1.5, help="exact tails where the Gaussian z exceeds this")
    ap.add_argument("--negatives-under", nargs="*", default=None,
                    help="key labels under which the unwatermarked texts are scored (default: every key; E always)")
    ap.add_argument("--null-keys", type=int, default=0, help="also: every unwatermarked text under this many more keys")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    import hashlib

    import torch

    from privtune.serve.guards.watermark import WatermarkScheme
    from privtune.serve.guards.watermark_posterior import text_log_ratios
    from watermark_lr_visible import load_texts

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    if args.warm_human:
        from watermark import load_demo_model
        from watermark_negatives import load_negatives

        tok, _, _ = load_demo_model()
        human = [t for ts in load_negatives(ROOT, tok, 200, args.warm_human).values() for t in ts]
        text_features(human, args.cache)
        return
    if args.warm_generated:  # only the --generations file's generated texts
        gen = json.loads(args.generations.read_text(encoding="utf-8"))
        names = {j[0] for j in gen["jobs"]}
        text_features([it[2] for it in gen["items"] if it[0] in names], args.cache)
        return
    if args.generations is None:
        raise SystemExit("--generations is needed")
    texts, meta, keys = load_texts(args.generations, args.outputs)
    feats = text_features(texts, args.cache)
    g0, d0 = keys["E"][1], keys["E"][2]
    lams = [text_log_ratios(g0, d0, f["ids"], f["ci"], f["cp"]) for f in feats]
    print(f"log ratios: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    neg = [j for j, m in enumerate(meta) if m[1] is None]
    out: dict[str, Any] = {"bench": "watermark_posterior", "per_key": {}, "zs": {}}

    def score(scheme: Any, idx: list[int]) -> dict[str, list[float]]:
        cols: dict[str, list[float]] = {}
        for n_done, j in enumerate(idx):
            for name, z in all_detectors(scheme, feats[j], lams[j], args.exact_from, n_done < 5).items():
                cols.setdefault(name, []).append(z)
        return cols

    # the choice among variants: key E's fitting items only
    scheme_e = memo_hash(WatermarkScheme(*keys["E"]))
    fp_ = score(scheme_e, [j for j, m in enumerate(meta) if m[1] == "E" and m[2]])
    zn_e = score(scheme_e, neg)  # every unwatermarked text under key E, reused below
    fit_neg = [i for i, j in enumerate(neg) if meta[j][2]]
    fn_ = {n: [zs[i] for i in fit_neg] for n, zs in zn_e.items()}
    out["fitting"] = {n: {"tp": sum(z > Z for z in fp_[n]), "n": len(fp_[n]), "fp": sum(z > Z for z in fn_[n]),
                          "n_null": len(fn_[n])} for n in fp_}
    print(json.dumps({"fitting": out["fitting"]}), flush=True)
    for lab in ["E"] + sorted(k for k in keys if k != "E"):
        key, gamma, delta = keys[lab]
        scheme = memo_hash(WatermarkScheme(key, gamma, delta))
        pos = [j for j, m in enumerate(meta) if m[1] == lab and not m[2]]
        if lab != "E" and args.negatives_under and lab not in args.negatives_under:
            zn = {n: [] for n in zn_e}  # this key's outputs only (time)
        else:
            zn = zn_e if lab == "E" else score(scheme, neg)
        zp = score(scheme, pos)
        row = {n: summarise(zp[n], zn[n]) for n in zp}
        out["per_key"][lab] = row
        out["zs"][lab] = {"pos": zp, "neg": zn}
        if args.out:
            args.out.with_suffix(".partial.json").write_text(json.dumps(out), encoding="utf-8")
        print(json.dumps({"key": lab, "s": round(time.perf_counter() - t0),
                          **{n: (r["tpr"], r["fp"], r["null_sd"], r["null_max"]) for n, r in row.items()}}), flush=True)
    names = list(next(iter(out["per_key"].values())))
    out["pooled"] = {n: {f: sum(out["per_key"][k][n][f] for k in out["per_key"])
                         for f in ("tp", "n", "fp", "n_null", "null_over_3", "null_over_2_33")} for n in names}
    for n in names:
        p = out["pooled"][n]
        p["tpr"] = round(p["tp"] / p["n"], 3)
    # paired against the served linear detector, pooled over keys
    for n in names:
        a = b = 0
        for lab in out["zs"]:
            for zl, zx in zip(out["zs"][lab]["pos"]["linear"], out["zs"][lab]["pos"][n]):
                a += zl > Z >= zx
                b += zx > Z >= zl
        out["pooled"][n]["only_linear"], out["pooled"][n]["only_this"] = a, b
    print(json.dumps({"pooled": out["pooled"]}), flush=True)
    if args.null_keys:
        extra: dict[str, list[float]] = {}
        for i in range(args.null_keys):
            key = hashlib.sha256(f"wm16-null-{i}".encode()).digest()
            for n, zs in score(memo_hash(WatermarkScheme(key, g0, d0)), neg).items():
                extra.setdefault(n, []).extend(zs)
        out["null_keys"] = {n: summarise([], zs) for n, zs in extra.items()}
        print(json.dumps({"null_keys": args.null_keys, **{n: (r["null_mean"], r["null_sd"], r["null_max"], r["null_over_3"],
                                                              r["fp"]) for n, r in out["null_keys"].items()}}))
    if args.out:
        tmp = args.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(out), encoding="utf-8")
        tmp.replace(args.out)
    print(f"total {time.perf_counter() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
