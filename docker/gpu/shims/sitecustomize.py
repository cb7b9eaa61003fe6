"""Harness shim (see README.md): InfiniteTalk 0107cd9's `from inspect import ArgSpec` on Python >= 3.11."""
import inspect

if not hasattr(inspect, "ArgSpec"):
    inspect.ArgSpec = inspect.FullArgSpec  # type: ignore[attr-defined]
