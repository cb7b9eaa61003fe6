"""fp8 linear layers for InfiniteTalk's quantized DiT and T5, with LoRAs merged at load.

InfiniteTalk's fp8 files are optimum-quanto checkpoints: every ``nn.Linear`` weight is stored as
``float8_e4m3fn`` with one scale per output channel (``scale = amax(|row|) / 448``). Upstream keeps
them as quanto ``QLinear`` modules, which has two consequences the worker cannot accept:

- on a CUDA GPU of compute capability >= 8 quanto repacks each weight for its Marlin kernel, which it
  compiles from source at first use (``torch.utils.cpp_extension.load``: nvcc, g++ and ninja). The
  worker image is built on the CUDA *runtime* image, which has none of them, so the first DiT forward
  of the first job would fail;
- LoRAs are skipped under quantization (``lora_dir`` is ignored when ``quant`` is set).

So the worker converts every quanto ``QLinear`` into :class:`Fp8Linear` while the model is still on the
CPU, before anything moves to the GPU, merging LoRA deltas on the way: dequantize the weight, add the
low-rank delta (float32), round to the weight's dtype as upstream's bf16 LoRA path does, requantize
per output channel exactly as quanto's absmax quantizer does.

:class:`Fp8Linear` multiplies in one of two ways (:data:`MATMUL_MODES`):

- ``dequantize``: the weight is expanded to the activations' dtype (bf16) and multiplied by a regular
  matmul. The result equals upstream's dequantized weight exactly; the cost over a bf16 weight is one
  weight-sized copy per call, small next to the activations at video sequence lengths.
- ``fp8``: activations are quantized per token (row) to ``float8_e4m3fn`` on the fly and the product
  runs on fp8 tensor cores (``torch._scaled_mm``, compute capability >= 8.9: L40S, H100, H200); the
  token and channel scales are applied to the output. Faster, with fp8's rounding on the activations
  too. Layers whose shape ``_scaled_mm`` refuses fall back to ``dequantize``.

This module imports torch; the worker imports it only when it loads the real pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple

import torch
import torch.nn.functional as F

#: Largest finite ``float8_e4m3fn`` value: quanto's ``qmax`` for qfloat8 weights.
FP8_MAX = 448.0

#: How :class:`Fp8Linear` multiplies (see the module docstring).
MATMUL_MODES = ("dequantize", "fp8")

#: Lowest CUDA compute capability with fp8 tensor cores (Ada: L40S; Hopper: H100, H200).
FP8_TENSOR_CORE_CAPABILITY = (8, 9)


def quantize_per_channel(weight: torch.Tensor, scale_dtype: torch.dtype) -> Tuple[torch.Tensor, torch.Tensor]:
    """Quantize a 2-D weight to ``float8_e4m3fn`` with one scale per output channel (row).

    Exactly quanto's absmax quantizer for qfloat8 weights, computed in ``scale_dtype`` as quanto
    computes it in the weight's dtype: ``scale = amax(|row|) / 448``, ``data = clamp(weight / scale)``.
    One difference: an all-zero row gets scale 1 instead of quanto's division by zero. Returns
    ``(data, scale)`` with ``scale`` shaped ``(out_features, 1)``.
    """
    if weight.ndim != 2:
        raise ValueError(f"expected a 2-D weight, got shape {tuple(weight.shape)}")
    base = weight.to(scale_dtype)
    scale = base.abs().amax(dim=1, keepdim=True) / FP8_MAX
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    data = (base / scale).clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn)
    return data, scale


def dequantize(data: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """The weight a quantized ``(data, scale)`` pair stands for, in ``scale``'s dtype (quanto's rule)."""
    return data.to(scale.dtype) * scale


def scaled_mm_supported(device: torch.device) -> bool:
    """Whether ``device`` has fp8 tensor cores and this torch has ``_scaled_mm``."""
    if device.type != "cuda" or not hasattr(torch, "_scaled_mm"):
        return False
    return torch.cuda.get_device_capability(device) >= FP8_TENSOR_CORE_CAPABILITY


class Fp8Linear(torch.nn.Module):
    """A linear layer whose weight is ``float8_e4m3fn`` with one scale per output channel."""

    def __init__(self, data: torch.Tensor, scale: torch.Tensor, bias: Optional[torch.Tensor], matmul: str = "dequantize") -> None:
        super().__init__()
        if data.dtype != torch.float8_e4m3fn or data.ndim != 2:
            raise ValueError(f"Fp8Linear needs 2-D float8_e4m3fn data, got {data.dtype} {tuple(data.shape)}")
        if tuple(scale.shape) != (data.shape[0], 1):
            raise ValueError(f"Fp8Linear needs one scale per output channel, got scale {tuple(scale.shape)} for {tuple(data.shape)}")
        self.out_features, self.in_features = data.shape
        self.register_buffer("weight_data", data)
        self.register_buffer("weight_scale", scale)
        self.bias = None if bias is None else torch.nn.Parameter(bias.detach(), requires_grad=False)
        self.matmul = matmul

    @property
    def matmul(self) -> str:
        """``dequantize`` or ``fp8``; ``fp8`` only where ``_scaled_mm`` takes this layer's shape."""
        return self._matmul

    @matmul.setter
    def matmul(self, mode: str) -> None:
        if mode not in MATMUL_MODES:
            raise ValueError(f"matmul mode {mode!r} is not one of {MATMUL_MODES}")
        self._matmul = mode

    @property
    def fp8_shape_ok(self) -> bool:
        """``_scaled_mm`` needs both weight dimensions to be multiples of 16."""
        return self.in_features % 16 == 0 and self.out_features % 16 == 0

    def dequantized_weight(self) -> torch.Tensor:
        """The weight this layer stands for, in its scale's dtype."""
        return dequantize(self.weight_data, self.weight_scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._matmul == "fp8" and self.fp8_shape_ok and x.is_cuda:
            return _fp8_linear(x, self.weight_data, self.weight_scale, self.bias)
        weight = self.dequantized_weight().to(x.dtype)
        bias = None if self.bias is None else self.bias.to(x.dtype)
        return F.linear(x, weight, bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}, matmul={self._matmul}"


def _fp8_linear(x: torch.Tensor, data: torch.Tensor, scale: torch.Tensor, bias: Optional[torch.Tensor]) -> torch.Tensor:
    """``x @ W.T + b`` on fp8 tensor cores, activations scaled per token and weights per channel.

    ``_scaled_mm`` takes one scale per operand on torch 2.4 (the image's), so both operands go in with
    scale 1 and the output is multiplied by the outer product of the token and channel scales.
    """
    shape = x.shape
    rows = x.reshape(-1, shape[-1])
    token_scale = rows.abs().amax(dim=1, keepdim=True).float().clamp(min=1e-12) / FP8_MAX
    quantized = (rows.float() / token_scale).clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn)
    one = torch.ones((), device=x.device, dtype=torch.float32)
    # torch 2.4 (the image's) returns (out, amax); later releases return out alone.
    product: Any = torch._scaled_mm(quantized, data.t(), scale_a=one, scale_b=one, out_dtype=x.dtype)
    if isinstance(product, tuple):
        product = product[0]
    out = product * token_scale.to(x.dtype) * scale.reshape(1, -1).to(x.dtype)
    if bias is not None:
        out = out + bias.to(x.dtype)
    return out.reshape(*shape[:-1], out.shape[-1])


# --- conversion ----------------------------------------------------------------------------------

#: ``(parameter name, device) -> delta``: the float32 delta to add to the tensor of that name, computed
#: on that device, or None. A callable so a 40-block LoRA is expanded one layer at a time.
DeltaLookup = Callable[[str, torch.device], Optional[torch.Tensor]]


@dataclass
class ConversionReport:
    """What :func:`convert_quantized_linears` did, for logs and the GPU harness."""

    converted: int = 0
    merged: int = 0


def _is_quanto_linear(module: torch.nn.Module) -> bool:
    weight = getattr(module, "weight", None)
    return type(module).__name__ == "QLinear" and hasattr(weight, "_data") and hasattr(weight, "_scale")


def _parent_of(model: torch.nn.Module, name: str) -> Tuple[torch.nn.Module, str]:
    parent_name, _, child = name.rpartition(".")
    return (model.get_submodule(parent_name) if parent_name else model), child


@torch.no_grad()
def convert_quantized_linears(
    model: torch.nn.Module,
    delta_for: Optional[DeltaLookup] = None,
    matmul: str = "dequantize",
    merge_device: Optional[torch.device] = None,
) -> ConversionReport:
    """Replace every quanto ``QLinear`` of ``model`` with :class:`Fp8Linear`, merging deltas.

    ``delta_for(name, device)`` is asked for ``<module>.weight`` of each quantized layer; a delta found
    is added to the dequantized weight in float32 on ``merge_device`` (default: the CPU) before the
    weight is quantized again; such a layer stays on that device. Call it while the model is on the
    CPU: once quanto's weights reach a CUDA device they are repacked for Marlin.
    """
    device = merge_device or torch.device("cpu")
    if matmul not in MATMUL_MODES:
        raise ValueError(f"matmul mode {matmul!r} is not one of {MATMUL_MODES}")
    report = ConversionReport()
    for name, module in list(model.named_modules()):
        if not _is_quanto_linear(module):
            continue
        weight = module.weight
        data, scale = weight._data, weight._scale
        if data.device.type != "cpu":
            raise RuntimeError(f"{name}: convert quantized layers on the CPU, before the model moves to the GPU (found {data.device}).")
        if data.dtype != torch.float8_e4m3fn or tuple(scale.shape) != (data.shape[0], 1):
            raise RuntimeError(f"{name}: expected fp8 weights with one scale per output channel, got {data.dtype} with scale {tuple(scale.shape)}.")
        delta = delta_for(f"{name}.weight", device) if delta_for else None
        if delta is not None:
            merged = dequantize(data.to(device), scale.to(device)).float() + delta.float()
            data, scale = quantize_per_channel(merged, scale.dtype)
            report.merged += 1
        replacement = Fp8Linear(data, scale, module.bias, matmul)
        parent, child = _parent_of(model, name)
        setattr(parent, child, replacement)
        report.converted += 1
    return report


def set_matmul(model: torch.nn.Module, matmul: str) -> int:
    """Switch every :class:`Fp8Linear` of ``model`` to ``matmul``; returns how many were switched."""
    layers = [m for m in model.modules() if isinstance(m, Fp8Linear)]
    for layer in layers:
        layer.matmul = matmul
    return len(layers)
