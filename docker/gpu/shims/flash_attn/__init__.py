"""Harness shim: flash_attn.flash_attn_varlen_func through PyTorch SDPA (see ../README.md)."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F


def flash_attn_varlen_func(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
    cu_seqlens_q: torch.Tensor, cu_seqlens_k: torch.Tensor,
    max_seqlen_q: int, max_seqlen_k: int,
    dropout_p: float = 0.0, softmax_scale: Optional[float] = None, causal: bool = False,
    window_size: Tuple[int, int] = (-1, -1), deterministic: bool = False, **_: object,
) -> torch.Tensor:
    """Packed (total, heads, dim) inputs; one SDPA call per sequence."""
    if window_size != (-1, -1):
        raise NotImplementedError("flash_attn shim: sliding windows are not supported")
    q_bounds = cu_seqlens_q.tolist()
    k_bounds = cu_seqlens_k.tolist()
    outputs = []
    for i in range(len(q_bounds) - 1):
        qi = q[q_bounds[i]:q_bounds[i + 1]].transpose(0, 1).unsqueeze(0)
        ki = k[k_bounds[i]:k_bounds[i + 1]].transpose(0, 1).unsqueeze(0)
        vi = v[k_bounds[i]:k_bounds[i + 1]].transpose(0, 1).unsqueeze(0)
        out = F.scaled_dot_product_attention(qi, ki, vi, dropout_p=dropout_p, is_causal=causal, scale=softmax_scale)
        outputs.append(out.squeeze(0).transpose(0, 1))
    return torch.cat(outputs, dim=0)
