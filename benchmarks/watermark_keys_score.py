"""Per-key detector comparison on the outputs of `watermark_keys.py` (issue 15): TPR at z > 4 and
at exact p < 3.17e-5 for each served detector, per key and pooled, a paired two-sided sign test
against ``linear``, the FPR of every detector under every key on the same unwatermarked texts, and
the perplexity cost. Run through `watermark.py --keys-outputs` (which prints its JSON line).

Unwatermarked texts: the plain model outputs and human-written texts of a `watermark.py
--save-generations` file (``--negatives-from``; its watermarked items are left out), each scored
under every key of the run. Every text is scored by the served code path (`detectors.detect_features`)
on the served features (visible distribution, top 10), redaction-aware as served; its keyless
features come from ``--features-cache`` (`watermark_posterior.text_features`, computed once). The
placeholder marks are recomputed from the text by the current `placeholders.encode_marking_placeholders`
(the cached ones are also scored on the watermarked outputs, as ``<detector>@cached_marks``, for
the detectors named in ``--cached-marks``: the marking before this round). ``null_every``: every
n-th unwatermarked text (time: ~0.1 s per text and key on the shared cores). Nothing is fitted.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path
from typing import Any

Z = 4.0
P_AT_Z4 = 0.5 * math.erfc(Z / math.sqrt(2))  # 3.17e-5: the one-sided p of z 4
DETECTORS = ("weighted", "linear", "posterior", "lr", "joint")


def sign_test(only_a: int, only_b: int) -> float:
    """Two-sided exact sign test of the discordant pairs (binomial, p = 1/2)."""
    n = only_a + only_b
    if n == 0:
        return 1.0
    k = min(only_a, only_b)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def _rates(zs: list[tuple[float, float]]) -> dict[str, Any]:
    n = len(zs)
    return {"n": n, "z4": sum(z > Z for z, _ in zs), "p": sum(p < P_AT_Z4 for _, p in zs),
            "tpr_z4": round(sum(z > Z for z, _ in zs) / max(n, 1), 3),
            "tpr_p": round(sum(p < P_AT_Z4 for _, p in zs) / max(n, 1), 3),
            "z_median": round(statistics.median(z for z, _ in zs), 2) if zs else None}


def score_keys(outputs: list[Path], negatives_from: Path, cache: Path, cached_marks: list[str],
               null_every: int = 1, detectors: tuple[str, ...] = DETECTORS) -> dict[str, Any]:
    """The comparison (module docstring) as one JSON-able dict."""
    import torch
    from transformers import AutoTokenizer

    from privtune.serve.guards.detectors import TextFeatures, detect_features
    from privtune.serve.guards.placeholders import encode_marking_placeholders
    from privtune.serve.guards.watermark import WatermarkScheme
    from watermark import _model_dir
    from watermark_keys import key_of_seed
    from watermark_posterior import memo_hash, text_features

    t0 = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(str(_model_dir()), local_files_only=True)
    pos = [json.loads(line) for p in outputs for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    pos.sort(key=lambda r: (r["seed"], r["prompt_index"]))
    gen = json.loads(negatives_from.read_text(encoding="utf-8"))
    wm_names = {j[0] for j in gen["jobs"] if j[1] is not None}
    neg = [(name, text, ppl) for name, _, text, ppl in gen["items"] if name not in wm_names][::null_every]
    texts = [r["text"] for r in pos] + [t for _, t, _ in neg]
    feats = text_features(texts, cache)
    torch.set_num_threads(1)

    def features(j: int, cached: bool) -> TextFeatures:
        f = feats[j]
        if cached:
            return TextFeatures(f["ids"], f["marks"], f["ent"], f["ci"], f["cp"])
        ids, marks = encode_marking_placeholders(tok, texts[j])
        assert ids == f["ids"], "the cache's token ids are not the text's"
        return TextFeatures(ids, marks, f["ent"], f["ci"], f["cp"])

    if "linear" not in detectors:  # the sign tests' reference
        detectors = ("linear", *detectors)
    names = list(detectors) + [f"{d}@cached_marks" for d in cached_marks]

    def run(scheme: Any, j: int) -> dict[str, tuple[float, float]]:
        out = {}
        for name in (names if j < len(pos) else detectors):  # the marking before: watermarked outputs only
            det, _, cached = name.partition("@")
            d = detect_features(scheme, det, features(j, bool(cached)), entropy_weight_power=0.5,
                                distribution="visible")
            out[name] = (d.z_score, d.p_value)
        return out

    seeds = sorted({r["seed"] for r in pos})
    # the self-hash width each output was generated with (`watermark_keys.py --context-width`; 4 before)
    widths = {r["seed"]: r.get("context_width", 4) for r in pos}
    if len({(r["seed"], r.get("context_width", 4)) for r in pos}) != len(seeds):
        raise SystemExit("one key's outputs were generated with two context widths")
    per_key: dict[str, Any] = {}
    pos_z: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    neg_z: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    for seed in seeds:
        scheme = memo_hash(WatermarkScheme(key_of_seed(seed), 0.25, 2.0, widths[seed]))
        zp = [run(scheme, j) for j, r in enumerate(pos) if r["seed"] == seed]
        zn = [run(scheme, len(pos) + j) for j in range(len(neg))]
        row = {}
        for n in names:
            a, b = [z[n] for z in zp], [z[n] for z in zn if n in z]
            pos_z[n].extend(a)
            neg_z[n].extend(b)
            r = _rates(a)
            if b:
                r["fp_z4"], r["fp_p"], r["n_null"] = sum(z > Z for z, _ in b), sum(p < P_AT_Z4 for _, p in b), len(b)
                r["null_z_max"] = round(max(z for z, _ in b), 2)
            row[n] = r
        per_key[str(seed)] = row
        print(json.dumps({"seed": seed, "s": round(time.perf_counter() - t0),
                          **{n: (v["tpr_z4"], v["tpr_p"], v.get("fp_z4"), v.get("null_z_max")) for n, v in row.items()}}),
              flush=True)
    pooled = {}
    for n in names:
        r = _rates(pos_z[n])
        for crit, hit in (("z4", lambda z, p: z > Z), ("p", lambda z, p: p < P_AT_Z4)):
            only_lin = sum(hit(*a) and not hit(*b) for a, b in zip(pos_z["linear"], pos_z[n]))
            only_this = sum(hit(*b) and not hit(*a) for a, b in zip(pos_z["linear"], pos_z[n]))
            r[f"vs_linear_{crit}"] = {"only_linear": only_lin, "only_this": only_this,
                                      "sign_test_p": float(f"{sign_test(only_lin, only_this):.3g}")}
        zs = [z for z, _ in neg_z[n]]
        if len(zs) < 2:
            pooled[n] = r
            continue
        r.update(fp_z4=sum(z > Z for z in zs), fp_p=sum(p < P_AT_Z4 for _, p in neg_z[n]), n_null=len(zs),
                 null_mean=round(statistics.mean(zs), 3), null_sd=round(statistics.stdev(zs), 3),
                 null_max=round(max(zs), 2), null_over_3=sum(z > 3 for z in zs))
        pooled[n] = r
    ppl_wm = statistics.median(r["ppl"] for r in pos)
    ppl_plain = statistics.median(p for name, _, p in neg if name == "plain" and p is not None)
    return {"bench": "watermark_keys", "seeds": seeds, "context_widths": widths, "outputs": len(pos), "unwatermarked_texts": len(neg),
            "unwatermarked_sources": sorted({name for name, _, _ in neg}), "per_key": per_key, "pooled": pooled,
            "perplexity": {"watermarked_median": round(ppl_wm, 2), "plain_median": round(ppl_plain, 2),
                           "ratio": round(ppl_wm / ppl_plain, 3)},
            "seconds": round(time.perf_counter() - t0, 1)}
