"""`privtune privacy explain OUTPUT_DIR`: what a training run's privacy claim covers, in plain words.

Reads the run's ``privacy.json`` (the contract), its ``train_report.json`` when present, and the
ledger the run wrote to, and says three things: what is protected (unit, epsilon, delta,
accountant, and every run on the same dataset composed), what is not (validation data, the base
model, anything the run released outside the guarantee), and whether the claim was ever resumed
or mixed with other runs. Nothing here recomputes the training; it only reads artefacts.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from privtune.errors import InputError
from privtune.privacy.errors import LedgerError
from privtune.privacy.ledger import Ledger, RunRecord
from privtune.privacy.ledger_db import default_ledger_location
from privtune.privacy.privacy_file import check_privacy_fields
from privtune.provenance.lineage import check_privacy_as_trained, read_provenance
from privtune.provenance.portable import ledger_directory

__all__ = ["explain", "render"]

# Keys a privacy.json may use to list what the run released outside its DP guarantee: train writes
# "outside_guarantee" (explain read only the other name, so the note was lost, while train's
# "warnings", about delta and not a release, were shown as "released outside the guarantee").
_OUTSIDE_KEYS = ("outside_guarantee", "released_outside_guarantee")


def _read_json(path: Path, required: bool) -> dict[str, Any] | None:
    if not path.exists():
        if required:
            raise InputError("no privacy.json here: is this a `privtune train` output directory?", path=str(path.parent))
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # RecursionError: nested 1000+ deep
        raise InputError(f"cannot read JSON: {exc}", path=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", path=str(path))
    return data


def _object(parent: dict[str, Any] | None, key: str) -> dict[str, Any]:
    """``parent[key]`` where it is an object, else empty (train_report.json is read for hints only)."""
    value = (parent or {}).get(key)
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[str]:
    if value is None or value == [] or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [v if isinstance(v, str) else json.dumps(v, sort_keys=True) for v in value]
    if isinstance(value, dict):
        return [f"{k}: {v}" for k, v in value.items()]
    return [str(value)]


def _unit_words(unit: str | None, field: str | None) -> str:
    return f"one user (all records sharing a '{field}')" if unit == "user" else "one training record"


def _this_run(runs: list[RunRecord], privacy: dict[str, Any], output_dir: Path, location: str) -> RunRecord | None:
    """The ledger row of this output: privacy.json's ``ledger_run``, else the latest run writing here
    (a run summary's ``output_dir`` is absolute in older ledgers, relative to the ledger's directory now)."""
    wanted = privacy.get("ledger_run")
    if isinstance(wanted, int):
        return next((r for r in runs if r.id == wanted), None)
    anchor = ledger_directory(location) or Path.cwd()
    here = [r for r in runs if r.config.get("output_dir")
            and (anchor / str(r.config["output_dir"])).resolve() == output_dir.resolve()]
    return here[-1] if here else None


def _report_ledger(named: Any, output_dir: Path) -> str | None:
    """The ledger train_report.json names, where it can be found: a URL or an absolute path (runs
    from before paths were stored portably) as is, a relative one inside the run dir; else None."""
    if not isinstance(named, str) or not named:
        return None
    if "://" in named or Path(named).is_absolute():
        return named
    inside = output_dir / named
    return str(inside) if inside.exists() else None


def _shown_location(location: str) -> str:
    """A ledger path as a person reads it: ``runs/dp8/../ledger.sqlite`` normalised, relative to the
    working directory when under it, else absolute; a database URL or ``:memory:`` as is."""
    prefix = "sqlite:///" if location.startswith("sqlite:///") else ""
    path = location.removeprefix(prefix)
    if "://" in path or path == ":memory:":
        return location
    full = Path(os.path.expanduser(path)).resolve()
    try:
        return prefix + str(full.relative_to(Path.cwd().resolve()))
    except ValueError:
        return prefix + str(full)


def _ledger_part(privacy: dict[str, Any], report: dict[str, Any] | None, output_dir: Path,
                 ledger: str | None) -> tuple[dict[str, Any], list[str], list[str]]:
    """The dataset as the ledger sees it; plus resume and mix evidence found there."""
    fp = privacy.get("dataset_fingerprint")
    named = _object(report, "config").get("ledger")
    location = ledger or _report_ledger(named, output_dir) or default_ledger_location()
    # The report names the ledger by file name only when it lies outside the run dir (`portable`).
    elsewhere = (f" (the run was trained with ledger {named}, outside its directory: pass --ledger)"
                 if not ledger and named and location != _report_ledger(named, output_dir) else "")
    out: dict[str, Any] = {"ledger": _shown_location(str(location)), "found": False}
    resumed: list[str] = []
    mixed: list[str] = []
    if not fp:
        out["note"] = "privacy.json names no dataset fingerprint: runs on this data cannot be composed"
        return out, resumed, mixed
    accountant = privacy.get("accountant") or "pld"
    try:
        with Ledger.open(str(location), create=False) as led:
            runs = led.history(fp)
            exported = led.export(fp, accountant=accountant) if led.dataset(fp) else None
            # No budget (so no ledger delta): compose at this run's delta instead.
            at_delta = (exported["datasets"][0]["delta"] if exported else None) or privacy.get("delta")
            spent = led.spent(fp, delta=at_delta, accountant=accountant) if exported and at_delta else None
    except LedgerError as exc:
        out["note"] = f"ledger not readable ({exc}); runs on this data could not be composed{elsewhere}"
        return out, resumed, mixed
    if exported is None:
        out["note"] = f"dataset {fp} is not in ledger {out['ledger']}; runs on this data could not be composed{elsewhere}"
        return out, resumed, mixed
    (d,) = exported["datasets"]
    out.update(found=True, runs=len(runs), dp_runs=sum(r.dp for r in runs),
               non_private_runs=[r.id for r in runs if not r.dp],
               spent_epsilon=None if spent is None or math.isinf(spent) else spent,
               spent_unbounded=d["spent_unbounded"], at_delta=at_delta, budget_epsilon=d["budget_epsilon"],
               remaining_epsilon=d["remaining_epsilon"], exhausted_reason=d["exhausted_reason"],
               privacy_unit=d["privacy_unit"], user_id_field=d["user_id_field"])
    units = sorted({str(r.unit) for r in runs if r.dp})
    if len(units) > 1:
        mixed.append(f"the ledger holds DP runs with different privacy units on this dataset: {', '.join(units)}")
    if out["non_private_runs"]:
        mixed.append(f"non-private run(s) {', '.join(map(str, out['non_private_runs']))} trained on this dataset")
    accountants = sorted({r.accountant for r in runs if r.dp})
    if len(accountants) > 1:
        mixed.append(f"runs were planned with different accountants ({', '.join(accountants)}); all are composed with one")
    run = _this_run(runs, privacy, output_dir, str(location))
    if run is not None:
        out["this_run"] = {"id": run.id, "status": run.status, "committed_steps": run.committed_steps,
                           "planned_steps": run.planned_steps}
        steps = privacy.get("steps")
        if isinstance(steps, int) and run.committed_steps > steps:
            resumed.append(f"the ledger committed {run.committed_steps} steps for this run but privacy.json "
                           f"accounts {steps}: its epsilon under-reports")
    return out, resumed, mixed


def explain(output_dir: str | Path, ledger: str | None = None) -> dict[str, Any]:
    """The facts behind `render`, JSON-able (``privtune privacy explain --json``)."""
    out_dir = Path(output_dir)
    privacy = _read_json(out_dir / "privacy.json", required=True)
    assert privacy is not None
    check_privacy_fields(privacy, out_dir / "privacy.json")
    check_privacy_as_trained(read_provenance(out_dir), out_dir / "privacy.json")  # as card, bom and /info
    report = _read_json(out_dir / "train_report.json", required=False)
    dp = bool(privacy.get("dp"))
    n_units = privacy.get("privacy_units")
    delta = privacy.get("delta")
    protected = {k: privacy.get(k) for k in ("privacy_unit", "privacy_units", "epsilon", "delta", "accountant",
                                             "noise_multiplier", "sample_rate", "steps", "max_grad_norm",
                                             "dataset_fingerprint")}
    protected["user_id_field"] = privacy.get("user_id_field") or _object(report, "config").get("user_id_field")
    dataset, resumed, mixed = _ledger_part(privacy, report, out_dir, ledger)

    not_protected = [f"the base model {privacy.get('base_model', '(unknown)')} and whatever it learned before "
                     "this run: its pretraining data is outside this guarantee"]
    validation = _object(report, "config").get("validation")
    if validation:
        not_protected.append(f"the validation data ({validation}): it is read without noise and its loss is "
                             "reported; keep it disjoint from the training data")
    for key in _OUTSIDE_KEYS:
        not_protected += [f"released outside the guarantee: {item}" for item in _as_list(privacy.get(key))]
    train_loss = _object(report, "curves").get("train_loss")
    if dp and isinstance(train_loss, list) and any(
            isinstance(pt, list) and len(pt) == 2 and pt[1] is not None and not (isinstance(pt[1], float) and math.isnan(pt[1]))
            for pt in train_loss):
        not_protected.append("train_report.json holds a training-loss curve computed from the private records "
                             "without noise: it is outside the guarantee; do not publish it")
    not_protected.append("the same people in other data: epsilon is per dataset fingerprint; a copy with one "
                         "record changed is a different dataset to the ledger")

    warnings: list[str] = [str(w) for w in _as_list(privacy.get("warnings"))]  # train's own, e.g. delta vs N
    if dp and isinstance(n_units, int) and isinstance(delta, (int, float)) and n_units > 0 and delta >= 1 / n_units:
        warnings.append(f"delta={delta:g} is at least 1/N (N={n_units}): the guarantee allows releasing a whole "
                        "unit's data with probability delta, so this epsilon means little")
    resumed_from = _as_list(privacy.get("resumed_from_steps"))
    if resumed_from:
        resumed.insert(0, f"the run was resumed from checkpoint(s) at step {', '.join(resumed_from)}")
    if report and isinstance(report.get("steps_this_process"), int) and isinstance(report.get("steps"), int) \
            and report["steps_this_process"] < report["steps"] and not resumed_from:
        resumed.insert(0, f"the last process ran {report['steps_this_process']} of {report['steps']} steps: it resumed")
    return {"output_dir": str(out_dir), "dp": dp, "protected": protected, "dataset": dataset,
            "not_protected": not_protected, "resumed": bool(resumed), "resume_evidence": resumed,
            "mixed": bool(mixed), "mixed_evidence": mixed, "warnings": warnings}


def _num(x: Any, digits: int = 4) -> str:
    return "?" if x is None else f"{x:.{digits}g}"


def render(e: dict[str, Any]) -> str:
    """One screen of plain text for `explain`'s result."""
    p, d = e["protected"], e["dataset"]
    lines = [f"Privacy of the run in {e['output_dir']}", ""]
    if not e["dp"]:
        lines += ["PROTECTED: nothing. This run trained without differential privacy (dp: false); the adapter",
                  "may reveal any training record, and the dataset's privacy budget is spent without bound.", ""]
    else:
        unit = _unit_words(p["privacy_unit"], p["user_id_field"])
        lines += [
            f"PROTECTED: {unit}, among {p['privacy_units']} such units.",
            f"  This run: epsilon={_num(p['epsilon'])}, delta={_num(p['delta'], 3)} ({p['accountant']} accountant; "
            f"noise {_num(p['noise_multiplier'])}, sample rate {_num(p['sample_rate'])}, {p['steps']} steps).",
            f"  Meaning: for any one {'user' if p['privacy_unit'] == 'user' else 'record'}, whether it was in the "
            "training data changes the probability of anything",
            "  learned from the adapter by at most a factor e^epsilon, except with probability delta.",
        ]
        if d.get("found"):
            spent = "unbounded" if d["spent_unbounded"] else _num(d["spent_epsilon"])
            budget = (f"; budget {_num(d['budget_epsilon'])}, left {_num(d['remaining_epsilon'])}"
                      if d["budget_epsilon"] is not None else "; no budget set")
            lines.append(f"  All {d['runs']} run(s) on this dataset together: epsilon={spent} at delta="
                         f"{_num(d['at_delta'], 3)}{budget} (ledger {d['ledger']}).")
            if d["exhausted_reason"]:
                lines.append(f"  Why unbounded: {d['exhausted_reason']}.")
        else:
            lines.append(f"  Other runs on this dataset: unknown ({d.get('note', 'no ledger')}).")
        lines.append("")
    lines.append("NOT PROTECTED:")
    lines += [f"  - {item}" for item in e["not_protected"]]
    lines.append("")
    lines.append("RESUMED: " + ("yes — " + "; ".join(e["resume_evidence"]) if e["resumed"] else "no"))
    lines.append("MIXED: " + ("yes — " + "; ".join(e["mixed_evidence"]) if e["mixed"] else "no (one run, one unit)"))
    for w in e["warnings"]:
        lines.append(f"WARNING: {w}")
    lines.append(f"Dataset fingerprint: {p['dataset_fingerprint']}")
    return "\n".join(lines)
