"""Likelihood-ratio and expected-gain detection re-scored with the *visible* distribution (issue 15).

`privtune/serve/guards/watermark_lr.py`'s detectors were first measured with the model's full next-token distribution,
which keeps the special tokens' mass (end of turn, chat markers) although no written token was
drawn from it; the served entropy-weighted detector now uses the visible one (special tokens
removed, renormalised; `entropy.ENTROPY_DISTRIBUTIONS`). This script re-scores saved generations,
no generation, with the visible distribution's entropies and top-k candidates computed once per
text (both keyless) and then, under each key:

* ``served``: key-only bits weighted by √entropy (visible), the served detector;
* ``lr``: `detect_ids_likelihood_ratio` (top 10, shared-bit covariance on: the calibrated null);
  ``lr_nocov``: without the covariance term (diagnostic: under-estimated null variance);
* ``lr_top5``: the same over the top 5 candidates (the rest counts γ·rest in statistic and null);
* ``lr_ent>T``: LR scored only at positions whose visible entropy exceeds T nats (keyless: the
  null stays exact), T in ``--lr-thresholds``;
* ``served_or_lr``: either of ``served`` and ``lr`` (Bonferroni: the p-value 2·min(p), as a z-score;
  no free parameter, null rate at most the single tests' bound whatever their correlation; the
  serving detector ``combined``, `privtune.serve.guards.detectors.bonferroni`);
* ``gain``: key-only bits weighted by the expected green gain E_key[P_H1(green)] − γ (top 10).

Texts: a `watermark.py --save-generations` file (its key's watermarked outputs, with its fitting
split, and its unwatermarked texts: plain model outputs + human texts) and any number of
`watermark_entropy_sources.py --save` files (watermarked outputs of further keys, all counted as
evaluation). Unwatermarked texts are scored under every key (they do not depend on it). The only
free choices (T, top 5 vs 10) are picked on the first file's *fitting* items (FPR ≤ 1 % on its
fitting unwatermarked texts, most fitting watermarked outputs detected), never on evaluation ones.

    nice -n 10 python benchmarks/watermark_lr_visible.py --generations /tmp/wm_gen.json \\
        --outputs /tmp/gen2.json /tmp/gen4.json --cache /tmp/lrvis.pt --out /tmp/lrvis.json
"""

from __future__ import annotations

import argparse
import json
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
Z = 4.0


def features(texts: list[str], tok: Any, model: Any, top_k: int, batch: int = 32) -> list[dict[str, Any]]:
    """Per text: redaction-marked ids, visible entropies, visible top-k candidates (keyless)."""
    import torch

    from privtune.serve.guards.entropy import _window, batch_entropies, entropy_source, token_entropies
    from privtune.serve.guards.placeholders import encode_marking_placeholders
    from privtune.serve.guards.watermark_lr import batch_candidates, token_candidates

    source = entropy_source(tok, "visible")
    enc = [encode_marking_placeholders(tok, t) for t in texts]
    out: list[dict[str, Any]] = [{"ids": ids, "marks": m} for ids, m in enc]
    window = _window(model) - 1
    order = sorted(range(len(texts)), key=lambda j: len(enc[j][0]))
    short = [j for j in order if 0 < len(enc[j][0]) <= window]
    t0 = time.perf_counter()
    with torch.inference_mode():
        for b in range(0, len(short), batch):
            idx = short[b: b + batch]
            rows = [enc[j][0] for j in idx]
            for j, e, (ci, cp) in zip(idx, batch_entropies(model, rows, tok.bos_token_id, source),
                                      batch_candidates(model, rows, tok.bos_token_id, top_k, source.drop)):
                out[j].update(ent=e, ci=ci, cp=cp)
            if b // batch % 10 == 0:
                print(f"features {b + len(idx)} / {len(texts)}, {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
        for j in order:
            if "ent" not in out[j]:
                ids = enc[j][0]
                ci, cp = token_candidates(model, ids, tok.bos_token_id, top_k, source.drop) if ids else \
                    (torch.zeros((0, top_k), dtype=torch.long), torch.zeros((0, top_k), dtype=torch.double))
                out[j].update(ent=token_entropies(model, ids, tok.bos_token_id, source), ci=ci, cp=cp)
    return out


def detectors(scheme: Any, f: dict[str, Any], thresholds: list[float], gamma: float) -> dict[str, float]:
    """z of every detector on one text (its `features`) under ``scheme``. ``served``, ``lr`` and
    ``served_or_lr`` are the serving detectors weighted (power 0.5), lr and combined
    (`privtune.serve.guards.detectors.detect_features`: the code the server runs)."""
    from privtune.serve.guards.detectors import TextFeatures, bonferroni, detect_features
    from privtune.serve.guards.watermark import detect_ids
    from privtune.serve.guards.watermark_lr import detect_ids_likelihood_ratio_variants, expected_green_gain

    ids, marks, ent, ci, cp = f["ids"], f["marks"], f["ent"], f["ci"], f["cp"]
    tf = TextFeatures(ids, marks, ent, ci, cp)
    served = detect_features(scheme, "weighted", tf, entropy_weight_power=0.5)
    lr = detect_features(scheme, "lr", tf)
    z = {"key_only": detect_features(scheme, "weighted", tf).z_score, "served": served.z_score,
         "gain": detect_ids(scheme, ids, expected_green_gain(cp, gamma, scheme.delta), placeholder=marks,
                            entropy_weight_power=1.0).z_score}
    variants = [(None, False), *[(t, True) for t in thresholds]]
    names = ["lr_nocov", *[f"lr_ent>{t:g}" for t in thresholds]]
    for n, d in zip(names, detect_ids_likelihood_ratio_variants(scheme, ids, ci, cp, marks, ent, variants)):
        z[n] = d.z_score
    z["lr"] = lr.z_score
    z["lr_top5"] = detect_ids_likelihood_ratio_variants(scheme, ids, ci[:, :5], cp[:, :5], marks, ent, [(None, True)])[0].z_score
    # = detect_features(scheme, "combined", tf, entropy_weight_power=0.5), without scoring both twice
    z["served_or_lr"] = bonferroni([("weighted", served), ("lr", lr)]).z_score
    return z


def load_texts(generations: Path, outputs: list[Path]) -> tuple[list[str], list[tuple[str, str | None, bool]],
                                                               dict[str, tuple[bytes, float, float]]]:
    """(texts, meta, keys) of a `watermark.py --save-generations` file and `watermark_entropy_sources.py
    --save` files: meta per text (set: "wm" or the unwatermarked source, key label or None, fitting?);
    keys: label -> (key, γ, δ), E for the first file, A, B, ... for the others' keys in order."""
    gen = json.loads(generations.read_text(encoding="utf-8"))
    wm_names = {j[0] for j in gen["jobs"] if j[1] is not None}
    texts: list[str] = []
    meta: list[tuple[str, str | None, bool]] = []
    keys: dict[str, tuple[bytes, float, float]] = {"E": (bytes.fromhex(gen["key_hex"]), 0.25, 2.0)}
    for name, fit, text, _ in gen["items"]:
        texts.append(text)
        meta.append(("wm" if name in wm_names else name, "E" if name in wm_names else None, bool(fit)))
    labels = iter("ABCDFGHIJ")
    for path in outputs:
        d = json.loads(path.read_text(encoding="utf-8"))
        for kd in d["keys"]:
            lab = next(labels)
            keys[lab] = (bytes.fromhex(kd["key_hex"]), float(d["gamma"]), float(d["delta"]))
            for o in kd["outputs"]:
                texts.append(o["text"])
                meta.append(("wm", lab, False))
    return texts, meta, keys


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--generations", type=Path, required=True, help="a watermark.py --save-generations file")
    ap.add_argument("--outputs", type=Path, nargs="*", default=[], help="watermark_entropy_sources.py --save files")
    ap.add_argument("--top-k", type=int, default=10)
    ap.add_argument("--lr-thresholds", default="0.5,1,1.5")
    ap.add_argument("--cache", type=Path, help="features cache (torch.save): written once, then reused")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--features-only", action="store_true", help="write --cache and stop")
    ap.add_argument("--null-other-keys", type=int, default=0,
                    help="unwatermarked texts scored under the keys other than E (every k-th; 0: all)")
    args = ap.parse_args()

    import torch

    from privtune.serve.guards.watermark import WatermarkScheme
    from watermark import load_demo_model, upper95

    torch.set_num_threads(1 if args.cache and args.cache.exists() else 2)  # scoring: small ops, one thread
    t_start = time.perf_counter()
    texts, meta, keys = load_texts(args.generations, args.outputs)
    if args.cache and args.cache.exists():
        feats = torch.load(args.cache, weights_only=False)
    else:
        tok, model, _ = load_demo_model()
        feats = features(texts, tok, model, args.top_k)
        if args.cache:
            torch.save(feats, args.cache)
    print(f"features: {time.perf_counter() - t_start:.0f} s", file=sys.stderr, flush=True)
    if args.features_only:
        return
    thresholds = [float(t) for t in args.lr_thresholds.split(",")]
    neg = [j for j, m in enumerate(meta) if m[1] is None]
    per_key: dict[str, Any] = {}
    zs: dict[str, dict[int, dict[str, float]]] = {}
    for lab, (key, gamma, delta) in sorted(keys.items()):
        scheme = WatermarkScheme(key, gamma, delta)
        step = args.null_other_keys if lab != "E" and args.null_other_keys > 0 else 1
        sel = [j for j, m in enumerate(meta) if m[1] == lab] + neg[::step]
        zs[lab] = {j: detectors(scheme, feats[j], thresholds, gamma) for j in sel}
        print(f"key {lab}: {time.perf_counter() - t_start:.0f} s", file=sys.stderr, flush=True)
    names = list(next(iter(zs["E"].values())))

    def tpr(lab: str, det: str, fit: bool | None) -> tuple[int, int]:
        sel = [j for j, m in enumerate(meta) if m[1] == lab and (fit is None or m[2] == fit)]
        return sum(zs[lab][j][det] > Z for j in sel), len(sel)

    # free choices on key E's fitting items only: FPR <= 1 % on fitting unwatermarked, most TP
    fit_neg = [j for j in neg if meta[j][2]]
    lr_variants = [n for n in names if n.startswith("lr") and n != "lr_nocov"]
    feasible = [n for n in lr_variants if sum(zs["E"][j][n] > Z for j in fit_neg) <= 0.01 * len(fit_neg)]
    chosen = max(feasible, key=lambda n: tpr("E", n, True)[0]) if feasible else None
    for lab in sorted(keys):
        row: dict[str, Any] = {}
        for n in names:
            k, m = tpr(lab, n, False)
            neg_k = [j for j in neg if j in zs[lab]]
            zn = [zs[lab][j][n] for j in neg_k]
            fp = sum(z > Z for z in zn)
            hum = [zs[lab][j][n] for j in neg_k if meta[j][0] != "plain"]
            pla = [zs[lab][j][n] for j in neg_k if meta[j][0] == "plain"]
            row[n] = {"tp": k, "n": m, "tpr_eval": round(k / m, 3),
                      "z_median_eval": round(statistics.median(zs[lab][j][n] for j, mm in enumerate(meta)
                                                               if mm[1] == lab and not mm[2]), 2),
                      "null_all": {"mean": round(statistics.mean(zn), 3), "sd": round(statistics.stdev(zn), 3),
                                   "max": round(max(zn), 2), "fp": fp, "n": len(zn), "upper95": round(upper95(fp, len(zn)), 4)},
                      "null_plain": {"mean": round(statistics.mean(pla), 3), "sd": round(statistics.stdev(pla), 3),
                                     "max": round(max(pla), 2), "fp": sum(z > Z for z in pla), "n": len(pla)},
                      "null_human": {"mean": round(statistics.mean(hum), 3), "sd": round(statistics.stdev(hum), 3),
                                     "max": round(max(hum), 2), "fp": sum(z > Z for z in hum), "n": len(hum)}}
            if lab == "E":
                row[n]["tpr_fit"] = round(tpr("E", n, True)[0] / tpr("E", n, True)[1], 3)
                row[n]["tpr_all"] = round(tpr("E", n, None)[0] / tpr("E", n, None)[1], 3)
        ev = [j for j, m in enumerate(meta) if m[1] == lab and not m[2]]
        a, b = [zs[lab][j]["lr"] > Z for j in ev], [zs[lab][j]["served"] > Z for j in ev]
        row["paired_lr_vs_served"] = {"both": sum(x and y for x, y in zip(a, b)), "lr_only": sum(x and not y for x, y in zip(a, b)),
                                      "served_only": sum(y and not x for x, y in zip(a, b)),
                                      "neither": sum(not (x or y) for x, y in zip(a, b))}
        per_key[lab] = row
    pooled = {n: [sum(per_key[lab][n]["tp"] for lab in keys), sum(per_key[lab][n]["n"] for lab in keys)] for n in names}
    pooled["paired_lr_vs_served"] = {k: sum(per_key[lab]["paired_lr_vs_served"][k] for lab in keys)
                                     for k in ("both", "lr_only", "served_only", "neither")}
    result = {"bench": "watermark_lr_visible", "distribution": "visible", "top_k": args.top_k,
              "chosen_on_fitting_items": chosen, "pooled_eval": pooled, "per_key": per_key,
              "seconds": round(time.perf_counter() - t_start, 1)}
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    for lab in sorted(keys):
        print(lab, {n: (r["tpr_eval"], r["null_all"]["mean"], r["null_all"]["sd"], r["null_all"]["max"], r["null_all"]["fp"])
                    for n, r in per_key[lab].items() if n in names}, per_key[lab]["paired_lr_vs_served"])
    print(json.dumps({"chosen_on_fitting_items": chosen, "pooled_eval": pooled, "seconds": result["seconds"]}))


if __name__ == "__main__":
    main()
