"""The model card of a training run: ``RUN_DIR/adapter/README.md`` (Hugging Face card format).

Front matter: ``base_model`` (the Hub id when known, never a local path),
``base_model_relation: adapter``, ``library_name: peft``, the licence fields of the base model
(an adapter inherits its terms). Body: intended use and licence verdict, training data (hashes,
fingerprint, counts, PII found by type, the dataset manifest — never record text or values),
the privacy guarantee, audit results, attribution and limitations.

PEFT's ``save_pretrained`` writes its own README.md (with the local base path); train calls
`write_card` after it, and `privtune card RUN_DIR` / the audit rewrite it from the run's files.
`card_data` is the same content as a dict, for serve's ``/info``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from privtune.errors import InputError
from privtune.privacy.privacy_file import check_privacy_fields
from privtune.io.writers import atomic_write_text
from privtune.provenance.licence_catalog import by_id
from privtune.provenance.lineage import check_privacy_as_trained, read_provenance

__all__ = ["CARD_NAME", "card_data", "read_run_json", "render_card", "write_card"]

CARD_NAME = "README.md"
_LIMITATIONS = [
    "A LoRA adapter: it needs the base model named above and inherits its licence, biases and failure modes.",
    "Differential privacy bounds how much any one privacy unit can change the weights; text that many units "
    "share (a phrase many customers wrote) is not covered by that per-unit bound, and DP does not make outputs correct.",
    "Audit results are empirical lower bounds on leakage for the attacks run, not a proof of its absence.",
]


def read_run_json(path: Path) -> dict[str, Any] | None:
    """A run file as a JSON object; None when absent, `InputError` naming it when it is not one."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # RecursionError: nested 1000+ deep
        raise InputError(f"unreadable JSON: {exc}", path=str(path)) from None
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object, found a {type(data).__name__}", path=str(path))
    return data


def _front_matter(licence_id: str | None, hub_id: str | None) -> dict[str, Any]:
    fm: dict[str, Any] = {}
    if hub_id:
        fm["base_model"] = hub_id
        fm["base_model_relation"] = "adapter"
    fm["library_name"] = "peft"
    if licence_id:
        lic = by_id(licence_id)
        fm["license"] = lic.hub_license
        if lic.hub_license == "other":
            fm["license_name"] = lic.hub_license_name
            if lic.url:
                fm["license_link"] = lic.url
    else:
        fm["license"] = "unknown"
    fm["pipeline_tag"] = "text-generation"
    fm["tags"] = ["privtune", "lora", "peft"]
    return fm


def _licence_from_privacy(privacy: dict[str, Any]) -> dict[str, Any]:
    """For a run trained before provenance.json existed: detect the licence of its recorded base directory."""
    from privtune.provenance.licence_check import licence_record
    from privtune.provenance.licence_policy import IntendedUse

    base = privacy.get("base_model")
    if not isinstance(base, str) or not Path(base).is_dir():
        return {}
    return licence_record(base, IntendedUse())


def card_data(run_dir: str | Path) -> dict[str, Any]:
    """Everything the card says, as data (no local paths, no record text)."""
    run_dir = Path(run_dir)
    privacy = read_run_json(run_dir / "privacy.json")
    if privacy is None:
        raise InputError("not a training run directory: privacy.json missing", path=str(run_dir))
    check_privacy_fields(privacy, run_dir / "privacy.json")
    report = read_run_json(run_dir / "train_report.json") or {}
    prov = read_provenance(run_dir)
    check_privacy_as_trained(prov, run_dir / "privacy.json")
    chain = {s["stage"]: s for s in prov.get("chain", []) if s["stage"] != "audit"}
    audits = [s for s in prov.get("chain", []) if s["stage"] == "audit"]
    licence = prov.get("licence") or _licence_from_privacy(privacy)
    train, scan = chain.get("train", {}), chain.get("scan", {})
    hub_id = (licence.get("base_model") or {}).get("hub_id")
    front = _front_matter(licence.get("licence"), hub_id)
    if privacy.get("dp"):
        front["tags"].append("differential-privacy")
    source = (scan.get("source") or {}).get("manifest") if scan.get("found") else None
    return {
        "front_matter": front,
        "base_model": {"hub_id": hub_id, "sha256": (train.get("base_model") or {}).get("sha256")},
        "intended_use": {**(licence.get("intended_use") or {}), "decision": licence.get("decision"),
                         "reasons": licence.get("reasons", []), "override": licence.get("override")},
        "licence": {"id": licence.get("licence"), "name": licence.get("licence_name"),
                    "detected_from": (licence.get("detected") or {}).get("source"),
                    "conflict": (licence.get("detected") or {}).get("conflict"),
                    "files": (licence.get("detected") or {}).get("files", {})},
        "data": {
            "dataset_fingerprint": privacy.get("dataset_fingerprint"), "training_file_sha256": train.get("data_sha256"),
            "records": report.get("records"), "examples": report.get("examples"),
            "scan": {k: scan.get(k) for k in ("report_sha256", "input_sha256", "output_sha256", "data_is_scan_output",
                                              "gate_passed", "policy", "counts")} if scan.get("found") else None,
            "source": source,
        },
        "privacy": {k: privacy.get(k) for k in ("dp", "epsilon", "delta", "accountant", "privacy_unit",
                                                 "privacy_units", "noise_multiplier", "max_grad_norm", "steps",
                                                 "sample_rate", "ledger_run", "outside_guarantee", "warnings",
                                                 "stopped_early")}
        # The epsilon in privacy.json is this run's alone (earlier runs on the data add to the
        # dataset's spend in the ledger); it covers every step, across resumptions.
        | {"sampling": "poisson", "scope": "this run", "resumed_from_steps": privacy.get("resumed_from_steps") or []},
        "audit": [{k: a.get(k) for k in ("report_sha256", "pass", "summary", "checks")} for a in audits],
        "attribution": [o["text"] for o in licence.get("obligations", []) if o["kind"] in ("attribution", "naming")],
        "obligations": licence.get("obligations", []),
        "limitations": _LIMITATIONS + ([] if privacy.get("dp") else
                                       ["Trained WITHOUT differential privacy: no formal bound on memorisation."]),
        "provenance": {"adapter_sha256": train.get("adapter_sha256"),
                       "privacy_json_sha256": train.get("privacy_json_sha256"),
                       "privtune_version": privacy.get("privtune_version")},
    }


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "—" if value is None else str(value)


def _table(rows: list[tuple[str, Any]]) -> list[str]:
    return ["| | |", "|---|---|", *(f"| {k} | {_fmt(v)} |" for k, v in rows), ""]


def render_card(data: dict[str, Any]) -> str:
    """README.md text: YAML front matter and a Markdown body."""
    fm = yaml.safe_dump(data["front_matter"], sort_keys=False, allow_unicode=True).strip()
    use, lic, d, p = data["intended_use"], data["licence"], data["data"], data["privacy"]
    out = ["---", fm, "---", "", "# LoRA adapter fine-tuned with privtune", "",
           f"Base model: `{data['base_model']['hub_id'] or 'not on the Hub (local model)'}` "
           f"({_fmt(data['base_model']['sha256'])}). Licence: {lic['name'] or 'unknown'}"
           + (f" (detected from {lic['detected_from']})" if lic["detected_from"] else "") + ".", "",
           "## Intended use", ""]
    out += _table([("use", use.get("use")), ("distribution", use.get("distribution")),
                   ("name", use.get("name")), ("regions", ", ".join(use.get("region") or []) or None),
                   ("monthly active users", use.get("mau")), ("licence check", use.get("decision"))])
    # The reasons of an "unknown" verdict (no licence found) were printed as "blocked:", on a card
    # whose training ran: only a "block" verdict blocks a use.
    said = {"block": "blocked", "unknown": "licence unknown"}.get(use.get("decision") or "", "licence check")
    out += [f"- {said}: {r}" for r in use.get("reasons") or []]
    if use.get("override"):
        out.append(f"- licence check overridden: {use['override']['reason']}")
    if lic["conflict"]:
        out.append(f"- licence conflict: {lic['conflict']}")
    out += ["", "## Training data", ""]
    out += _table([("dataset fingerprint", d["dataset_fingerprint"]), ("training file", d["training_file_sha256"]),
                   ("records", d["records"]), ("examples", d["examples"])])
    if d["scan"]:
        c = d["scan"]["counts"] or {}
        out += ["Scanned by `privtune scan` "
                f"(policy `{d['scan']['policy']}`, gate {'passed' if d['scan']['gate_passed'] else 'FAILED'}): "
                f"{_fmt(c.get('records_in'))} records in, {_fmt(c.get('records_with_pii'))} with PII, "
                f"{_fmt(c.get('records_out'))} out. Report {d['scan']['report_sha256']}; "
                f"raw input {d['scan']['input_sha256']}; cleaned output {d['scan']['output_sha256']}"
                + ("" if d["scan"]["data_is_scan_output"] else " (the training file was derived from it)") + ".", ""]
        if c.get("entities"):
            out += ["| PII type | found |", "|---|---|", *(f"| {k} | {v} |" for k, v in c["entities"].items()), ""]
    else:
        out += ["No scan report is linked to this training file.", ""]
    if d["source"]:
        s = d["source"]
        period = s.get("collection_period") or {}
        out += ["Dataset manifest (given to `privtune scan --source`):", ""]
        out += _table([("source", s.get("source")), ("owner", s.get("owner")), ("legal basis", s.get("legal_basis")),
                       ("collected", f"{period.get('start')} to {period.get('end')}"), ("licence", s.get("license")),
                       ("retention", s.get("retention")), ("allowed uses", ", ".join(s.get("allowed_uses") or []))])
    out += ["## Privacy guarantee", ""]
    if p["dp"]:
        out += [f"DP-SGD: (ε = {_fmt(p['epsilon'])}, δ = {_fmt(p['delta'])}) per {p['privacy_unit']} "
                f"({_fmt(p['privacy_units'])} units), {p['accountant']} accountant, Poisson sampling at rate "
                f"{_fmt(p['sample_rate'])}, noise multiplier {_fmt(p['noise_multiplier'])}, clipping norm "
                f"{_fmt(p['max_grad_norm'])}, {_fmt(p['steps'])} steps"
                + (f" (resumed from checkpoint(s) at step {', '.join(map(str, p['resumed_from_steps']))}; "
                   "ε covers every step)" if p["resumed_from_steps"] else "") + ".", "",
                *([f"The run stopped before its planned steps: {p['stopped_early']}", ""]
                  if p.get("stopped_early") else []),
                "This ε is this run's alone"
                + (f" (ledger run {p['ledger_run']})" if p.get("ledger_run") is not None else "")
                + ": other runs on the same dataset add to what the data has spent; "
                "`privtune privacy explain RUN_DIR` composes every run the ledger holds for it.", ""]
        out += [f"Not covered by ε: {t}" for t in p.get("outside_guarantee") or []]
        # train's own caveats on the claim (delta near 1/N, noise swamping a tiny dataset): the card
        # stated the (ε, δ) without them, though privacy.json and `privacy explain` carry them
        out += [f"Caveat: {t}" for t in p.get("warnings") or []]
        out += [""] if p.get("outside_guarantee") or p.get("warnings") else []
    else:
        out += ["None: this adapter was trained without differential privacy.", ""]
    out += ["## Audit results", ""]
    if data["audit"]:
        for a in data["audit"]:
            verdict = "PASS" if a["pass"] else "FAIL"
            summary = str(a.get("summary") or "")
            # privtune audit's summary opens with its verdict ("PASS: none of ..."): the card printed "PASS: PASS:"
            said = summary if summary.startswith((verdict + ":", "NO EVIDENCE:")) else f"{verdict}: {summary}"
            out += [f"{said} (report {a['report_sha256']})", "",
                    "| check | value | limit | result |", "|---|---|---|---|"]
            out += [f"| {c['check']} | {_fmt(c.get('value'))} | {_fmt(c.get('limit'))} | "
                    f"{'not run' if c.get('failed') is None else 'FAIL' if c['failed'] else 'pass'} |"
                    for c in a.get("checks") or []]
            out.append("")
    else:
        out += ["Not audited yet (`privtune audit --adapter RUN_DIR ...` adds the results here).", ""]
    out += ["## Attribution and licence obligations", ""]
    out += [f"- [{o['kind']}] {o['text']}" for o in data["obligations"]] or ["- none recorded"]
    out += ["", "## Limitations", "", *(f"- {t}" for t in data["limitations"]), "",
            "## Provenance", "", *_table([("adapter (weights and config)", data["provenance"]["adapter_sha256"]),
                                         ("privacy.json", data["provenance"]["privacy_json_sha256"]),
                                         ("privtune", data["provenance"]["privtune_version"])]),
            "The chain of hashes is in `provenance.json`; the ML-BOM in `bom.cdx.json`.", ""]
    return "\n".join(out)


def write_card(run_dir: str | Path) -> Path:
    """(Re)write RUN_DIR/adapter/README.md from the run's files; returns its path."""
    run_dir = Path(run_dir)
    adapter = run_dir / "adapter"
    if not adapter.is_dir():
        raise InputError("no adapter/ directory in the run directory", path=str(run_dir))
    path = adapter / CARD_NAME
    atomic_write_text(path, render_card(card_data(run_dir)))
    return path
