"""Where the served detector loses the mark against the oracle (issue 15, "gap to the oracle").

The oracle of `watermark_bound.py` reaches TPR 0.98 at z > 4 after redaction (δ 2, γ 0.25, 200
tokens); the served likelihood-ratio detector 0.85. This script re-scores the saved watermarked
outputs of `watermark_entropy_sources.py --save` (generated ids, prompt, redacted text, key) and
switches one thing at a time between the two, with the likelihood-ratio statistic
(`watermark_lr`, top 10, visible distribution, shared-bit covariance, (anchor, token) dedup,
redaction-aware) as the base:

* context of the model (what the detector's distribution is conditioned on), carried onto the
  redacted tokens along difflib's alignment where the context's tokens differ from them:
  ``text`` BOS + redacted text (served); ``prompt`` prompt + redacted text; ``true`` BOS + the
  generated ids (the values the guard replaced, no prompt); ``prompt_true`` prompt + generated
  ids (the generation's context); ``surrogate`` BOS + the redacted text with every placeholder
  replaced by a fixed plausible value of its type (a detector can do this);
* the distribution: ``visible`` (special tokens dropped, served) or ``visible + canonical mask``;
* the statistic: LR top 10 (served) / top 14; LR without the shared-bit covariance; LR without
  the (anchor, token) dedup; the sampling-null green count (S − ΣG)/sqrt(ΣG(1−G)) with G the
  key's exact green mass of the full distribution (the oracle's statistic; its null is the
  model's own sampling, not calibrated on human text) or of the top 10 + γ·rest;
* the oracle itself: prompt + generated ids, canonical mask, the generated positions that
  survive redaction with their true anchors, sampling null.

    nice -n 10 python benchmarks/watermark_gap.py --outputs F1 F2 --out /tmp/gap.json [--limit 40]

Second mode, the nulls (``--cache``): from the cached keyless features of
`watermark_lr_visible.py --features-only` (BOS + redacted text, visible top 10), every key's
watermarked outputs (key E: evaluation items) and all 2,146 unwatermarked texts under every key,
for the statistics a detector could serve: the sampling-null green excess with and without the
(anchor, token) dedup (the oracle's null on the detector's distribution), the score with its exact
key null, and the served ``linear`` detector (`detectors.detect_features`):

    nice -n 10 python benchmarks/watermark_gap.py --cache FEATS --generations WM_GEN --outputs F1 F2 --out F

Held-out keys (``--fresh F3``, a `watermark_entropy_sources.py --save` file of keys never scored
before): the features of its outputs through the served `detectors.model_features`, every served
detector and the variant `score_pair_z` on them and on the cached unwatermarked texts.

Nothing is fitted. Prints one JSON line per key and a pooled summary.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("OMP_NUM_THREADS", "1")
Z = 4.0


def aligned(src: list[int], dst: list[int]) -> dict[int, int]:
    """dst position -> src position where difflib matches the two token sequences."""
    sm = difflib.SequenceMatcher(None, src, dst, autojunk=False)
    return {b + k: a + k for a, b, n in sm.get_matching_blocks() for k in range(n)}


def full_green(scheme: Any, ids: list[int], hashed_vocab: Any, mixed_vocab: Any) -> Any:
    """[n, V] green bit of every vocabulary token in the place of ``ids[i]`` (rows < w: False)."""
    import torch

    w, n = scheme.context_width, len(ids)
    out = torch.zeros((n, hashed_vocab.shape[0]), dtype=torch.bool)
    if n <= w:
        return out
    hashed = hashed_vocab[torch.tensor(ids)]
    ctx_min = hashed.unfold(0, w, 1)[:-1].min(dim=1).values
    out[w:] = scheme.green_from_anchor(ctx_min, mixed_vocab, hashed_vocab)
    return out


def sampling_z(gx: list[bool], big_g: list[float], keep: list[int]) -> float:
    s = sum(gx[i] for i in keep)
    m = sum(big_g[i] for i in keep)
    v = sum(big_g[i] * (1 - big_g[i]) for i in keep)
    return (s - m) / math.sqrt(v) if v > 0 else 0.0


def lr_z(scheme: Any, ids: list[int], marked: list[bool], logp: Any, top_k: int = 10, cov: bool = True,
         dedup: bool = True) -> float:
    from privtune.serve.guards.watermark_lr import likelihood_ratio_terms, score_likelihood_ratio

    top = logp.topk(top_k, dim=-1)
    ci, cp = top.indices, top.values.exp().double()
    terms = likelihood_ratio_terms(scheme, ids, ci, cp, marked)
    return score_likelihood_ratio(scheme, terms, None, cov, dedup=dedup).detection.z_score


# Surrogate context (the "surrogate" row): each [TYPE] placeholder replaced, for the model's
# context only, by a fixed ordinary value of its type; the placeholder tokens stay unscored and
# the filled text's distributions are carried onto the redacted tokens along difflib's alignment.
# one Chinese and one Latin-script value per type: which one by the script of the nearest letter
_SURROGATES: dict[str, tuple[str, str]] = {
    "PERSON": ("张伟", "John Smith"),
    "ADDRESS": ("北京市朝阳区建国路88号", "12 Main Street"),
    "ORGANIZATION": ("中国银行", "Acme Corp"),
    "EMAIL": ("zhangwei@example.com", "john.smith@example.com"),
    "PHONE": ("13812345678", "555-0123"),
    "ID_CARD": ("110105194912310021", "110105194912310021"),
    "BANK_CARD": ("6222020200112233445", "4111111111111111"),
    "IP_ADDRESS": ("192.168.1.10", "192.168.1.10"),
    "URL": ("https://example.com", "https://example.com"),
    "USCC": ("91110000100000000X", "91110000100000000X"),
    "PASSPORT": ("E12345678", "E12345678"),
    "LICENSE_PLATE": ("京A12345", "ABC-1234"),
    "IBAN": ("DE89370400440532013000", "DE89370400440532013000"),
    "US_SSN": ("123-45-6789", "123-45-6789"),
    "DATE_OF_BIRTH": ("1990年1月1日", "1990-01-01"),
    "USERNAME": ("zhangwei", "jsmith"),
    "SECRET": ("sk-0000000000", "sk-0000000000"),
}
_REDACTED = re.compile(r"\[(" + "|".join(_SURROGATES) + r")\]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")


def _is_chinese_near(text: str, start: int, end: int) -> bool:
    """Whether the nearest letter before (else after) the span is a CJK character."""
    for ch in reversed(text[max(0, start - 8): start]):
        if _LETTER.match(ch):
            return bool(_CJK.match(ch))
    for ch in text[end: end + 8]:
        if _LETTER.match(ch):
            return bool(_CJK.match(ch))
    return False


def fill_placeholders(text: str) -> str:
    """``text`` with every ``[TYPE]`` redaction placeholder replaced by a surrogate of its type."""
    def sub(m: re.Match[str]) -> str:
        zh, en = _SURROGATES[m.group(1)]
        return zh if _is_chinese_near(m.string, m.start(), m.end()) else en
    return _REDACTED.sub(sub, text)


def surrogate_context(tokenizer: Any, text: str, ids: list[int]) -> tuple[list[int], dict[int, int]]:
    """(ids of the surrogate-filled text, {position in ``ids`` -> position in those ids}) for the
    tokens the two encodings share (difflib's matching blocks; placeholder tokens have none).
    Without a placeholder: ``ids`` itself and the identity."""
    filled = fill_placeholders(text)
    if filled == text:
        return ids, {i: i for i in range(len(ids))}
    s_ids = list(tokenizer(filled, add_special_tokens=False, truncation=False)["input_ids"])
    sm = difflib.SequenceMatcher(None, s_ids, ids, autojunk=False)
    return s_ids, {b + k: a + k for a, b, n in sm.get_matching_blocks() for k in range(n)}


def sampling_null_z(scheme: Any, f: dict[str, Any], dedup: bool) -> float:
    """(S − ΣG) / sqrt(ΣG(1 − G)) on cached features: G the key's green mass of the top 10 + γ·rest."""
    from privtune.serve.guards.watermark import placeholder_skipped, token_green_bits
    from privtune.serve.guards.watermark_lr import candidate_green

    ids, marks, g, w = f["ids"], f["marks"], scheme.gamma, scheme.context_width
    anchors, bits = token_green_bits(scheme, ids)
    p = f["cp"].double()
    big_g = ((p * candidate_green(scheme, ids, f["ci"]).double()).sum(1) + g * (1 - p.sum(1)).clamp(min=0)).tolist()
    keep, seen = [], set()
    for j, a in enumerate(anchors):
        i = j + w
        if placeholder_skipped(scheme, ids, marks, i, a) or (dedup and (a, ids[i]) in seen):
            continue
        seen.add((a, ids[i]))
        keep.append(i)
    return sampling_z([False] * w + bits, big_g, keep)


LAMBDAS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0)


def linear_lambdas(scheme: Any, f: dict[str, Any]) -> list[float]:
    """``linear``'s z with the score part weighted λ against the weighted part (λ 1: as served)."""
    import torch

    from privtune.serve.guards.watermark import weighted_terms
    from privtune.serve.guards.watermark_score import bit_key, score_parts

    g = scheme.gamma
    r = score_parts(scheme, f["ids"], f["ci"], f["cp"], f["marks"])
    terms = weighted_terms(scheme, f["ids"], f["ent"], None, f["marks"], 0.5)
    if not terms or r.null_variance <= 1e-12 or r.bit_keys is None or r.bit_coefficients is None:
        return [0.0] * len(LAMBDAS)
    cw = torch.tensor([t[2] for t in terms], dtype=torch.double)
    tw = float((cw * (torch.tensor([float(t[3]) for t in terms], dtype=torch.double) - g)).sum())
    sw, ss = math.sqrt(g * (1 - g) * float((cw * cw).sum())), math.sqrt(r.null_variance)
    kw = bit_key(torch.tensor([t[0] for t in terms], dtype=torch.int64), torch.tensor([t[1] for t in terms], dtype=torch.int64))
    uniq, inv = torch.unique(torch.cat([r.bit_keys, kw]), return_inverse=True)
    out = []
    for lam in LAMBDAS:
        coef = torch.zeros(uniq.shape[0], dtype=torch.double).index_add_(
            0, inv, torch.cat([lam * r.bit_coefficients / ss, cw / sw]))
        out.append((lam * r.total / ss + tw / sw) / math.sqrt(g * (1 - g) * float((coef * coef).sum())))
    return out


def score_pair_z(scheme: Any, f: dict[str, Any]) -> float:
    """A variant seen after the choice (not served): the score without and with the (anchor, token)
    dedup, each standardised, as one linear statistic with the exact null (as `detect_linear`)."""
    import torch

    from privtune.serve.guards.watermark_score import score_parts

    g = scheme.gamma
    parts = [score_parts(scheme, f["ids"], f["ci"], f["cp"], f["marks"], dedup=d) for d in (False, True)]
    parts = [r for r in parts if r.null_variance > 1e-12 and r.bit_keys is not None and r.bit_coefficients is not None]
    if not parts:
        return 0.0
    uniq, inv = torch.unique(torch.cat([r.bit_keys for r in parts]), return_inverse=True)  # type: ignore[misc]
    coef = torch.zeros(uniq.shape[0], dtype=torch.double).index_add_(
        0, inv, torch.cat([r.bit_coefficients / math.sqrt(r.null_variance) for r in parts]))  # type: ignore[operator]
    return sum(r.total / math.sqrt(r.null_variance) for r in parts) / math.sqrt(g * (1 - g) * float((coef * coef).sum()))


def fresh(args: argparse.Namespace) -> None:
    """Held-out keys: features of ``--fresh``'s watermarked outputs through the served function
    (`detectors.model_features`, visible, top 10), every detector on them and on the cached
    unwatermarked texts under those keys."""
    import statistics

    import torch

    from privtune.serve.guards.detectors import TextFeatures, detect_features, model_features
    from privtune.serve.guards.entropy import entropy_source
    from privtune.serve.guards.placeholders import encode_marking_placeholders
    from privtune.serve.guards.watermark import WatermarkScheme
    from watermark import load_demo_model
    from watermark_lr_visible import load_texts

    torch.set_num_threads(1)
    tok, model, _ = load_demo_model()
    source = entropy_source(tok, "visible")
    texts, meta, _ = load_texts(args.generations, args.outputs)
    cached = torch.load(args.cache, weights_only=False)
    neg = [cached[j] for j, m in enumerate(meta) if m[1] is None]
    data = json.loads(args.fresh.read_text(encoding="utf-8"))
    if args.limit:  # a smoke run: the first outputs and unwatermarked texts only
        neg = neg[: args.limit]
        for kd in data["keys"]:
            kd["outputs"] = kd["outputs"][: args.limit]
    dets = {"weighted": ("weighted", 0.5), "lr": ("lr", None), "combined": ("combined", 0.5),
            "joint": ("joint", 0.5), "linear": ("linear", 0.5)}
    out: dict[str, Any] = {"bench": "watermark_gap_fresh", "per_key": {}}
    for key_no, kd in enumerate(data["keys"]):
        scheme = WatermarkScheme(bytes.fromhex(kd["key_hex"]), data["gamma"], data["delta"])
        pos = []
        for o in kd["outputs"]:
            ids, marks = encode_marking_placeholders(tok, o["text"])
            ent, ci, cp = model_features(model, ids, tok.bos_token_id, source)
            pos.append({"ids": ids, "marks": marks, "ent": ent, "ci": ci, "cp": cp})
        row = {}
        fns = {n: (lambda f, d=d, pw=pw: detect_features(scheme, d, TextFeatures(f["ids"], f["marks"], f["ent"], f["ci"],
                                                                                 f["cp"]), entropy_weight_power=pw).z_score)
               for n, (d, pw) in dets.items()}
        fns["score_pair (not served)"] = lambda f: score_pair_z(scheme, f)
        for name, fn in fns.items():
            zp, zn = [fn(f) for f in pos], [fn(f) for f in neg]
            row[name] = {"tp": sum(z > Z for z in zp), "n": len(zp), "tpr": round(sum(z > Z for z in zp) / len(zp), 3),
                         "fp": sum(z > Z for z in zn), "n_null": len(zn), "null_mean": round(statistics.mean(zn), 2),
                         "null_sd": round(statistics.stdev(zn), 2), "null_max": round(max(zn), 2),
                         "null_over_3": sum(z > 3 for z in zn)}
        out["per_key"][f"fresh{key_no}"] = row
        print(json.dumps({"key": f"fresh{key_no}", **{n: (r["tpr"], r["fp"], r["null_mean"], r["null_sd"], r["null_max"],
                                                          r["null_over_3"]) for n, r in row.items()}}), flush=True)
    if args.out:
        args.out.write_text(json.dumps(out), encoding="utf-8")


def many_key_null(args: argparse.Namespace) -> None:
    """``--null-detector`` (default the served linear) on every cached unwatermarked text under ``--null-keys`` keys
    (sha256 of a counter: reproducible, none of them a benchmark's key)."""
    import hashlib
    import statistics

    import torch

    from privtune.serve.guards.detectors import TextFeatures, detect_features
    from privtune.serve.guards.watermark import WatermarkScheme
    from watermark_lr_visible import load_texts

    torch.set_num_threads(1)
    texts, meta, _ = load_texts(args.generations, args.outputs)
    cached = torch.load(args.cache, weights_only=False)
    neg = [TextFeatures(f["ids"], f["marks"], f["ent"], f["ci"], f["cp"])
           for f, m in zip(cached, meta) if m[1] is None]
    per_key, allz = [], []
    for k in range(args.null_keys):
        scheme = WatermarkScheme(hashlib.sha256(b"wm-gap null key " + str(k).encode()).digest())
        zs = [detect_features(scheme, args.null_detector, f, entropy_weight_power=0.5).z_score for f in neg]
        allz.extend(zs)
        per_key.append({"mean": round(statistics.mean(zs), 3), "sd": round(statistics.stdev(zs), 3),
                        "max": round(max(zs), 2), "over_3": sum(z > 3 for z in zs), "over_4": sum(z > Z for z in zs)})
        print(json.dumps({"null_key": k, **per_key[-1]}), flush=True)
    out = {"bench": "watermark_gap_many_key_null", "detector": args.null_detector, "keys": args.null_keys, "texts": len(neg), "per_key": per_key,
           "pooled": {"n": len(allz), "mean": round(statistics.mean(allz), 3), "sd": round(statistics.stdev(allz), 3),
                      "max": round(max(allz), 2), "over_3": sum(z > 3 for z in allz),
                      "over_2_33": sum(z > 2.33 for z in allz), "over_4": sum(z > Z for z in allz)}}
    print(json.dumps({"pooled": out["pooled"]}))
    if args.out:
        args.out.write_text(json.dumps(out), encoding="utf-8")


def nulls(args: argparse.Namespace) -> None:
    import statistics

    import torch

    from privtune.serve.guards.detectors import TextFeatures, detect_features
    from privtune.serve.guards.watermark import WatermarkScheme
    from privtune.serve.guards.watermark_score import detect_ids_score
    from watermark_lr_visible import load_texts

    torch.set_num_threads(1)
    texts, meta, keys = load_texts(args.generations, args.outputs)
    feats = torch.load(args.cache, weights_only=False)
    neg = [j for j, m in enumerate(meta) if m[1] is None]
    stats = {
        "sampling_null_no_dedup": lambda s, f: sampling_null_z(s, f, False),
        "sampling_null_dedup": lambda s, f: sampling_null_z(s, f, True),
        "score": lambda s, f: detect_ids_score(s, f["ids"], f["ci"], f["cp"], f["marks"]).z_score,
        "linear": lambda s, f: detect_features(s, "linear", TextFeatures(f["ids"], f["marks"], f["ent"], f["ci"], f["cp"]),
                                               entropy_weight_power=0.5).z_score,
    }
    out: dict[str, Any] = {"bench": "watermark_gap_nulls", "per_key": {}, "zs": {}}
    # the one free choice, the parts' relative weight, checked on key E's fitting items only
    scheme_e = WatermarkScheme(*keys["E"])
    fit_pos = [linear_lambdas(scheme_e, feats[j]) for j, m in enumerate(meta) if m[1] == "E" and m[2]]
    fit_neg = [linear_lambdas(scheme_e, feats[j]) for j, m in enumerate(meta) if m[1] is None and m[2]]
    out["fitting_lambda"] = {str(lam): {"tp": sum(z[k] > Z for z in fit_pos), "n": len(fit_pos),
                                        "fp": sum(z[k] > Z for z in fit_neg), "n_null": len(fit_neg)}
                             for k, lam in enumerate(LAMBDAS)}
    print(json.dumps({"fitting_lambda": out["fitting_lambda"]}), flush=True)
    for lab, (key, gamma, delta) in sorted(keys.items()):
        scheme = WatermarkScheme(key, gamma, delta)
        pos = [j for j, m in enumerate(meta) if m[1] == lab and not m[2]]
        row = {}
        for name, fn in stats.items():
            zp = [fn(scheme, feats[j]) for j in pos]
            zn = [fn(scheme, feats[j]) for j in neg]
            row[name] = {"tp": sum(z > Z for z in zp), "n": len(zp), "tpr": round(sum(z > Z for z in zp) / len(zp), 3),
                         "median_z": round(statistics.median(zp), 2), "fp": sum(z > Z for z in zn), "n_null": len(zn),
                         "null_mean": round(statistics.mean(zn), 2), "null_sd": round(statistics.stdev(zn), 2),
                         "null_max": round(max(zn), 2), "null_over_3": sum(z > 3 for z in zn)}
            out["zs"].setdefault(name, {})[lab] = [zp, zn]
        out["per_key"][lab] = row
        print(json.dumps({"key": lab, **{n: (r["tpr"], r["fp"], r["null_sd"], r["null_max"]) for n, r in row.items()}}),
              flush=True)
    out["pooled"] = {n: {"tp": sum(out["per_key"][k][n]["tp"] for k in out["per_key"]),
                         "n": sum(out["per_key"][k][n]["n"] for k in out["per_key"]),
                         "fp": sum(out["per_key"][k][n]["fp"] for k in out["per_key"]),
                         "null_over_3": sum(out["per_key"][k][n]["null_over_3"] for k in out["per_key"])} for n in stats}
    print(json.dumps({"pooled": out["pooled"]}))
    if args.out:
        args.out.write_text(json.dumps(out), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--outputs", type=Path, nargs="+", required=True, help="watermark_entropy_sources.py --save files")
    ap.add_argument("--cache", type=Path, help="nulls mode: watermark_lr_visible.py --features-only cache")
    ap.add_argument("--generations", type=Path, help="nulls mode: the watermark.py --save-generations file (key E)")
    ap.add_argument("--null-keys", type=int, default=0,
                    help="nulls mode: only --null-detector on the unwatermarked texts under this many more keys")
    ap.add_argument("--null-detector", default="linear", help="with --null-keys: a detectors.DETECTORS name (power 0.5)")
    ap.add_argument("--fresh", type=Path, help="with --cache: a watermark_entropy_sources.py --save file of held-out keys")
    ap.add_argument("--limit", type=int, default=0, help="outputs per key (0: all)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.cache:
        if args.generations is None:
            raise SystemExit("--cache needs --generations (the file the cache was built from)")
        if args.fresh:
            fresh(args)
        elif args.null_keys:
            many_key_null(args)
        else:
            nulls(args)
        return

    import torch

    from privtune.serve.guards.canonical import CanonicalPairs, CanonicalSplitProcessor
    from privtune.serve.guards.entropy import masked_log_probs, padded_logits
    from privtune.serve.guards.placeholders import encode_marking_placeholders
    from privtune.serve.guards.watermark import WatermarkScheme, _mix, placeholder_skipped, token_green_bits
    from watermark import load_demo_model

    torch.set_num_threads(1)
    tok, model, vocab = load_demo_model()
    eos = model.generation_config.eos_token_id
    canonical = CanonicalSplitProcessor(CanonicalPairs(tok), end_ids=eos if isinstance(eos, list) else [eos])
    special = sorted(canonical.pairs.special_ids)
    bos = tok.bos_token_id
    vocab_t = torch.arange(vocab, dtype=torch.int64)
    mixed_vocab = _mix(vocab_t)
    t0 = time.perf_counter()

    def logp_rows(seq: list[int], start: int, mask: Any) -> Any:
        with torch.inference_mode():
            logits = padded_logits(model, [seq], None)[0].cpu()
        return masked_log_probs(logits, seq, start, mask, special)

    results: dict[str, dict[str, list[float]]] = {}
    labels = iter("ABCDFGH")
    for path in args.outputs:
        data = json.loads(path.read_text(encoding="utf-8"))
        for kd in data["keys"]:
            lab = next(labels)
            scheme = WatermarkScheme(bytes.fromhex(kd["key_hex"]), data["gamma"], data["delta"])
            hashed_vocab = scheme.hashed(vocab_t)
            outs = kd["outputs"][: args.limit] if args.limit else kd["outputs"]
            zs: dict[str, list[float]] = {}
            for n_done, o in enumerate(outs):
                ids, marked = encode_marking_placeholders(tok, o["text"])
                gen, prompt = o["ids"], o["prompt"]
                n = len(ids)
                # the contexts: log-probs [n, V] before each redacted token
                lp: dict[str, Any] = {}
                lp["text"] = logp_rows([bos] + ids, 1, None)
                lp["text_canonical"] = logp_rows([bos] + ids, 1, canonical)
                lp["prompt"] = logp_rows(prompt + ids, len(prompt), None)
                al = aligned(gen, ids)
                for name, seq, start, mask in (("true", [bos] + gen, 1, None),
                                               ("prompt_true", prompt + gen, len(prompt), None),
                                               ("prompt_true_canonical", prompt + gen, len(prompt), canonical)):
                    src = logp_rows(seq, start, mask)
                    base = lp["prompt"] if name.startswith("prompt") else lp["text"]
                    rows = base.clone()
                    for b, a in al.items():
                        rows[b] = src[a]
                    lp[name] = rows
                s_ids, s_al = surrogate_context(tok, o["text"], ids)
                src = logp_rows([bos] + s_ids, 1, None)
                rows = lp["text"].clone()
                for b, a in s_al.items():
                    rows[b] = src[a]
                lp["surrogate"] = rows
                # green bits of the redacted tokens and the scored positions (served rules, dedup)
                anchors, bits = token_green_bits(scheme, ids)
                w = scheme.context_width
                gx = [False] * w + bits
                keep, seen = [], set()
                for j, (anc, _) in enumerate(zip(anchors, bits)):
                    i = j + w
                    if placeholder_skipped(scheme, ids, marked, i, anc) or (anc, ids[i]) in seen:
                        continue
                    seen.add((anc, ids[i]))
                    keep.append(i)
                green = full_green(scheme, ids, hashed_vocab, mixed_vocab)

                def add(name: str, z: float) -> None:
                    zs.setdefault(name, []).append(z)

                for ctx, logp in lp.items():
                    add(f"lr/{ctx}", lr_z(scheme, ids, marked, logp))
                    p = logp.exp().double()
                    big_g = (p * green.double()).sum(1).tolist()
                    add(f"sampling_full/{ctx}", sampling_z(gx, big_g, keep))
                add("lr_top14/text", lr_z(scheme, ids, marked, lp["text"], top_k=14))
                add("lr_nocov/text", lr_z(scheme, ids, marked, lp["text"], cov=False))
                add("lr_nodedup/text", lr_z(scheme, ids, marked, lp["text"], dedup=False))
                p = lp["text"].exp().double()
                top = p.topk(10, dim=-1)
                g_top = green.gather(1, top.indices).double()
                g10 = ((top.values * g_top).sum(1) + scheme.gamma * (1 - top.values.sum(1)).clamp(min=0)).tolist()
                add("sampling_top10/text", sampling_z(gx, g10, keep))
                all_kept = [j + w for j, anc in enumerate(anchors) if not placeholder_skipped(scheme, ids, marked, j + w, anc)]
                big_g = (p * green.double()).sum(1).tolist()
                add("sampling_full_nodedup/text", sampling_z(gx, big_g, all_kept))
                # the oracle: generated ids, their true anchors, prompt context, canonical mask, the
                # positions that survive redaction (aligned, not a placeholder)
                g_anch, g_bits = token_green_bits(scheme, gen)
                g_gx = [False] * w + g_bits
                surv = sorted(a for b, a in al.items() if not marked[b] and a >= w)
                lp_o = logp_rows(prompt + gen, len(prompt), canonical)
                g_green = full_green(scheme, gen, hashed_vocab, mixed_vocab)
                g_big = (lp_o.exp().double() * g_green.double()).sum(1).tolist()
                add("oracle", sampling_z(g_gx, g_big, surv))
                add("oracle_all_ids", sampling_z(g_gx, g_big, list(range(w, len(gen)))))
                if (n_done + 1) % 20 == 0:
                    print(f"key {lab}: {n_done + 1} / {len(outs)}, {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
            results[lab] = zs
            summary = {k: [round(sum(z > Z for z in v) / len(v), 3), round(sorted(v)[len(v) // 2], 2)]
                       for k, v in zs.items()}
            print(json.dumps({"key": lab, "n": len(outs), "tpr_and_median_z": summary}), flush=True)
    pooled = {}
    for name in next(iter(results.values())):
        allz = [z for r in results.values() for z in r[name]]
        pooled[name] = {"tp": sum(z > Z for z in allz), "n": len(allz), "tpr": round(sum(z > Z for z in allz) / len(allz), 3)}
    out = {"bench": "watermark_gap", "pooled": pooled, "zs": results, "seconds": round(time.perf_counter() - t0, 1)}
    print(json.dumps({"pooled": pooled}))
    if args.out:
        args.out.write_text(json.dumps(out), encoding="utf-8")


if __name__ == "__main__":
    main()
