"""`privtune train` configuration: one pydantic object, loadable from YAML, every key a `--set` flag."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from privtune.models.dtypes import DTYPE_HELP, DTypeName, normalise_dtype
from privtune.provenance.licence_policy import IntendedUse


class LoraConfig(BaseModel):
    model_config = {"extra": "forbid", "allow_inf_nan": False}

    r: int = Field(8, ge=1, description="LoRA rank.")
    alpha: float = Field(16.0, gt=0, description="LoRA alpha (scaling = alpha / r).")
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="LoRA dropout.")
    target_modules: list[str] | Literal["auto"] | None = Field(
        None, description="Module names to adapt; null or auto: the architecture's attention (+ MLP) projections.")
    include_mlp: bool = Field(
        True, description="With automatic targets, adapt the MLP projections too, not only attention.")


class CheckpointConfig(BaseModel):
    model_config = {"extra": "forbid"}

    every: int = Field(0, ge=0, description="Save an encrypted checkpoint every N steps (0: never).")
    keep_last: int = Field(1, ge=1, description="Checkpoints to keep.")
    encrypt: bool = Field(True, description="AES-256-GCM; turning this off stores plaintext training state.")
    key_file: Path | None = Field(None, description="Key file (env PRIVTUNE_KEY wins); null: "
                                  "$XDG_CONFIG_HOME/privtune/train.key (~/.config/...); created 0600 if absent.")


class QuantizationConfig(BaseModel):
    """QLoRA: load the frozen base in 4 or 8 bits (bitsandbytes); the LoRA A/B stay in full precision
    and are the only tensors that are trained, clipped and noised."""

    model_config = {"extra": "forbid"}

    bits: Literal[4, 8] | None = Field(None, description="4 or 8: quantise the base model; null: full precision.")
    type: Literal["nf4", "fp4"] = Field("nf4", description="4-bit data type (nf4 suits normally distributed weights).")
    double_quant: bool = Field(
        True, description="4-bit: also quantise the quantisation constants (~0.4 bit/param saved).")
    compute_dtype: Literal["bf16", "fp16", "fp32"] = Field("bf16", description="dtype the dequantised matmuls run in.")


class TrainConfig(BaseModel):
    """Everything one `privtune train` run needs."""

    # allow_inf_nan: max_grad_norm: inf passed and the run spent a step before its update came out
    # inf (no clipping at all otherwise); epochs: inf was an OverflowError traceback.
    model_config = {"extra": "forbid", "protected_namespaces": (), "allow_inf_nan": False}

    model: Path = Field(description="Local Hugging Face causal-LM directory (config.json + weights + tokenizer).")
    data: Path = Field(description="Training data in any format `privtune scan` reads.")
    validation: Path | None = Field(None, description="Held-out data for validation loss.")
    output_dir: Path = Field(Path("train_out"), description="Where adapter/, privacy.json, train_report.json go.")
    format: Literal["jsonl", "json", "csv", "parquet", "text"] | None = Field(
        None, description="Input format when the suffix does not tell: jsonl, json, csv, parquet or text (one record per line).")
    encoding: str | None = Field(
        None, description="Text encoding of the data files (e.g. gb18030, utf-16); default: sniffed as "
        "`privtune scan` does (byte-order mark, else UTF-8, else Windows-1252, GB18030 or Big5).")
    fields: list[str] | None = Field(None, description="Text fields for plain-text records.")
    loss_on: Literal["answer", "all"] = Field("answer", description="Supervise answer/assistant tokens only, or all.")
    max_length: int = Field(512, ge=8, description="Token limit per example; at most the model's context window "
                                                   "(the default is lowered to a shorter window).")
    trust_remote_code: bool = Field(False, description="Allow custom model code from the model directory.")

    lora: LoraConfig = LoraConfig()

    dp: bool = Field(True, description="DP-SGD on; false = ordinary LoRA through the same code path.")
    privacy_unit: Literal["record", "user"] = Field("record", description="What DP protects: a record or a user.")
    user_id_field: str | None = Field(None, description="Record field holding the user id (privacy_unit: user).")
    target_epsilon: float | None = Field(8.0, gt=0, description="Calibrate noise to reach this epsilon.")
    noise_multiplier: float | None = Field(
        None, ge=0, description="Use this sigma instead of calibrating (then leave target_epsilon unset: "
        "both set is refused); 0 only with dp: false.")
    delta: float | None = Field(None, gt=0, lt=1, description="Default 1/N^1.1 for N privacy units.")
    max_grad_norm: float = Field(1.0, gt=0, description="Per-unit clipping norm C.")
    accountant: Literal["pld", "rdp", "prv"] = Field(
        "pld", description="Privacy accountant for calibration and the reported epsilon: pld (tightest), prv or rdp.")

    epochs: float = Field(3.0, gt=0, description="Expected passes over the data (steps = epochs / sample_rate).")
    steps: int | None = Field(None, ge=1, description="Logical steps; overrides epochs.")
    batch_size: int = Field(32, ge=1, description="Expected logical batch size (sample_rate = batch_size / N).")
    micro_batch_size: int | Literal["auto"] = Field(
        8, description="Physical batch size bounding memory; auto: the largest that fits, probed on the GPU "
        "at max_length with synthetic tokens (8 on CPU).")
    learning_rate: float = Field(2e-3, gt=0, description="Peak AdamW learning rate of the LoRA weights.")
    weight_decay: float = Field(0.0, ge=0, description="AdamW weight decay.")
    warmup_steps: int = Field(0, ge=0, description="Linear learning-rate warm-up over this many steps.")
    lr_schedule: Literal["constant", "cosine", "linear"] = Field(
        "constant", description="After warm-up: keep the rate, or decay it to zero by the last step.")
    seed: int = Field(0, description="Seed for model init and anything not privacy-relevant.")
    dp_seed: int | None = Field(
        None,
        description="Seed for Poisson sampling and DP noise. Leave unset (secret random seed): anyone who "
        "knows it can recompute and remove the noise. Set only for reproducibility tests.",
    )
    secure_noise: bool | None = Field(
        None,
        description="DP noise from a ChaCha20 CSPRNG, each value a sum of 4 Gaussians (floating-point attack "
        "mitigation). Default: on when dp_seed is unset, off with a dp_seed (torch's seeded generator).",
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="auto (CUDA when visible, else CPU), cpu or cuda.")
    dtype: DTypeName = Field("fp32", description=DTYPE_HELP + " fp16 trains with dynamic loss scaling.")
    attn_implementation: Literal["auto", "sdpa", "flash_attention_2", "eager"] = Field(
        "auto", description="Attention kernel; auto lets transformers choose (SDPA where supported). "
        "flash_attention_2 needs the flash-attn package and a CUDA GPU.")
    gradient_checkpointing: bool = Field(
        False, description="Recompute each decoder layer in backward instead of storing its activations "
        "(less memory, ~30% more compute); per-sample gradients stay exact.")
    gradient_checkpointing_mode: Literal["non_reentrant", "reentrant"] = Field(
        "non_reentrant", description="torch.utils.checkpoint flavour used by gradient_checkpointing.")
    eval_every: int = Field(0, ge=0, description="Validation every N steps (0: once per epoch).")
    log_every: int = Field(10, ge=1, description="Unused: progress lines follow eval_every (kept so older configs load).")
    log_train_loss: bool = Field(
        False,
        description="Under DP, also log and report the training loss. It is computed from the private "
        "records without noise, so the released curve is OUTSIDE the DP guarantee (privacy.json says so).",
    )

    ledger: str | None = Field(None, description="Ledger SQLite path or postgresql:// URL (default: user data dir).")
    dataset_name: str | None = Field(None, description="Human name recorded in the ledger.")
    budget_epsilon: float | None = Field(None, gt=0, description="This dataset's total budget if it has none; "
                                          "never changes an existing one (use `privtune ledger set-budget`).")

    quantization: QuantizationConfig = QuantizationConfig()
    checkpoint: CheckpointConfig = CheckpointConfig()
    resume: bool = Field(False, description="Continue from the latest checkpoint in output_dir.")
    encrypt_adapter: bool = Field(False, description="Also encrypt the saved adapter weights.")

    # Provenance: checked against the base model's licence before training, recorded after it.
    intended_use: IntendedUse = Field(default_factory=IntendedUse)
    license_override_reason: str | None = Field(None, description="Train despite a licence block; recorded.")
    base_model_id: str | None = Field(None, description="Hub id of the base model for the card and BOM.")
    scan_report: Path | None = Field(None, description="Scan report of the data (default: found beside the data by its hash).")

    _dtype_alias = field_validator("dtype", mode="before")(normalise_dtype)

    @model_validator(mode="after")
    def _check(self) -> "TrainConfig":
        if self.privacy_unit == "user" and not self.user_id_field:
            raise ValueError("privacy_unit: user needs user_id_field")
        if isinstance(self.micro_batch_size, int) and self.micro_batch_size < 1:
            raise ValueError("micro_batch_size must be >= 1 or auto")
        if self.dp and self.target_epsilon is None and self.noise_multiplier is None:
            raise ValueError("dp: true needs target_epsilon or noise_multiplier")
        if self.dp and self.noise_multiplier == 0:
            # epsilon = infinity: privacy.json said "dp": true beside "epsilon": Infinity (not even
            # standard JSON), and the card "DP-SGD: (ε = inf ...)", for a run with no guarantee.
            raise ValueError("noise_multiplier=0 with dp: true gives no privacy guarantee (epsilon is "
                             "infinite); for a run without DP set dp: false (--no-dp), which the ledger "
                             "and privacy.json record as such")
        if self.noise_multiplier is not None and self.target_epsilon is not None:
            if self.dp and "target_epsilon" in self.model_fields_set:
                # A given sigma fixes epsilon; the target was silently ignored, so a run asked for
                # epsilon=1 could spend (and report) epsilon=30 with nothing said.
                raise ValueError(
                    f"target_epsilon={self.target_epsilon:g} and noise_multiplier={self.noise_multiplier:g} are "
                    "both set; give one: a noise_multiplier fixes epsilon (the accountant computes it), a "
                    "target_epsilon calibrates the noise (drop the other, e.g. --set target_epsilon=null)")
            # Only the default target is left: it plays no part, so nothing records it as the run's target.
            self.__dict__["target_epsilon"] = None
        return self
