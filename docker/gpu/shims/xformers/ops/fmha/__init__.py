"""Harness shim for xformers.ops.fmha."""
from . import attn_bias  # noqa: F401
