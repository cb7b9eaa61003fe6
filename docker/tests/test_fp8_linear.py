"""The fp8 layers the worker puts in place of quanto's (avatar_worker/fp8_linear.py) and the LoRA
merge into them, on CPU against optimum-quanto 0.2.6 itself (the image's pin).

The equivalence the fast default rests on: a LoRA merged into a quantized layer (dequantize, add the
low-rank delta, requantize per channel) agrees with the bf16 layer plus the LoRA within fp8's own
rounding error.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Dict, Tuple

import pytest
import torch
from optimum.quanto import freeze, qfloat8, quantization_map, quantize, requantize
from safetensors.torch import save_file

from avatar_worker.fp8_linear import Fp8Linear, convert_quantized_linears, dequantize, quantize_per_channel
from avatar_worker.lora import LoraDeltas, parse_entries

GPU_HARNESS = Path(__file__).resolve().parents[1] / "gpu"


class Block(torch.nn.Module):
    """Two linears and a norm, named like a DiT block's parts."""

    def __init__(self, dim: int = 64, hidden: int = 96) -> None:
        super().__init__()
        self.q = torch.nn.Linear(dim, dim)
        self.ffn = torch.nn.Sequential(torch.nn.Linear(dim, hidden), torch.nn.GELU(), torch.nn.Linear(hidden, dim))
        self.norm_q = torch.nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ffn(self.norm_q(self.q(x)))


def quanto_checkpoint(model: torch.nn.Module) -> Tuple[Dict[str, torch.Tensor], Dict[str, Dict[str, str]]]:
    """What InfiniteTalk's fp8 files hold: a frozen ``quantize(model, weights=qfloat8)``."""
    quantize(model, weights=qfloat8)
    freeze(model)
    return dict(model.state_dict()), quantization_map(model)


def upstream_load(state: Dict[str, torch.Tensor], qmap: Dict[str, Dict[str, str]]) -> torch.nn.Module:
    """How upstream reads them: build on the meta device, then quanto's ``requantize`` on the CPU."""
    with torch.device("meta"):
        model = Block().to(torch.bfloat16)
    requantize(model, dict(state), qmap, device="cpu")
    return model


@pytest.fixture()
def bf16_block() -> Block:
    torch.manual_seed(0)
    return Block().to(torch.bfloat16)


def test_quantize_per_channel_is_quantos_absmax_rule(bf16_block: Block) -> None:
    state, _ = quanto_checkpoint(bf16_block)
    torch.manual_seed(0)
    reference = Block().to(torch.bfloat16)
    data, scale = quantize_per_channel(reference.q.weight.detach(), torch.bfloat16)
    assert scale.dtype == torch.bfloat16 and scale.shape == (64, 1)
    assert torch.equal(scale, state["q.weight._scale"])
    assert torch.equal(data.view(torch.uint8), state["q.weight._data"].view(torch.uint8))


def test_conversion_keeps_upstreams_numbers(bf16_block: Block) -> None:
    state, qmap = quanto_checkpoint(bf16_block)
    model = upstream_load(state, qmap)
    x = torch.randn(5, 64, dtype=torch.bfloat16)
    before = model(x)
    report = convert_quantized_linears(model)
    assert (report.converted, report.merged) == (3, 0)
    assert isinstance(model.q, Fp8Linear) and isinstance(model.ffn[2], Fp8Linear)
    assert torch.equal(model.q.dequantized_weight(), state["q.weight._data"].to(torch.bfloat16) * state["q.weight._scale"])
    torch.testing.assert_close(model(x), before, rtol=2e-2, atol=2e-2)


def test_merged_lora_agrees_with_bf16_plus_lora_within_fp8_error() -> None:
    torch.manual_seed(1)
    out_features, in_features, rank = 256, 512, 32
    weight = (torch.randn(out_features, in_features) * 0.02).to(torch.bfloat16)
    down = (torch.randn(rank, in_features) * 0.03).to(torch.bfloat16)
    up = (torch.randn(out_features, rank) * 0.03).to(torch.bfloat16)
    x = torch.randn(64, in_features, dtype=torch.bfloat16)
    target = weight.float() + up.float() @ down.float()
    reference = x.float() @ target.t()

    data, scale = quantize_per_channel(weight, torch.bfloat16)
    merged = Fp8Linear(*quantize_per_channel(dequantize(data, scale).float() + up.float() @ down.float(), torch.bfloat16), None)
    direct = Fp8Linear(*quantize_per_channel(target, torch.bfloat16), None)  # fp8 of the exact target: the bound

    def error(layer: Fp8Linear) -> float:
        return float((layer(x).float() - reference).norm() / reference.norm())

    assert error(merged) < 0.05
    assert error(merged) < 1.5 * error(direct)
    # And the LoRA is really in there: without it the layer is much further off.
    assert error(Fp8Linear(data, scale, None)) > 3 * error(merged)


def test_lora_file_merged_through_the_conversion_as_upstream_keys_say(tmp_path: Path, bf16_block: Block) -> None:
    torch.manual_seed(2)
    plain = Block().to(torch.bfloat16)
    plain.load_state_dict(bf16_block.state_dict())
    state, qmap = quanto_checkpoint(bf16_block)
    down, up = torch.randn(8, 64) * 0.05, torch.randn(64, 8) * 0.05
    diff_b = torch.randn(64) * 0.01
    diff = torch.randn(64) * 0.01
    lora_file = tmp_path / "lora.safetensors"
    save_file({
        "diffusion_model.q.lora_down.weight": down.to(torch.bfloat16),
        "diffusion_model.q.lora_up.weight": up.to(torch.bfloat16),
        "diffusion_model.q.alpha": torch.tensor(8.0),  # ignored, as upstream ignores it
        "diffusion_model.q.diff_b": diff_b.to(torch.bfloat16),
        "diffusion_model.norm_q.diff": diff.to(torch.bfloat16),
    }, str(lora_file))

    model = upstream_load(state, qmap)
    lora = LoraDeltas.load([str(lora_file)], [0.5])
    report = convert_quantized_linears(model, lora.take)
    assert report.merged == 1
    assert lora.apply_remaining(model) == 2 and len(lora) == 0

    with torch.no_grad():
        plain.q.weight += 0.5 * (up.to(torch.bfloat16).float() @ down.to(torch.bfloat16).float()).to(torch.bfloat16)
        plain.q.bias += 0.5 * diff_b.to(torch.bfloat16)
        plain.norm_q.weight += 0.5 * diff.to(torch.bfloat16)
    x = torch.randn(7, 64, dtype=torch.bfloat16)
    expected = plain(x).float()
    assert float((model(x).float() - expected).norm() / expected.norm()) < 0.05
    torch.testing.assert_close(model.norm_q.weight, plain.norm_q.weight)


def test_lora_keys_follow_upstream_rules() -> None:
    t = torch.zeros(2, 2)
    entries = parse_entries({
        "diffusion_model.blocks.0.self_attn.q.lora_down.weight": t,
        "diffusion_model.blocks.0.self_attn.q.lora_up.weight": t,
        "diffusion_model.blocks.0.self_attn.k.lora_down.weight": t,  # no lora_up: skipped, as upstream
        "diffusion_model.blocks.0.ffn.0.diff_b": t,
        "diffusion_model.blocks.0.norm3.diff": t,
        "blocks.0.self_attn.v.lora_down.weight": t,  # no prefix: ignored
        "diffusion_model.blocks.0.self_attn.q.alpha": t,
    })
    assert sorted(entries) == ["blocks.0.ffn.0.bias", "blocks.0.norm3.weight", "blocks.0.self_attn.q.weight"]


def test_a_lora_for_another_model_is_refused(tmp_path: Path, bf16_block: Block) -> None:
    lora_file = tmp_path / "other.safetensors"
    save_file({"diffusion_model.blocks.3.cross_attn.k_img.diff_b": torch.zeros(64, dtype=torch.bfloat16)}, str(lora_file))
    lora = LoraDeltas.load([str(lora_file)], [1.0])
    with pytest.raises(ValueError, match=r"blocks\.3\.cross_attn\.k_img\.bias.*is it a LoRA for this model"):
        lora.apply_remaining(bf16_block)


def test_conversion_refuses_layers_already_on_an_accelerator_and_bad_modes(bf16_block: Block) -> None:
    with pytest.raises(ValueError, match="matmul mode 'int4'"):
        convert_quantized_linears(bf16_block, matmul="int4")
    with pytest.raises(ValueError, match="float8_e4m3fn"):
        Fp8Linear(torch.zeros(4, 4), torch.ones(4, 1), None)


def test_harness_writes_quantos_own_serialization(bf16_block: Block) -> None:
    """The GPU harness writes fp8 checkpoints itself (docker/gpu/layout.py); they must be what quanto
    writes, key for key, or upstream's non-strict load would leave weights uninitialized."""
    spec = importlib.util.spec_from_file_location("gpu_layout", GPU_HARNESS / "layout.py")
    assert spec and spec.loader
    layout = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(layout)
    torch.manual_seed(0)
    twin = Block().to(torch.bfloat16)
    written, written_map = layout.quanto_fp8_state(dict(twin.state_dict()), layout.linear_weight_names(twin))
    state, qmap = quanto_checkpoint(bf16_block)
    assert json.loads(json.dumps(written_map)) == qmap
    assert {k: (v.dtype, tuple(v.shape)) for k, v in written.items()} == {k: (v.dtype, tuple(v.shape)) for k, v in state.items()}
    model = upstream_load(written, written_map)
    convert_quantized_linears(model)
    assert torch.equal(model.q.weight_scale, state["q.weight._scale"])
