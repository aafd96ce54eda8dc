"""The demo's side-by-side table (terminal) and combined ``report.html`` linking each audit."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from privtune.io.writers import atomic_write_text

COLUMNS = [
    ("val_loss", "val loss", "{:.3f}"),
    ("exposure_bits_mean", "exposure mean (bits)", "{:.1f}"),
    ("exposure_bits_max", "exposure max (bits)", "{:.1f}"),
    ("mia_ref_auc", "ref-MIA AUC", "{:.3f}"),
    ("pii_extraction_rate", "PII extraction", "{:.1%}"),
    ("entities_per_1k_tuned", "entities/1k tok", "{:.1f}"),
    ("entity_ratio", "ratio to base", "{:.2f}"),
    ("identifiers_per_1k_tuned", "identifiers/1k tok", "{:.1f}"),
    ("identifier_ratio", "identifier ratio to base", "{:.1f}"),
    ("leaked_pii_count", "leaked PII", "{}"),
    # Its chance level: held-out customers' values hit by the same outputs, and the exact test.
    ("leaked_pii_heldout_hits", "held-out PII hit (chance)", "{}"),
    ("leaked_pii_p_value", "leaked PII beyond chance (p)", "{:.2g}"),
    ("amplification_members", "PII log-prob gain, members (nats/token)", "{:+.2f}"),
    ("amplification_nonmembers", "PII log-prob gain, held-out (nats/token)", "{:+.2f}"),
    ("epsilon_claimed", "claimed ε", "{:.2f}"),
    ("epsilon_lb", "ε lower bound", "{:.2f}"),
    ("verdict_pass", "audit verdict", "{}"),
]


def base_row(arm_row: dict[str, Any]) -> dict[str, Any]:
    """The base model's own figures (identical in every arm's audit: same probes, same seed)."""
    return {"val_loss": arm_row.get("val_loss_base"), "pii_extraction_rate": arm_row.get("pii_extraction_rate_base"),
            "entities_per_1k_tuned": arm_row.get("entities_per_1k_base"), "entity_ratio": 1.0,
            "identifiers_per_1k_tuned": arm_row.get("identifiers_per_1k_base"), "identifier_ratio": 1.0}


def fmt(value: Any, spec: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "pass" if value else "FAIL"
    try:
        return spec.format(value)
    except (ValueError, TypeError):
        return str(value)


def print_table(rows: dict[str, dict[str, Any]], console: Console | None = None) -> None:
    t = Table(title="privtune demo: the base model and three fine-tuned arms (same base, same step budget)")
    t.add_column("metric")
    for arm in rows:
        t.add_column(arm, justify="right")
    for key, label, spec in COLUMNS:
        t.add_row(label, *[fmt(rows[a].get(key), spec) for a in rows])
    (console or Console()).print(t)


def markdown_table(rows: dict[str, dict[str, Any]]) -> str:
    """The same table as Markdown (the README quotes it)."""
    lines = ["| metric | " + " | ".join(rows) + " |", "|---|" + "---:|" * len(rows)]
    lines += [f"| {label} | " + " | ".join(fmt(rows[a].get(key), spec) for a in rows) + " |"
              for key, label, spec in COLUMNS]
    return "\n".join(lines)


def write_summary_html(out: Path, summary: dict[str, Any]) -> Path:
    rows = summary["rows"]
    e = html.escape
    head = "".join(f"<th>{e(a)}</th>" for a in rows)
    body = "".join(
        f"<tr><td>{e(label)}</td>" + "".join(f"<td>{e(fmt(rows[a].get(k), spec))}</td>" for a in rows) + "</tr>"
        for k, label, spec in COLUMNS
    )
    links = " · ".join(f'<a href="{e(a)}/audit/report.html">{e(a)} audit report</a>' for a in rows if a != "base")
    links += "".join(f' · <a href="{e(p)}">privtune {e(k)}</a>' for k, p in summary.get("provenance", {}).items())
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>privtune demo</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1000px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 10px;text-align:right}}td:first-child{{text-align:left}}</style></head><body>
<h1>privtune demo</h1>
<p>A small model fine-tuned on synthetic bilingual customer-service chats, three ways: <b>naive</b> (LoRA on raw
chats), <b>scan</b> (PII pseudonymised first, no DP) and <b>privtune</b> (scan + DP-LoRA). Canaries were planted in
every arm's training data; members are the real customers' chats, non-members a held-out split.</p>
<table><thead><tr><th>metric</th>{head}</tr></thead><tbody>{body}</tbody></table>
<p>{links} · <a href="scan_report.html">scan report</a></p>
<p>Run time {summary['seconds']} s.</p></body></html>"""
    path = out / "report.html"
    atomic_write_text(path, page)
    return path
