"""Which watermark detector to serve (issue 15): weighted / lr / combined, quality and time per text.

Quality: the saved generations of `watermark_lr_visible.py` (a `watermark.py --save-generations`
file: key E's watermarked outputs with a fitting split and 2,146 unwatermarked texts; and
`watermark_entropy_sources.py --save` files: keys A-D) re-scored from their cached keyless
features (`watermark_lr_visible.py --features-only --cache F`: visible entropies and top-10
candidates), no generation and no model pass, through `detectors.detect_features`, the function
the server and `privtune watermark detect` call:

* ``weighted``: green count weighted by √entropy (``entropy_weight_power`` 0.5, visible);
* ``weighted_key_only``: the same detector with no power set (what ``detector: weighted`` does
  when nothing else is configured);
* ``lr``: likelihood ratio over the top 10 visible candidates;
* ``combined``: weighted (0.5) and lr, p = 2·min(p);
* ``joint``: weighted (0.5) and lr as one z with their per-text null correlation
  (`watermark_detector_sum.py` has the derivation check and the fitting-split choice);
* ``linear``: the score Σ(g_x − G) over the top 10 at every scored position and the weighted
  count (0.5) as one linear statistic with an exact key null (`watermark_score.detect_linear`).

``--detectors a,b``: score and time only those (the key-only one is always timed: the ratios' base).

TPR at z > 4 (key E: its evaluation items; A-D: all outputs), FP on all 2,146 unwatermarked texts
under every key. ``--zs`` writes every text's (z, p) per detector and key for further analysis.

Time (``--timing N``): `detectors.detect_text_with` end to end (tokenise, placeholder marks, model
pass, scoring) on N of key E's watermarked 200-token outputs, median ms per text, CPU, one
thread, with the demo model and with a tiny random Llama (hidden 64, 2 layers) of the same
tokenizer; the ratio of each detector to key-only weighted in the same run.

    nice -n 10 python benchmarks/watermark_detector_choice.py --generations WM_GEN --outputs F1 F2 \\
        --cache FEATS --out /tmp/wmdet.json --zs /tmp/wmdet_zs.json --timing 40
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("OMP_NUM_THREADS", "1")
Z = 4.0
DETECTORS = {"weighted": ("weighted", 0.5), "weighted_key_only": ("weighted", None), "lr": ("lr", None),
             "combined": ("combined", 0.5), "joint": ("joint", 0.5), "linear": ("linear", 0.5)}


def score(feats: list[dict[str, Any]], meta: list[tuple[str, str | None, bool]],
          keys: dict[str, tuple[bytes, float, float]]) -> dict[str, dict[int, dict[str, tuple[float, float]]]]:
    """(z, p) of every detector, per key, on the key's watermarked texts and every unwatermarked one."""
    from privtune.serve.guards.detectors import TextFeatures, detect_features
    from privtune.serve.guards.watermark import WatermarkScheme

    neg = [j for j, m in enumerate(meta) if m[1] is None]
    out: dict[str, dict[int, dict[str, tuple[float, float]]]] = {}
    t0 = time.perf_counter()
    for lab, (key, gamma, delta) in sorted(keys.items()):
        scheme = WatermarkScheme(key, gamma, delta)
        out[lab] = {}
        for j in [j for j, m in enumerate(meta) if m[1] == lab] + neg:
            f = feats[j]
            tf = TextFeatures(f["ids"], f["marks"], f["ent"], f["ci"], f["cp"])
            row = {}
            for name, (det, power) in DETECTORS.items():
                d = detect_features(scheme, det, tf, entropy_weight_power=power, distribution="visible")
                row[name] = (d.z_score, d.p_value)
            out[lab][j] = row
        print(f"key {lab}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    return out


def summarise(zs: dict[str, dict[int, dict[str, tuple[float, float]]]], meta: list[tuple[str, str | None, bool]],
              names: list[str]) -> dict[str, Any]:
    from watermark import upper95

    neg = [j for j, m in enumerate(meta) if m[1] is None]
    per_key: dict[str, Any] = {}
    for lab in sorted(zs):
        pos = [j for j, m in enumerate(meta) if m[1] == lab and not m[2]]  # E: evaluation items; A-D: all
        row = {}
        for n in names:
            tp = sum(zs[lab][j][n][0] > Z for j in pos)
            null = [zs[lab][j][n][0] for j in neg]
            fp = sum(z > Z for z in null)
            row[n] = {"tp": tp, "n": len(pos), "tpr": round(tp / len(pos), 3), "fp": fp, "n_null": len(null),
                      "fp_upper95": round(upper95(fp, len(null)), 4), "null_max": round(max(null), 2),
                      "null_mean": round(statistics.mean(null), 3), "null_sd": round(statistics.stdev(null), 3)}
        per_key[lab] = row
    pooled = {n: {"tp": sum(per_key[k][n]["tp"] for k in per_key), "n": sum(per_key[k][n]["n"] for k in per_key),
                  "fp": sum(per_key[k][n]["fp"] for k in per_key),
                  "n_null": sum(per_key[k][n]["n_null"] for k in per_key)} for n in names}
    for v in pooled.values():
        v["tpr"] = round(v["tp"] / v["n"], 3)
    return {"per_key": per_key, "pooled": pooled}


def tiny_model(tok: Any) -> Any:
    """A random 2-layer Llama (hidden 64), the tests' tiny model, with the demo tokenizer."""
    from transformers import AutoModelForCausalLM

    from privtune.models.tiny import build_model

    with tempfile.TemporaryDirectory() as d:
        build_model("llama", tok, hidden=64, layers=2, heads=4, kv_heads=2, seed=0, out_dir=Path(d))
        return AutoModelForCausalLM.from_pretrained(d, local_files_only=True).eval()


def timing(texts: list[str], key: bytes, repeats: int = 3) -> dict[str, Any]:
    """Median ms per text of each detector end to end, demo model and tiny model (best of ``repeats``
    passes over the texts, per text; the detectors alternate text by text so that load shifts hit all)."""
    import torch

    from privtune.serve.guards.detectors import detect_text_with
    from privtune.serve.guards.entropy import entropy_source
    from privtune.serve.guards.watermark import WatermarkScheme
    from watermark import load_demo_model

    torch.set_num_threads(1)
    tok, demo, _ = load_demo_model()
    scheme = WatermarkScheme(key)
    source = entropy_source(tok, "visible")
    n_tokens = [len(tok(t, add_special_tokens=False)["input_ids"]) for t in texts]
    out: dict[str, Any] = {"texts": len(texts), "tokens_median": statistics.median(n_tokens), "threads": 1}
    for label, model in (("demo", demo), ("tiny", tiny_model(tok))):
        best: dict[str, list[float]] = {n: [float("inf")] * len(texts) for n in DETECTORS}
        for name, (det, power) in DETECTORS.items():  # warm-up
            detect_text_with(scheme, tok, texts[0], det, model, None, power, source)
        for _ in range(repeats):
            for i, text in enumerate(texts):
                for name, (det, power) in DETECTORS.items():
                    t0 = time.perf_counter()
                    detect_text_with(scheme, tok, text, det, model, None, power, source)
                    best[name][i] = min(best[name][i], (time.perf_counter() - t0) * 1e3)
        med = {n: round(statistics.median(v), 2) for n, v in best.items()}
        out[label] = {"ms_median": med,
                      "ratio_vs_key_only": {n: round(v / med["weighted_key_only"], 1) for n, v in med.items()}}
        print(f"timing {label}: {out[label]}", file=sys.stderr, flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--generations", type=Path, required=True)
    ap.add_argument("--outputs", type=Path, nargs="*", default=[])
    ap.add_argument("--cache", type=Path, required=True, help="watermark_lr_visible.py --features-only cache")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--zs", type=Path, help="write every (z, p) here (JSON)")
    ap.add_argument("--timing", type=int, default=0, help="time the detectors on this many texts (0: no timing)")
    ap.add_argument("--no-quality", action="store_true", help="timing only")
    ap.add_argument("--detectors", help="comma-separated subset of " + ", ".join(DETECTORS))
    args = ap.parse_args()
    if args.detectors:
        chosen = set(args.detectors.split(",")) | {"weighted_key_only"}
        unknown = chosen - set(DETECTORS)
        if unknown:
            raise SystemExit(f"--detectors: unknown {sorted(unknown)}; use {', '.join(DETECTORS)}")
        for name in list(DETECTORS):
            if name not in chosen:
                del DETECTORS[name]

    import torch

    from watermark_lr_visible import load_texts

    torch.set_num_threads(1)
    t_start = time.perf_counter()
    texts, meta, keys = load_texts(args.generations, args.outputs)
    result: dict[str, Any] = {"bench": "watermark_detector_choice", "z_threshold": Z,
                              "detectors": {n: {"detector": d, "entropy_weight_power": p} for n, (d, p) in DETECTORS.items()}}
    if not args.no_quality:
        feats = torch.load(args.cache, weights_only=False)
        if len(feats) != len(texts):
            raise SystemExit(f"{args.cache}: {len(feats)} feature rows for {len(texts)} texts (another run's cache?)")
        zs = score(feats, meta, keys)
        result.update(summarise(zs, meta, list(DETECTORS)))
        if args.zs:
            args.zs.write_text(json.dumps({"meta": meta, "zs": {k: {str(j): v for j, v in d.items()} for k, d in zs.items()}}))
        for lab, row in result["per_key"].items():
            print(lab, {n: (r["tpr"], r["fp"], r["null_max"]) for n, r in row.items()}, file=sys.stderr)
    if args.timing:
        sel = [j for j, m in enumerate(meta) if m[1] == "E" and not m[2]][: args.timing]
        result["timing"] = timing([texts[j] for j in sel], keys["E"][0])
    result["seconds"] = round(time.perf_counter() - t_start, 1)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: result[k] for k in ("pooled", "timing", "seconds") if k in result}))


if __name__ == "__main__":
    main()
