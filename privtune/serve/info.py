"""What `/info` publishes about the served model: identity, training privacy, audit verdict.

Hashes, not paths: the base model and adapter are identified by SHA-256 digests of their
files (config, tokenizer, weights) and by directory *names*; no filesystem path, host name or
upstream URL is published. Figures come from privacy.json (written by `privtune train`) and
the audit's report.json, read once at start-up.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

from privtune import __version__
from privtune.errors import InputError
from privtune.privacy.privacy_file import check_audit_is_of_run, check_privacy_fields

# outside_guarantee and warnings belong with epsilon: without them /info stated epsilon 8 for a run
# whose noise came from a known dp_seed (so epsilon does not hold against whoever knows it), or whose
# loss curve was released without noise. train writes both as plain sentences, never paths.
PRIVACY_KEYS = ("dp", "epsilon", "delta", "accountant", "noise_multiplier", "max_grad_norm", "steps", "sample_rate",
                "privacy_unit", "privacy_units", "dataset_fingerprint", "outside_guarantee", "warnings",
                "stopped_early", "privtune_version", "created")
_HASHED_SUFFIXES = (".json", ".safetensors", ".bin", ".model", ".txt", ".jinja", ".enc")


def dir_digest(path: Path) -> str:
    """``sha256:`` over (relative name, content) of the model files in ``path``, in name order."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in _HASHED_SUFFIXES):
        h.update(f.relative_to(path).as_posix().encode() + b"\0")
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    return "sha256:" + h.hexdigest()


def _licence(base: Path) -> str | None:
    """The model card's ``license:`` front-matter field, if there is a card."""
    card = base / "README.md"
    if not card.exists():
        return None
    m = re.search(r"^license:\s*(\S+)", card.read_text(encoding="utf-8", errors="replace")[:4000], re.M)
    return m.group(1) if m else None


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", path=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} is not JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
    except UnicodeDecodeError:
        raise InputError(f"{what} is not UTF-8 text", path=str(path)) from None
    except RecursionError:
        raise InputError(f"{what} nests too deeply (1000+ levels of arrays or objects)", path=str(path)) from None
    if not isinstance(data, dict):  # a list or a string here was an AttributeError traceback at start-up
        raise InputError(f"{what} is not a JSON object", path=str(path))
    return data


def _section(report: dict[str, Any], name: str) -> dict[str, Any]:
    """``report[name]`` where it is an object, else empty (a report of another shape is not read as one)."""
    value = report.get(name)
    return value if isinstance(value, dict) else {}


def privacy_summary(path: Path) -> dict[str, Any]:
    data = _read_json(path, "privacy.json")
    check_privacy_fields(data, path)  # published as read: "dp": "false" would say the model is DP-trained
    out = {k: data.get(k) for k in PRIVACY_KEYS}
    # Infinite epsilon (noise_multiplier 0) went out as JSON null, read as "not stated"; it is said
    # in words, and every reader gets one flag for "a finite (epsilon, delta) bound holds".
    out["finite_guarantee"] = bool(data.get("dp")) and math.isfinite(data["epsilon"])
    if data.get("dp") and not out["finite_guarantee"]:
        out["epsilon"] = "infinite"
    if data.get("dp"):
        # as the card says it: epsilon alone read as all the dataset ever spent, which it is not
        out["epsilon_scope"] = ("this run: other runs on the same dataset add to what it has spent "
                                "(`privtune privacy explain` composes them from the ledger)")
    return out


def audit_summary(path: Path) -> dict[str, Any]:
    report = _read_json(path, "audit report")
    verdict = _section(report, "verdict")
    aucs = {name: m.get("auc") for name, m in _section(report, "mia").items() if isinstance(m, dict) and "auc" in m}
    return {
        "pass": verdict.get("pass"),
        "summary": verdict.get("summary"),
        "mia_auc_max": max((a for a in aucs.values() if isinstance(a, (int, float))), default=None),
        "canary_exposure_bits_max": _section(report, "canaries").get("exposure_bits_max"),
        "pii_extraction_rate_tuned": _section(report, "extraction").get("pii_extraction_rate_tuned"),
        "epsilon_empirical_lower_bound": _section(report, "epsilon").get("empirical_lower_bound"),
    }


# Where `privtune audit --out RUN_DIR/audit` leaves its report: serve publishes it without being told.
RUN_AUDIT_REPORT = Path("audit") / "report.json"


def _check_audit_of_run(report: Path, privacy: Path) -> None:
    """`InputError` unless ``report`` audited the run whose figures ``privacy`` holds."""
    check_audit_is_of_run(_read_json(report, "audit report"), report, _read_json(privacy, "privacy.json"), privacy)


def run_audit_report(run_dir: Path, privacy: Path | None) -> tuple[Path | None, str | None]:
    """The run directory's own audit report, when no ``audit_report`` was given, and a start-up
    note: used when its privacy figures are this run's; one that is another run's (or of this run
    before a resume), or unreadable, is a warning and /info shows no audit. Before, /info said
    ``"audit": null`` beside a passed audit until the report was named again."""
    report = run_dir / RUN_AUDIT_REPORT
    if not report.is_file():
        return None, None
    if privacy is None:
        return None, (f"warning: {report} not published in /info: no privacy.json to check it is this run's "
                      "audit (name it with --set audit_report=... to publish it anyway)")
    try:
        _check_audit_of_run(report, privacy)
    except InputError as exc:
        return None, f"warning: {report} not published in /info: {exc}"
    return report, f"audit: {report}, the run's own audit report, published in /info (--set audit_report=... names another)"


def build_info(*, model_id: str, base: Path | None, adapter: Path | None, privacy: Path | None,
               audit_report: Path | None, backend: dict[str, Any], guards: list[dict[str, Any]],
               input_guards: list[dict[str, Any]] | None = None,
               watermark: dict[str, Any] | None = None, notes: list[str] | None = None) -> dict[str, Any]:
    """/info's content. ``notes`` receives what start-up should say (which audit report is published)."""
    adapter_dir = None
    if adapter is not None:
        from privtune.audit.models import resolve_adapter_dir  # imports torch: embedded deployments only

        adapter_dir = resolve_adapter_dir(adapter)
    if privacy is None and adapter_dir is not None and (adapter_dir.parent / "privacy.json").exists():
        privacy = adapter_dir.parent / "privacy.json"
    if privacy is not None and adapter_dir is not None and adapter_dir.name == "adapter":
        from privtune.provenance.lineage import check_privacy_as_trained, read_provenance

        # an edited privacy.json, or (given as `privacy`) another run's: published as this adapter's claim
        check_privacy_as_trained(read_provenance(adapter_dir.parent), privacy)
    if privacy is not None and audit_report is not None:
        _check_audit_of_run(audit_report, privacy)  # named explicitly: another run's is an error
    elif audit_report is None and adapter_dir is not None and adapter_dir.name == "adapter":
        audit_report, note = run_audit_report(adapter_dir.parent, privacy)
        if note is not None and notes is not None:
            notes.append(note)
    base_info = None
    if base is not None:
        base_info = {"name": base.name, "sha256": dir_digest(base), "licence": _licence(base)}
        cfg = base / "config.json"
        if cfg.exists():
            base_info["architecture"] = (_read_json(cfg, "config.json").get("architectures") or [None])[0]
    return {
        "model": model_id,
        "privtune_version": __version__,
        "base_model": base_info,
        "adapter": {"name": adapter_dir.parent.name if adapter_dir.name == "adapter" else adapter_dir.name,
                    "sha256": dir_digest(adapter_dir)} if adapter_dir is not None else None,
        "training_privacy": privacy_summary(privacy) if privacy is not None else None,
        "audit": audit_summary(audit_report) if audit_report is not None else None,
        "backend": backend,
        "output_guards": guards,
        "input_guards": input_guards or [],
        "watermark": watermark or {"active": False},
    }
