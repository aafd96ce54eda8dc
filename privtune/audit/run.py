"""`privtune audit`: base vs fine-tuned model, on one screen.

    load    -> base + adapter (one PeftModel), members / non-members encoded as in training
    mia     -> token scores under tuned (with Min-K%++ moments) and base -> 5 attacks
    canary  -> exposure per canary vs sampled candidates; one-run ε lower bound vs privacy.json
    extract -> k-extractability and PII extraction, greedy, tuned vs base
    drift   -> sampled outputs on neutral probes: PII rates, leaked training PII, log-p gain
    report  -> verdict, --fail-on gates, report.json + report.html (PII guard), GateFailed

Logs and progress carry step names and counts only: never text, values or per-record numbers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from privtune import __version__
from privtune.audit import canary_audit, extraction, gates, mia, specificity
from privtune.audit.config import AuditConfig
from privtune.audit.generation import Decoding, end_token_ids
from privtune.audit.models import AuditModels, base_scope, load_models
from privtune.audit.records import AuditRecord, LoadedRecords, iter_normalised, load_records, text_hash
from privtune.audit.report import null_section, redact, skeleton
from privtune.audit.report_html import render_html
from privtune.audit.scoring import TokenScores, score_sequences
from privtune.audit.verdict import build_verdict
from privtune.errors import ConfigError, GateFailed, InputError
from privtune.io.sources import file_encoding
from privtune.io.writers import atomic_write_json, atomic_write_text
from privtune.models.window import context_window
from privtune.privacy.privacy_file import check_privacy_fields
from privtune.progress import ProgressFactory, no_progress
from privtune.provenance.portable import base_model_label, portable_config
from privtune.provenance.refresh import after_audit, is_scan_input_of_run
from privtune.train.encoding import IGNORE_INDEX


class AuditResult:
    """What `run_audit` produced: the report dict and where it was written."""

    def __init__(self, report: dict[str, Any], paths: dict[str, Path]) -> None:
        self.report, self.paths = report, paths

    @property
    def gates_tripped(self) -> list[dict[str, Any]]:
        return [g for g in self.report.get("gates", []) if g["tripped"]]

    def gate_error(self) -> GateFailed:
        return GateFailed("audit gate(s) tripped: " + "; ".join(
            f"{g['rule']} (value {g['value']})" if g.get("evaluated", True)
            else f"{g['rule']} ({g['note']}; --allow-unevaluated-gates lets such a rule pass)"
            for g in self.gates_tripped) + f". Report: {self.paths['json']}")


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"unreadable JSON: {exc}", path=str(path)) from None
    return obj if isinstance(obj, dict) else None


def _models_section(cfg: AuditConfig, adapter_dir: Path) -> dict[str, Any]:
    """The audited models by name and the adapter by content: report.json is made to be shared, and
    the paths as given (``/home/alice/clients/acme/run/adapter``) named the user and their layout."""
    from privtune.provenance.lineage import directory_digest

    return {"base": base_model_label(cfg.base),
            "adapter": adapter_dir.parent.name if adapter_dir.name == "adapter" else adapter_dir.name,
            # the digest provenance.json records as adapter_sha256 (README.md is the card, written later)
            "adapter_sha256": directory_digest(adapter_dir, exclude=frozenset({"README.md"}))["sha256"]}


def _portable_audit_config(cfg: AuditConfig) -> dict[str, Any]:
    """The config with every path relative to the audit's output directory, or by name."""
    dump = portable_config(cfg, cfg.out)
    dump["base"] = base_model_label(cfg.base)
    return dump


def _training_settings(cfg: AuditConfig, run_dir: Path) -> dict[str, Any]:
    """loss_on / fields / max_length: explicit config, else the training run's, else defaults."""
    train_cfg = (_read_json(run_dir / "train_report.json") or {}).get("config") or {}
    return {"loss_on": cfg.loss_on or train_cfg.get("loss_on") or "answer",
            "fields": cfg.fields if cfg.fields is not None else train_cfg.get("fields"),
            "max_length": cfg.max_length or train_cfg.get("max_length") or 512,
            "from_train_report": bool(train_cfg)}


def _fit_window(settings: dict[str, Any], cfg: AuditConfig, model: Any, log: Callable[[str], None]) -> dict[str, Any]:
    """Records longer than the model's context window crashed scoring (GPT-2: IndexError in the
    position embedding). An explicit --max-length beyond it is refused; one taken from the
    training run (or the default) is lowered to it."""
    window = context_window(model)
    if window is None or settings["max_length"] <= window[0]:
        return settings
    positions, key = window
    if cfg.max_length is not None:
        raise ConfigError(f"max_length {cfg.max_length} exceeds the base model's context window ({positions} "
                          f"positions, {key} in its config.json); set --max-length {positions} or less")
    log(f"max_length: {settings['max_length']} -> {positions}, the base model's context window ({key})")
    return {**settings, "max_length": positions}


def _load_set(cfg: AuditConfig, path: Path, tok: Any, settings: dict[str, Any], keep: Any) -> LoadedRecords:
    return load_records(path, tok, fields=settings["fields"], loss_on=settings["loss_on"],
                        max_length=settings["max_length"], fmt=cfg.format,
                        encoding=file_encoding(path, cfg.encoding),
                        max_records=cfg.max_records, seed=cfg.seed, keep=keep)


def _scored_text(tok: Any, rec: AuditRecord) -> str:
    ids = [t for t, lab in zip(rec.input_ids, rec.labels) if lab != IGNORE_INDEX]
    return tok.decode(ids, skip_special_tokens=True) or tok.decode(ids)


def _score(models: AuditModels, records: list[AuditRecord], cfg: AuditConfig, progress: ProgressFactory,
           label: str) -> tuple[list[TokenScores], list[TokenScores]]:
    pad = models.tokenizer.pad_token_id
    kw = dict(pad_id=pad, batch_size=cfg.batch_size, max_batch_tokens=cfg.max_batch_tokens)
    with progress(f"scoring {label} (tuned)", len(records)) as tick:
        tuned = score_sequences(models.model, records, moments=True, progress=tick, **kw)
    with progress(f"scoring {label} (base)", len(records)) as tick, base_scope(models.model) as base:
        based = score_sequences(base, records, progress=tick, **kw)
    return tuned, based


def _gen_kw(models: AuditModels, cfg: AuditConfig) -> dict[str, Any]:
    return dict(pad_id=models.tokenizer.pad_token_id, end_ids=end_token_ids(models.model, models.tokenizer),
                batch_size=cfg.batch_size, max_batch_tokens=cfg.max_batch_tokens)


def _run_extraction(models: AuditModels, cfg: AuditConfig, mem: list[AuditRecord], non: list[AuditRecord],
                    sites: dict[str, list[extraction.PiiSite]], progress: ProgressFactory) -> dict[str, Any]:
    ec, rng = cfg.extraction, random.Random(cfg.seed)
    kw = _gen_kw(models, cfg)
    out: dict[str, Any] = {}
    for label, recs in (("members", mem), ("nonmembers", non)):
        sample = recs if len(recs) <= ec.max_records else rng.sample(recs, ec.max_records)
        for which in ("tuned", "base"):
            with progress(f"k-extractability: {label} ({which})", len(sample)) as tick, \
                    (base_scope(models.model) if which == "base" else contextlib.nullcontext(models.model)) as m:
                out[f"k_{label}_{which}"] = extraction.k_extractable(
                    m, sample, prefix_tokens=ec.prefix_tokens, suffix_tokens=ec.suffix_tokens, progress=tick, **kw)
            with progress(f"PII extraction: {label} ({which})", len(sites[label])) as tick, \
                    (base_scope(models.model) if which == "base" else contextlib.nullcontext(models.model)) as m:
                out[f"pii_{label}_{which}"] = extraction.pii_extraction(m, sites[label], models.tokenizer,
                                                                        progress=tick, **kw)
    sec: dict[str, Any] = {
        "k_extractable_rate": out["k_members_tuned"]["rate"],
        "k_extractable_rate_nonmembers": out["k_nonmembers_tuned"]["rate"],
        "k_extractable_rate_base": out["k_members_base"]["rate"],
        "k_extractable_rate_base_nonmembers": out["k_nonmembers_base"]["rate"],
        "k_extractable_tested": out["k_members_tuned"]["tested"],
        "k_extractable_tested_nonmembers": out["k_nonmembers_tuned"]["tested"],
        "prefix_tokens": ec.prefix_tokens, "suffix_tokens": ec.suffix_tokens,
        "pii_extraction_rate_tuned": out["pii_members_tuned"]["rate"],
        "pii_extraction_rate_base": out["pii_members_base"]["rate"],
        "pii_extraction_rate_nonmembers_tuned": out["pii_nonmembers_tuned"]["rate"],
        "pii_extraction_rate_nonmembers_base": out["pii_nonmembers_base"]["rate"],
        "pii_sites_members": len(sites["members"]), "pii_sites_nonmembers": len(sites["nonmembers"]),
        "pii_by_type_tuned": out["pii_members_tuned"]["by_type"],
        "pii_by_type_base": out["pii_members_base"]["by_type"],
        "pii_examples": out["pii_members_tuned"]["examples"],
    }
    if not sites["members"]:
        sec["pii_reason"] = "the Analyzer found no PII in the member answers, so there is nothing to extract"
    return sec


def _run_specificity(models: AuditModels, cfg: AuditConfig, non: list[AuditRecord], chat: bool,
                     sites: dict[str, list[extraction.PiiSite]], analyzer: Any, settings: dict[str, Any],
                     progress: ProgressFactory) -> tuple[dict[str, Any], set[str]]:
    """The specificity section and the training PII values (for the report's PII guard)."""
    sc, tok = cfg.specificity, models.tokenizer
    if cfg.probes is not None:
        probes = specificity.probes_from_file(str(cfg.probes), tok, chat=chat, fmt=None,
                                              encoding=file_encoding(cfg.probes, cfg.encoding),
                                              max_probes=sc.max_probes, seed=cfg.seed)
    else:
        probes = specificity.build_probes(non, tok, chat=chat, doc_prefix_tokens=sc.doc_prefix_tokens,
                                          max_probes=sc.max_probes, seed=cfg.seed)
    if not probes:
        return null_section("specificity", "no probe prompts: non-member records have no user turn to prompt with "
                            "(pass --probes)"), set()
    dec = Decoding(sc.max_new_tokens, sc.temperature, sc.top_p, cfg.seed)
    kw = _gen_kw(models, cfg)
    with progress("specificity: sampling (tuned)", len(probes) * sc.samples) as tick:
        t_out = specificity.sample_outputs(models.model, probes, dec, sc.samples, progress=tick, **kw)
    with progress("specificity: sampling (base)", len(probes) * sc.samples) as tick, base_scope(models.model) as b:
        b_out = specificity.sample_outputs(b, probes, dec, sc.samples, progress=tick, **kw)
    ends = set(kw["end_ids"])

    def texts(outs: list[list[int]]) -> tuple[list[str], int]:
        body = [[t for t in o if t not in ends] for o in outs]
        return [tok.decode(o, skip_special_tokens=True) for o in body], sum(len(o) for o in body)

    with progress("specificity: training PII set", 0):
        train_pii = specificity.training_pii(_texts(cfg, cfg.members, settings, sc.pii_scan_max_records), analyzer)
        # Held-out customers' values: how often the outputs hit PII the model never saw (chance).
        heldout_pii = specificity.training_pii(_texts(cfg, cfg.nonmembers, settings, sc.pii_scan_max_records),
                                               analyzer)
    (bt, bn), (tt, tn) = texts(b_out), texts(t_out)
    prompts = [tok.decode(p, skip_special_tokens=True) for p in probes for _ in range(sc.samples)]
    sec = specificity.entity_rates(bt, bn, tt, tn, train_pii, analyzer, prompts, heldout_pii)
    sec.update({"probes": len(probes), "samples_per_probe": sc.samples, "temperature": sc.temperature,
                "top_p": sc.top_p, "max_new_tokens": sc.max_new_tokens})
    for label in ("members", "nonmembers"):
        seqs = specificity.site_sequences(sites[label])
        with progress(f"PII log-prob gain: {label}", 2 * len(seqs)) as tick:
            t_sc = score_sequences(models.model, seqs, pad_id=kw["pad_id"], batch_size=cfg.batch_size,
                                   max_batch_tokens=cfg.max_batch_tokens, progress=tick)
            with base_scope(models.model) as b:
                b_sc = score_sequences(b, seqs, pad_id=kw["pad_id"], batch_size=cfg.batch_size,
                                       max_batch_tokens=cfg.max_batch_tokens, progress=tick)
        sec[f"logprob_amplification_{label}"] = specificity.amplification(t_sc, b_sc)
    return sec, set(train_pii)


def _texts(cfg: AuditConfig, path: Path, settings: dict[str, Any], cap: int) -> Iterator[str]:
    """Every text of the first ``cap`` records of ``path`` (members or non-members)."""
    for n, item in enumerate(iter_normalised(path, settings["fields"], cfg.format, file_encoding(path, cfg.encoding))):
        if n >= cap:
            return
        if item is not None:
            _, messages, document = item
            yield from ([document] if messages is None else [c for _, c in messages if c])


def _held_out(non: LoadedRecords, mem: LoadedRecords, path: Path, log: Callable[[str], None]) -> list[AuditRecord]:
    """The non-member records that are not also members. An audit handed the training data as
    its non-members compared the data with itself: MIA AUC 0.5, a PASS that proves nothing. Mostly
    shared sets are refused; a few shared records (a duplicate across the split) are dropped."""
    kept = [r for r in non.records if text_hash(r.messages, r.document) not in mem.text_hashes]
    shared = len(non.records) - len(kept)
    if shared * 2 > len(non.records):
        raise InputError(f"{shared} of {len(non.records)} non-member records are also in the members file",
                         path=str(path), hint="pass held-out records from the same distribution that the adapter "
                                              "never trained on: membership inference compares the two sets")
    if shared:
        log(f"WARNING: {shared} non-member record(s) also in the members file left out of the non-members")
    return kept


def run_audit(cfg: AuditConfig, progress: ProgressFactory | None = None, log: Callable[[str], None] = print,
              *, raise_on_gate: bool = True) -> AuditResult:
    """Run every audit step and write report.json and report.html.

    If a ``--fail-on`` rule holds, raises `GateFailed` (exit code 3) *after* writing, unless
    ``raise_on_gate`` is false (then see `AuditResult.gates_tripped` / `gate_error`).
    """
    progress = progress or no_progress
    if cfg.out.exists() and not cfg.out.is_dir():  # found only when writing, after the whole audit
        raise ConfigError(f"--out {cfg.out} is a file, not a directory; pass another --out")
    rules = gates.parse_rules(cfg.fail_on, skeleton())  # typos fail now, not after the scoring
    torch.manual_seed(cfg.seed); random.seed(cfg.seed); np.random.seed(cfg.seed)  # noqa: E702
    t0, timing = time.perf_counter(), {}
    models = load_models(cfg.base, cfg.adapter, device=cfg.device, dtype=cfg.dtype,
                         trust_remote_code=cfg.trust_remote_code, adapter_key_file=cfg.adapter_key_file)
    tok = models.tokenizer
    run_dir = models.adapter_dir.parent
    privacy_path = cfg.privacy or run_dir / "privacy.json"
    privacy = _read_json(privacy_path)
    if cfg.privacy and privacy is None:
        raise InputError("privacy.json not found", path=str(cfg.privacy))
    if privacy is not None:  # the check serve, card and explain use: "epsilon": "8" was compared as text
        check_privacy_fields(privacy, privacy_path)
    settings = _fit_window(_training_settings(cfg, run_dir), cfg, models.model, log)
    key = canary_audit.load_canary_key(cfg.canaries) if cfg.canaries else None
    canary_texts = {c.text for c in key.canaries} if key else set()

    def not_canary(messages: Any, document: str) -> bool:
        texts = [document] if messages is None else [c for r, c in messages if r == "assistant"]
        return not any(t in canary_texts for t in texts)

    mem_loaded = _load_set(cfg, cfg.members, tok, settings, not_canary if key else None)
    non_loaded = _load_set(cfg, cfg.nonmembers, tok, settings, None)
    mem_fp = mem_loaded.fingerprint
    mem, non = mem_loaded.records, _held_out(non_loaded, mem_loaded, cfg.nonmembers, log)
    chat = any(r.messages is not None for r in mem)
    log(f"audit: {len(mem)} members, {len(non)} non-members (loss_on={settings['loss_on']})")
    timing["load_s"] = round(time.perf_counter() - t0, 2)
    from privtune.scan.analyzer import Analyzer

    analyzer = Analyzer()
    secrets: set[str] = {c.secret for c in key.canaries} if key else set()
    report: dict[str, Any] = {}

    t = time.perf_counter()
    if "mia" in cfg.skip:
        report["mia"] = null_section("mia", "skipped (--skip mia)")
    else:
        sections = []
        for label, recs in (("members", mem), ("non-members", non)):
            tuned, based = _score(models, recs, cfg, progress, label)
            sections.append([mia.RecordScores(tu, ba, _scored_text(tok, r)) for tu, ba, r in zip(tuned, based, recs)])
        report["mia"] = mia.run_mia(sections[0], sections[1], k=cfg.mia.k, n_boot=cfg.mia.bootstrap,
                                    confidence=cfg.confidence, seed=cfg.seed)
    timing["mia_s"] = round(time.perf_counter() - t, 2)

    t = time.perf_counter()
    if key is None or "canaries" in cfg.skip:
        why = "no --canaries key file was given" if key is None else "skipped (--skip canaries)"
        report["canaries"] = null_section("canaries", why)
        report["epsilon"] = null_section("epsilon", why, claimed=(privacy or {}).get("epsilon"),
                                         confidence=cfg.confidence)
    else:
        total = sum(min(cfg.canary.candidates, c.space_size - 1) + 1 for c in key.canaries)
        with progress("canaries: scoring candidates", total) as tick:
            report["canaries"], report["epsilon"] = canary_audit.run_canary_audit(
                models.model, lambda: base_scope(models.model), tok, key, chat=chat,
                candidates=cfg.canary.candidates, seed=cfg.seed, pad_id=tok.pad_token_id,
                batch_size=cfg.canary.batch_size, max_batch_tokens=cfg.max_batch_tokens * 4, privacy=privacy,
                confidence=cfg.confidence, progress=tick)
    timing["canaries_s"] = round(time.perf_counter() - t, 2)

    sites: dict[str, list[extraction.PiiSite]] = {}
    if not ({"extraction", "specificity"} <= set(cfg.skip)):
        for label, recs in (("members", mem), ("nonmembers", non)):
            sites[label] = extraction.pii_sites(recs, analyzer, tok, max_per_record=cfg.extraction.pii_per_record,
                                                max_sites=cfg.extraction.pii_max_sites,
                                                max_context=settings["max_length"],
                                                include_in_context=cfg.extraction.pii_include_in_context)
            secrets |= {s.value for s in sites[label]}
    t = time.perf_counter()
    report["extraction"] = (null_section("extraction", "skipped (--skip extraction)") if "extraction" in cfg.skip
                            else _run_extraction(models, cfg, mem, non, sites, progress))
    timing["extraction_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    if "specificity" in cfg.skip:
        report["specificity"] = null_section("specificity", "skipped (--skip specificity)")
    else:
        report["specificity"], train_values = _run_specificity(models, cfg, non, chat, sites, analyzer, settings,
                                                               progress)
        secrets |= train_values
    timing["specificity_s"] = round(time.perf_counter() - t, 2)

    report["verdict"] = build_verdict(report, cfg.thresholds)
    fp_match = privacy.get("dataset_fingerprint") == mem_fp if privacy and privacy.get("dataset_fingerprint") else None
    report["data"] = {
        "members": {"seen": mem_loaded.seen, "used": len(mem), "skipped": mem_loaded.skipped,
                    "rejected": mem_loaded.rejected, "fingerprint": mem_fp},
        "nonmembers": {"seen": non_loaded.seen, "used": len(non), "skipped": non_loaded.skipped,
                       "rejected": non_loaded.rejected,
                       "dropped_as_members": len(non_loaded.records) - len(non)},
        "members_match_training_fingerprint": fp_match,
        "settings": settings,
    }
    if fp_match is False and key is not None and key.input_fingerprint == mem_fp and (
            key.output_fingerprint == privacy.get("dataset_fingerprint")):
        report["data"]["members_relation"] = "training data less the canaries planted in it"
    elif fp_match is False and is_scan_input_of_run(cfg.adapter, cfg.members):
        # the raw records whose scanned copy trained the adapter: the question the audit should ask
        report["data"]["members_relation"] = "raw input of the scan that produced the training data"
    elif fp_match is False:
        report["data"]["warning"] = ("the members file is not the data this adapter was trained on (its fingerprint "
                                     "differs from privacy.json's): membership results may be meaningless")
    report["privacy"] = {k: privacy.get(k) for k in ("dp", "epsilon", "delta", "noise_multiplier", "sample_rate",
                                                     "steps", "accountant", "privacy_unit")} if privacy else None
    report["models"] = _models_section(cfg, models.adapter_dir)
    report["config"] = _portable_audit_config(cfg)
    report["privtune_version"] = __version__
    report["created"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    timing["total_s"] = round(time.perf_counter() - t0, 2)
    report["timing"] = timing
    report["gates"] = gates.evaluate(rules, report, allow_unevaluated=cfg.allow_unevaluated_gates)
    report, n_red = redact(report, secrets)
    report["redactions"] = n_red
    paths = {"json": cfg.out / "report.json", "html": cfg.out / "report.html"}
    atomic_write_json(paths["json"], report)
    atomic_write_text(paths["html"], render_html(report))
    after_audit(cfg.adapter, paths["json"])  # a training run's provenance chain, card and BOM show this audit
    result = AuditResult(report, paths)
    if raise_on_gate and result.gates_tripped:
        raise result.gate_error()
    return result
