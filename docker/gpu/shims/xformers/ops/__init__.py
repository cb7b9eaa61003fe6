"""Harness shim: xformers.ops.memory_efficient_attention through PyTorch SDPA."""
from typing import Optional

import torch
import torch.nn.functional as F

from . import fmha  # noqa: F401  (xformers.ops.fmha.attn_bias.BlockDiagonalMask)
from .fmha.attn_bias import BlockDiagonalMask


def memory_efficient_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, attn_bias: Optional[object] = None, op: object = None, **_: object) -> torch.Tensor:
    """Inputs and output in xformers' BMHK layout."""
    if attn_bias is None:
        out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
        return out.transpose(1, 2)
    if isinstance(attn_bias, BlockDiagonalMask):
        outputs = []
        for (qs, qe), (ks, ke) in zip(attn_bias.q_ranges, attn_bias.k_ranges):
            outputs.append(memory_efficient_attention(q[:, qs:qe], k[:, ks:ke], v[:, ks:ke]))
        return torch.cat(outputs, dim=1)
    raise NotImplementedError(f"xformers shim: attn_bias {type(attn_bias).__name__} is not supported")
