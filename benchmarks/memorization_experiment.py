"""Memorisation vs DP: canary exposure by repeat count, non-private LoRA vs DP-LoRA at epsilon 8.

Same base model (the demo's locally pre-trained one), same data and canaries (repeats 1/4/16),
same steps. Expected: exposure grows with repeats without DP and stays near chance with DP;
the one-run empirical epsilon lower bound of the DP run stays below its claimed epsilon.
Prints a table and one JSON line.

    python benchmarks/memorization_experiment.py [--steps 300] [--quick]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from privtune.demo.base_model import build_base_model
from privtune.demo.run import LORA_TARGETS, DemoConfig, prepare_data, train_arm, with_canaries


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench_out/memorization"))
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="tiny settings, for a smoke run")
    ap.add_argument("--canaries", type=int, default=48)
    ap.add_argument("--candidates", type=int, default=10000)
    args = ap.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    # This experiment's own settings (docs/audit.md), pinned here rather than taken from the
    # demo's defaults: 600 chats, 120 steps, r=16 on attention + MLP in both arms.
    pinned = dict(canary_count=args.canaries, canary_candidates=args.candidates, canary_repeats=[1, 4, 16],
                  train_records=600, heldout_records=150, steps=120, learning_rate=4e-3, lr_schedule="constant",
                  lora_r=16, dp_lora_r=16, dp_lora_targets=LORA_TARGETS, dp_batch_size=96, dp_learning_rate=2e-3,
                  max_length=160, audit_records=150)
    cfg = DemoConfig.quick(args.out) if args.quick else DemoConfig(out=args.out, **pinned)
    if args.steps:
        cfg = cfg.model_copy(update={"steps": args.steps})
    from privtune.audit.config import AuditConfig
    from privtune.audit.run import run_audit

    t0 = time.perf_counter()
    base = build_base_model(cfg.base_settings)
    files = prepare_data(cfg, print)
    rows = {}
    for arm in ("naive", "privtune"):
        train_file = with_canaries(files["raw"], files["canaries"], cfg.out / arm / "train_data.jsonl", cfg.seed)
        run_dir = train_arm(arm, cfg, base, train_file, files["heldout"], print)
        report = run_audit(AuditConfig(
            base=base, adapter=run_dir, members=files["raw"], nonmembers=files["heldout"], out=cfg.out / arm / "audit",
            canaries=train_file.with_suffix(".canary_key.json"), canary={"candidates": cfg.canary_candidates},
            skip=["extraction", "specificity"], max_records=cfg.audit_records, seed=cfg.seed,
        ), log=print, raise_on_gate=False).report
        rows[arm] = {"by_repeats": report["canaries"]["by_repeats"], "exposure_bits_max": report["canaries"]["exposure_bits_max"],
                     "epsilon_claimed": report["epsilon"]["claimed"], "epsilon_lb": report["epsilon"]["empirical_lower_bound"],
                     "mia_ref_auc": report["mia"]["ref"]["auc"]}
    print(f"{'arm':10s} {'repeats':>8s} {'included: exposure mean (bits)':>32s} {'excluded (chance)':>18s}")
    for arm, r in rows.items():
        for rep, v in sorted(r["by_repeats"].items(), key=lambda kv: int(kv[0])):
            inc, exc = v["included"]["exposure_bits_mean"], v["excluded"]["exposure_bits_mean"]
            print(f"{arm:10s} {rep:>8s} {inc if inc is not None else float('nan'):32.2f} "
                  f"{exc if exc is not None else float('nan'):18.2f}")
        print(f"{arm:10s} eps_claimed={r['epsilon_claimed']} eps_lb={r['epsilon_lb']} ref_auc={r['mia_ref_auc']}")
    print(json.dumps({"benchmark": "memorization_experiment", "steps": cfg.steps, "rows": rows,
                      "seconds": round(time.perf_counter() - t0, 1)}))


if __name__ == "__main__":
    main()
