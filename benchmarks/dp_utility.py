"""Utility of DP-LoRA: validation loss at epsilon = 8 vs non-private LoRA, same steps.

Task: the demo's bilingual support chats (pseudonymised by `privtune scan`), the demo's
locally pre-trained base model. Target: DP validation loss within 15% of non-private.
Prints one JSON line with both losses and their ratio.

    python benchmarks/dp_utility.py [--steps 150] [--quick]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from privtune.demo.base_model import build_base_model
from privtune.demo.run import ATTENTION_TARGETS, LORA_TARGETS, DemoConfig, prepare_data, train_arm


def final_val_loss(run_dir: Path) -> float:
    curve = json.loads((run_dir / "train_report.json").read_text())["curves"]["val_loss"]
    return float(curve[-1][1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench_out/dp_utility"))
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--epsilon", type=float, default=8.0)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--lora-r", type=int, default=8)
    ap.add_argument("--lora-targets", choices=("attention", "all"), default="attention")
    ap.add_argument("--dp-batch", type=int, default=None, help="expected logical batch of the DP run")
    ap.add_argument("--dp-lr", type=float, default=None)
    args = ap.parse_args()
    cfg = DemoConfig.quick(args.out) if args.quick else DemoConfig(out=args.out)
    targets = ATTENTION_TARGETS if args.lora_targets == "attention" else LORA_TARGETS
    # The same adapter in both runs, and this benchmark's own settings (not the demo's, which
    # are tuned to show memorisation on 200 chats): 600 chats, 120 steps, constant rate.
    update = {"target_epsilon": args.epsilon, "lora_r": args.lora_r, "lora_targets": targets,
              "dp_lora_r": args.lora_r, "dp_lora_targets": targets, "lr_schedule": "constant"}
    if not args.quick:
        update |= {"train_records": 600, "heldout_records": 150, "steps": 120, "learning_rate": 4e-3,
                   "dp_batch_size": 128, "dp_learning_rate": 3e-3, "max_length": 160}
    update |= {"steps": args.steps} if args.steps else {}
    update |= {"dp_batch_size": args.dp_batch} if args.dp_batch else {}
    update |= {"dp_learning_rate": args.dp_lr} if args.dp_lr else {}
    cfg = cfg.model_copy(update=update)
    t0 = time.perf_counter()
    base = build_base_model(cfg.base_settings)
    files = prepare_data(cfg, print)
    non_private = final_val_loss(train_arm("naive", cfg, base, files["raw"], files["heldout"], print))
    private = final_val_loss(train_arm("privtune", cfg, base, files["raw"], files["heldout"], print))
    ratio = private / non_private
    print(json.dumps({"benchmark": "dp_utility", "steps": cfg.steps, "epsilon": args.epsilon, "lora_r": cfg.lora_r,
                      "lora_targets": cfg.lora_targets, "batch_non_private": cfg.batch_size,
                      "batch_dp": cfg.dp_batch_size, "lr_non_private": cfg.learning_rate, "lr_dp": cfg.dp_learning_rate,
                      "val_loss_non_private": round(non_private, 4), "val_loss_dp": round(private, 4),
                      "ratio_dp_vs_non_private": round(ratio, 4), "target_ratio": 1.15, "met": ratio <= 1.15,
                      "seconds": round(time.perf_counter() - t0, 1)}))


if __name__ == "__main__":
    main()
