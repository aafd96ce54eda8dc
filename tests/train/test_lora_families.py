"""Default LoRA targets for the families beyond the tested matrix: Pythia (GPT-NeoX), Phi-2,
GPT-J, GPT-Neo, Falcon, BLOOM, StarCoder 1/2, StableLM, Granite, Cohere, OLMo 3,
Qwen3-MoE. Each was refused with "no default LoRA target modules" (Pythia and Phi-2 are
common first small models). Per family: every default target names a module, attention and
MLP are adapted, and the per-sample gradients of a padded batch equal each row's alone (the
clipping bound holds for every adapted layer)."""

from __future__ import annotations

import pytest
import torch
import transformers
from transformers import AutoModelForCausalLM

from privtune.errors import ConfigError
from privtune.train.dp_step import per_sample_causal_lm_loss
from privtune.train.grad_sample import LoraGradSampler
from privtune.train.lora import attach_lora

from lora_models import flat_per_sample_grads, randomise_lora_b

torch.set_num_threads(1)
VOCAB = 64
_DECODER = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=4)
_LLAMA = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
# config class, its kwargs, the adapted layer names (last part) expected with include_mlp
FAMILIES: dict[str, tuple[str, dict, set[str]]] = {
    "gpt_neox": ("GPTNeoXConfig", _DECODER, {"query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"}),
    "phi": ("PhiConfig", _DECODER, {"q_proj", "k_proj", "v_proj", "dense", "fc1", "fc2"}),
    "gptj": ("GPTJConfig", dict(n_embd=32, n_layer=1, n_head=4, rotary_dim=4),
             {"q_proj", "k_proj", "v_proj", "out_proj", "fc_in", "fc_out"}),
    "gpt_neo": ("GPTNeoConfig", dict(hidden_size=32, num_layers=1, num_heads=4, attention_types=[[["global"], 1]]),
                {"q_proj", "k_proj", "v_proj", "out_proj", "c_fc", "c_proj"}),
    "falcon": ("FalconConfig", dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=4),
               {"query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"}),
    "bloom": ("BloomConfig", dict(hidden_size=32, n_layer=1, n_head=4),
              {"query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"}),
    "gpt_bigcode": ("GPTBigCodeConfig", dict(n_embd=32, n_layer=1, n_head=4, resid_pdrop=0.0, embd_pdrop=0.0,
                                                 attn_pdrop=0.0), {"c_attn", "c_proj", "c_fc"}),
    "starcoder2": ("Starcoder2Config", {**_DECODER, "num_key_value_heads": 2},
                   {"q_proj", "k_proj", "v_proj", "o_proj", "c_fc", "c_proj"}),
    "stablelm": ("StableLmConfig", {**_DECODER, "num_key_value_heads": 4}, _LLAMA),
    "granite": ("GraniteConfig", _DECODER, _LLAMA),
    "cohere": ("CohereConfig", _DECODER, _LLAMA),
    "olmo3": ("Olmo3Config", _DECODER, _LLAMA),
    "qwen3_moe": ("Qwen3MoeConfig", {**_DECODER, "moe_intermediate_size": 16, "num_experts": 4,
                                     "num_experts_per_tok": 2, "head_dim": 8}, {"q_proj", "k_proj", "v_proj", "o_proj"}),
}


def _model(model_type: str):
    cls_name, kwargs, _ = FAMILIES[model_type]
    if not hasattr(transformers, cls_name):
        pytest.skip(f"transformers {transformers.__version__} has no {cls_name}")
    ids = dict(bos_token_id=1, eos_token_id=2, pad_token_id=0)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(getattr(transformers, cls_name)(vocab_size=VOCAB, **ids, **kwargs))
    assert model.config.model_type == model_type
    return model


@pytest.mark.parametrize("model_type", sorted(FAMILIES))
def test_default_targets_adapt_attention_and_mlp_with_exact_per_sample_grads(model_type: str) -> None:
    model = attach_lora(_model(model_type), r=2, alpha=4.0, include_mlp=True)
    adapted = {n.split(".")[-2] for n, _ in model.named_modules() if n.endswith(".lora_A")}
    assert adapted == FAMILIES[model_type][2], adapted
    randomise_lora_b(model, 0.3)
    model.train()
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(3, VOCAB, (3, 10), generator=g)
    mask = (torch.arange(10)[None, :] < torch.tensor([[10], [6], [3]])).long()
    labels = ids.masked_fill(mask == 0, -100)

    def grads(i, m, lab):
        with LoraGradSampler(model, "materialize") as s:
            per_sample_causal_lm_loss(model(input_ids=i, attention_mask=m).logits, lab).sum().backward()
            return flat_per_sample_grads(s)

    together = grads(ids.masked_fill(mask == 0, 0), mask, labels)
    assert together.abs().max() > 0
    for row, n in enumerate((10, 6, 3)):
        alone = grads(ids[row:row + 1, :n], mask[row:row + 1, :n], labels[row:row + 1, :n])[0]
        assert torch.allclose(together[row], alone, rtol=1e-4, atol=1e-5 * float(alone.abs().max())), (model_type, row)


def test_a_default_target_the_model_lacks_is_named() -> None:
    model = _model("gpt_neox")
    for layer in model.gpt_neox.layers:  # a variant that names its fused projection otherwise
        layer.attention.qkv = layer.attention.query_key_value
        del layer.attention.query_key_value
    with pytest.raises(ConfigError, match="'query_key_value' matches no module"):
        attach_lora(model, include_mlp=True)


def test_gpt2_conv1d_attaches_without_peft_warning(recwarn) -> None:
    from transformers import GPT2Config

    model = AutoModelForCausalLM.from_config(GPT2Config(vocab_size=VOCAB, n_embd=16, n_layer=1, n_head=2))
    attach_lora(model, include_mlp=True)
    assert not [w for w in recwarn if "fan_in_fan_out" in str(w.message)]


@pytest.mark.parametrize(("target", "kind"), [("embed_tokens", "Embedding"), ("mlp", "Qwen2MLP")])
def test_a_target_that_is_not_a_linear_layer_is_a_config_error(target: str, kind: str) -> None:
    from transformers import Qwen2Config

    model = AutoModelForCausalLM.from_config(Qwen2Config(vocab_size=VOCAB, **_DECODER, num_key_value_heads=2,
                                                         tie_word_embeddings=True))
    with pytest.raises(ConfigError, match=f"'{target}' \\({kind}\\) is not a linear layer"):
        attach_lora(model, target_modules=["q_proj", target])
    # lm_head of a tied-embedding model is a linear layer: its LoRA is separate, and clipped
    adapted = attach_lora(model, target_modules=["q_proj", "lm_head"])
    assert any(n.endswith("lm_head.lora_A") for n, _ in adapted.named_modules())
