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

from pydantic import BaseModel, Field

from privtune.demo.base_model import build_base_model
from privtune.demo.corpus import generate
from privtune.io.writers import atomic_write_text


class DemoConfig(BaseModel):
    model_config = {"extra": "forbid"}

    out: Path = Field(Path("demo_out"), description="Output directory.")
    seed: int = 7
    train_records: int = 600
    heldout_records: int = 150
    steps: int = 150
    batch_size: int = 48
    micro_batch_size: int = 16
    learning_rate: float = 4e-3
    dp_learning_rate: float = 6e-3
    lora_r: int = 16
    max_length: int = 160
    target_epsilon: float = 8.0
    canary_count: int = 24
    canary_repeats: list[int] = [1, 4, 16]
    canary_candidates: int = 10000
    audit_records: int = 150
    probe_samples: int = 2
    base_settings: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def quick(cls, out: Path) -> "DemoConfig":
        """A reduced run for tests and first impressions (< 3 minutes on 2 cores)."""
        return cls(out=out, train_records=160, heldout_records=60, steps=30, batch_size=32, micro_batch_size=16,
                   canary_count=8, canary_candidates=500, audit_records=40, probe_samples=1, max_length=128,
                   base_settings={"steps": 60, "corpus_records": 800, "hidden": 96, "layers": 2,
                                  "intermediate": 256, "heads": 4, "kv_heads": 2, "vocab_size": 1024})


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def prepare_data(cfg: DemoConfig, log: Callable[[str], None]) -> dict[str, Path]:
    """Raw train/held-out chats (disjoint customers) and the canary set."""
    from privtune.audit.canaries import make_canaries

    data = cfg.out / "data"
    records = list(generate(cfg.train_records + cfg.heldout_records, seed=cfg.seed))
    train, heldout = records[: cfg.train_records], records[cfg.train_records :]
    held_ids = {r["customer_id"] for r in heldout}
    train = [r for r in train if r["customer_id"] not in held_ids]  # near-dups copy ids; keep splits disjoint
    half = cfg.canary_count // 2
    canaries = make_canaries("mixed", half, cfg.canary_repeats, "zh", cfg.seed)
    canaries_en = make_canaries("mixed", cfg.canary_count - half, cfg.canary_repeats, "en", cfg.seed + 1)
    canaries.canaries.extend(canaries_en.canaries)
    canaries.save(data / "canaries.json")
    log(f"data: {len(train)} training chats, {len(heldout)} held-out chats, {cfg.canary_count} canaries")
    return {
        "raw": _write_jsonl(data / "raw_train.jsonl", train),
        "heldout": _write_jsonl(data / "heldout.jsonl", heldout),
        "canaries": data / "canaries.json",
    }


def with_canaries(src: Path, canaries_path: Path, dst: Path, seed: int) -> Path:
    """Insert the canaries (one-run randomisation: each included with probability 1/2)."""
    from privtune.audit.canaries import insert_canaries, load_canaries
    from privtune.io import SourceRecord, iter_records

    canaries, _ = load_canaries(canaries_path)
    records = [r.data for r in iter_records(src) if isinstance(r, SourceRecord)]
    out, key = insert_canaries(records, canaries, seed=seed, one_run=True)
    _write_jsonl(dst, list(out))
    atomic_write_text(dst.with_suffix(".canary_key.json"), json.dumps(key, ensure_ascii=False, indent=1))
    return dst
