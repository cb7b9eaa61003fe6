"""Harness shim for xfuser.core."""
