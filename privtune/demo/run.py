"""`privtune demo`: the whole story on one laptop.

A team fine-tunes a small model on its customer-service chats. Three arms from the same base
model, same step budget, same canaries:

- naive     LoRA on the raw chats, no DP (what teams do today)
- scan      `privtune scan` (pseudonymise) then non-private LoRA
- privtune  scan + DP-LoRA at epsilon = 8

Each arm is audited against the base model (members = the real customers' chats, non-members
= a disjoint held-out split), and one side-by-side table is printed and written to
``demo_out/report.html``. Stages talk through files exactly as a user would run them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from privtune.demo.base_model import BASE_SETTINGS, build_base_model
from privtune.demo.config import ATTENTION_TARGETS, LORA_TARGETS, DemoConfig
from privtune.demo.corpus import generate, split_heldout
from privtune.io.writers import atomic_write_text
from privtune.progress import ProgressFactory, no_progress

__all__ = ["ATTENTION_TARGETS", "LORA_TARGETS", "DemoConfig", "run_demo"]


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def prepare_data(cfg: DemoConfig, log: Callable[[str], None]) -> dict[str, Path]:
    """Raw train/held-out chats (disjoint customers) and the canary set."""
    from privtune.audit.canaries import make_canaries

    data = cfg.out / "data"
    records = list(generate(cfg.train_records + cfg.heldout_records, seed=cfg.seed, house_style=1.0))
    train, heldout = split_heldout(records, cfg.heldout_records)
    # One canary set is one language (its chat prompt is fixed); Chinese, like most of the PII here.
    make_canaries("mixed", cfg.canary_count, cfg.canary_repeats, "zh", cfg.seed).save(data / "canaries.json")
    log(f"data: {len(train)} training chats, {len(heldout)} held-out chats, {cfg.canary_count} canaries")
    return {
        "raw": _write_jsonl(data / "raw_train.jsonl", train),
        "heldout": _write_jsonl(data / "heldout.jsonl", heldout),
        "canaries": data / "canaries.json",
    }


def with_canaries(src: Path, canaries_path: Path, dst: Path, seed: int) -> Path:
    """Insert the canaries (one-run randomisation: each included with probability 1/2)."""
    from privtune.audit.canaries import insert_canaries, insertion_fingerprints, load_canaries
    from privtune.io import SourceRecord, iter_records

    canaries, _ = load_canaries(canaries_path)
    records = [r.data for r in iter_records(src) if isinstance(r, SourceRecord)]
    out, key = insert_canaries(records, canaries, seed=seed, one_run=True)
    _write_jsonl(dst, list(out))
    key["insertion"].update(insertion_fingerprints(src, dst))
    atomic_write_text(dst.with_suffix(".canary_key.json"), json.dumps(key, ensure_ascii=False, indent=1))
    return dst


ARMS = ("naive", "scan", "privtune")


def train_arm(arm: str, cfg: DemoConfig, base: Path, train_file: Path, heldout: Path, log: Callable[[str], None],
              progress: ProgressFactory | None = None) -> Path:
    """LoRA from the same base with the same step budget; only the data and DP differ."""
    from privtune.train.config import TrainConfig
    from privtune.train.loop import train

    dp = arm == "privtune"
    r = cfg.dp_lora_r if dp else cfg.lora_r
    out = cfg.out / arm / "train"
    tcfg = TrainConfig(
        model=base, data=train_file, validation=heldout, output_dir=out, steps=cfg.steps,
        batch_size=cfg.dp_batch_size if dp else cfg.batch_size, micro_batch_size=cfg.micro_batch_size, max_length=cfg.max_length,
        learning_rate=cfg.dp_learning_rate if dp else cfg.learning_rate,
        lora={"r": r, "alpha": 2 * r, "target_modules": cfg.dp_lora_targets if dp else cfg.lora_targets},
        lr_schedule=cfg.lr_schedule,
        dp=dp, target_epsilon=cfg.target_epsilon, ledger=str(cfg.out / "ledger.sqlite"), dataset_name=f"demo-{arm}",
        seed=cfg.seed, eval_every=max(1, cfg.steps // 3), warmup_steps=max(1, cfg.steps // 20),
        # the scanned arms' data is the scan's output plus canaries: its report vouches for it
        scan_report=None if arm == "naive" else cfg.out / "scan_report.json",
    )
    t0 = time.perf_counter()
    with (progress or no_progress)(f"{arm}: training", cfg.steps) as tick:
        privacy = train(tcfg, progress=lambda step, total: tick(1), log=lambda m: log(f"  [{arm}] {m}"))
    eps = f"epsilon={privacy['epsilon']:.2f}" if privacy["dp"] else "no DP"
    log(f"  [{arm}] trained {cfg.steps} steps in {time.perf_counter() - t0:.0f}s ({eps})")
    return out


def audit_arm(arm: str, cfg: DemoConfig, base: Path, run_dir: Path, members: Path, heldout: Path,
              canary_key: Path, log: Callable[[str], None], progress: ProgressFactory | None = None) -> dict[str, Any]:
    from privtune.audit.config import AuditConfig
    from privtune.audit.run import run_audit

    acfg = AuditConfig(
        base=base, adapter=run_dir, members=members, nonmembers=heldout, out=cfg.out / arm / "audit",
        canaries=canary_key, max_records=cfg.mia_records, seed=cfg.seed,
        canary={"candidates": cfg.canary_candidates},
        extraction={"max_records": cfg.audit_records, "pii_max_sites": 2 * cfg.audit_records},
        specificity={"samples": cfg.probe_samples, "max_probes": cfg.audit_records, "max_new_tokens": 96,
                     "temperature": cfg.probe_temperature},
    )
    t0 = time.perf_counter()
    # the arm's name in front of each audit bar
    labelled = None if progress is None else (lambda name, total: progress(f"{arm}: {name}", total))
    result = run_audit(acfg, progress=labelled, log=lambda m: log(f"  [{arm}] {m}"), raise_on_gate=False)
    log(f"  [{arm}] audited in {time.perf_counter() - t0:.0f}s")
    return result.report


def run_demo(cfg: DemoConfig, log: Callable[[str], None] = print,
             progress: ProgressFactory | None = None) -> dict[str, Any]:
    """All three arms end to end; returns the summary rows (also written to summary.json).

    ``progress(name, total)`` is a context manager yielding ``tick(n)`` (as in `run_audit`).
    """
    from privtune.scan.config import ScanConfig
    from privtune.scan.pipeline import run_scan

    t0 = time.perf_counter()
    cfg.out.mkdir(parents=True, exist_ok=True)
    settings = {**BASE_SETTINGS, **cfg.base_settings}
    with (progress or no_progress)("base model: pre-training (cached afterwards)", settings["steps"]) as tick:
        base = build_base_model(cfg.base_settings, log=log, tick=tick)
    files = prepare_data(cfg, log)
    scan = run_scan(ScanConfig(input=files["raw"], out=cfg.out / "data" / "scanned_train.jsonl",
                               findings=cfg.out / "data" / "findings.jsonl", report=cfg.out / "scan_report.html",
                               policy="pseudonymise", key_file=cfg.out / "scan.key"))
    c = scan.report["counts"]
    log(f"scan: {c['records_in']} chats, {sum(c['entities'].values())} PII entities pseudonymised, "
        f"{sum(c['dropped'].values())} duplicates dropped")
    sources = {"naive": files["raw"], "scan": cfg.out / "data" / "scanned_train.jsonl"}
    sources["privtune"] = sources["scan"]
    # Canaries go in after the scan so every arm sees them verbatim: they measure memorisation.
    train_files = {arm: with_canaries(sources[arm], files["canaries"], cfg.out / arm / "train_data.jsonl", cfg.seed)
                   for arm in ARMS}
    jobs = {arm: (base, train_files[arm], files["raw"], files["heldout"]) for arm in ARMS}
    if cfg.workers > 1:
        rows = _run_arms_in_processes(cfg, jobs, log, progress)
    else:
        rows = {}
        for i, arm in enumerate(ARMS):
            log(f"arm {i + 1}/3: {arm}")
            run_dir = train_arm(arm, cfg, base, train_files[arm], files["heldout"], log, progress)
            report = audit_arm(arm, cfg, base, run_dir, files["raw"], files["heldout"],
                               train_files[arm].with_suffix(".canary_key.json"), log, progress)
            rows[arm] = summary_row(run_dir, report)
    from privtune.demo.summary import base_row, write_summary_html

    rows = {"base": base_row(rows["naive"]), **{arm: rows[arm] for arm in ARMS}}
    from privtune.provenance.demo_hook import finish_arm

    provenance = finish_arm(cfg.out / "privtune" / "train", train_files["privtune"],
                            cfg.out / "scan_report.json", cfg.out)  # card, BOM, signature of the privtune arm
    summary = {"rows": rows, "seconds": round(time.perf_counter() - t0, 1), "config": cfg.model_dump(mode="json"),
               "provenance": provenance}
    atomic_write_text(cfg.out / "summary.json", json.dumps(summary, indent=1))
    write_summary_html(cfg.out, summary)
    return summary


def _arm_job(stage: str, arm: str, cfg_json: dict[str, Any], base: Path, train_file: Path, members: Path,
             heldout: Path) -> tuple[str, str, Any, float]:
    """One stage of one arm in a worker process (one thread each; its log goes to a file)."""
    import torch

    torch.set_num_threads(1)
    cfg = DemoConfig.model_validate(cfg_json)
    log_file = cfg.out / arm / f"{stage}.log"
    t0 = time.perf_counter()
    with log_file.open("w", encoding="utf-8") as fh:
        def log(msg: str) -> None:  # noqa: E306
            fh.write(msg + "\n")
            fh.flush()
        if stage == "train":
            result: Any = train_arm(arm, cfg, base, train_file, heldout, log)
        else:
            report = audit_arm(arm, cfg, base, cfg.out / arm / "train", members, heldout,
                               train_file.with_suffix(".canary_key.json"), log)
            result = summary_row(cfg.out / arm / "train", report)
    return stage, arm, result, time.perf_counter() - t0


def _run_arms_in_processes(cfg: DemoConfig, jobs: dict[str, tuple[Path, Path, Path, Path]],
                           log: Callable[[str], None], progress: ProgressFactory | None) -> dict[str, Any]:
    """Train and audit the arms in ``cfg.workers`` processes: tiny models leave a second core idle.

    Training jobs are queued first (the DP arm, the longest, starts as soon as a worker is
    free); each audit is queued when its arm's training ends.
    """
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    cfg_json = cfg.model_dump(mode="json")
    rows: dict[str, Any] = {}
    with (progress or no_progress)("three arms: training and auditing", 2 * len(ARMS)) as tick, \
            ProcessPoolExecutor(cfg.workers, mp_context=mp.get_context("spawn")) as pool:
        pending = {pool.submit(_arm_job, "train", arm, cfg_json, *jobs[arm]) for arm in ("privtune", "naive", "scan")}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                stage, arm, result, seconds = fut.result()
                tick(1)
                if stage == "train":
                    log(f"  [{arm}] trained in {seconds:.0f}s (log: {cfg.out / arm / 'train.log'})")
                    pending.add(pool.submit(_arm_job, "audit", arm, cfg_json, *jobs[arm]))
                else:
                    log(f"  [{arm}] audited in {seconds:.0f}s (log: {cfg.out / arm / 'audit.log'})")
                    rows[arm] = result
    return rows


def summary_row(run_dir: Path, report: dict[str, Any]) -> dict[str, Any]:
    train_report = json.loads((run_dir / "train_report.json").read_text())
    val = [v for _, v in train_report["curves"]["val_loss"] if v is not None]

    def get(path: str) -> Any:
        cur: Any = report
        for part in path.split("."):
            cur = cur.get(part) if isinstance(cur, dict) else None
        return cur

    return {
        "val_loss": val[-1] if val else None,
        "val_loss_base": train_report["curves"]["val_loss"][0][1] if val else None,
        "pii_extraction_rate_base": get("extraction.pii_extraction_rate_base"),
        "exposure_bits_mean": get("canaries.exposure_bits_mean"),
        "exposure_bits_max": get("canaries.exposure_bits_max"),
        "mia_ref_auc": get("mia.ref.auc"),
        "pii_extraction_rate": get("extraction.pii_extraction_rate_tuned"),
        "entities_per_1k_tuned": get("specificity.entities_per_1k_tokens_tuned"),
        "entities_per_1k_base": get("specificity.entities_per_1k_tokens_base"),
        "entity_ratio": get("specificity.ratio"),
        "identifiers_per_1k_tuned": get("specificity.identifiers_per_1k_tokens_tuned"),
        "identifiers_per_1k_base": get("specificity.identifiers_per_1k_tokens_base"),
        "identifier_ratio": get("specificity.identifier_ratio"),
        "leaked_pii_count": get("specificity.leaked_pii_count"),
        "leaked_pii_heldout_hits": get("specificity.leaked_pii_test.heldout_hits"),
        "leaked_pii_p_value": get("specificity.leaked_pii_test.p_value"),
        "amplification_members": get("specificity.logprob_amplification_members"),
        "amplification_nonmembers": get("specificity.logprob_amplification_nonmembers"),
        "epsilon_claimed": get("epsilon.claimed"),
        "epsilon_lb": get("epsilon.empirical_lower_bound"),
        "verdict_pass": get("verdict.pass"),
    }
