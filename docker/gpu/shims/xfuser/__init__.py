"""Harness shim for xfuser (see ../README.md)."""
