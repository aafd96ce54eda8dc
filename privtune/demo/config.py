"""`privtune demo` configuration (light: the CLI imports it for ``--help`` without torch)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

# Attention and MLP: a few-million-parameter model needs the MLP adapters to memorise at all.
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
ATTENTION_TARGETS = LORA_TARGETS[:4]


class DemoConfig(BaseModel):
    """Settings of `privtune demo` (defaults: the README's run, 13–15 minutes on 2 quiet CPU cores)."""

    model_config = {"extra": "forbid"}

    out: Path = Field(Path("demo_out"), description="Output directory.")
    seed: int = Field(7, description="Seed of the corpus, canaries and training.")
    train_records: int = Field(160, ge=8, description="Customer chats the team fine-tunes on.")
    heldout_records: int = Field(150, ge=4, description="Chats of other customers (validation and non-members).")
    steps: int = Field(300, ge=1, description="Optimizer steps, the same for every arm.")
    batch_size: int = Field(32, ge=1, description="Batch size of the non-private arms.")
    micro_batch_size: int = Field(16, ge=1, description="Physical batch size (memory bound).")
    learning_rate: float = Field(1e-2, gt=0, description="Peak learning rate of the non-private arms.")
    lr_schedule: Literal["constant", "cosine", "linear"] = Field("cosine", description="Learning-rate schedule after warm-up.")
    lora_r: int = Field(32, ge=1, description="LoRA rank of the non-private arms.")
    lora_targets: list[str] = Field(default_factory=lambda: list(LORA_TARGETS),
                                    description="Modules adapted in the non-private arms.")
    dp_batch_size: int = Field(32, ge=1, description="Expected batch size of the DP arm (at a fixed epsilon, steps and "
                               "N the noise per averaged gradient hardly depends on it).")
    dp_learning_rate: float = Field(1e-2, gt=0, description="Peak learning rate of the DP arm.")
    dp_lora_r: int = Field(2, ge=1, description="LoRA rank of the DP arm (fewer parameters, less noise in total).")
    dp_lora_targets: list[str] = Field(default_factory=lambda: ["q_proj", "v_proj"],
                                       description="Modules adapted in the DP arm.")
    max_length: int = Field(160, ge=16, description="Token limit per chat.")
    target_epsilon: float = Field(8.0, gt=0, description="Epsilon of the DP arm (delta = 1/N^1.1).")
    canary_count: int = Field(32, ge=1, description="Canaries made; each is inserted with probability 1/2.")
    canary_repeats: list[int] = Field(default_factory=lambda: [1, 2],
                                      description="Copies of a canary in the training data, cycled over canaries.")
    canary_candidates: int = Field(3000, ge=10, description="Alternative secrets scored per canary.")
    audit_records: int = Field(100, ge=4, description="Members and non-members decoded per audit (extraction), "
                               "and specificity probes.")
    mia_records: int = Field(1000, ge=4, description="Members and non-members scored for membership inference "
                             "(all by default: scoring is cheap, and more records narrow the AUC's interval).")
    probe_samples: int = Field(2, ge=1, description="Sampled answers per specificity probe.")
    probe_temperature: float = Field(0.5, gt=0, description="Sampling temperature of the specificity probe. "
                                     "A 2M-parameter model sampled at 1.0 writes mostly broken identifiers.")
    workers: int = Field(2, ge=1, description="Processes running the arms side by side (one thread each); "
                         "1 runs them one after another in this process.")
    base_settings: dict[str, Any] = Field(default_factory=dict,
                                          description="Overrides of the base model's pre-training settings.")

    @classmethod
    def quick(cls, out: Path) -> "DemoConfig":
        """A reduced run for tests and first impressions (27 s on 2 quiet cores, over 3 minutes on a busy machine)."""
        return cls(out=out, train_records=160, heldout_records=60, steps=30, batch_size=32, micro_batch_size=16,
                   canary_count=8, canary_candidates=500, audit_records=40, probe_samples=1, max_length=128,
                   base_settings={"steps": 60, "corpus_records": 800, "hidden": 96, "layers": 2,
                                  "intermediate": 256, "heads": 4, "kv_heads": 2, "vocab_size": 1024})
