"""How stable is the demo's DP-arm verdict across the secret DP noise seed?

The demo's privtune arm draws its Poisson sampling and DP noise from a secret seed, so two runs
of `make demo` train different models. The audit must say PASS for (nearly) every one of them
when nothing leaks: a check that FAILs one run in five on a model at chance is miscalibrated.

This trains and audits only the DP arm (same base model, data, canaries, audit settings as
`privtune demo`) once per given noise seed and prints one JSON line: per check, how many
seeds failed it, and the verdict's pass rate. Per-seed rows go to ``OUT/seed-N/seed.json``.

    nice -n 10 python benchmarks/demo_verdict_stability.py --seeds 1 2 3 4 5 [--quick]

``--stage train`` trains only (adapters kept under OUT); ``--stage audit`` audits the trained
seeds with the current audit code (``--wait``: wait for each seed's training, so a train and an
audit process can run side by side as the demo's two workers do); ``all`` (default) does both
per seed; ``--stage report`` aggregates earlier audits' ``seed.json`` files.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from privtune.demo.base_model import build_base_model
from privtune.demo.run import DemoConfig, audit_arm, prepare_data, summary_row, with_canaries

ARM = "privtune"
LEAK_CHECK = "specificity.leaked_pii_count"


def _prepare(cfg: DemoConfig) -> tuple[Path, dict[str, Path], Path]:
    """Base model, raw/held-out data, and the scanned + canaried training file of the DP arm."""
    from privtune.scan.config import ScanConfig
    from privtune.scan.pipeline import run_scan

    base = build_base_model(cfg.base_settings)
    files = prepare_data(cfg, print)
    scanned = cfg.out / "data" / "scanned_train.jsonl"
    if not scanned.exists():
        run_scan(ScanConfig(input=files["raw"], out=scanned, findings=cfg.out / "data" / "findings.jsonl",
                            report=cfg.out / "scan_report.html", policy="pseudonymise", key_file=cfg.out / "scan.key"))
    train_file = with_canaries(scanned, files["canaries"], cfg.out / "train_data.jsonl", cfg.seed)
    return base, files, train_file


def _train(cfg: DemoConfig, base: Path, train_file: Path, heldout: Path, noise_seed: int, run_dir: Path) -> float:
    """The demo's DP arm (`train_arm` settings) with a fixed noise seed instead of a secret one."""
    from privtune.train.config import TrainConfig
    from privtune.train.loop import train

    r = cfg.dp_lora_r
    tcfg = TrainConfig(
        model=base, data=train_file, validation=heldout, output_dir=run_dir, steps=cfg.steps,
        batch_size=cfg.dp_batch_size, micro_batch_size=cfg.micro_batch_size, max_length=cfg.max_length,
        learning_rate=cfg.dp_learning_rate, lora={"r": r, "alpha": 2 * r, "target_modules": cfg.dp_lora_targets},
        lr_schedule=cfg.lr_schedule, dp=True, target_epsilon=cfg.target_epsilon,
        # One ledger per seed: the runs are alternatives, not spending from one budget.
        ledger=str(run_dir.parent / "ledger.sqlite"), dataset_name=f"stability-{noise_seed}", seed=cfg.seed,
        dp_seed=noise_seed, eval_every=max(1, cfg.steps // 3), warmup_steps=max(1, cfg.steps // 20),
    )
    t0 = time.perf_counter()
    train(tcfg, log=lambda m: None)
    return time.perf_counter() - t0


def _audit(cfg: DemoConfig, base: Path, files: dict[str, Path], train_file: Path, run_dir: Path,
           seed_out: Path) -> tuple[dict[str, Any], float]:
    t0 = time.perf_counter()
    # audit_arm writes under cfg.out / ARM / "audit": one directory per seed.
    seed_cfg = cfg.model_copy(update={"out": seed_out})
    report = audit_arm(ARM, seed_cfg, base, run_dir, files["raw"], files["heldout"],
                       train_file.with_suffix(".canary_key.json"), lambda m: None)
    return report, time.perf_counter() - t0


def _seed_row(noise_seed: int, run_dir: Path, report: dict[str, Any], train_s: float | None,
              audit_s: float) -> dict[str, Any]:
    verdict = report["verdict"]
    spec = report.get("specificity") or {}
    return {
        "noise_seed": noise_seed, "verdict_pass": verdict["pass"],
        "failed_checks": [c["check"] for c in verdict["checks"] if c["failed"]],
        "checks": {c["check"]: c["value"] for c in verdict["checks"]},
        "leaked_pii_count": spec.get("leaked_pii_count"),
        "leaked_pii_p_value": (spec.get("leaked_pii_test") or {}).get("p_value"),
        "summary": summary_row(run_dir, report),
        "train_s": None if train_s is None else round(train_s, 1), "audit_s": round(audit_s, 1),
    }


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per check, the seeds that failed it; the verdict's pass rate."""
    checks = sorted({c for r in rows for c in r["checks"]})
    n = len(rows)
    # The verdict before the leaked-PII count was calibrated: any training value in the outputs failed.
    old_pass = [not (set(r["failed_checks"]) - {LEAK_CHECK}) and not (r["leaked_pii_count"] or 0) for r in rows]
    return {
        "seeds": [r["noise_seed"] for r in rows], "n": n,
        "verdict_pass_rate": round(sum(r["verdict_pass"] for r in rows) / n, 4) if n else None,
        "uncalibrated_leak_rule_pass_rate": round(sum(old_pass) / n, 4) if n else None,
        "fail_rate_by_check": {c: round(sum(c in r["failed_checks"] for r in rows) / n, 4) for c in checks},
        "leaked_pii_count": [r["leaked_pii_count"] for r in rows],
        "leaked_pii_p_value": [r["leaked_pii_p_value"] for r in rows],
        "mia_ref_auc": [r["checks"].get("mia.ref.auc") for r in rows],
        "exposure_bits_max": [r["checks"].get("canaries.exposure_bits_max") for r in rows],
        "k_extractable_excess": [r["checks"].get("extraction.k_extractable_excess") for r in rows],
        "entity_ratio": [r["checks"].get("specificity.ratio") for r in rows],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", required=True, help="DP noise seeds, one training run each")
    ap.add_argument("--out", type=Path, default=Path("bench_out/demo_verdict_stability"))
    ap.add_argument("--stage", choices=("all", "train", "audit", "report"), default="all",
                    help="report: only aggregate the seed.json files of earlier audits")
    ap.add_argument("--quick", action="store_true", help="the reduced `demo --quick` settings")
    ap.add_argument("--wait", action="store_true", help="audit stage: wait for each seed's training to finish")
    args = ap.parse_args()
    if args.stage == "report":
        rows = [json.loads((args.out / f"seed-{s}" / "seed.json").read_text()) for s in args.seeds]
        print(json.dumps({"benchmark": "demo_verdict_stability", "quick": args.quick, **aggregate(rows)}))
        return
    import torch

    torch.set_num_threads(1)  # as each demo worker process: one core per arm
    cfg = DemoConfig.quick(args.out) if args.quick else DemoConfig(out=args.out)
    base, files, train_file = _prepare(cfg)
    rows = []
    for s in args.seeds:
        run_dir, seed_out = cfg.out / f"seed-{s}" / "train", cfg.out / f"seed-{s}"
        train_s = None
        if args.stage in ("all", "train") and not (run_dir / "train_report.json").exists():
            train_s = _train(cfg, base, train_file, files["heldout"], s, run_dir)
            print(f"seed {s}: trained in {train_s:.0f}s", flush=True)
        if args.stage == "train":
            continue
        while args.wait and not (run_dir / "train_report.json").exists():  # the last file training writes
            time.sleep(20)
        report, audit_s = _audit(cfg, base, files, train_file, run_dir, seed_out)
        row = _seed_row(s, run_dir, report, train_s, audit_s)
        (seed_out / "seed.json").write_text(json.dumps(row, indent=1))
        print(f"seed {s}: verdict {'PASS' if row['verdict_pass'] else 'FAIL'} {row['failed_checks']} "
              f"(audit {audit_s:.0f}s)", flush=True)
        rows.append(row)
    if rows:
        print(json.dumps({"benchmark": "demo_verdict_stability", "quick": args.quick, **aggregate(rows)}))


if __name__ == "__main__":
    main()
