"""REPORT.json (the provenance manifest later stages read) and its HTML rendering.

The report holds counts, hashes and settings — never raw values, and no training text unless
the user asks for masked excerpts (``report_excerpts``).

Lists are capped at ``max_flagged_in_report`` entries, the first in input order, so the report
stays small for any input; the counts cover everything: ``flags`` (one per record and kind;
``counts.flagged`` counts the flagged records), ``duplicates`` (``counts.duplicates``) and
``high_risk_records`` (``counts.risk.high``). A flag's ``group`` (the records of a label
conflict or backdoor pattern, sorted) lists at most as many records; when it was cut short the
flag also carries ``group_size``, the full number.
"""

from __future__ import annotations

import datetime as dt
import html
import platform
import sys
from pathlib import Path
from typing import Any

from privtune.io.writers import atomic_write_json, atomic_write_text
from privtune.scan.config import ScanConfig

REPORT_SCHEMA = "privtune.scan.report/1"


def build_report(
    *,
    cfg: ScanConfig,
    fmt: str,
    version: str,
    counts: dict[str, Any],
    flags: list[dict[str, Any]],
    duplicates: list[dict[str, Any]],
    high_risk: list[dict[str, Any]],
    reject_reasons: dict[str, int],
    rejects_section: dict[str, Any],
    input_info: dict[str, str],
    fields_section: dict[str, dict[str, int]],
    gate_section: dict[str, Any],
    hashes: dict[str, str | None],
    rejects_path: str | None,
    key_info: dict[str, object] | None,
    elapsed: float,
) -> dict[str, Any]:
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "privtune", "version": version, "command": "scan",
                 "python": sys.version.split()[0], "platform": platform.platform()},
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "input": {"path": str(cfg.input), "format": fmt, **input_info,
                  "sha256": hashes["input"], "bytes": cfg.input.stat().st_size},
        "output": {"path": str(cfg.out) if cfg.out else None, "sha256": hashes["output"]},
        "findings_file": {"path": str(cfg.findings) if cfg.findings else None, "sha256": hashes["findings"]},
        "rejects_file": rejects_path,
        "policy": cfg.policy,
        "key": key_info,
        "settings": {
            "fields": cfg.fields, "passthrough": cfg.passthrough, "types": cfg.types,
            "min_score": cfg.min_score, "dedup": cfg.dedup,
            "near_dup_threshold": cfg.near_dup_threshold, "workers": cfg.workers,
            "report_excerpts": cfg.report_excerpts,
        },
        "counts": counts,
        # text: training text; side: every other value, scanned and neutralised; passthrough:
        # left as is on request. Path -> records holding it.
        "fields": fields_section,
        "reject_reasons": reject_reasons,
        # limit: --max-rejected; first: line and reason of the first rejected records (no content);
        # line_hmac_key: the id of the key the rejects file's line_hmac is under, or "per-scan".
        "rejects": rejects_section,
        "flags": flags,
        "duplicates": duplicates,
        "high_risk_records": high_risk,
        "gate": gate_section,
        "timing": {"seconds": round(elapsed, 3),
                   "records_per_s": round(counts["records_in"] / elapsed, 1) if elapsed > 0 else None},
    }


def portable_report(report: dict[str, Any], anchor: Path) -> dict[str, Any]:
    """``report`` with every file path relative to ``anchor`` (the report's directory) when inside
    it, else by name (`portable.run_relative`): the report goes into CI artefacts and model cards,
    and the paths as given (``/home/alice/.config/privtune/scan.key``) named the user and their
    layout. Each file is identified by the SHA-256 beside it; the in-memory report (errors printed
    to the user) keeps the paths as given."""
    from privtune.provenance.portable import run_relative

    def rel(value: Any) -> Any:
        return run_relative(value, anchor) if isinstance(value, str) and value else value

    out = dict(report)
    for name in ("input", "output", "findings_file"):
        if isinstance(out.get(name), dict):
            out[name] = {**out[name], "path": rel(out[name].get("path"))}
    out["rejects_file"] = rel(out.get("rejects_file"))
    key = out.get("key")
    if isinstance(key, dict) and isinstance(key.get("source"), str) and not key["source"].startswith("$"):
        out["key"] = {**key, "source": rel(key["source"])}  # "$PRIVTUNE_SCAN_KEY" names no file
    source = out.get("source")
    if isinstance(source, dict) and isinstance(source.get("file"), dict):
        out["source"] = {**source, "file": {**source["file"], "path": rel(source["file"].get("path"))}}
    return out


def write_report(report: dict[str, Any], path: Path) -> dict[str, str]:
    """Write JSON, or HTML plus the JSON manifest beside it when ``path`` ends in .html; file paths
    in them portable (`portable_report`)."""
    report = portable_report(report, path.parent)
    if path.suffix.lower() in (".html", ".htm"):
        json_path = path.with_suffix(".json")
        atomic_write_json(json_path, report)
        atomic_write_text(path, render_html(report))
        return {"report_html": str(path), "report_json": str(json_path)}
    atomic_write_json(path, report)
    return {"report_json": str(path)}


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _excerpt(r: dict[str, Any], excerpt: str) -> str:
    """The excerpt cell: the masked excerpt, or why there is none (excerpts are opt-in)."""
    if excerpt or r.get("settings", {}).get("report_excerpts", True):
        return excerpt
    return "(not listed; --report-excerpts lists one)"


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f3f3}.pass{color:#0a7d28;font-weight:bold}.fail{color:#b00020;font-weight:bold}
code{background:#f5f5f5;padding:1px 4px}"""


def render_html(r: dict[str, Any]) -> str:
    e = html.escape
    c = r["counts"]
    gate = r["gate"]
    verdict = (
        '<span class="pass">PASSED</span>' if gate["passed"]
        else '<span class="fail">FAILED</span>: ' + e(", ".join(v["rule"] for v in gate["violations"]))
    )
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>privtune scan report</title><style>{_CSS}</style></head><body>",
        f"<h1>privtune scan report</h1><p>{e(r['created'])} · privtune {e(r['tool']['version'])} · "
        f"policy <code>{e(r['policy'])}</code></p>",
        f"<h2>Gate</h2><p>{verdict} (rules: {e(', '.join(gate['rules']) or 'none')})</p>",
        "<h2>Records</h2>",
        _table(["in", "out", "dropped", "rejected", "with PII", "flagged"],
               [[c["records_in"], c["records_out"], sum(c["dropped"].values()), c["rejected"],
                 c["records_with_pii"], c["flagged"]]]),
        "<h2>Entities found</h2>",
        _table(["type", "count"], [[k, v] for k, v in c["entities"].items()] or [["(none)", 0]]),
        "<h2>Fields</h2>",
        _table(["field", "role", "records"],
               [[p, {"text": "training text, scanned", "side": "other value, scanned",
                     "passthrough": "passed through unscanned"}[k], n]
                for k, section in r["fields"].items() for p, n in section.items()] or [["(none)", "", 0]]),
        "<h2>Risk levels</h2>",
        _table(["level", "records (input)", "records (left after the policy)"],
               [[k, v, c.get("residual", {}).get("risk", {}).get(k, "")] for k, v in c["risk"].items()]),
    ]
    if r["high_risk_records"]:
        parts += ["<h2>High-risk records (masked)</h2>",
                  _table(["record", "reasons", "excerpt"],
                         [[h["record"], "; ".join(h["reasons"]), _excerpt(r, h.get("excerpt", ""))]
                          for h in r["high_risk_records"]])]
    if r["flags"]:
        parts += ["<h2>Curation flags (masked)</h2>",
                  _table(["record", "kind", "reason", "excerpt"],
                         [[f["record"], f["kind"], f["reason"], _excerpt(r, f.get("excerpt", ""))] for f in r["flags"]])]
    if r["duplicates"]:
        parts += ["<h2>Duplicates</h2>",
                  _table(["record", "kind", "duplicate of", "similarity"],
                         [[d["record"], d["kind"], d["duplicate_of"], d["similarity"]] for d in r["duplicates"]])]
    parts += [
        "<h2>Provenance</h2>",
        _table(["artefact", "path", "sha256"], [
            ["input", r["input"]["path"], r["input"]["sha256"]],
            ["output", r["output"]["path"], r["output"]["sha256"]],
            ["findings", r["findings_file"]["path"], r["findings_file"]["sha256"]],
        ]),
        f"<p>{r['timing']['seconds']} s, {r['timing']['records_per_s']} records/s</p></body></html>",
    ]
    return "\n".join(parts)
