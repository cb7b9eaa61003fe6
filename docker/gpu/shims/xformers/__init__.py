"""Harness shim for xformers (see ../README.md)."""
