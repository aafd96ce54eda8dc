"""Attach LoRA adapters with PEFT and check that training actually moves them.

Order matters: the model goes to its device *before* ``get_peft_model`` (Opacus issue #820:
wrapping first and moving afterwards produced silently broken DP-LoRA runs), and the first
optimizer step is checked with :func:`assert_lora_changed` so a no-op run fails loudly.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from torch import Tensor, nn

from privtune.errors import ConfigError

# Suffix-matched by PEFT (a name matches if it equals the key or ends with "." + key).
# GPT-2's "c_proj" exists in both attention and MLP, hence the qualified names; likewise the
# "dense" of GPT-NeoX / Falcon / Phi attention beside "dense_h_to_4h" and "mlp.dense".
_LLAMA_ATTN = ["q_proj", "k_proj", "v_proj", "o_proj"]
_QKV_OUT_PROJ = ["q_proj", "k_proj", "v_proj", "out_proj"]  # GPT-J, GPT-Neo
_FUSED_QKV_MLP = ["dense_h_to_4h", "dense_4h_to_h"]  # GPT-NeoX (Pythia), Falcon, BLOOM
_ATTN_TARGETS: dict[str, list[str]] = {
    "gpt2": ["attn.c_attn", "attn.c_proj"],
    "llama": _LLAMA_ATTN,
    "phi3": ["qkv_proj", "o_proj"],  # fused q/k/v
    "gpt_neox": ["query_key_value", "attention.dense"],
    "falcon": ["query_key_value", "self_attention.dense"],
    "phi": ["q_proj", "k_proj", "v_proj", "self_attn.dense"],
    "gptj": _QKV_OUT_PROJ, "gpt_neo": _QKV_OUT_PROJ,
    "starcoder2": _LLAMA_ATTN, "qwen2_moe": _LLAMA_ATTN, "mixtral": _LLAMA_ATTN,
}
_MLP_TARGETS: dict[str, list[str]] = {
    "gpt2": ["mlp.c_fc", "mlp.c_proj"],
    "llama": ["gate_proj", "up_proj", "down_proj"],
    "phi3": ["gate_up_proj", "down_proj"],  # fused gate/up
    "gpt_neox": _FUSED_QKV_MLP, "falcon": _FUSED_QKV_MLP,
    "phi": ["fc1", "fc2"], "gptj": ["fc_in", "fc_out"],
    "gpt_neo": ["mlp.c_fc", "mlp.c_proj"], "starcoder2": ["mlp.c_fc", "mlp.c_proj"],
    # MoE: transformers 5 stores routed experts as fused 3-D parameters, not nn.Linear, so LoRA
    # reaches only Qwen2-MoE's shared expert (called on token-flattened rows, which the per-sample
    # capture maps back to samples); Mixtral and Qwen3-MoE have no shared expert: attention only.
    "qwen2_moe": ["gate_proj", "up_proj", "down_proj"],
    "mixtral": [],
}
# model_type -> family (the module names its LoRA targets are looked up by). Not OPT: its layers
# run on token-flattened (B*T, d) rows, which per-sample clipping cannot map back to samples.
_FAMILY: dict[str, str] = {
    "gpt2": "gpt2", "gpt_bigcode": "gpt2", "phi3": "phi3", "qwen2_moe": "qwen2_moe", "mixtral": "mixtral",
    "qwen3_moe": "mixtral", "gpt_neox": "gpt_neox", "falcon": "falcon", "bloom": "falcon", "phi": "phi",
    "gptj": "gptj", "gpt_neo": "gpt_neo", "starcoder2": "starcoder2",
    **{t: "llama" for t in ("llama", "qwen2", "qwen3", "mistral", "gemma", "gemma2", "gemma3", "gemma3_text",
                            "olmo", "olmo2", "olmo3", "stablelm", "granite", "cohere", "smollm3")},
}
SUPPORTED_MODEL_TYPES: tuple[str, ...] = tuple(sorted(_FAMILY))


class UnknownArchitecture(ConfigError, ValueError):
    """No default LoRA targets for this model type (a ValueError too, as before it was a ConfigError)."""


class LoraNotUpdatedError(RuntimeError):
    """LoRA weights did not change after an optimizer step: training would be a silent no-op."""



@contextlib.contextmanager
def quiet_peft_probe() -> Iterator[None]:
    """Silence the FutureWarning PEFT triggers by probing ``is_gradient_checkpointing``, which
    transformers 5 deprecated: PEFT's call, not ours, and it would repeat in every run."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        yield

def _family(model: nn.Module) -> str:
    model_type = getattr(getattr(model, "config", None), "model_type", None)
    family = _FAMILY.get(str(model_type))
    if family is None:
        raise UnknownArchitecture(
            f"no default LoRA target modules for model_type={model_type!r} "
            f"(known: {', '.join(SUPPORTED_MODEL_TYPES)}); "
            "set lora.target_modules to the names of its attention/MLP linear layers"
        )
    return family


def default_target_modules(model: nn.Module, include_mlp: bool = False) -> list[str]:
    """Attention projections for the model's architecture, plus the MLP ones if asked."""
    family = _family(model)
    return _ATTN_TARGETS[family] + (_MLP_TARGETS[family] if include_mlp else [])


def check_target_names(model: nn.Module, targets: list[str]) -> None:
    """Every listed target must name a module of ``model`` (PEFT's rule: the whole name or its
    last dotted parts). PEFT itself fails only when *none* matches, with a traceback, and quietly
    adapts the rest when one of several is misspelt ("v_porj"): the run then trains fewer
    layers than the config says."""
    modules = [(n, m) for n, m in model.named_modules() if n]
    missing = [t for t in targets if not any(n == t or n.endswith("." + t) for n, _ in modules)]
    linear = sorted({n.rsplit(".", 1)[-1] for n, m in modules if _is_linear(m)})
    if missing:
        raise ConfigError(f"lora.target_modules: {', '.join(map(repr, missing))} {'matches' if len(missing) == 1 else 'match'} no module of this model; "
                          f"its linear layers are named: {', '.join(linear)}")
    # An embedding's LoRA (lora_embedding_A/B) or a whole block has no per-sample gradient
    # capture: it was a bare RuntimeError (or PEFT's ValueError) after the ledger run began.
    other = {t: type(m).__name__ for t in targets for n, m in modules
             if (n == t or n.endswith("." + t)) and not _is_linear(m)}
    if other:
        named = ", ".join(f"{t!r} ({kind})" for t, kind in sorted(other.items()))
        raise ConfigError(f"lora.target_modules: {named} {'is not a linear layer' if len(other) == 1 else 'are not linear layers'}; "
                          "DP-SGD clips the LoRA weights of linear layers only (lm_head is one, the input "
                          f"embedding is not); this model's linear layers are named: {', '.join(linear)}")


def _is_linear(module: nn.Module) -> bool:
    return isinstance(module, nn.Linear) or type(module).__name__ == "Conv1D"


def attach_lora(
    model: nn.Module,
    *,
    r: int = 8,
    alpha: float = 16.0,
    dropout: float = 0.0,
    target_modules: list[str] | str | None = None,
    include_mlp: bool = False,
    device: torch.device | str | None = None,
    adapter_dtype_fp32: bool = True,
) -> PeftModel:
    """Move ``model`` to ``device``, then wrap it with fresh LoRA adapters (base frozen).

    ``adapter_dtype_fp32`` keeps adapters in fp32 when the base is bf16/fp16 (PEFT's default;
    the LoRA path then runs in fp32). Only the adapters' A/B weights are trainable."""
    quantized = getattr(model, "hf_quantizer", None) is not None  # placed at load time; .to() is refused
    if device is not None and not quantized:
        model = model.to(device)  # before get_peft_model, see module docstring
    auto = target_modules in (None, "auto", ["auto"])  # ["auto"]: what `--lora-target-modules auto` parses to
    targets = default_target_modules(model, include_mlp) if auto else target_modules
    if isinstance(targets, list):
        # The defaults too: a variant of a known family whose layers are named otherwise would
        # otherwise train fewer layers than the config says, silently.
        check_target_names(model, targets)
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=targets,
        # GPT-2's Conv1D stores weights transposed; PEFT would switch this itself, with a
        # UserWarning on every GPT-2 run.
        fan_in_fan_out=any(type(m).__name__ == "Conv1D" for m in model.modules()),
        bias="none",
        task_type="CAUSAL_LM",
    )
    with quiet_peft_probe():
        peft_model = get_peft_model(model, config, autocast_adapter_dtype=adapter_dtype_fp32)
    trainable = [n for n, p in peft_model.named_parameters() if p.requires_grad]
    stray = [n for n in trainable if ".lora_A." not in n and ".lora_B." not in n]
    if stray or not trainable:
        raise RuntimeError(f"unexpected trainable parameters after attaching LoRA: {stray[:5] or 'none'}")
    return peft_model


def lora_parameters(model: nn.Module) -> dict[str, nn.Parameter]:
    """Trainable LoRA parameters by name."""
    return {n: p for n, p in model.named_parameters() if p.requires_grad and (".lora_A." in n or ".lora_B." in n)}


def snapshot_lora(model: nn.Module) -> dict[str, Tensor]:
    """Detached copies of the LoRA weights, to compare after a step."""
    return {n: p.detach().clone() for n, p in lora_parameters(model).items()}


def assert_lora_changed(model: nn.Module, before: dict[str, Tensor]) -> dict[str, float]:
    """Raise :class:`LoraNotUpdatedError` unless the step moved the LoRA weights.

    Every ``lora_B`` must change: B starts at zero and gets a gradient at the first step, so an
    unchanged B means the optimizer never saw our gradients. ``lora_A`` may legitimately stay
    put at step one (its gradient is ``B^T ...`` = 0 without noise), so it is not required.
    Returns the max absolute change per parameter."""
    params = lora_parameters(model)
    if not before or set(before) != set(params):
        raise LoraNotUpdatedError("snapshot does not match the model's LoRA parameters")
    delta = {n: float((params[n].detach() - before[n]).abs().max()) for n in before}
    frozen_b = [n for n, d in delta.items() if ".lora_B." in n and not d > 0.0]
    if frozen_b or not any(d > 0.0 for d in delta.values()):
        raise LoraNotUpdatedError(
            f"{len(frozen_b)} LoRA B matrices did not change after an optimizer step "
            f"(e.g. {frozen_b[:3]}): check that the optimizer holds these parameters and that "
            "the model was on its device before get_peft_model"
        )
    return delta
