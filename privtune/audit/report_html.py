"""report.html: one self-contained page rendered from report.json alone.

No external assets, no scripts: the CSS is inline and the plots are SVG written here (a
log-scale ROC per attack, exposure by repeat count, entity rates by type). Every string from
the report is HTML-escaped; the report itself holds no raw training text (see `report`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from privtune.audit.mia import ATTACK_NAMES, ATTACKS

_CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f3f3f3}.pass{color:#0a7d28;font-weight:bold}.fail{color:#b00020;font-weight:bold}
.muted{color:#777}.alert{background:#b00020;color:#fff;padding:1em;font-weight:bold;font-size:1.1em}
.box{border:1px solid #ccc;padding:.8em 1em;margin:1em 0}code{background:#f5f5f5;padding:1px 4px}
svg text{font-size:11px;font-family:system-ui,sans-serif}"""
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
E = html.escape


def _fmt(v: Any) -> str:
    if v is None:
        return '<span class="muted">—</span>'
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list) and len(v) == 2 and all(isinstance(x, (int, float)) for x in v):
        return f"{v[0]:.3g} – {v[1]:.3g}"
    return E(str(v))


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    th = "".join(f"<th>{E(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def roc_svg(curves: dict[str, dict[str, list[float]]], min_fpr: float = 1e-3, w: int = 460, h: int = 340) -> str:
    """ROC curves with a log10 FPR axis from ``min_fpr`` to 1 and the chance line."""
    left, right, top, bottom = 50, 130, 15, 40
    pw, ph = w - left - right, h - top - bottom
    lo = math.log10(min_fpr)

    def x(f: float) -> float:
        return left + (math.log10(max(f, min_fpr)) - lo) / -lo * pw

    def y(t: float) -> float:
        return top + (1 - t) * ph

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" '
             f'aria-label="ROC curves, log-scale false positive rate">',
             f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>']
    for d in range(int(round(lo)), 1):
        xv = x(10.0**d)
        parts.append(f'<line x1="{xv:.1f}" y1="{top}" x2="{xv:.1f}" y2="{top + ph}" stroke="#eee"/>'
                     f'<text x="{xv:.1f}" y="{top + ph + 14}" text-anchor="middle">1e{d}</text>')
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    chance = " ".join(f"{x(f):.1f},{y(f):.1f}" for f in (10 ** (lo + i * -lo / 60) for i in range(61)))
    parts.append(f'<polyline points="{chance}" fill="none" stroke="#bbb" stroke-dasharray="4 3"/>')
    for i, (name, c) in enumerate(curves.items()):
        pts = " ".join(f"{x(f):.1f},{y(t):.1f}" for f, t in zip(c["fpr"], c["tpr"]) if f >= min_fpr or f == 0)
        color = _COLORS[i % len(_COLORS)]
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.6"/>'
                     f'<text x="{left + pw + 8}" y="{top + 14 + 16 * i}" fill="{color}">{E(name)}</text>')
    parts.append(f'<text x="{left + pw / 2:.0f}" y="{h - 6}" text-anchor="middle">false positive rate (log)</text>'
                 f'<text x="12" y="{top + ph / 2:.0f}" transform="rotate(-90 12 {top + ph / 2:.0f})" '
                 f'text-anchor="middle">true positive rate</text></svg>')
    return "".join(parts)


def bars_svg(groups: Sequence[str], series: dict[str, Sequence[float | None]], unit: str, w: int = 460) -> str:
    """Grouped horizontal bars, one group per label, one bar per series."""
    row_h, bar_h, left, right = 14 * max(len(series), 1) + 10, 12, 110, 60
    h = 30 + row_h * max(len(groups), 1)
    vals = [v for s in series.values() for v in s if v is not None]
    top_v = max(vals + [1e-9])
    pw = w - left - right
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" aria-label="{E(unit)}">']
    for gi, g in enumerate(groups):
        y0 = 10 + gi * row_h
        parts.append(f'<text x="{left - 6}" y="{y0 + bar_h}" text-anchor="end">{E(g)}</text>')
        for si, (name, s) in enumerate(series.items()):
            v = s[gi]
            yv = y0 + si * (bar_h + 2)
            wv = 0 if v is None else pw * v / top_v
            color = _COLORS[si % len(_COLORS)]
            parts.append(f'<rect x="{left}" y="{yv}" width="{wv:.1f}" height="{bar_h}" fill="{color}"/>'
                         f'<text x="{left + wv + 4:.1f}" y="{yv + 10}">{"—" if v is None else f"{v:.3g}"}</text>')
    legend = " · ".join(f'<tspan fill="{_COLORS[i % len(_COLORS)]}">{E(n)}</tspan>' for i, n in enumerate(series))
    parts.append(f'<text x="{left}" y="{h - 6}">{legend} ({E(unit)})</text></svg>')
    return "".join(parts)


def _verdict(r: dict[str, Any]) -> list[str]:
    v = r["verdict"]
    cls = "pass" if v.get("pass") else "fail"
    out = [f'<p class="{cls}" style="font-size:1.3em">{E(v.get("summary") or "")}</p>']
    if r.get("epsilon", {}).get("alert"):
        out.append(f'<div class="alert">{E(r["epsilon"]["alert"])}</div>')
    out.append(_table(["check", "value", "limit", "result", "what it means"],
                      [[c["check"], c["value"], c["limit"],
                        "not run" if c["failed"] is None else ("FAIL" if c["failed"] else "pass"), c["meaning"]]
                       for c in v.get("checks", [])]))
    gates = r.get("gates") or []
    if gates:
        out.append("<h3>--fail-on gates</h3>" + _table(["rule", "value", "tripped", "note"],
                   [[g["rule"], g["value"], g["tripped"], g.get("note")] for g in gates]))
    return out


def _mia(m: dict[str, Any]) -> list[str]:
    out = ["<h2>Membership inference</h2>"]
    if m.get("reason") or not m.get("n_members"):
        return out + [f'<p class="muted">{E(m.get("reason") or "not run")}</p>']
    out.append(f"<p>{m['n_members']} members vs {m['n_nonmembers']} non-members; higher score = member. "
               "AUC 0.5 is guessing; TPR at low FPR is the share of members exposed with near certainty.</p>")
    out.append(_table(["attack", "AUC", f"{m['ci_level']:.0%} CI", "TPR @ 1% FPR", "TPR @ 0.1% FPR"],
                      [[ATTACK_NAMES[a], m[a]["auc"], m[a]["auc_ci"], m[a]["tpr_at_fpr_0.01"],
                        m[a]["tpr_at_fpr_0.001"]] for a in ATTACKS if m.get(a)]))
    floor = max(1e-3, 1.0 / max(m["n_nonmembers"], 1)) if m["n_nonmembers"] < 1000 else 1e-3
    out.append(roc_svg({ATTACK_NAMES[a]: m[a]["roc"] for a in ATTACKS if m.get(a) and m[a].get("roc")},
                       min_fpr=10 ** math.floor(math.log10(floor))))
    dc = m.get("distribution_check", {})
    out.append(f"<p>Distribution check: the base model's LOSS attack AUC is {_fmt(dc.get('base_loss_auc'))}, a "
               f"bag-of-words classifier's (no model) {_fmt(dc.get('blind_auc'))} (≈ 0.5 or below expected; well "
               "above it, members and non-members differ in kind and the attacks overstate leakage).</p>")
    if m.get("note"):
        out.append(f'<p class="muted">{E(m["note"])}</p>')
    return out


def _canaries(c: dict[str, Any], eps: dict[str, Any]) -> list[str]:
    out = ["<h2>Canaries</h2>"]
    if c.get("reason") or c.get("n_canaries") is None:
        out.append(f'<p class="muted">{E(c.get("reason") or "not run")}</p>')
    else:
        out.append(f"<p>{c['n_canaries']} canaries, {c['candidates_per_canary']} candidates each. Exposure "
                   "(bits) = how far up the ranking of same-format secrets the real one sits; an unmemorised "
                   "canary averages about 1 bit.</p>")
        reps = list(c["by_repeats"])
        out.append(_table(["repeats", "included: n", "mean bits", "max bits", "excluded: n", "mean bits"],
                          [[k, v["included"]["n"], v["included"]["exposure_bits_mean"],
                            v["included"]["exposure_bits_max"], v["excluded"]["n"],
                            v["excluded"]["exposure_bits_mean"]] for k, v in c["by_repeats"].items()]))
        out.append(bars_svg([f"×{k}" for k in reps],
                            {"included": [c["by_repeats"][k]["included"]["exposure_bits_mean"] for k in reps],
                             "excluded": [c["by_repeats"][k]["excluded"]["exposure_bits_mean"] for k in reps]},
                            "mean exposure, bits"))
    out.append("<h3>Empirical ε lower bound (one run)</h3>")
    if eps.get("alert"):
        out.append(f'<div class="alert">{E(eps["alert"])}</div>')
    out.append(_table(["claimed ε", "empirical lower bound", "confidence", "canaries used", "correct / guesses"],
                      [[eps.get("claimed"), eps.get("empirical_lower_bound"), eps.get("confidence"),
                        eps.get("canaries_used"),
                        f"{eps['correct']} / {eps['guesses']}" if eps.get("guesses") is not None else None]]))
    for k in ("reason", "claimed_reason"):
        if eps.get(k):
            out.append(f'<p class="muted">{E(eps[k])}</p>')
    return out


def _extraction(x: dict[str, Any]) -> list[str]:
    out = ["<h2>Extraction</h2>"]
    if x.get("reason") or "k_extractable_tested" not in x:
        return out + [f'<p class="muted">{E(x.get("reason") or "not run")}</p>']
    out.append(_table(["", "tuned: members", "tuned: non-members", "base: members", "base: non-members"], [
        ["k-extractable rate", x["k_extractable_rate"], x.get("k_extractable_rate_nonmembers"),
         x.get("k_extractable_rate_base"), x.get("k_extractable_rate_base_nonmembers")],
        ["PII extraction rate", x["pii_extraction_rate_tuned"], x.get("pii_extraction_rate_nonmembers_tuned"),
         x["pii_extraction_rate_base"], x.get("pii_extraction_rate_nonmembers_base")],
    ]))
    if x.get("pii_reason"):
        out.append(f'<p class="muted">{E(x["pii_reason"])}</p>')
    ex = x.get("pii_examples") or []
    if ex:
        out.append("<p>Extracted PII (shape only):</p>" + _table(["record", "type", "masked value"],
                                                                 [[e["record"], e["type"], e["masked_value"]] for e in ex]))
    return out


def _specificity(s: dict[str, Any]) -> list[str]:
    out = ["<h2>Specificity drift</h2>"]
    if s.get("reason") or "output_tokens_tuned" not in s:
        return out + [f'<p class="muted">{E(s.get("reason") or "not run")}</p>']
    out.append(_table(["", "base", "tuned"], [
        ["entities per 1,000 output tokens", s["entities_per_1k_tokens_base"], s["entities_per_1k_tokens_tuned"]],
        ["identifiers per 1,000 output tokens", s.get("identifiers_per_1k_tokens_base"),
         s.get("identifiers_per_1k_tokens_tuned")],
        ["training-PII precision (distinct values)", s.get("base_pii_precision"), s.get("leaked_pii_precision")],
        ["training-PII recall", s.get("base_pii_recall"), s.get("leaked_pii_recall")],
    ]))
    by_type = ", ".join(f"{E(t)}: {n}" for t, n in (s.get("leaked_pii_by_type") or {}).items())
    out.append(f"<p>Ratio tuned / base: <b>{_fmt(s['ratio'])}</b> (identifiers alone: "
               f"<b>{_fmt(s.get('identifier_ratio'))}</b>). Leaked training PII values (in tuned outputs, "
               f"in no base output): <b>{_fmt(s['leaked_pii_count'])}</b>{f' ({by_type})' if by_type else ''}.</p>")
    test = s.get("leaked_pii_test")
    if isinstance(test, dict) and test.get("member_values") is not None:
        p = test.get("p_value")
        out.append(
            f"<p>Chance level of that count: the same outputs hit <b>{_fmt(test['heldout_hits'])}</b> values of "
            f"held-out customers (which the model never saw; {_fmt(test['heldout_values'])} distinct values) against "
            f"<b>{_fmt(test['member_hits'])}</b> training values ({_fmt(test['member_values'])}; values both sets "
            f"hold are left out). One-sided exact test that training values are hit more often: "
            f"p = <b>{'—' if p is None else f'{p:.3g}'}</b>"
            + (f"; {_fmt(test['uncalibrated_hits'])} hit(s) on identifiers or types without held-out values count "
               "as leaks outright" if test.get("uncalibrated_hits") else "") + ".</p>")
    out.append(f"<p>Log-probability amplification of training PII given its context (tuned − base, nats per "
               f"token): members {_fmt(s['logprob_amplification_members'])}, non-members "
               f"{_fmt(s['logprob_amplification_nonmembers'])}.</p>")
    types = list(s.get("by_type") or {})
    if types:
        out.append(bars_svg(types, {"base": [s["by_type"][t]["base"] for t in types],
                                    "tuned": [s["by_type"][t]["tuned"] for t in types]}, "entities per 1k tokens"))
    return out


def render_html(r: dict[str, Any]) -> str:
    """The whole page for report dict ``r``."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>privtune audit report</title>"
             f"<style>{_CSS}</style></head><body><h1>privtune audit report</h1>",
             f"<p class='muted'>{E(str(r.get('created', '')))} · privtune {E(str(r.get('privtune_version', '')))} · "
             f"base <code>{E(str(r.get('models', {}).get('base', '')))}</code> · adapter "
             f"<code>{E(str(r.get('models', {}).get('adapter', '')))}</code></p>",
             "<h2>Verdict</h2>", *_verdict(r), *_mia(r["mia"]), *_canaries(r["canaries"], r["epsilon"]),
             *_extraction(r["extraction"]), *_specificity(r["specificity"])]
    data = r.get("data") or {}
    if data:
        parts.append("<h2>Data</h2>" + _table(["set", "records parsed", "used", "skipped", "unparseable"],
                     [[k, data[k].get("seen"), data[k].get("used"), data[k].get("skipped"), data[k].get("rejected")]
                      for k in ("members", "nonmembers") if isinstance(data.get(k), dict)]))
        if data.get("warning"):
            parts.append(f'<p class="fail">{E(data["warning"])}</p>')
        if data.get("members_relation"):
            parts.append(f'<p class="muted">Members: the {E(data["members_relation"])}.</p>')
    if r.get("redactions"):
        parts.append(f'<p class="fail">{r["redactions"]} value(s) were redacted by the PII guard (please report this).</p>')
    parts.append("<p class='muted'>How to read this report: docs/audit.md.</p></body></html>")
    return "\n".join(parts)
