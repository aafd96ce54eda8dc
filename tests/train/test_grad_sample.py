"""Per-sample gradients of LoRA params: against Opacus's hooks, plain autograd, and ghost norms."""

from __future__ import annotations

import pytest
import torch
from opacus import GradSampleModule
from torch import nn

from privtune.train.dp_step import per_sample_causal_lm_loss
from privtune.train.grad_sample import LoraGradSampler, prefers_ghost

from lora_models import VOCAB, tiny_lora_model

torch.set_num_threads(1)


def padded_batch(bsz: int = 5, seq: int = 12, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Right-padded batch with rows of different lengths; labels are -100 on padding."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, VOCAB, (bsz, seq), generator=g)
    lengths = torch.tensor([seq, seq - 4, 3, seq - 1, seq // 2][:bsz])
    mask = (torch.arange(seq)[None, :] < lengths[:, None]).long()
    ids = ids.masked_fill(mask == 0, 0)
    return ids, mask, ids.masked_fill(mask == 0, -100)


def losses(model: nn.Module, ids: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor, seed: int = 7):
    torch.manual_seed(seed)  # identical dropout masks across the runs being compared
    return per_sample_causal_lm_loss(model(input_ids=ids, attention_mask=mask).logits, labels)


def our_per_sample(model, batch, mode="materialize", seed=7):
    with LoraGradSampler(model, mode) as s:
        losses(model, *batch, seed=seed).sum().backward()
        return {p: g.clone() for p, g in s.per_sample_grads().items()}, s.norm_sq().clone()


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_per_sample_grads_match_opacus_hooks(arch: str) -> None:
    model = tiny_lora_model(arch, dropout=0.1)
    model.train()
    batch = padded_batch()
    ours, _ = our_per_sample(model, batch)
    gsm = GradSampleModule(model, loss_reduction="sum")
    try:
        losses(gsm, *batch).sum().backward()
        params = [p for p in model.parameters() if p.requires_grad]
        # 2 layers x (A, B) x targets: GPT-2 has 4 (c_attn, attn/mlp c_proj, c_fc), Llama 7.
        assert len(params) == len(ours) == 2 * 2 * (4 if arch == "gpt2" else 7)
        for p in params:
            ref = p.grad_sample
            assert ref.abs().max() > 0
            assert torch.allclose(ours[p], ref, rtol=1e-5, atol=1e-6 * float(ref.abs().max()))
    finally:
        gsm._close()


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_per_sample_grads_sum_to_autograd_grad(arch: str) -> None:
    """Independent of Opacus: the per-sample grads must add up to what autograd computes."""
    model = tiny_lora_model(arch, dropout=0.2)
    model.train()
    batch = padded_batch()
    ours, _ = our_per_sample(model, batch)
    losses(model, *batch).sum().backward()
    for p in [p for p in model.parameters() if p.requires_grad]:
        assert torch.allclose(ours[p].sum(0), p.grad, rtol=1e-5, atol=1e-6 * float(p.grad.abs().max()))


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_padding_rows_equal_unpadded_rows(arch: str) -> None:
    """A padded row's gradient equals the same row run alone without padding."""
    model = tiny_lora_model(arch)
    model.eval()  # no dropout, so separate forwards are comparable
    ids, mask, labels = padded_batch()
    ours, norms = our_per_sample(model, (ids, mask, labels))
    for row in (1, 2):
        n = int(mask[row].sum())
        one = (ids[row:row + 1, :n], mask[row:row + 1, :n], labels[row:row + 1, :n])
        alone, alone_norm = our_per_sample(model, one)
        for p, g in alone.items():
            assert torch.allclose(ours[p][row], g[0], rtol=1e-4, atol=1e-6)
        assert torch.allclose(norms[row], alone_norm[0], rtol=1e-5)


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_ghost_norms_equal_materialised(arch: str) -> None:
    model = tiny_lora_model(arch, dropout=0.1)
    model.train()
    batch = padded_batch()
    _, mat = our_per_sample(model, batch, "materialize")
    with LoraGradSampler(model, "ghost") as s:
        losses(model, *batch).sum().backward()
        assert all(r.ghost is not None for r in s.records)
        ghost = s.norm_sq()
        weights = torch.linspace(0.1, 1.0, len(ghost))
        ghost_sum = s.weighted_sum(weights)
        s.clear()
        assert all(r.ghost is None for r in s.records)
        losses(model, *batch).sum().backward()  # same data again, then materialised
        s.materialise_all()
        assert all(r.ghost is None for r in s.records)
        mat_sum = s.weighted_sum(weights)
        psg = torch.cat([g.flatten(1) for g in s.per_sample_grads().values()], dim=1)
    assert ghost.dtype == torch.float32
    assert torch.allclose(ghost, mat, rtol=1e-5)
    assert torch.allclose(ghost_sum, mat_sum, rtol=1e-5, atol=1e-6)
    assert torch.allclose(mat_sum, weights @ psg, rtol=1e-5, atol=1e-6)


def test_ghost_with_bias_matches_materialised() -> None:
    """lora_bias=True gives lora_B a bias: its per-sample grad is sum_t g_t in both modes."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 3), nn.Tanh(), nn.Linear(3, 5))
    x = torch.randn(4, 7, 6)
    out = {}
    for mode in ("ghost", "materialize"):
        with LoraGradSampler(net, mode) as s:
            net(x).pow(2).sum().backward()
            weights = torch.tensor([0.5, 1.0, 0.0, 2.0])
            out[mode] = (s.norm_sq(), s.weighted_sum(weights), [r.ghost is not None for r in s.records])
    assert out["ghost"][2] == [True, True] and out["materialize"][2] == [False, False]
    assert torch.allclose(out["ghost"][0], out["materialize"][0], rtol=1e-5)
    assert torch.allclose(out["ghost"][1], out["materialize"][1], rtol=1e-5, atol=1e-6)
    net.zero_grad()
    (net(x).pow(2).sum(dim=(1, 2)) * weights).sum().backward()  # weighted sum via autograd
    want = torch.cat([p.grad.flatten() for p in net.parameters()])
    assert torch.allclose(out["ghost"][1], want, rtol=1e-5, atol=1e-6)


def test_fastdp_rule_and_auto_mode() -> None:
    assert prefers_ghost(seq_len=4, d_in=32, d_out=4)  # 32 < 128
    assert not prefers_ghost(seq_len=8, d_in=32, d_out=4)  # 128 == 128 -> materialise
    model = tiny_lora_model("llama")
    ids, mask, labels = padded_batch(seq=5)
    with LoraGradSampler(model, "auto") as s:
        losses(model, ids, mask, labels).sum().backward()
        for r in s.records:
            d_out, d_in = r.module.weight.shape
            assert (r.ghost is not None) == prefers_ghost(5, d_in, d_out), r.name


@pytest.mark.parametrize("adapter_fp32", [True, False])
def test_bf16_matches_opacus_and_norms_accumulate_in_fp32(adapter_fp32: bool) -> None:
    batch = padded_batch()
    model = tiny_lora_model("llama", dtype=torch.bfloat16, adapter_fp32=adapter_fp32)
    model.train()  # Opacus records activations in train mode only; this Llama has no dropout
    with LoraGradSampler(model) as s:
        losses(model, *batch).sum().backward()
        want = torch.float32 if adapter_fp32 else torch.bfloat16
        assert s.dtype == want and s._buf is not None and s._buf.dtype == want
        ours, norms = s.per_sample_grads(), s.norm_sq()
    assert norms.dtype == torch.float32
    gsm = GradSampleModule(model, loss_reduction="sum")
    try:
        losses(gsm, *batch).sum().backward()
        params = [p for p in model.parameters() if p.requires_grad]
        # Reference norms: Opacus's per-sample grads squared and summed in fp32.
        ref = sum(p.grad_sample.float().flatten(1).square().sum(1) for p in params)
        for p in params:
            assert torch.allclose(ours[p], p.grad_sample.float(), rtol=1e-2, atol=1e-2 * float(ours[p].abs().max()))
    finally:
        gsm._close()
    assert torch.allclose(norms, ref, rtol=1e-3 if not adapter_fp32 else 1e-5)
    # Sanity against the fp32 model: bf16 base weights/activations move norms by a few %.
    fp32 = tiny_lora_model("llama")
    fp32.eval()
    _, ref32 = our_per_sample(fp32, batch)
    assert torch.allclose(norms.sqrt(), ref32.sqrt(), rtol=0.2)


def test_shared_layer_called_twice() -> None:
    """A linear used twice per forward: per-sample grads must sum both uses (ghost falls back)."""
    torch.manual_seed(0)
    lin = nn.Linear(6, 3)
    x = torch.randn(4, 5, 6)
    for mode in ("ghost", "materialize"):
        with LoraGradSampler(lin, mode) as s:
            lin(torch.tanh(lin(x) @ torch.ones(3, 6))).pow(2).sum().backward()
            norms = s.norm_sq()
            got = s.per_sample_grads()
        for b in range(4):
            lin.zero_grad()
            lin(torch.tanh(lin(x[b:b + 1]) @ torch.ones(3, 6))).pow(2).sum().backward()
            assert torch.allclose(got[lin.weight][b], lin.weight.grad, atol=1e-5)
            assert torch.allclose(got[lin.bias][b], lin.bias.grad, atol=1e-5)
            want = lin.weight.grad.square().sum() + lin.bias.grad.square().sum()
            assert torch.allclose(norms[b], want, rtol=1e-5)
        lin.zero_grad()


def test_refuses_uncovered_trainable_params_and_detaches() -> None:
    model = tiny_lora_model("gpt2")
    norm = model.base_model.model.transformer.ln_f
    norm.weight.requires_grad_(True)
    with pytest.raises(ValueError, match="escape clipping"):
        LoraGradSampler(model)
    norm.weight.requires_grad_(False)
    s = LoraGradSampler(model)
    assert all("forward" in r.module.__dict__ for r in s.records)
    s.detach()
    assert not any("forward" in r.module.__dict__ for r in s.records)
    with pytest.raises(ValueError, match="no trainable"):
        LoraGradSampler(nn.Sequential(nn.LayerNorm(3)).requires_grad_(False))
